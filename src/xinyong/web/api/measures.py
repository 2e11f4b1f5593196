"""``/api/v1/measures``: the measures ledger tracking report (失信约束措施台账) and its progress notes (issue #7).

Reading needs ``lists.read`` (staff of the list departments, regulators, the credit office); recording progress
needs ``measures.update`` (the credit office). The rules live in ``lists.measure_progress``.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query

from xinyong.auth.permissions import require
from xinyong.lists import measure_progress
from xinyong.lists.check_schemas import ProgressIn, ProgressOut, TrackingReport
from xinyong.lists.measures import measure_ledger
from xinyong.web.errors import error_responses
from xinyong.web.security import CSRF, DENIED, SECURED, LoggedIn

router = APIRouter(prefix="/api/v1/measures", tags=["失信约束措施台账"], dependencies=SECURED)

MeasureId = Annotated[str, Path(pattern=r"^[a-z][a-z0-9_]{1,47}$", description="措施编号")]


@router.get("", response_model=TrackingReport, summary="措施台账跟踪报告", responses=error_responses(*DENIED, 422))
def ledger(
    ctx: LoggedIn,
    as_of: Annotated[date | None, Query(description="检查基准日（默认今天）")] = None,
    overdue: Annotated[bool, Query(description="只列出逾期未完成修订、废止的措施")] = False,
) -> TrackingReport:
    """Every measure with its legal basis, status (保留/修订/废止), deadline and newest progress note as of the
    day; revise and abolish tasks not done past their deadline are flagged overdue."""
    report = measure_progress.ledger_tracking(ctx, as_of)
    if overdue:
        report = report.model_copy(update={"measures": [r for r in report.measures if r.overdue]})
    return report


@router.get(
    "/{measure_id}/progress",
    response_model=list[ProgressOut],
    summary="措施的进展记录",
    responses=error_responses(*DENIED, 404, 422),
)
def history(measure_id: MeasureId, ctx: LoggedIn) -> list[ProgressOut]:
    """Every progress note on the measure, oldest first."""
    require(ctx, measure_progress.READ)
    measure_progress.measure_or_404(measure_ledger(), measure_id)
    return measure_progress.progress_history(ctx.session, measure_id)


@router.post(
    "/{measure_id}/progress",
    response_model=ProgressOut,
    status_code=201,
    summary="登记措施修订、废止进展",
    dependencies=CSRF,
    responses=error_responses(*DENIED, 404, 422),
)
def progress(measure_id: MeasureId, data: ProgressIn, ctx: LoggedIn) -> ProgressOut:
    """A progress note (and whether the revise or abolish task is done) — the credit office only."""
    out = measure_progress.record_progress(ctx, measure_id, data.note, data.done, data.reported_on)
    ctx.session.commit()  # committed before answering (the request session commits after the response)
    return out
