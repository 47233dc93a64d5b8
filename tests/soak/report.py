"""The verdict of a soak: every job judged once, counted by what went wrong."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from tests.fakes.evolink import FakeEvolink
from tests.fakes.telegram import FakeTelegram
from tests.soak.scenario import JobSpec, Seen, database, see, tags_of

# Counts that must be zero; each maps to a promise of PRODUCT §4/§7 or issue 9.
MUST_BE_ZERO = (
    "lost",  # a command with no job and no answer
    "silent",  # a finished job the user was never told about
    "stuck",  # a job that never reached a final state
    "two_outcomes",  # results delivered AND a failure shown (or two jobs for one command)
    "stale_status",  # finished, but the status message still shows work in progress
    "partial",  # delivered fewer results than asked for, yet called done
    "charge_mismatches",  # a job charged other than for the results it delivered
    "ledger_mismatches",  # a user whose balance is not allowance minus those charges
    "duplicate_tasks",  # more than one Evolink task for one job
    "untolerated_duplicates",  # a result delivered twice without a crash to excuse it
    "calls_inside_retry_after",  # a Telegram call inside a retry_after window we were given
    "violations",  # calls a real Telegram or Evolink would refuse as invalid
)


@dataclass
class Report:
    jobs: int = 0
    delivered: int = 0
    failed_told: int = 0
    refused: int = 0
    lost: int = 0
    silent: int = 0
    stuck: int = 0
    two_outcomes: int = 0
    stale_status: int = 0
    partial: int = 0
    charge_mismatches: int = 0
    ledger_mismatches: int = 0
    duplicate_tasks: int = 0
    duplicates_delivered: int = 0
    untolerated_duplicates: int = 0
    calls_inside_retry_after: int = 0
    violations: int = 0
    kills: list[str] = field(default_factory=list)
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what the run did (faults injected...)

    def bad_counts(self) -> dict[str, int]:
        """The counts that should be zero and are not (empty when the run is clean)."""
        return {name: getattr(self, name) for name in MUST_BE_ZERO if getattr(self, name)}

    def summary(self) -> str:
        kills = f", {len(self.kills)} kills ({', '.join(self.kills)})" if self.kills else ""
        return (
            f"{self.jobs} jobs in {self.seconds:.1f} s{kills}: delivered {self.delivered}, "
            f"failed with a message {self.failed_told}, refused {self.refused} | "
            f"lost {self.lost}, silent {self.silent}, stuck {self.stuck}, "
            f"two outcomes {self.two_outcomes}, stale status {self.stale_status}, "
            f"partial {self.partial}, ledger mismatches {self.ledger_mismatches} "
            f"(jobs charged wrong {self.charge_mismatches}), "
            f"duplicate tasks {self.duplicate_tasks}, "
            f"duplicates delivered {self.duplicates_delivered} "
            f"(not excused by a kill {self.untolerated_duplicates}), "
            f"calls inside retry_after {self.calls_inside_retry_after}, "
            f"violations {self.violations}"
        )

    def details(self, limit: int = 40) -> str:
        shown = self.problems[:limit]
        more = len(self.problems) - len(shown)
        return "\n".join(self.notes + shown + ([f"... and {more} more"] if more > 0 else []))


def judge(
    tg: FakeTelegram,
    evo: FakeEvolink,
    db_path: Path,
    specs: list[JobSpec],
    allowance: int,
    interrupted: set[str],
) -> Report:
    """Judge every job; `interrupted` names jobs a kill caught mid-delivery (their
    duplicates are tolerated, PRODUCT §4), `allowance` is each user's credits in hundredths."""
    report = Report(jobs=len(specs))
    charges: dict[int, int] = {}
    with database(db_path) as db:
        for spec in specs:
            seen = see(tg, db, spec)
            _judge_job(report, seen, interrupted)
            _judge_charge(report, db, seen)
            charges[spec.user_id] = charges.get(spec.user_id, 0) + spec.charge_for(seen.distinct)
        _judge_balances(report, db, charges, allowance)
    duplicates = {tag: n - 1 for tag, n in tags_of(evo).items() if n > 1}
    report.duplicate_tasks = sum(duplicates.values())
    report.problems += [f"{tag}: {n + 1} Evolink tasks" for tag, n in duplicates.items()]
    report.calls_inside_retry_after = tg.calls_inside_retry_after
    report.violations = len(tg.violations) + len(evo.violations)
    report.problems += [f"violation: {v}" for v in tg.violations + evo.violations]
    return report


def _judge_job(report: Report, seen: Seen, interrupted: set[str]) -> None:
    spec = seen.spec
    name = f"{spec.tag} ({spec.kind}, user {spec.user_id})"
    states = [r["state"] for r in seen.rows]

    def problem(count: str, what: str) -> None:
        setattr(report, count, getattr(report, count) + 1)
        report.problems.append(f"{count}: {name}: {what}; states {states}")

    if not seen.rows:
        if seen.answered:
            report.refused += 1
        else:
            problem("lost", "no job and no answer")
        return
    if not seen.final:
        problem("stuck", "not finished")
        return
    if len(seen.rows) > 1:
        problem("two_outcomes", f"{len(seen.rows)} jobs for one command")
    if seen.distinct:
        report.delivered += 1
        if seen.failure_seen:
            problem("two_outcomes", f"{seen.distinct} result(s) delivered and a failure shown")
        if seen.distinct < spec.results_expected and states == ["done"]:
            problem("partial", f"{seen.distinct} of {spec.results_expected} results")
    elif seen.failure_seen:
        report.failed_told += 1
    else:
        problem("silent", "finished without a result or a failure message")
    if seen.stale:
        problem("stale_status", f"status still reads {seen.status_text!r}")
    copies = seen.results - seen.distinct
    report.duplicates_delivered += copies
    if copies and spec.tag not in interrupted:
        problem("untolerated_duplicates", f"{copies} result(s) delivered twice")


def _judge_charge(report: Report, db: sqlite3.Connection, seen: Seen) -> None:
    ids = [r["id"] for r in seen.rows]
    if not ids or not seen.final:
        return
    marks = ",".join("?" * len(ids))
    sums = dict(
        db.execute(
            f"SELECT kind, SUM(amount) FROM ledger WHERE job_id IN ({marks}) GROUP BY kind", ids
        ).fetchall()
    )
    charged, reserved, released = (sums.get(k) or 0 for k in ("charge", "reserve", "release"))
    expected = seen.spec.charge_for(seen.distinct)
    if charged != expected or reserved - charged - released != 0:
        report.charge_mismatches += 1
        report.problems.append(
            f"charge_mismatches: {seen.spec.tag} ({seen.spec.kind}): {seen.distinct} result(s)"
            f" should cost {expected}; ledger reserved {reserved}, charged {charged},"
            f" released {released}"
        )


def _judge_balances(
    report: Report, db: sqlite3.Connection, charges: dict[int, int], allowance: int
) -> None:
    for user_id, charged in sorted(charges.items()):
        row = db.execute(
            "SELECT daily_left + bonus FROM users WHERE user_id = ?", (user_id,)
        ).fetchone()
        balance = row[0] if row else allowance
        if balance != allowance - charged:
            report.ledger_mismatches += 1
            report.problems.append(
                f"ledger_mismatches: user {user_id} has {balance}, expected"
                f" {allowance} - {charged} = {allowance - charged}"
            )
