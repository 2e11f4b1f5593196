"""JSON API ``/api/v1/campaigns``: 专项治理与屡禁不止、屡罚不改主体 (issue #11 item 6).

Staff read campaigns and the repeated-violator lists (``campaigns.read``); the credit office creates campaigns,
puts subjects in scope (by hand or from a detection run) and closes them (``campaigns.manage``) and runs the
detection (``violators.run``); units report progress and update the targets assigned to them
(``campaigns.report``, scoped in ``xinyong.campaigns.service``). ``/violators`` is the ad-hoc query (nothing
stored); ``/violators/runs`` the stored runs. Rules: ``rules/campaigns.yaml``.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel
from starlette.responses import Response

from xinyong.campaigns import queries, service, violators
from xinyong.campaigns.schemas import (
    AddedOut,
    CampaignIn,
    CampaignOut,
    CampaignRow,
    CampaignViolator,
    CloseIn,
    FromRunIn,
    ProgressIn,
    ProgressOut,
    RunIn,
    RunOut,
    TargetIn,
    TargetOut,
    TargetUpdateIn,
    ViolatorPage,
    ViolatorRow,
)
from xinyong.db.base import MAX_ID
from xinyong.errors import NotFound
from xinyong.web import exports
from xinyong.web.errors import error_responses
from xinyong.web.security import CSRF, DENIED, SECURED, LoggedIn

router = APIRouter(prefix="/api/v1/campaigns", tags=["专项治理与屡禁不止、屡罚不改主体"])
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
Limit = Annotated[int, Query(ge=1, le=violators.MAX_LIMIT)]
Offset = Annotated[int, Query(ge=0, le=1_000_000)]
Category = Annotated[str | None, Query(max_length=64, description="处罚类别")]
WRITE = [*SECURED, *CSRF]


class TargetPage(BaseModel):
    """A page of a campaign's targets."""

    total: int
    rows: list[TargetOut]


def _target_out(ctx: LoggedIn, campaign_id: int, target_id: int) -> TargetOut:
    _, rows = queries.targets(ctx, campaign_id, limit=queries.MAX_LIMIT)
    found = next((t for t in rows if t.id == target_id), None)
    if found is None:  # pragma: no cover - the target was just written
        raise NotFound("未找到该治理对象")
    return found


VIOLATOR_COLUMNS: tuple[exports.Column[ViolatorRow], ...] = (
    exports.Column("主体名称", lambda r: r.subject_name),
    exports.Column("统一社会信用代码", lambda r: r.uscc or ""),
    exports.Column("处罚类别", lambda r: r.category),
    exports.Column("处罚次数", lambda r: r.penalties),
    exports.Column("首次处罚日期", lambda r: r.first_on.isoformat()),
    exports.Column("最近处罚日期", lambda r: r.last_on.isoformat()),
)


# --------------------------------------------------------------------------------------------- violators
@router.get(
    "/violators",
    response_model=ViolatorPage,
    summary="屡禁不止、屡罚不改主体即时查询（不保存）",
    responses=error_responses(*DENIED, 422),
    dependencies=SECURED,
)
def query_violators(
    ctx: LoggedIn,
    as_of: date | None = None,
    min_count: Annotated[int | None, Query(ge=2, le=100)] = None,
    window_days: Annotated[int | None, Query(ge=1, le=3650)] = None,
    category: Category = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> ViolatorPage:
    """Subjects with at least ``min_count`` current penalties of one type within ``window_days`` before
    ``as_of`` (defaults from the rulebook; ``as_of`` today)."""
    return violators.query(
        ctx, as_of or ctx.today, min_count, window_days, category=category, limit=limit, offset=offset
    )


@router.get(
    "/violators/runs",
    response_model=list[RunOut],
    summary="屡禁不止、屡罚不改检测批次",
    responses=error_responses(*DENIED),
    dependencies=SECURED,
)
def list_runs(ctx: LoggedIn) -> list[RunOut]:
    """The latest stored runs, newest first."""
    return violators.list_runs(ctx)


@router.post(
    "/violators/runs",
    response_model=RunOut,
    status_code=201,
    summary="运行屡禁不止、屡罚不改检测（区信用办）",
    responses=error_responses(*DENIED, 422),
    dependencies=WRITE,
)
def start_run(data: RunIn, ctx: LoggedIn) -> RunOut:
    """Detect and store the list (one INSERT … SELECT), timed and audited."""
    return violators.run_out(violators.run_detection(ctx, data.as_of, data.min_count, data.window_days))


@router.get(
    "/violators/runs/{run_id}",
    response_model=ViolatorPage,
    summary="检测批次的主体名单",
    responses=error_responses(*DENIED, 404, 422),
    dependencies=SECURED,
)
def run_rows(
    ctx: LoggedIn, run_id: Id, category: Category = None, limit: Limit = 50, offset: Offset = 0
) -> ViolatorPage:
    """A page of the run's violators, most penalties first."""
    page = violators.run_violators(ctx, run_id, category=category, limit=limit, offset=offset)
    assert page is not None  # a given run id either exists or raised NotFound
    return page


@router.get(
    "/violators/runs/{run_id}/export",
    summary="导出检测批次名单（CSV / Excel）",
    responses=error_responses(*DENIED, 404, 422),
    dependencies=SECURED,
)
def export_run(ctx: LoggedIn, run_id: Id, format: exports.ExportFormat = "csv") -> Response:
    """The run's whole list as CSV or .xlsx."""
    first = violators.run_violators(ctx, run_id, limit=1)
    assert first is not None
    total = first.total
    exports.check_size(total)

    def read() -> list[ViolatorRow]:
        rows: list[ViolatorRow] = []
        while len(rows) < total:
            page = violators.run_violators(ctx, run_id, limit=violators.MAX_LIMIT, offset=len(rows))
            assert page is not None
            if not page.rows:
                break
            rows += page.rows
        return rows

    return exports.export_response(format, f"repeat-violators-{run_id}", VIOLATOR_COLUMNS, total, read)


# --------------------------------------------------------------------------------------------- campaigns
@router.get(
    "",
    response_model=list[CampaignRow],
    summary="专项治理行动列表",
    responses=error_responses(*DENIED, 422),
    dependencies=SECURED,
)
def list_campaigns(ctx: LoggedIn, status: Annotated[str | None, Query(max_length=16)] = None) -> list[CampaignRow]:
    """Campaigns with their target counts by status."""
    return queries.list_campaigns(ctx, status)


@router.post(
    "",
    response_model=CampaignOut,
    status_code=201,
    summary="创建专项治理行动（区信用办）",
    responses=error_responses(*DENIED, 409, 422),
    dependencies=WRITE,
)
def create_campaign(data: CampaignIn, ctx: LoggedIn) -> CampaignOut:
    """Sectors from the rulebook, lead and participating units (department or township codes), period, goal."""
    return queries.campaign_detail(ctx, service.create_campaign(ctx, data).id)


@router.get(
    "/{campaign_id}",
    response_model=CampaignOut,
    summary="专项治理行动详情",
    responses=error_responses(*DENIED, 404),
    dependencies=SECURED,
)
def get_campaign(ctx: LoggedIn, campaign_id: Id) -> CampaignOut:
    """The campaign with counts by status and progress by unit."""
    return queries.campaign_detail(ctx, campaign_id)


@router.post(
    "/{campaign_id}/close",
    response_model=CampaignOut,
    summary="结束专项治理行动（区信用办）",
    responses=error_responses(*DENIED, 404, 409, 422),
    dependencies=WRITE,
)
def close_campaign(campaign_id: Id, data: CloseIn, ctx: LoggedIn) -> CampaignOut:
    """Close with the result summary; a closed campaign changes no more."""
    service.close_campaign(ctx, campaign_id, data)
    return queries.campaign_detail(ctx, campaign_id)


@router.get(
    "/{campaign_id}/targets",
    response_model=TargetPage,
    summary="治理对象",
    responses=error_responses(*DENIED, 404, 422),
    dependencies=SECURED,
)
def list_targets(
    ctx: LoggedIn,
    campaign_id: Id,
    status: Annotated[str | None, Query(max_length=16)] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> TargetPage:
    """The campaign's targets, newest first."""
    total, rows = queries.targets(ctx, campaign_id, status=status, limit=limit, offset=offset)
    return TargetPage(total=total, rows=rows)


@router.post(
    "/{campaign_id}/targets",
    response_model=TargetOut,
    status_code=201,
    summary="纳入治理对象（区信用办）",
    responses=error_responses(*DENIED, 404, 409, 422),
    dependencies=WRITE,
)
def add_target(campaign_id: Id, data: TargetIn, ctx: LoggedIn) -> TargetOut:
    """A subject by USCC, optionally with a case reference, and the reason."""
    target = service.add_target(ctx, campaign_id, data)
    return _target_out(ctx, campaign_id, target.id)


@router.post(
    "/{campaign_id}/targets/from-run",
    response_model=AddedOut,
    summary="从屡禁不止、屡罚不改检测批次纳入治理对象（区信用办）",
    responses=error_responses(*DENIED, 404, 409, 422),
    dependencies=WRITE,
)
def add_from_run(campaign_id: Id, data: FromRunIn, ctx: LoggedIn) -> AddedOut:
    """Every violator of the run, or those with penalties in the campaign's sectors, set-based."""
    return AddedOut(added=service.add_targets_from_run(ctx, campaign_id, data), run_id=data.run_id)


@router.post(
    "/targets/{target_id}",
    response_model=TargetOut,
    summary="更新治理对象状态与处置结果",
    responses=error_responses(*DENIED, 404, 409, 422),
    dependencies=WRITE,
)
def update_target(target_id: Id, data: TargetUpdateIn, ctx: LoggedIn) -> TargetOut:
    """The office, the lead unit, or the participating unit the target is assigned to."""
    target = service.update_target(ctx, target_id, data)
    return _target_out(ctx, target.campaign_id, target.id)


@router.get(
    "/{campaign_id}/progress",
    response_model=list[ProgressOut],
    summary="进展报送记录",
    responses=error_responses(*DENIED, 404),
    dependencies=SECURED,
)
def list_progress(ctx: LoggedIn, campaign_id: Id) -> list[ProgressOut]:
    """The campaign's progress reports, newest first."""
    return queries.progress_reports(ctx, campaign_id)


@router.post(
    "/{campaign_id}/progress",
    response_model=ProgressOut,
    status_code=201,
    summary="报送进展（参与单位）",
    responses=error_responses(*DENIED, 404, 409, 422),
    dependencies=WRITE,
)
def report_progress(campaign_id: Id, data: ProgressIn, ctx: LoggedIn) -> ProgressOut:
    """A department officer for its own participating department; the office for any unit of the campaign."""
    progress = service.report_progress(ctx, campaign_id, data)
    return next(p for p in queries.progress_reports(ctx, campaign_id) if p.id == progress.id)


@router.get(
    "/{campaign_id}/violators",
    response_model=list[CampaignViolator],
    summary="本行动的屡禁不止、屡罚不改主体",
    responses=error_responses(*DENIED, 404),
    dependencies=SECURED,
)
def campaign_violators(ctx: LoggedIn, campaign_id: Id) -> list[CampaignViolator]:
    """Targets added from a detection run, with their penalty counts by type."""
    return queries.campaign_violators(ctx, campaign_id)
