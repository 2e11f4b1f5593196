"""The monthly job (``xinyong jobs run-monthly``): the city credit monitoring computation of the previous month.

Run on any day of a month, it computes the month before (``as_of``'s previous month) under the default model
version, once: when that month already has a current run the step does nothing (a re-run of the job, or a
month the credit office already computed by hand, changes nothing); ``force`` recomputes (a new run, the earlier
one kept as history, as ``service.run_month`` always does). The run is audited with what it did.
"""

from __future__ import annotations

from datetime import date, timedelta

from pydantic import BaseModel

from xinyong.auth import audit
from xinyong.auth.context import Context
from xinyong.auth.permissions import require
from xinyong.monitoring import service
from xinyong.monitoring.model_yaml import DEFAULT_VERSION


class MonthlyRun(BaseModel):
    """What one run of the monthly job did: the month, whether it computed (or found a run), the run's id."""

    as_of: date
    month: str
    computed: bool
    run_id: int
    district_score: float
    warnings: int
    negative_ok: bool


def month_before(day: date) -> str:
    """``YYYY-MM`` of the month before ``day``'s."""
    last = day.replace(day=1) - timedelta(days=1)
    return f"{last.year:04d}-{last.month:02d}"


def run_monthly(ctx: Context, as_of: date, *, force: bool = False) -> MonthlyRun:
    """Compute the previous month's monitoring unless it has a current run (see the module docstring)."""
    require(ctx, "jobs.run")
    month = month_before(as_of)
    found = None if force else service.current_run(ctx, DEFAULT_VERSION, month)
    if found is None:
        out = service.run_month(ctx, month)
        run_id, score, warnings, negative_ok = out.id, out.district_score, out.warnings, out.negative_ok
    else:
        run_id, score, warnings, negative_ok = found.id, found.district_score, found.warnings, found.negative_ok
    result = MonthlyRun(
        as_of=as_of,
        month=month,
        computed=found is None,
        run_id=run_id,
        district_score=score,
        warnings=warnings,
        negative_ok=negative_ok,
    )
    audit.record(ctx, "jobs.run_monthly", "job", "monthly", result.model_dump(mode="json"))
    return result
