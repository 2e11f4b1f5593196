"""``/api/v1/workplan``: the work-plan ledger (工作要点台账, issue #12 item 2).

Reading needs ``workplan.read`` (staff of every department, regulators, the credit office); loading a plan needs
``workplan.manage`` (the credit office); progress reports need ``workplan.report`` (department officers for
their own department, the credit office for any unit named on the item). Rules: ``xinyong.workplan``.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from xinyong.auth.permissions import require
from xinyong.web.downloads import attachment
from xinyong.web.errors import error_responses
from xinyong.web.security import CSRF, DENIED, SECURED, LoggedIn
from xinyong.workplan import notice, queries, service
from xinyong.workplan.schemas import ItemDetail, LoadIn, LoadResult, PlanOut, PlanStatus, ProgressIn, ProgressOut

router = APIRouter(prefix="/api/v1/workplan", tags=["工作要点台账"], dependencies=SECURED)

Year = Annotated[int, Path(ge=2000, le=2100, description="工作要点年度")]
ItemId = Annotated[int, Path(ge=1, description="条目编号（内部 id）")]
BINARY = {"type": "string", "format": "binary"}


@router.get("/years", response_model=list[int], summary="已载入工作要点的年度", responses=error_responses(*DENIED))
def years(ctx: LoggedIn) -> list[int]:
    """Years with a loaded plan, newest first."""
    require(ctx, queries.READ)
    return queries.plan_years(ctx.session)


@router.post(
    "",
    response_model=LoadResult,
    summary="载入年度工作要点文本",
    dependencies=CSRF,
    responses=error_responses(*DENIED, 422),
)
def load(data: LoadIn, ctx: LoggedIn) -> LoadResult:
    """Parse and store the plan text; a text with unrecognised lines is refused with every line (``problems``);
    the same text again changes nothing (``created`` false); a different text becomes a new version."""
    out = service.load_plan(ctx, data.text, data.year)
    ctx.session.commit()
    return out


@router.get(
    "/items/{item_id}",
    response_model=ItemDetail,
    summary="条目详情与进展",
    responses=error_responses(*DENIED, 404, 422),
)
def item(
    item_id: ItemId, ctx: LoggedIn, as_of: Annotated[date | None, Query(description="状态基准日（默认今天）")] = None
) -> ItemDetail:
    """Sub-tasks, targets, units by role, status as of the day and the whole progress history."""
    return queries.item_detail(ctx, item_id, as_of)


@router.post(
    "/items/{item_id}/progress",
    response_model=ProgressOut,
    status_code=201,
    summary="报送条目进展",
    dependencies=CSRF,
    responses=error_responses(*DENIED, 404, 409, 422),
)
def progress(item_id: ItemId, data: ProgressIn, ctx: LoggedIn) -> ProgressOut:
    """A progress report for a unit named on the item (a department officer: their own department)."""
    out = service.report_progress(
        ctx, item_id, data.unit_code, data.note, data.status, data.percent, data.evidence, data.reported_on
    )
    ctx.session.commit()
    return out


@router.get(
    "/{year}",
    response_model=PlanStatus,
    summary="年度工作要点及各条目状态",
    responses=error_responses(*DENIED, 404, 422),
)
def ledger(
    year: Year,
    ctx: LoggedIn,
    as_of: Annotated[date | None, Query(description="状态基准日（默认今天）")] = None,
    status: Annotated[
        str | None, Query(pattern="^(done|on_track|at_risk|overdue)$", description="只列出该状态")
    ] = None,
) -> PlanStatus:
    """Every item of the year's current plan with its units and status (done / on track / at risk / overdue)."""
    out = queries.ledger(ctx, year, as_of)
    if status:
        out = out.model_copy(update={"items": [r for r in out.items if r.status == status]})
    return out


@router.get(
    "/{year}/versions",
    response_model=list[PlanOut],
    summary="年度工作要点的各版本",
    responses=error_responses(*DENIED, 422),
)
def versions(year: Year, ctx: LoggedIn) -> list[PlanOut]:
    """Every loaded version of the year's plan, newest first."""
    require(ctx, queries.READ)
    return queries.plan_versions(ctx.session, year)


@router.get(
    "/{year}/notice",
    summary="下载期间通报（xlsx 或 PDF）",
    response_class=Response,
    responses={
        200: {"content": {notice.XLSX: {"schema": BINARY}}, "description": "通报"},
        **error_responses(*DENIED, 404, 422),
    },
)
def notice_xlsx(
    year: Year,
    ctx: LoggedIn,
    period: Annotated[str, Query(max_length=10, description="期间：2021-06（月）或 2021-Q2（季度）")],
    fmt: Annotated[str, Query(alias="format", pattern="^(xlsx|pdf)$", description="xlsx（默认）或 pdf")] = "xlsx",
) -> Response:
    """The period notice of the year's plan: every item's status as of the period's last day, overdue highlighted."""
    found, data = notice.notice(ctx, period, year, fmt)
    ctx.session.commit()  # the audit event of the notice
    name = f"工作要点通报-{year}-{found.text}.{fmt}"
    return Response(data, media_type=notice.FORMATS[fmt], headers={"Content-Disposition": attachment(name)})
