"""Page ``/dashboard``: the leadership dashboard (领导驾驶舱 / 大屏, issue #12 item 3) for staff readers.

The page is rendered with the current figures inline (numbers, tables and the charts' data in a ``data-``
attribute), so its first paint waits for no request; ``static/js/dashboard.js`` draws the ECharts charts and polls
``/api/v1/dashboard/figures`` every ``refresh`` seconds (``?refresh=N``, clamped; default in
``xinyong/dashboard/dashboard.yaml``). Dark, large type, a 16:9 grid on a wall screen; columns fold on a laptop
and a phone.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from xinyong.auth.context import Context
from xinyong.auth.permissions import require
from xinyong.clock import CHINA_TZ
from xinyong.dashboard.config import dashboard_config
from xinyong.dashboard.figures import cached_dashboard_figures
from xinyong.web.api.dashboard import READ, horizon
from xinyong.web.deps import require_login
from xinyong.web.templating import render

router = APIRouter(include_in_schema=False)
Login = Annotated[Context, Depends(require_login)]


@router.get("/dashboard")
def page(
    request: Request,
    ctx: Login,
    refresh: Annotated[int | None, Query(ge=1, le=86_400)] = None,
    due_within: Annotated[int | None, Query(ge=0, le=60)] = None,
) -> Response:
    """The dashboard with today's figures inline."""
    require(ctx, READ)
    days = horizon(due_within)
    data = cached_dashboard_figures(ctx.session, ctx.today, days)
    seconds = dashboard_config().refresh(refresh)
    api = "/api/v1/dashboard/figures" + (f"?due_within={days}" if days is not None else "")
    context = {
        "nav": "dashboard",
        "d": data,
        "data_json": data.model_dump_json(),
        "refresh": seconds,
        "api": api,
        "computed": data.computed_at.astimezone(CHINA_TZ).strftime("%H:%M:%S"),
        "max_records": max((r.records for r in data.records_by_department), default=0),
    }
    return render(request, "dashboard.html", context)
