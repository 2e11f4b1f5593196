"""Page ``/quality``: the monthly data-quality ranking (通报) of the departments, with charts and an Excel link.

Only GET (nothing changes but the audit log), so no CSRF token. Anonymous visitors are sent to the login page
(401); roles without ``quality.read`` get 403 from the service. The charts are drawn by
``static/js/quality.js`` with the vendored ECharts from the JSON in the container's ``data-chart`` attribute
(no inline script: the pages' CSP allows scripts from our own origin only).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from xinyong.auth.context import Context
from xinyong.catalog.items import load_catalog
from xinyong.errors import Conflict, InvalidInput, NotFound
from xinyong.quality.rules import quality_rules
from xinyong.quality.schemas import DepartmentScore, Scorecard
from xinyong.quality.scorecard import scorecard
from xinyong.web.deps import require_login
from xinyong.web.templating import render

router = APIRouter(include_in_schema=False)
Login = Annotated[Context, Depends(require_login)]


@dataclass(frozen=True)
class Line:
    """One department as the ranking table shows it."""

    rank: str
    department: str
    code: str
    records: int
    validity: str
    timeliness: str
    late: str
    completeness: str
    omissions: int
    omission: str
    correction: str
    score: str
    grade: str


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.2f}%"


def _line(d: DepartmentScore) -> Line:
    return Line(
        rank="—" if d.rank is None else str(d.rank),
        department=d.department,
        code=d.code,
        records=d.records,
        validity=_percent(d.validity_rate),
        timeliness=_percent(d.timeliness_rate),
        late=_percent(d.late_rate),
        completeness=_percent(d.completeness_rate),
        omissions=d.omissions,
        omission=_percent(d.omission_rate),
        correction="—" if d.correction_days is None else f"{d.correction_days:g}",
        score="—" if d.score is None else f"{d.score:.2f}",
        grade=d.grade or "—",
    )


def _share(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 2)


def chart_data(card: Scorecard) -> dict[str, object]:
    """What quality.js draws: scored departments best first; late, invalid and omission shares in percent."""
    scored = [d for d in card.departments if d.score is not None]
    return {
        "month": card.month,
        "departments": [d.department for d in scored],
        "scores": [d.score for d in scored],
        "late": [_share(d.late_rate) for d in scored],
        "invalid": [_share(None if d.validity_rate is None else 1 - d.validity_rate) for d in scored],
        "omission": [_share(d.omission_rate) for d in scored],
    }


def default_month(today: date) -> str:
    """The last complete month (the 通报 is about the month just ended)."""
    last = today.replace(day=1) - timedelta(days=1)
    return f"{last.year:04d}-{last.month:02d}"


@router.get("/quality")
def quality_page(
    request: Request,
    ctx: Login,
    month: Annotated[str, Query(max_length=16)] = "",
    item: Annotated[str, Query(max_length=40)] = "",
) -> Response:
    """The ranking of one month (default: last month) for one item or all."""
    month = month.strip() or default_month(ctx.today)
    item = item.strip()
    error: str | None = None
    status = 200
    card: Scorecard | None = None
    try:
        card = scorecard(ctx, month, item_id=item or None)
    except (InvalidInput, NotFound, Conflict) as exc:
        error, status = exc.message, exc.status
    query = urlencode({k: v for k, v in {"month": month, "item": item}.items() if v})
    rules = quality_rules()
    context = {
        "nav": "quality",
        "month": month,
        "item": item,
        "items": [(i.id, i.name) for i in load_catalog().items.values()],
        "card": card,
        "lines": [_line(d) for d in card.departments] if card else [],
        "chart": json.dumps(chart_data(card), ensure_ascii=False) if card else "",
        "has_scores": bool(card and any(d.score is not None for d in card.departments)),
        "xlsx_url": f"/api/v1/quality/scorecard.xlsx?{query}",
        "error": error,
        "weights": [(name, rules.weight(name)) for name in rules.weights],
        "grades": rules.grades,
    }
    return render(request, "quality.html", context, status_code=status)
