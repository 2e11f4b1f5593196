"""Page ``/monitoring``: city credit monitoring (城市信用状况监测预警, issue #12 item 1) for staff.

A month picker; the district score and each township's; the indicator table of the chosen unit (value, score out
of the weight, last month's value, warnings); the district trend chart; the manual entry form with evidence (the
credit office for every manual indicator, a department officer for those naming their department); the negative
check stored on the run (red when it found anything) and, on request, run now. The credit office runs a month.

Page ``/monitoring/city`` (issue #12 item 4): the city's published district results of a month (a bar chart and a
table, our district marked) beside the platform's own computed district score, the difference explained; the
credit office enters the city's table as lines ``区名,得分[,名次]`` with its source document.

Every rule is in ``xinyong.monitoring``; refused forms are shown again with the Chinese reason.
"""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from xinyong.auth.context import Context
from xinyong.auth.permissions import allowed, require
from xinyong.catalog.departments import load_departments
from xinyong.db.base import fetch
from xinyong.errors import InvalidInput, NotFound
from xinyong.monitoring import city, queries, service
from xinyong.monitoring.model_yaml import DEFAULT_VERSION, load_model
from xinyong.monitoring.schemas import DISTRICT_MAX, EVIDENCE_MAX, SOURCE_MAX, WARNING_LABELS
from xinyong.subjects.models import Department
from xinyong.web import csrf
from xinyong.web.deps import require_login
from xinyong.web.pages.objections import attempt
from xinyong.web.templating import render

router = APIRouter(include_in_schema=False)
Login = Annotated[Context, Depends(require_login)]
Csrf = Depends(csrf.csrf_protect)
NAV = "monitoring"
DONE = {"run": "本月监测指标已计算。", "entered": "手工指标值已填报。"}


def _default_month(ctx: Context) -> str:
    points = queries.trend(ctx)
    if points:
        return points[-1].month
    return service.previous_month(f"{ctx.today.year}-{ctx.today.month:02d}")


def _manual_indicators(ctx: Context) -> list[tuple[str, str]]:
    """(code, name) of the manual indicators the caller may enter."""
    if not allowed(ctx.role, service.ENTER):
        return []
    model = load_model(DEFAULT_VERSION)
    own = None
    if ctx.role == "department_officer":
        dept = fetch(ctx.session, Department, ctx.department_id) if ctx.department_id else None
        own = dept.code if dept is not None else ""
    return [(i.code, i.name) for _, _, i in model.indicators() if i.manual and (own is None or own in i.departments)]


def _page(
    request: Request,
    ctx: Context,
    month_raw: str,
    unit_raw: str,
    *,
    check: bool = False,
    form: dict[str, str] | None = None,
    error: str | None = None,
    status: int = 200,
    done: str = "",
) -> Response:
    require(ctx, service.READ)
    model = load_model(DEFAULT_VERSION)
    month = month_raw.strip() or _default_month(ctx)
    unit = unit_raw.strip() or model.district
    detail = None
    missing = ""
    try:
        detail = queries.run_detail(ctx, month, unit)
    except NotFound as exc:
        missing = exc.message
    except InvalidInput as exc:
        error, status, month, unit = exc.message, 422, _default_month(ctx), model.district
    trend = queries.trend(ctx)
    chart = json.dumps({"months": [p.month for p in trend], "scores": [round(p.score, 2) for p in trend]})
    departments = {d.code: d.short_name for d in load_departments().departments}
    context = {
        "nav": NAV,
        "month": month,
        "unit": unit,
        "units": [(code, queries.unit_name(model, code)) for code in service.units(model)],
        "model": model,
        "detail": detail,
        "missing": missing,
        "trend": trend,
        "chart": chart,
        "entries": queries.entries(ctx, month),
        "negative_now": queries.check_negative(ctx) if check else None,
        "manual": _manual_indicators(ctx),
        "indicator_names": {i.code: i.name for _, _, i in model.indicators()},
        "departments": departments,
        "may_run": allowed(ctx.role, service.RUN),
        "warning_labels": WARNING_LABELS,
        "evidence_max": EVIDENCE_MAX,
        "form": form or {"unit": unit},
        "error": error,
        "done": DONE.get(done, ""),
    }
    return render(request, "monitoring_page.html", context, status_code=status)


@router.get("/monitoring")
def page(
    request: Request,
    ctx: Login,
    month: Annotated[str, Query(max_length=7)] = "",
    unit: Annotated[str, Query(max_length=9)] = "",
    check: Annotated[bool, Query()] = False,
    done: Annotated[str, Query(max_length=16)] = "",
) -> Response:
    """The month's scores (the latest computed month by default) for the district or a township."""
    return _page(request, ctx, month, unit, check=check, done=done)


@router.post("/monitoring/run", dependencies=[Csrf])
def run(request: Request, ctx: Login, month: Annotated[str, Form(max_length=7)] = "") -> Response:
    """Compute the month (the credit office); a refused month comes back with the reason."""
    require(ctx, service.RUN)
    refused = attempt(ctx, lambda: service.run_month(ctx, month))
    if refused is not None:
        return _page(request, ctx, "", "", error=refused.message, status=refused.status)
    return RedirectResponse(f"/monitoring?month={month}&done=run", status_code=303)


@router.post("/monitoring/entries", dependencies=[Csrf])
def enter(
    request: Request,
    ctx: Login,
    month: Annotated[str, Form(max_length=7)] = "",
    indicator: Annotated[str, Form(max_length=40)] = "",
    unit: Annotated[str, Form(max_length=9)] = "",
    value: Annotated[str, Form(max_length=20)] = "",
    evidence: Annotated[str, Form(max_length=EVIDENCE_MAX * 2)] = "",
) -> Response:
    """A manual value with its evidence; refused entries come back with the reason."""
    require(ctx, service.ENTER)
    form = {"indicator": indicator, "unit": unit, "value": value, "evidence": evidence}

    def store() -> None:
        try:
            number = float(value.strip())
        except ValueError:
            raise InvalidInput(f"指标值“{value.strip()[:20]}”应为数字", field="value") from None
        service.enter_value(ctx, indicator, unit, number, evidence, month)

    refused = attempt(ctx, store)
    if refused is not None:
        return _page(request, ctx, month, unit, form=form, error=refused.message, status=refused.status)
    return RedirectResponse(f"/monitoring?month={month}&unit={unit}&done=entered", status_code=303)


# --------------------------------------------------------------------------------------------- city results
def _city_default_month(ctx: Context) -> str:
    listed = city.months(ctx)
    return listed[0].month if listed else service.previous_month(f"{ctx.today.year}-{ctx.today.month:02d}")


def _city_page(
    request: Request,
    ctx: Context,
    month_raw: str,
    *,
    form: dict[str, str] | None = None,
    error: str | None = None,
    status: int = 200,
    done: str = "",
) -> Response:
    month = month_raw.strip() or _city_default_month(ctx)
    try:
        result = city.comparison(ctx, month)
    except InvalidInput as exc:
        error, status, month = exc.message, 422, _city_default_month(ctx)
        result = city.comparison(ctx, month)
    bars = [{"name": r.district, "score": r.score, "own": r.own} for r in result.results]
    if result.computed_score is not None:
        bars.append({"name": "本平台自算", "score": result.computed_score, "own": True, "computed": True})
    context = {
        "nav": NAV,
        "month": month,
        "result": result,
        "months": city.months(ctx),
        "chart": json.dumps({"bars": bars}, ensure_ascii=False),
        "may_enter": allowed(ctx.role, city.ENTER),
        "form": form or {"own": "番禺区"},
        "error": error,
        "done": "市公布结果已录入。" if done == "entered" else "",
    }
    return render(request, "monitoring_city.html", context, status_code=status)


@router.get("/monitoring/city")
def city_page(
    request: Request,
    ctx: Login,
    month: Annotated[str, Query(max_length=7)] = "",
    done: Annotated[str, Query(max_length=16)] = "",
) -> Response:
    """The city's published district results of a month beside our computed district score."""
    require(ctx, service.READ)
    return _city_page(request, ctx, month, done=done)


@router.post("/monitoring/city", dependencies=[Csrf])
def city_enter(
    request: Request,
    ctx: Login,
    month: Annotated[str, Form(max_length=7)] = "",
    source: Annotated[str, Form(max_length=SOURCE_MAX * 2)] = "",
    own: Annotated[str, Form(max_length=DISTRICT_MAX)] = "",
    rows: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    """The city's table entered as lines ``区名,得分[,名次]``; a refused table comes back with the reason."""
    require(ctx, city.ENTER)
    form = {"month": month, "source": source, "own": own, "rows": rows}

    def store() -> None:
        city.enter_results(ctx, month, city.parse_lines(rows.splitlines(), own), source)

    refused = attempt(ctx, store)
    if refused is not None:
        return _city_page(request, ctx, month, form=form, error=refused.message, status=refused.status)
    return RedirectResponse(f"/monitoring/city?month={month}&done=entered", status_code=303)
