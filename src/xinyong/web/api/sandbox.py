"""``/api/v1/sandbox``: the data sandbox (数据安全屋) and the federated model (issue #10).

Sandbox: department officers and the credit office (``sandbox.query``) list the approved views, submit aggregate
queries and read their own; a refused query (invalid, over the day's ε budget or query limit, too many groups) is
stored and audited before the 422 is answered. The credit office (``privacy.read``) reads every query with its
noise seed and reproduces a release. Federated: the credit office and a bank (``federated.run``) start a demo run
and list runs (a bank: its own institution's). Rules: ``rules/sandbox.yaml``; docs/privacy-analytics.md.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from xinyong.privacy import federated, federated_queries, sandbox, sandbox_queries
from xinyong.privacy.federated_queries import RunIn, RunOut
from xinyong.privacy.sandbox import QuerySpec
from xinyong.privacy.sandbox_queries import CatalogueOut, QueryOut
from xinyong.privacy.sandbox_rules import load_rules
from xinyong.web.errors import error_responses
from xinyong.web.security import CSRF, DENIED, SECURED, LoggedIn

router = APIRouter(prefix="/api/v1/sandbox", tags=["数据安全屋"], dependencies=SECURED)

QueryId = Annotated[int, Path(ge=1, description="查询编号")]


@router.get("/views", response_model=CatalogueOut, summary="已批准视图与发布规则", responses=error_responses(*DENIED))
def views(ctx: LoggedIn) -> CatalogueOut:
    """The approved views (dimensions, measures, sources), k, ε and the caller's use of today's budget."""
    return sandbox_queries.catalogue(ctx)


@router.post(
    "/queries",
    response_model=QueryOut,
    status_code=201,
    summary="提交聚合查询",
    dependencies=CSRF,
    responses=error_responses(*DENIED, 422),
)
def submit(spec: QuerySpec, ctx: LoggedIn) -> QueryOut:
    """Run the query and answer the release: groups with ≥ k subjects (noised), the number withheld. Refusals are
    stored and audited, then answered 422 with the Chinese reason."""
    try:
        query = sandbox.submit(ctx, spec)
    except sandbox.Refused:
        ctx.session.commit()  # the request's session rolls back on error: keep the refused query and its audit event
        raise
    out = sandbox_queries.query_out(query)
    ctx.session.commit()
    return out


@router.get("/queries/mine", response_model=list[QueryOut], summary="我的查询", responses=error_responses(*DENIED))
def mine(ctx: LoggedIn, limit: Annotated[int, Query(ge=1, le=200)] = 50) -> list[QueryOut]:
    """The caller's own queries and releases, newest first."""
    return sandbox_queries.own_queries(ctx, limit)


@router.get(
    "/queries", response_model=list[QueryOut], summary="全部查询与发布（信用办）", responses=error_responses(*DENIED)
)
def all_queries(
    ctx: LoggedIn,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    analyst: Annotated[str | None, Query(max_length=128)] = None,
) -> list[QueryOut]:
    """Every query, release and refusal with its noise seed (``privacy.read``)."""
    return sandbox_queries.all_queries(ctx, limit, analyst)


@router.get(
    "/queries/{query_id}", response_model=QueryOut, summary="查询详情", responses=error_responses(*DENIED, 404, 422)
)
def one(query_id: QueryId, ctx: LoggedIn) -> QueryOut:
    """One query: the caller's own, or any for the credit office."""
    return sandbox_queries.get_query(ctx, query_id)


@router.post(
    "/queries/{query_id}/reproduce",
    response_model=list[dict[str, Any]],
    summary="按记录的随机种子复现发布结果（信用办）",
    dependencies=CSRF,
    responses=error_responses(*DENIED, 404, 422),
)
def reproduce(query_id: QueryId, ctx: LoggedIn) -> list[dict[str, Any]]:
    """Rerun a released query with its recorded seed: equal to the release while the data are unchanged."""
    out = sandbox.reproduce(ctx, query_id)
    ctx.session.commit()
    return out


@router.post(
    "/federated/runs",
    response_model=RunOut,
    status_code=201,
    summary="启动联邦学习演示训练",
    dependencies=CSRF,
    responses=error_responses(*DENIED, 422),
)
def start_run(data: RunIn, ctx: LoggedIn) -> RunOut:
    """Train on demo data between a platform object and a bank object under Paillier, beside the central model;
    at most ``federated.max_rows_api`` rows here (the CLI and the benchmark go further)."""
    outcome = federated.start_demo_run(
        ctx,
        rows=data.rows,
        features=data.features,
        key_bits=data.key_bits,
        seed=data.seed,
        limit_rows=load_rules().federated.max_rows_api,
        source=data.source,
    )
    out = federated_queries.run_out(outcome.run)
    ctx.session.commit()
    return out


@router.get(
    "/federated/runs", response_model=list[RunOut], summary="联邦学习训练记录", responses=error_responses(*DENIED)
)
def runs(ctx: LoggedIn, limit: Annotated[int, Query(ge=1, le=500)] = 100) -> list[RunOut]:
    """Runs newest first with accuracy beside the central model (a bank: its own institution's)."""
    return federated_queries.list_runs(ctx, limit)
