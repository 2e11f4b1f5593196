"""The daily job (``xinyong jobs run-daily --as-of DATE``): end publicity at maximum periods, close list
entries whose period ended, flag overdue objections, repair applications, commitment verifications and
dishonesty verification cases, queue reminders, turn public bodies' overdue contract terms, arrears and enforcement
cases into government-integrity records, and recompile the PSI server sets whose data changed (so repairs,
removals and expiries reach the banks' private queries the same day).

Each step is idempotent (it only adds what is missing: effects and notifications are keyed), so re-running
the job for the same or an earlier date changes nothing. Steps run in one transaction per step, in order.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from pydantic import BaseModel

from xinyong.auth import audit
from xinyong.auth.context import Context
from xinyong.auth.permissions import require
from xinyong.government import arrears, contracts, enforcement
from xinyong.lists import entries, verification
from xinyong.privacy import psi_sets
from xinyong.records import commitments, objections, repairs, status

Step = Callable[[Context, date], int]

# name → step; each returns how many things it changed (0 on a re-run)
STEPS: dict[str, Step] = {
    "expire_publicity": status.expire_publicity,
    "objections_overdue": objections.flag_overdue,
    "repairs_overdue": repairs.flag_overdue,
    "commitments_overdue": commitments.flag_overdue,
    "lists_expire": entries.expire_entries,
    "verification_overdue": verification.flag_overdue_cases,
    "government_contracts": contracts.daily_step,  # terms past the grace → contract default + 政务失信记录
    "arrears_overdue": arrears.daily_step,  # arrears past due + grace → 政务失信记录
    "enforcement_records": enforcement.daily_step,  # cases not closed by deadline + grace → 政务失信记录
    "privacy_sets": psi_sets.daily_step,  # after the list and publicity steps: the sets reflect them
}


class DailyRun(BaseModel):
    """What one run of the daily job did."""

    as_of: date
    steps: dict[str, int]


def run_daily(ctx: Context, as_of: date) -> DailyRun:
    """Run every step for ``as_of`` (in the caller's transaction) and audit the run with its counts."""
    require(ctx, "jobs.run")
    counts = {name: step(ctx, as_of) for name, step in STEPS.items()}
    audit.record(ctx, "jobs.run_daily", "job", "daily", {"as_of": as_of.isoformat(), **counts})
    return DailyRun(as_of=as_of, steps=counts)
