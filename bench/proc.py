"""The bot as a separate process for the benchmark: start, watch (CPU, RSS, /metrics), stop.

CPU and memory come from /proc (Linux), so they are the bot's alone, not the fakes'.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
_TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class BotProcess:
    proc: asyncio.subprocess.Process
    spawned: float
    port: int
    log_path: Path

    @classmethod
    async def spawn(cls, env: dict[str, str], workdir: Path, name: str) -> BotProcess:
        port = free_port()
        log_path = workdir / f"{name}.log"
        full = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": os.environ.get("HOME", ""),
            "PYTHONPATH": str(ROOT),
            "METRICS_ENABLED": "true",
            "WEB_LISTEN": "127.0.0.1",
            "WEB_PORT": str(port),
            **env,
        }
        with log_path.open("wb") as log:
            proc = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bench.botproc",
                cwd=workdir,  # no .env of the developer's is read
                env=full,
                stdout=log,
                stderr=log,
            )
        return cls(proc, time.monotonic(), port, log_path)

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / _TICKS  # utime + stime

    def memory_mb(self) -> tuple[float, float]:
        """(RSS now, peak RSS) in MB."""
        values: dict[str, float] = {}
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(rest.split()[0]) / 1024
        return values["VmRSS"], values["VmHWM"]

    async def metrics(self) -> dict[str, float]:
        """The /metrics samples, by name with labels (e.g. 'bot_telegram_429_total')."""
        async with httpx.AsyncClient(trust_env=False) as http:
            text = (await http.get(f"http://127.0.0.1:{self.port}/metrics")).text
        samples: dict[str, float] = {}
        for line in text.splitlines():
            if line and not line.startswith("#"):
                name, _, value = line.rpartition(" ")
                samples[name] = float(value)
        return samples

    async def stop(self, timeout: float = 60.0) -> tuple[float, int | None]:
        """SIGTERM; (seconds until it exited, exit code), None when it had to be killed."""
        started = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        try:
            code = await asyncio.wait_for(self.proc.wait(), timeout)
        except TimeoutError:
            self.proc.kill()
            await self.proc.wait()
            return time.monotonic() - started, None
        return time.monotonic() - started, code


def lag_p99(before: dict[str, float], after: dict[str, float]) -> tuple[float, int]:
    """(upper bound of the 99th percentile of loop lag between two scrapes, samples)."""
    prefix = "bot_event_loop_lag_seconds_bucket"

    def buckets(samples: dict[str, float]) -> list[tuple[float, float]]:
        found = []
        for name, value in samples.items():
            if name.startswith(prefix):
                bound = name.split('le="', 1)[1].split('"', 1)[0]
                found.append((float("inf") if bound == "+Inf" else float(bound), value))
        return sorted(found)

    now, then = buckets(after), dict(buckets(before))
    deltas = [(bound, count - then.get(bound, 0.0)) for bound, count in now]
    total = deltas[-1][1] if deltas else 0.0
    for bound, count in deltas:
        if total and count >= 0.99 * total:
            return bound, int(total)
    return float("inf"), int(total)
