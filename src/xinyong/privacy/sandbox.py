"""The data sandbox (数据安全屋, issue #10 item 3): aggregate queries over approved views, released only as groups of
at least k distinct subjects, with Laplace noise where the policy says; every query, release and refusal stored in
``sandbox_query`` and audited. Raw rows never leave: the only output is the released table.

A query spec names a view of ``rules/sandbox.yaml`` and keys from its allowlists (dimensions to group by, measures,
equality filters on dimensions); nothing else is accepted and no SQL is taken from the caller. The statement is one
SQLAlchemy Core ``GROUP BY`` inside the database, with ``count(DISTINCT subject)`` per group for the k test.

Noise is reproducible: every query draws a random seed (recorded in the stored spec as ``noise_seed``); the noise
of a group's measure is a deterministic function of (seed, group, measure), so the credit office can rerun a query
(``reproduce``) and obtain the same release from the same data.
"""

from __future__ import annotations

import hashlib
import math
import secrets
from datetime import UTC, datetime, time
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import Float, String, and_, case, cast, distinct, func, literal, null, select
from sqlalchemy.sql.elements import ColumnElement

from xinyong import clock
from xinyong.auth import audit
from xinyong.auth.context import Context
from xinyong.auth.permissions import require
from xinyong.errors import InvalidInput, NotFound
from xinyong.evaluation.models import EvaluationResult, EvaluationRun
from xinyong.lists.active import in_force
from xinyong.lists.models import ListEntry
from xinyong.privacy.models import SandboxQuery
from xinyong.privacy.sandbox_rules import Measure, SandboxRules, View, load_rules, resolve_column
from xinyong.records.models import CreditRecord
from xinyong.records.publication import current_version
from xinyong.subjects.models import Subject

RELEASED, SUPPRESSED, REFUSED = "released", "suppressed", "refused"
EMPTY = "（空）"


class QuerySpec(BaseModel):
    """What an analyst asks: a view, dimensions to group by, measures, equality filters, ε (default: policy)."""

    view: str = Field(max_length=40)
    by: list[str] = Field(default_factory=list, max_length=10)
    measures: list[str] = Field(default_factory=list, max_length=10)
    filters: dict[str, list[str]] = Field(default_factory=dict)
    epsilon: float | None = Field(default=None, gt=0)


class Refused(InvalidInput):
    """A refused query: its stored row (status ``refused``) and audit event are kept."""

    def __init__(self, message: str, query: SandboxQuery, *, field: str | None = None) -> None:
        super().__init__(message, field=field)
        self.query = query


# --------------------------------------------------------------------------------------------- validation
def _validate(spec: QuerySpec, rules: SandboxRules) -> tuple[View, float]:
    """The view and ε of a valid spec; InvalidInput (Chinese, with the field) otherwise."""
    policy = rules.policy
    view = rules.view(spec.view)
    if view is None:
        raise InvalidInput(f"没有名为 {spec.view} 的已批准视图", field="view")
    if not spec.measures:
        raise InvalidInput("请至少选择一个统计指标", field="measures")
    if len(spec.by) > policy.max_dimensions:
        raise InvalidInput(f"分组维度最多 {policy.max_dimensions} 个", field="by")
    if len(set(spec.by)) != len(spec.by) or len(set(spec.measures)) != len(spec.measures):
        raise InvalidInput("维度或指标重复", field="by")
    for key in spec.by:
        if view.dimension(key) is None:
            raise InvalidInput(f"视图「{view.label}」不允许按 {key} 分组", field="by")
    for key in spec.measures:
        if view.measure(key) is None:
            raise InvalidInput(f"视图「{view.label}」没有指标 {key}", field="measures")
    for key, values in spec.filters.items():
        if view.dimension(key) is None:
            raise InvalidInput(f"视图「{view.label}」不允许按 {key} 筛选", field="filters")
        if not values or len(values) > policy.max_filter_values:
            raise InvalidInput(f"筛选 {key} 须有 1 至 {policy.max_filter_values} 个取值", field="filters")
        if any(len(v) > 64 for v in values):
            raise InvalidInput("筛选取值过长", field="filters")
    epsilon = spec.epsilon if spec.epsilon is not None else policy.default_epsilon
    if epsilon > policy.max_epsilon_per_query:
        raise InvalidInput(f"单次查询的隐私预算 ε 不得超过 {policy.max_epsilon_per_query}", field="epsilon")
    return view, epsilon


def _day_start(ctx: Context) -> datetime:
    return datetime.combine(ctx.today, time(0), tzinfo=clock.CHINA_TZ).astimezone(UTC)


def spent_today(ctx: Context) -> tuple[int, float]:
    """The analyst's queries (any status) and ε spent (released and suppressed ones) since the China day began."""
    since = _day_start(ctx)
    mine = and_(SandboxQuery.analyst == ctx.actor, SandboxQuery.submitted_at >= since)
    count = ctx.session.scalar(select(func.count()).select_from(SandboxQuery).where(mine)) or 0
    spent = ctx.session.scalar(
        select(func.coalesce(func.sum(SandboxQuery.epsilon), 0.0)).where(mine, SandboxQuery.status != REFUSED)
    )
    return int(count), float(spent or 0.0)


# --------------------------------------------------------------------------------------------- the statement
def _dimension_expr(view: View, key: str) -> ColumnElement[Any]:
    dim = view.dimension(key)
    assert dim is not None
    column = resolve_column(view.base, dim.column)
    if dim.month:
        return func.substr(cast(column, String), 1, 7)
    return column  # type: ignore[return-value]


def _measure_expr(view: View, measure: Measure) -> ColumnElement[Any]:
    subject_key = Subject.id
    if measure.agg == "count_subjects":
        return func.count(distinct(subject_key))
    if measure.agg == "count_rows":
        return func.count()
    assert measure.column is not None
    column: ColumnElement[Any] = resolve_column(view.base, measure.column)  # type: ignore[assignment]
    if measure.json_key:
        column = cast(func.nullif(column[measure.json_key].as_string(), ""), Float)  # type: ignore[index]
    if measure.clip is not None:
        column = case((column > measure.clip, literal(measure.clip)), else_=column)
    if measure.only_items:
        column = case((CreditRecord.item_id.in_(measure.only_items), column), else_=null())
    return func.coalesce(func.sum(column), 0.0) if measure.agg == "sum" else func.avg(column)


def _base_select(ctx: Context, view: View, columns: list[ColumnElement[Any]]) -> Any:
    model = {"credit_record": CreditRecord, "list_entry": ListEntry, "evaluation_result": EvaluationResult}
    if view.base == "subject":
        query = select(*columns).select_from(Subject)
    else:
        base = model[view.base]
        query = select(*columns).select_from(base).join(Subject, Subject.id == base.subject_id)
    if view.exclude_kinds:
        query = query.where(Subject.kind.not_in(view.exclude_kinds))
    if view.base == "credit_record":
        query = query.where(current_version())
    elif view.base == "list_entry":
        query = query.where(ListEntry.role == "subject", in_force(ctx.today))
    elif view.base == "evaluation_result":
        latest = select(func.max(EvaluationRun.id)).scalar_subquery()
        query = query.where(EvaluationResult.run_id == latest)
    return query


def _aggregate(ctx: Context, view: View, spec: QuerySpec) -> list[tuple[list[str | None], int, dict[str, float]]]:
    """Per group: the dimension values, its distinct subjects and the raw measures (inside the database)."""
    dims = [_dimension_expr(view, key).label(f"d{i}") for i, key in enumerate(spec.by)]
    measures = [view.measure(key) for key in spec.measures]
    aggs = [_measure_expr(view, m).label(f"m{i}") for i, m in enumerate(measures) if m is not None]
    subjects = func.count(distinct(Subject.id)).label("n_subjects")
    query = _base_select(ctx, view, [*dims, subjects, *aggs])
    for key, values in spec.filters.items():
        query = query.where(_dimension_expr(view, key).in_(values))
    if dims:
        query = query.group_by(*[d.element for d in dims])
    rows = ctx.session.execute(query).all()
    out = []
    for row in rows:
        mapping = row._mapping
        values = [None if mapping[f"d{i}"] is None else str(mapping[f"d{i}"]) for i in range(len(dims))]
        raw = {key: float(mapping[f"m{i}"] or 0.0) for i, key in enumerate(spec.measures)}
        out.append((values, int(mapping["n_subjects"]), raw))
    if not dims and out and out[0][1] == 0:
        return []  # a total over nothing: no group at all
    return out


# --------------------------------------------------------------------------------------------- noise
def laplace(seed: str, group: list[str | None], measure: str, scale: float) -> float:
    """Laplace(0, scale) noise determined by (seed, group, measure): inverse CDF of a uniform from SHA-256."""
    material = "\x1f".join([seed, measure, *[EMPTY if v is None else v for v in group]]).encode()
    u = int.from_bytes(hashlib.sha256(material).digest()[:8], "big") / 2**64 - 0.5  # in [-0.5, 0.5)
    u = max(min(u, 0.5 - 1e-12), -0.5 + 1e-12)
    return -scale * math.copysign(1.0, u) * math.log(1 - 2 * abs(u))


def _release(
    view: View,
    spec: QuerySpec,
    rows: list[tuple[list[str | None], int, dict[str, float]]],
    k: int,
    epsilon: float,
    seed: str,
) -> tuple[list[dict[str, Any]], int]:
    """The released rows (groups with ≥ k subjects, noised) and the number of groups withheld."""
    noised = [key for key in spec.measures if (m := view.measure(key)) is not None and m.noise]
    share = epsilon / len(noised) if noised else 0.0  # sequential composition over the query's measures
    released: list[dict[str, Any]] = []
    suppressed = 0
    for values, n_subjects, raw in sorted(rows, key=lambda r: [EMPTY if v is None else v for v in r[0]]):
        if n_subjects < k:
            suppressed += 1
            continue
        group = {key: (EMPTY if v is None else v) for key, v in zip(spec.by, values, strict=True)}
        out: dict[str, Any] = {}
        for key in spec.measures:
            measure = view.measure(key)
            assert measure is not None
            value = raw[key]
            if measure.noise:
                value += laplace(seed, values, key, measure.sensitivity / share)
            low, high = measure.bounds or (0.0, math.inf)
            value = min(max(value, low), high)  # post-processing: no privacy cost
            if measure.agg in ("count_subjects", "count_rows"):
                out[key] = round(value)
            else:
                out[key] = round(value, 2)
        released.append({"group": group, "measures": out})
    return released, suppressed


# --------------------------------------------------------------------------------------------- the action
def _lock_analyst(ctx: Context) -> None:
    """On PostgreSQL, serialise one analyst's queries (a transaction-scoped advisory lock on the analyst) so two
    concurrent queries cannot both pass the budget check; SQLite writers are serialised already (BEGIN IMMEDIATE)."""
    if ctx.session.get_bind().dialect.name == "postgresql":
        key = int.from_bytes(hashlib.sha256(f"sandbox:{ctx.actor}".encode()).digest()[:8], "big", signed=True)
        ctx.session.execute(select(func.pg_advisory_xact_lock(key)))


def submit(ctx: Context, spec: QuerySpec, *, rules: SandboxRules | None = None) -> SandboxQuery:
    """Validate, run and release one query; store and audit it. A refusal (invalid spec, over the day's ε budget
    or query limit, too many groups) is stored and audited too, then raised as ``Refused``."""
    require(ctx, "sandbox.query")
    rules = rules or load_rules()
    policy = rules.policy
    seed = secrets.token_hex(16)
    stored_spec = spec.model_dump() | {"noise_seed": seed, "rules_version": rules.version}
    query = SandboxQuery(
        view=spec.view[:40],
        spec=stored_spec,
        status=REFUSED,
        k=policy.k,
        epsilon=None,
        result=[],
        suppressed_groups=0,
        reason="",
        department_id=ctx.department_id,
        analyst=ctx.actor,
        submitted_at=ctx.at.astimezone(UTC),
    )
    field: str | None = None
    _lock_analyst(ctx)
    try:
        count, spent = spent_today(ctx)
        if count >= policy.max_queries_per_day:
            raise InvalidInput(f"今日查询次数已达上限（{policy.max_queries_per_day} 次），请明日再试", field="view")
        view, epsilon = _validate(spec, rules)
        if spent + epsilon > policy.daily_epsilon_budget + 1e-9:
            left = max(0.0, policy.daily_epsilon_budget - spent)
            raise InvalidInput(
                f"今日隐私预算不足：每日上限 ε={policy.daily_epsilon_budget}，已用 {spent:g}，剩余 {left:g}，"
                f"本次需要 {epsilon:g}",
                field="epsilon",
            )
        rows = _aggregate(ctx, view, spec)
        if len(rows) > policy.max_groups:
            raise InvalidInput(f"分组数超过上限 {policy.max_groups}，请减少分组维度或增加筛选条件", field="by")
        released, suppressed = _release(view, spec, rows, policy.k, epsilon, seed)
    except InvalidInput as exc:
        query.reason = exc.message[:200]
        field = exc.field
    else:
        query.status = SUPPRESSED if suppressed else RELEASED
        query.epsilon = epsilon
        query.result = released
        query.suppressed_groups = suppressed
    ctx.session.add(query)
    ctx.session.flush()
    detail = {
        "view": spec.view,
        "by": spec.by,
        "measures": spec.measures,
        "filters": spec.filters,
        "epsilon": query.epsilon,
        "k": query.k,
        "released_groups": len(query.result),
        "suppressed_groups": query.suppressed_groups,
        "reason": query.reason,
    }
    audit.record(ctx, "sandbox.query", "sandbox_query", query.id, detail, outcome=query.status)
    if query.status == REFUSED:
        raise Refused(query.reason, query, field=field)
    return query


def reproduce(ctx: Context, query_id: int, *, rules: SandboxRules | None = None) -> list[dict[str, Any]]:
    """The credit office reruns a released query with its recorded seed: the same release from the same data."""
    require(ctx, "privacy.read")
    query = ctx.session.get(SandboxQuery, query_id)
    if query is None:
        raise NotFound("没有该查询")
    if query.status == REFUSED:
        raise InvalidInput("被拒绝的查询没有发布结果", field="query_id")
    rules = rules or load_rules()
    spec = QuerySpec.model_validate({k: v for k, v in query.spec.items() if k in QuerySpec.model_fields})
    view = rules.view(spec.view)
    if view is None:
        raise NotFound("该视图已不在批准清单中")
    rows = _aggregate(ctx, view, spec)
    released, _ = _release(view, spec, rows, query.k, float(query.epsilon or 0.0), str(query.spec["noise_seed"]))
    audit.record(ctx, "sandbox.reproduce", "sandbox_query", query.id, {"same": released == query.result})
    return released
