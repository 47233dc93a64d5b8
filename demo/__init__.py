"""`make demo`: the real bot between the two fake servers, with a scripted conversation.

No keys, no network: the fake Telegram and the fake Evolink from `tests/fakes` run on free
loopback ports in this process, the bot runs through the same `run_bot` as `python -m bot`,
and a short script plays a user and an admin. `--interactive` opens the fake Telegram's
console instead, so a person can type as a Telegram user.
"""
