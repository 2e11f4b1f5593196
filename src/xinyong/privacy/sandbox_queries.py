"""Read side of the data sandbox: the approved views, an analyst's own queries, every query (credit office)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select

from xinyong.auth.context import Context
from xinyong.auth.permissions import allowed, require
from xinyong.errors import NotFound
from xinyong.privacy.models import SandboxQuery
from xinyong.privacy.sandbox import spent_today
from xinyong.privacy.sandbox_rules import load_rules


class DimensionOut(BaseModel):
    key: str
    label: str
    source: str


class MeasureOut(BaseModel):
    key: str
    label: str
    agg: str
    noise: bool
    sensitivity: float
    source: str


class ViewOut(BaseModel):
    key: str
    label: str
    description: str
    source: str
    dimensions: list[DimensionOut]
    measures: list[MeasureOut]


class PolicyOut(BaseModel):
    version: int
    k: int
    default_epsilon: float
    max_epsilon_per_query: float
    daily_epsilon_budget: float
    max_queries_per_day: int
    max_groups: int
    max_dimensions: int
    spent_epsilon_today: float
    queries_today: int


class CatalogueOut(BaseModel):
    policy: PolicyOut
    views: list[ViewOut]


class QueryOut(BaseModel):
    id: int
    view: str
    by: list[str]
    measures: list[str]
    filters: dict[str, list[str]]
    status: str
    k: int
    epsilon: float | None
    result: list[dict[str, Any]]
    suppressed_groups: int
    reason: str
    analyst: str
    department_id: int | None
    submitted_at: datetime
    noise_seed: str | None = None  # shown to the credit office only (to reproduce the release)


def catalogue(ctx: Context) -> CatalogueOut:
    """The approved views with their dimensions and measures, the policy and the caller's use of it today."""
    require(ctx, "sandbox.query")
    rules = load_rules()
    count, spent = spent_today(ctx)
    p = rules.policy
    policy = PolicyOut(
        version=rules.version,
        k=p.k,
        default_epsilon=p.default_epsilon,
        max_epsilon_per_query=p.max_epsilon_per_query,
        daily_epsilon_budget=p.daily_epsilon_budget,
        max_queries_per_day=p.max_queries_per_day,
        max_groups=p.max_groups,
        max_dimensions=p.max_dimensions,
        spent_epsilon_today=spent,
        queries_today=count,
    )
    views = [
        ViewOut(
            key=v.key,
            label=v.label,
            description=v.description,
            source=v.source,
            dimensions=[DimensionOut(key=d.key, label=d.label, source=d.source) for d in v.dimensions],
            measures=[
                MeasureOut(
                    key=m.key, label=m.label, agg=m.agg, noise=m.noise, sensitivity=m.sensitivity, source=m.source
                )
                for m in v.measures
            ],
        )
        for v in rules.views
    ]
    return CatalogueOut(policy=policy, views=views)


def query_out(query: SandboxQuery, *, office: bool = False) -> QueryOut:
    spec = query.spec or {}
    return QueryOut(
        id=query.id,
        view=query.view,
        by=list(spec.get("by", [])),
        measures=list(spec.get("measures", [])),
        filters=dict(spec.get("filters", {})),
        status=query.status,
        k=query.k,
        epsilon=query.epsilon,
        result=list(query.result or []),
        suppressed_groups=query.suppressed_groups,
        reason=query.reason,
        analyst=query.analyst,
        department_id=query.department_id,
        submitted_at=query.submitted_at,
        noise_seed=spec.get("noise_seed") if office else None,
    )


def own_queries(ctx: Context, limit: int = 50) -> list[QueryOut]:
    """The caller's own queries, newest first."""
    require(ctx, "sandbox.query")
    rows = ctx.session.scalars(
        select(SandboxQuery).where(SandboxQuery.analyst == ctx.actor).order_by(SandboxQuery.id.desc()).limit(limit)
    )
    return [query_out(q) for q in rows]


def all_queries(ctx: Context, limit: int = 200, analyst: str | None = None) -> list[QueryOut]:
    """Every query and release (credit office, ``privacy.read``), newest first."""
    require(ctx, "privacy.read")
    stmt = select(SandboxQuery).order_by(SandboxQuery.id.desc()).limit(limit)
    if analyst:
        stmt = stmt.where(SandboxQuery.analyst == analyst)
    return [query_out(q, office=True) for q in ctx.session.scalars(stmt)]


def get_query(ctx: Context, query_id: int) -> QueryOut:
    """One query: its analyst's own, or any for the credit office."""
    require(ctx, "sandbox.query")
    query = ctx.session.get(SandboxQuery, query_id)
    office = allowed(ctx.role, "privacy.read")
    if query is None or (query.analyst != ctx.actor and not office):
        raise NotFound("没有该查询")
    return query_out(query, office=office)
