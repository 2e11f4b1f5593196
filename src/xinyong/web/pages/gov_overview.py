"""Page ``/government/overview``: 政务诚信与专项治理综合看板 (issue #11 item 7) for staff — contracts, arrears,
enforcement cases, government-integrity records and campaigns as of a date, ECharts charts drawn from the JSON in
``data-chart`` (``static/js/gov_overview.js``) over tables that render without scripts, Excel and CSV exports."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from xinyong.auth.context import Context
from xinyong.errors import InvalidInput
from xinyong.government import overview
from xinyong.web.deps import require_login
from xinyong.web.templating import render

router = APIRouter(include_in_schema=False)
Login = Annotated[Context, Depends(require_login)]


@router.get("/government/overview")
def overview_page(request: Request, ctx: Login, as_of: Annotated[str, Query(max_length=10)] = "") -> Response:
    """The overview as of ``as_of`` (default today)."""
    try:
        day = date.fromisoformat(as_of.strip()) if as_of.strip() else None
    except ValueError:
        raise InvalidInput("统计基准日应为年-月-日，例如 2026-11-27", field="as_of") from None
    result = overview.overview(ctx, day)
    context = {
        "nav": "gov_overview",
        "o": result,
        "tables": overview.tables(result),
        "chart": json.dumps(overview.chart_data(result), ensure_ascii=False),
        "due_soon_days": overview.DUE_SOON_DAYS,
    }
    return render(request, "gov_overview.html", context)
