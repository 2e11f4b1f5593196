"""Pages of the data sandbox (数据安全屋) and the federated model (issue #10 items 3 and 4).

``/sandbox``: an analyst (department officer, credit office) chooses an approved view, dimensions, measures and
filters and ε; the released table is shown with the number of groups withheld under k; the analyst's own queries
(the credit office: every query, with its noise seed) below. A refused query is shown again with the Chinese
reason (it is stored and audited all the same).

``/sandbox/federated``: the federated runs with their accuracy beside the central model's; the credit office and
banks start a demo run. Rules: ``xinyong.privacy``; docs/privacy-analytics.md.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from xinyong.auth.context import Context
from xinyong.auth.permissions import allowed, require
from xinyong.errors import InvalidInput
from xinyong.privacy import federated, federated_queries, sandbox, sandbox_queries
from xinyong.privacy.sandbox_rules import load_rules
from xinyong.web import csrf
from xinyong.web.deps import require_login
from xinyong.web.pages.objections import attempt
from xinyong.web.templating import render

router = APIRouter(include_in_schema=False)
Login = Annotated[Context, Depends(require_login)]
Csrf = Depends(csrf.csrf_protect)
NAV = "sandbox"
NAV_FEDERATED = "federated"
STATUS_LABELS = {"released": "已发布", "suppressed": "部分隐去", "refused": "已拒绝"}
RUN_LABELS = {"within_tolerance": "在容差内", "outside_tolerance": "超出容差"}


def _page(
    request: Request,
    ctx: Context,
    view_key: str,
    *,
    query_id: int | None = None,
    form: dict[str, object] | None = None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    require(ctx, "sandbox.query")
    catalogue = sandbox_queries.catalogue(ctx)
    view = next((v for v in catalogue.views if v.key == view_key), catalogue.views[0])
    office = allowed(ctx.role, "privacy.read")
    shown = sandbox_queries.get_query(ctx, query_id) if query_id else None
    history = sandbox_queries.all_queries(ctx, 50) if office else sandbox_queries.own_queries(ctx, 50)
    labels = {
        v.key: {d.key: d.label for d in v.dimensions} | {m.key: m.label for m in v.measures} for v in catalogue.views
    }
    context = {
        "nav": NAV,
        "catalogue": catalogue,
        "view": view,
        "shown": shown,
        "history": history,
        "office": office,
        "labels": labels,
        "status_labels": STATUS_LABELS,
        "form": form or {"by": [], "measures": [view.measures[0].key], "filters": {}, "epsilon": ""},
        "error": error,
    }
    return render(request, "sandbox.html", context, status_code=status)


@router.get("/sandbox")
def page(
    request: Request,
    ctx: Login,
    view: Annotated[str, Query(max_length=40)] = "",
    query: Annotated[int | None, Query(ge=1)] = None,
) -> Response:
    """The query form of a view and, after a query, its release."""
    return _page(request, ctx, view, query_id=query)


@router.post("/sandbox/queries", dependencies=[Csrf])
async def submit(request: Request, ctx: Login) -> Response:
    """Submit the form's query; the release is shown, a refusal comes back with the reason."""
    require(ctx, "sandbox.query")
    data = await request.form()
    view = str(data.get("view", ""))[:40]
    by = [str(v) for v in data.getlist("by")][:10]
    measures = [str(v) for v in data.getlist("measures")][:10]
    filters: dict[str, list[str]] = {}
    for key, value in data.multi_items():
        if key.startswith("filter_") and str(value).strip():
            values = [v.strip() for v in str(value).replace("，", ",").split(",") if v.strip()]
            filters[key.removeprefix("filter_")[:30]] = values[:100]
    epsilon_raw = str(data.get("epsilon", "")).strip()
    form = {"by": by, "measures": measures, "filters": filters, "epsilon": epsilon_raw}
    try:
        epsilon = float(epsilon_raw) if epsilon_raw else None
        if epsilon is not None and not epsilon > 0:
            raise ValueError
    except ValueError:
        return _page(request, ctx, view, form=form, error="隐私预算 ε 须为正数", status=422)
    try:
        stored = sandbox.submit(
            ctx, sandbox.QuerySpec(view=view, by=by, measures=measures, filters=filters, epsilon=epsilon)
        )
    except InvalidInput as exc:  # a refusal is stored and audited: this answer commits it
        return _page(request, ctx, view, form=form, error=exc.message, status=422)
    return RedirectResponse(f"/sandbox?view={view}&query={stored.id}", status_code=303)


def _federated_page(request: Request, ctx: Context, *, error: str | None = None, status: int = 200) -> Response:
    require(ctx, "federated.run")
    policy = load_rules().federated
    context = {
        "nav": NAV_FEDERATED,
        "runs": federated_queries.list_runs(ctx, 100),
        "policy": policy,
        "run_labels": RUN_LABELS,
        "error": error,
    }
    return render(request, "sandbox_federated.html", context, status_code=status)


@router.get("/sandbox/federated")
def federated_page(request: Request, ctx: Login) -> Response:
    """Federated runs with the federated and the central accuracy side by side; the form to start a demo run."""
    return _federated_page(request, ctx)


@router.post("/sandbox/federated/runs", dependencies=[Csrf])
def start_run(
    request: Request,
    ctx: Login,
    rows: Annotated[int, Form(ge=1, le=10_000_000)] = 2000,
    features: Annotated[int, Form(ge=1, le=200)] = 10,
    key_bits: Annotated[int, Form(ge=512, le=4096)] = 1024,
    source: Annotated[str, Form(max_length=16)] = "synthetic",
) -> Response:
    """Start a demo run (synchronous: a few seconds at the default size)."""
    require(ctx, "federated.run")
    limit = load_rules().federated.max_rows_api
    origin: federated.Source = "registry" if source == "registry" else "synthetic"
    refused = attempt(
        ctx,
        lambda: federated.start_demo_run(
            ctx, rows=rows, features=features, key_bits=key_bits, limit_rows=limit, source=origin
        ),
    )
    if refused is not None:
        return _federated_page(request, ctx, error=refused.message, status=refused.status)
    return RedirectResponse("/sandbox/federated", status_code=303)
