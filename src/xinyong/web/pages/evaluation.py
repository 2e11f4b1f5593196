"""Pages ``/evaluation`` (the grade distribution of the latest run, or of ``run_id``, with a chart) and
``/evaluation/subject`` (a subject's score explained by dimension, indicator and record, and its grade history).

Only GET (nothing changes but the audit log), so no CSRF token. Anonymous visitors are sent to the login page;
roles without ``evaluation.read`` get 403 from the service. The chart is drawn by ``static/js/evaluation.js``
from the JSON in the container's ``data-chart`` attribute (no inline script: CSP).
"""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from xinyong.auth.context import Context
from xinyong.errors import InvalidInput, NotFound
from xinyong.evaluation import service
from xinyong.evaluation.models_yaml import load_model, model_names
from xinyong.evaluation.schemas import Distribution, Explanation, HistoryEntry
from xinyong.web.deps import require_login
from xinyong.web.templating import render

router = APIRouter(include_in_schema=False)
Login = Annotated[Context, Depends(require_login)]
SEVERITY_LABELS = {"minor": "轻微", "general": "一般", "serious": "严重"}


def _models() -> list[tuple[str, str]]:
    return [(name, load_model(name).label) for name in model_names()]


@router.get("/evaluation")
def distribution_page(
    request: Request, ctx: Login, run_id: Annotated[int | None, Query(ge=1, le=2**62)] = None
) -> Response:
    """The grade distribution of a run (default: the latest) as a table and a bar chart."""
    error: str | None = None
    status = 200
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
    }
    return render(request, "evaluation_distribution.html", context, status_code=status)


@router.get("/evaluation/subject")
def subject_page(
    request: Request,
    ctx: Login,
    q: Annotated[str, Query(max_length=64)] = "",
    as_of: Annotated[date | None, Query()] = None,
    model: Annotated[str, Query(max_length=40)] = "",
) -> Response:
    """A subject (by USCC or id) explained as of a day under a model, with its grade history."""
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
        "shown": shown,
        "history": entries,
        "severities": SEVERITY_LABELS,
        "error": error,
    }
    return render(request, "evaluation_subject.html", context, status_code=status)
