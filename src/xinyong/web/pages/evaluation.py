"""Pages ``/evaluation`` (the grade distribution of the latest run, or of ``run_id``, with a chart),
``/evaluation/subject`` (a subject's score explained by dimension, indicator and record, and its grade history;
by default under the model of its industry, the general model on request) and ``/evaluation/validation`` (the
scorecard validation report: grade stability and bad rate by grade, as tables with CSS bars).

``POST /evaluation/run`` (CSRF-protected, ``evaluation.run``: the credit office and regulators) runs the monthly
evaluation of one model, or of every model, and shows the distribution of the run. The other pages are GET
(nothing changes but the audit log). Anonymous visitors are sent to the login page;
roles without ``evaluation.read`` get 403 from the service. The chart is drawn by ``static/js/evaluation.js``
from the JSON in the container's ``data-chart`` attribute (no inline script: CSP).
"""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from xinyong.auth.context import Context
from xinyong.auth.permissions import allowed
from xinyong.errors import InvalidInput, NotFound
from xinyong.evaluation import service
from xinyong.evaluation.models_yaml import GRADES, load_model, model_names
from xinyong.evaluation.schemas import Distribution, Explanation, HistoryEntry, ValidationReport
from xinyong.evaluation.validation import MAX_HORIZON, last_month_ends, validate_model
from xinyong.evaluation.validation_markdown import percent
from xinyong.web import csrf
from xinyong.web.deps import require_login
from xinyong.web.templating import render

router = APIRouter(include_in_schema=False)
Login = Annotated[Context, Depends(require_login)]
SEVERITY_LABELS = {"minor": "轻微", "general": "一般", "serious": "严重"}
ALL_MODELS = "all"


def _models() -> list[tuple[str, str]]:
    return [(name, load_model(name).label) for name in model_names()]


@router.get("/evaluation")
def distribution_page(
    request: Request, ctx: Login, run_id: Annotated[int | None, Query(ge=1, le=2**62)] = None
) -> Response:
    """The grade distribution of a run (default: the latest) as a table and a bar chart."""
    return _distribution(request, ctx, run_id)


def _distribution(
    request: Request, ctx: Context, run_id: int | None, error: str | None = None, status: int = 200
) -> Response:
    dist: Distribution | None = None
    try:
        chosen = run_id or (latest.run_id if (latest := service.latest_run(ctx)) else None)
        dist = service.distribution(ctx, chosen) if chosen else None
    except (InvalidInput, NotFound) as exc:
        error, status = exc.message, exc.status
    chart = (
        json.dumps(
            {"grades": [f"{g.grade} {g.label}" for g in dist.grades], "subjects": [g.subjects for g in dist.grades]},
            ensure_ascii=False,
        )
        if dist
        else ""
    )
    context = {
        "nav": "evaluation",
        "dist": dist,
        "chart": chart,
        "runs": service.list_runs(ctx, limit=10),
        "error": error,
        "today": ctx.today.isoformat(),
        "models": _models(),
        "may_run": allowed(ctx.role, "evaluation.run"),
    }
    return render(request, "evaluation_distribution.html", context, status_code=status)


@router.post("/evaluation/run", dependencies=[Depends(csrf.csrf_protect)])
def run_page(
    request: Request,
    ctx: Login,
    as_of: Annotated[str, Form(max_length=20)] = "",
    model: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    """Run the evaluation of ``model`` (or of every model: ``all``) as of the day, then show its distribution."""
    try:
        try:
            day = date.fromisoformat(as_of.strip())
        except ValueError:
            raise InvalidInput("请填写评价基准日（YYYY-MM-DD）", field="as_of") from None
        with ctx.session.begin_nested():
            if model == ALL_MODELS:
                runs = service.run_all(ctx, day)
                shown = runs[0]
            else:
                shown = service.run_evaluation(ctx, day, model or None)
    except (InvalidInput, NotFound) as exc:
        return _distribution(request, ctx, None, exc.message, exc.status)
    return RedirectResponse(f"/evaluation?run_id={shown.run_id}", status_code=303)


@router.get("/evaluation/subject")
def subject_page(
    request: Request,
    ctx: Login,
    q: Annotated[str, Query(max_length=64)] = "",
    as_of: Annotated[date | None, Query()] = None,
    model: Annotated[str, Query(max_length=40)] = "",
) -> Response:
    """A subject (by USCC or id) explained as of a day under a model (default: its industry's), with its grade
    history under that model."""
    error: str | None = None
    status = 200
    shown: Explanation | None = None
    entries: list[HistoryEntry] = []
    if q.strip():
        try:
            subject = service.subject_by_ref(ctx, q)
            shown = service.explain(ctx, subject.id, as_of, model or None)
            entries = service.history(ctx, subject.id, shown.model)
        except (InvalidInput, NotFound) as exc:
            error, status = exc.message, exc.status
    context = {
        "nav": "evaluation",
        "q": q.strip(),
        "as_of": (as_of or ctx.today).isoformat(),
        "model": model,
        "models": _models(),
        "model_labels": dict(_models()),
        "shown": shown,
        "history": entries,
        "severities": SEVERITY_LABELS,
        "error": error,
    }
    return render(request, "evaluation_subject.html", context, status_code=status)


def _bars(report: ValidationReport) -> list[dict[str, object]]:
    """The pooled bad rate of each grade as a bar width (percent of the highest rate)."""
    top = max((p.bad_rate or 0.0 for p in report.pooled), default=0.0)
    return [
        {"grade": p, "width": round((p.bad_rate or 0.0) / top * 100, 1) if top else 0.0, "rate": percent(p.bad_rate)}
        for p in report.pooled
    ]


@router.get("/evaluation/validation")
def validation_page(
    request: Request,
    ctx: Login,
    model: Annotated[str, Query(max_length=40)] = "",
    from_month: Annotated[str, Query(alias="from", max_length=7)] = "",
    to_month: Annotated[str, Query(alias="to", max_length=7)] = "",
    horizon: Annotated[int | None, Query(ge=1, le=MAX_HORIZON)] = None,
) -> Response:
    """The validation report of a model over a range of months (default: the last 12 month-ends)."""
    ends = last_month_ends(ctx.today)
    first = from_month.strip() or f"{ends[0].year:04d}-{ends[0].month:02d}"
    last = to_month.strip() or f"{ends[-1].year:04d}-{ends[-1].month:02d}"
    error: str | None = None
    status = 200
    report: ValidationReport | None = None
    try:
        report = validate_model(ctx, model or None, first, last, horizon)
    except (InvalidInput, NotFound) as exc:
        error, status = exc.message, exc.status
    context = {
        "nav": "evaluation",
        "model": model or service.DEFAULT_MODEL,
        "models": _models(),
        "from_month": first,
        "to_month": last,
        "horizon": horizon or "",
        "report": report,
        "bars": _bars(report) if report else [],
        "grades": GRADES,
        "percent": percent,
        "error": error,
    }
    return render(request, "evaluation_validation.html", context, status_code=status)
