"""Page ``/dashboard``: the leadership dashboard (领导驾驶舱 / 大屏, issue #12 item 3) for staff readers.

When the figures are cached (``dashboard.figures.page_figures``) the page carries them inline (numbers, tables
and the charts' data in a ``data-`` attribute), so its first paint waits for no request. When they are not (the
first reader of a process and day), the page never waits for them: it is rendered at once as a shell (headings
and panels saying 正在统计……, ``aria-busy``), their computation starts in the background, and
``static/js/dashboard.js`` fetches ``/api/v1/dashboard/figures`` straight away (that request waits for the same
computation) and fills everything in. The script then polls the endpoint every ``refresh`` seconds
(``?refresh=N``, clamped; default in ``xinyong/dashboard/dashboard.yaml``). Dark, large type, a 16:9 grid on a
wall screen; columns fold on a laptop and a phone.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from xinyong.auth.context import Context
from xinyong.auth.permissions import require
from xinyong.clock import CHINA_TZ
from xinyong.dashboard.config import dashboard_config
from xinyong.dashboard.figures import page_figures
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
    """The dashboard with today's figures inline when they are cached, else its shell (see the module)."""
    require(ctx, READ)
    days = horizon(due_within)
    data = page_figures(ctx.session, ctx.today, days)
    seconds = dashboard_config().refresh(refresh)
    api = "/api/v1/dashboard/figures" + (f"?due_within={days}" if days is not None else "")
    context = {
        "nav": "dashboard",
        "d": data,
        "data_json": data.model_dump_json() if data is not None else "",
        "refresh": seconds,
        "api": api,
        "computed": data.computed_at.astimezone(CHINA_TZ).strftime("%H:%M:%S") if data is not None else "",
        "max_records": max((r.records for r in data.records_by_department), default=0) if data is not None else 0,
        "as_of": ctx.today,
    }
    return render(request, "dashboard.html", context)
