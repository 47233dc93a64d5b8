"""The model registry: one small module per Evolink model, each with its `SPEC`.

`bot.models.spec` says what a description holds, `bot.models.flags` the flags commands share,
`bot.models.registry` finds every spec module and answers "which model serves this command".
Adding a model is one spec module here (texts included) and its tests; nothing else.
"""
