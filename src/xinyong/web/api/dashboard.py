"""``/api/v1/dashboard``: the leadership dashboard's live figures (大屏, issue #12 item 3).

Reading needs ``dashboard.read`` (staff of every department, regulators, the credit office). The figures are
aggregates only (no personal data), cached for a short while (``xinyong.dashboard.figures``); the page
``/dashboard`` polls this endpoint.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from xinyong.auth.permissions import require
from xinyong.dashboard.config import dashboard_config
from xinyong.dashboard.figures import cached_dashboard_figures
from xinyong.dashboard.schemas import DashboardOut
from xinyong.errors import InvalidInput
from xinyong.web.errors import error_responses
from xinyong.web.security import DENIED, SECURED, LoggedIn

router = APIRouter(prefix="/api/v1/dashboard", tags=["领导驾驶舱"], dependencies=SECURED)
READ = "dashboard.read"


def horizon(due_within: int | None) -> int | None:
    """``due_within`` checked against the configured maximum (``InvalidInput`` naming the field)."""
    most = dashboard_config().due_soon_max_workdays
    if due_within is not None and not 0 <= due_within <= most:
        raise InvalidInput(f"“即将到期”的工作日数应在 0 到 {most} 之间", field="due_within")
    return due_within


@router.get("/figures", response_model=DashboardOut, summary="大屏数据", responses=error_responses(*DENIED, 422))
def figures(
    ctx: LoggedIn,
    due_within: Annotated[int | None, Query(ge=0, le=60, description="“即将到期”的工作日数（默认见配置）")] = None,
) -> DashboardOut:
    """Records by department, quality ranking, grades, lists, open cases by deadline, monitoring trend and
    work-plan progress as of today (cached for ``portal_figures_ttl_seconds``)."""
    require(ctx, READ)
    return cached_dashboard_figures(ctx.session, ctx.today, horizon(due_within))
