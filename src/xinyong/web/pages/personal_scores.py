"""Pages of the personal honesty score (issue #9 item 2): a person's own score and reasons; the office's runs.

``/my/score`` (a natural person's account, ``incentives.own``): the band, the score, the reasons in plain
Chinese with how to improve, and the history. ``/personal-scores`` (the credit office, ``incentives.read``):
the runs, the band distribution of the current (or a chosen) run as a chart (vendored ECharts through
``static/js/evaluation.js``, a table without scripts), and the run form (``incentives.manage``).
"""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from xinyong.auth.context import Context
from xinyong.auth.permissions import allowed, require
from xinyong.errors import InvalidInput, NotFound
from xinyong.incentives import score_queries, scoring
from xinyong.incentives.model_yaml import DEFAULT_MODEL, load_model, model_names
from xinyong.web import csrf
from xinyong.web.deps import require_login
from xinyong.web.pages.objections import attempt
from xinyong.web.templating import render

router = APIRouter(include_in_schema=False)
Login = Annotated[Context, Depends(require_login)]
Csrf = Depends(csrf.csrf_protect)


@router.get("/my/score")
def my_score(request: Request, ctx: Login) -> Response:
    """The person's own band, score, reasons and history (a message when not scored or not a natural person)."""
    require(ctx, scoring.OWN)
    context: dict[str, Any] = {"nav": "my_score", "score": None, "missing": "", "error": ""}
    status = 200
    try:
        context["score"] = score_queries.own_score(ctx)
    except NotFound as exc:
        context["missing"] = exc.message
    except InvalidInput as exc:
        context["error"], status = exc.message, 422
    model = load_model()
    context["bands"] = [(b, score_queries.band_range(b)) for b in model.bands]
    return render(request, "personal_score_my.html", context, status_code=status)


def _office_page(
    request: Request, ctx: Context, run_id: int | None, *, error: str = "", status: int = 200, done: str = ""
) -> Response:
    require(ctx, scoring.READ)
    dist = None
    missing = ""
    try:
        dist = score_queries.distribution(ctx, run_id)
    except NotFound as exc:
        missing = exc.message
    chart = json.dumps(
        {"grades": [b.label for b in dist.bands], "subjects": [b.persons for b in dist.bands]} if dist else {},
        ensure_ascii=False,
    )
    context = {
        "nav": "personal_scores",
        "dist": dist,
        "missing": missing,
        "chart": chart,
        "runs": score_queries.list_runs(ctx, limit=20),
        "models": [(name, load_model(name).label) for name in model_names()],
        "default_model": DEFAULT_MODEL,
        "may_run": allowed(ctx.role, scoring.MANAGE),
        "today": ctx.today.isoformat(),
        "error": error,
        "done": "个人诚信分已计算，新批次为当前批次。" if done == "run" else "",
    }
    return render(request, "personal_score_office.html", context, status_code=status)


@router.get("/personal-scores")
def office(
    request: Request,
    ctx: Login,
    run_id: Annotated[int | None, Query(ge=1)] = None,
    done: Annotated[str, Query(max_length=16)] = "",
) -> Response:
    """Runs, the band distribution and the run form."""
    return _office_page(request, ctx, run_id, done=done)


@router.post("/personal-scores/run", dependencies=[Csrf])
def run(
    request: Request,
    ctx: Login,
    as_of: Annotated[str, Form(max_length=10)] = "",
    model: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    """Run the scoring (the credit office); a refused run comes back with the reason."""
    require(ctx, scoring.MANAGE)

    def go() -> None:
        try:
            day = date.fromisoformat(as_of.strip()) if as_of.strip() else ctx.today
        except ValueError:
            raise InvalidInput(f"基准日“{as_of.strip()[:10]}”格式应为 YYYY-MM-DD", field="as_of") from None
        scoring.run(ctx, day, model.strip() or None)

    refused = attempt(ctx, go)
    if refused is not None:
        return _office_page(request, ctx, None, error=refused.message, status=refused.status)
    return RedirectResponse("/personal-scores?done=run", status_code=303)
