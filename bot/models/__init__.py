"""The model registry: one small module per Evolink model, each with its `SPEC`.

`bot.models.spec` says what a description holds, `bot.models.flags` the flags several models
share, `bot.models.registry` finds every spec module and answers "which model serves this
command", `bot.models.facts` gives texts the limits they state (`{n_range}`,
`{models_edit}`). The parser, handlers, engine, pricing, /quota, /help, the command menu and
the fake Evolink's validation table all read the registry.

Adding a model (the recipe; wan25_text_to_video.py is the worked example):

1. One module here, e.g. `bot/models/vendor_model.py`, with `NAME` (the Evolink identifier,
   written nowhere else in the product code), its strict request class (a subclass of
   `bot.evolink.models.GenerationRequest`), a `build` function from options to request, and
   `SPEC = ModelSpec(...)` with its command, `--model` alias, kind, flags, defaults, price
   rule, cost setting and default cost, and texts (en + zh; the registry refuses to start
   without them). Texts name limits by placeholder (`--n {n_range}`, `{photos_<label>}`,
   values only this model has go in `facts=`), never as literals. `bot.config.Settings`
   gets the price setting (`cost_setting`, env var upper-cased) generated from the spec;
   nothing else to edit.
2. Run `python -m bot.configdoc`: it writes the price variable's line in `.env.example` and
   its row in the README's configuration table from the spec (tests/test_startup.py fails
   until they match the registry).
3. Its tests: parsing and refusals, an end-to-end run against both fakes (the fake Evolink
   reads the model's OpenAPI document, or one built in `tests/fakes/evolink/extra_models.py`).
"""
