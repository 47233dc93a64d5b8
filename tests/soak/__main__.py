"""`python -m tests.soak` (`make soak`): the large soaks, printing their counts.

    python -m tests.soak                          # crash: 100 jobs / 10 kills; faults: 200 jobs
    python -m tests.soak --only crash --crash-jobs 40 --kills 5 --seed 3

Exit status 1 when any count that must be zero is not (see report.MUST_BE_ZERO).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import tempfile
from pathlib import Path

from tests.soak.crash import run_crash
from tests.soak.faults import run_fault_soak
from tests.soak.report import Report


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tests.soak", description=__doc__)
    parser.add_argument("--crash-jobs", type=int, default=100)
    parser.add_argument("--kills", type=int, default=10, help="kills besides the album one")
    parser.add_argument("--soak-jobs", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--only", choices=("crash", "faults"))
    parser.add_argument("--keep", type=Path, help="keep databases and bot logs here")
    return parser.parse_args(argv)


def show(name: str, report: Report) -> bool:
    print(f"{name}: {report.summary()}", flush=True)
    if report.problems or report.notes:
        print(report.details(limit=100), flush=True)
    return not report.bad_counts()


async def soak(args: argparse.Namespace, workdir: Path) -> bool:
    clean = True
    if args.only in (None, "crash"):
        crash_dir = workdir / "crash"
        crash_dir.mkdir(parents=True, exist_ok=True)
        report = await run_crash(
            crash_dir, jobs=args.crash_jobs, kills=args.kills, seed=args.seed, settle=120
        )
        clean = show("crash soak", report) and clean
    if args.only in (None, "faults"):
        fault_dir = workdir / "faults"
        fault_dir.mkdir(parents=True, exist_ok=True)
        report = await run_fault_soak(fault_dir, jobs=args.soak_jobs, seed=args.seed, settle=180)
        clean = show("fault soak", report) and clean
    return clean


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.ERROR)  # the bot's retries and 429s are expected here
    # A SIGKILL mid-upload leaves the fake Telegram a half-read request: expected, not news.
    logging.getLogger("aiohttp.server").setLevel(logging.CRITICAL)
    if args.keep is not None:
        return 0 if asyncio.run(soak(args, args.keep)) else 1
    with tempfile.TemporaryDirectory(prefix="soak-") as tmp:
        return 0 if asyncio.run(soak(args, Path(tmp))) else 1


if __name__ == "__main__":
    sys.exit(main())
