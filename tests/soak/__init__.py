"""Soaks that prove "nothing lost, nothing free, nothing twice" (issue 9).

- `crash.py`: the real `python -m bot` process, SIGKILLed at chosen moments and restarted on
  the same database, against both fakes;
- `faults.py`: the real wiring in-process under random Evolink faults and Telegram 429s;
- `scenario.py`: the jobs they send and how an outcome is judged (from the user's chat, the
  fake Evolink's records and the bot's SQLite file, never from the bot's own objects).

`python -m tests.soak` (or `make soak`) runs the large versions and prints the counts; the
small versions are tests in `test_crash.py` and `test_fault_soak.py`.
"""
