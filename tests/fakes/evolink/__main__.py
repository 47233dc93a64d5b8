"""`python -m tests.fakes.evolink`: serve a fake Evolink until Ctrl-C.

Prints the base URL (use it for both EVOLINK_API_URL and EVOLINK_FILES_URL) and one line per
request. The Authorization header is never printed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib

from .server import FakeEvolink


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tests.fakes.evolink", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8082)
    parser.add_argument("--key", default="test-key", help="the API key clients must send")
    parser.add_argument(
        "--task-duration", type=float, default=3.0, help="seconds from submit to result"
    )
    parser.add_argument(
        "--estimated-time", type=int, default=None, help="task_info.estimated_time"
    )
    return parser.parse_args(argv)


async def serve(args: argparse.Namespace) -> None:
    fake = FakeEvolink(api_key=args.key)
    fake.task_duration = args.task_duration
    fake.estimated_time = args.estimated_time
    fake.log = lambda line: print(line, flush=True)
    await fake.start(args.host, args.port)
    try:
        print(f"fake Evolink listening on {fake.url}", flush=True)
        print(f"EVOLINK_API_URL={fake.url} EVOLINK_FILES_URL={fake.url}", flush=True)
        await asyncio.Event().wait()
    finally:
        await fake.stop()


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args))


if __name__ == "__main__":
    main()
