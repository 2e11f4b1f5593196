"""Publicity status of a credit record on any ``as_of`` date, computed from stored facts (design principle 3).

A record's status on ``as_of`` follows this precedence (the first that holds wins):

1. ``revoked`` 已撤销 — a ``revoked`` effect on its natural key with ``starts_on <= as_of``;
2. ``repaired`` 已修复 — a ``repaired`` effect with ``starts_on <= as_of`` (publicity ended early);
3. ``unpublished`` 不予公示 — the rule says the record is not published at all (``publishable`` false);
4. ``pending`` 未到公示日 — decided after ``as_of``;
5. ``expired`` 公示期满 — ``as_of`` is after the effective end: ``publicity_end``, or
   min(``publicity_end``, ``publicity_later_end``) once ``as_of >= publicity_later_from`` (a later, more
   favourable regime, ``records.regimes``); a record without an end never expires;
6. ``objected`` 异议中 — an ``objection`` effect with ``starts_on <= as_of`` and open on ``as_of``
   (``ends_on`` empty or after ``as_of``);
7. ``published`` 公示中 — otherwise.

Effects attach to the natural key (``item_id``, ``department_id``, ``doc_no``), so they hold for every
version of a record. ``status_expr`` is the SQL form (a ``CASE`` over ``CreditRecord`` with one correlated
look-up of the key's effects through the index ``ix_record_effect_key``); ``effect_ranks`` +
``status_expr(as_of, ranks=...)`` is the joined form for whole-table queries (the effects of ``as_of``
aggregated per record version and LEFT JOINed once on the primary key; ``count_by_status`` uses it).
``in_force_condition`` ("usable": counted by evaluation, lists, reports and the 告知承诺 refusal) and
``publicly_shown_condition`` (the 双公示 pages) are boolean forms written with NOT EXISTS so the databases can
plan them as anti-joins. ``record_status`` is the same rule in Python for one record, ``expire_publicity`` the
daily job's step that writes an ``expired`` effect when a record's publicity ends.
"""

from __future__ import annotations

from datetime import date, timedelta

from pydantic import BaseModel, Field
from sqlalchemy import (
    ColumnElement,
    Date,
    FromClause,
    Select,
    and_,
    case,
    func,
    insert,
    literal,
    not_,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.orm import Session, aliased

from xinyong.auth import audit
from xinyong.auth.context import Context
from xinyong.auth.permissions import require
from xinyong.records import effects
from xinyong.records.models import CreditRecord, RecordEffect
from xinyong.settings import get_settings

STATUS_LABELS: dict[str, str] = {
    "pending": "未到公示日",
    "published": "公示中",
    "objected": "异议中",
    "repaired": "已修复",
    "expired": "公示期满",
    "revoked": "已撤销",
    "unpublished": "不予公示",
}
IN_FORCE: tuple[str, ...] = ("published", "objected")

# Rank of an effect that decides the status (lower wins); ``expired`` effects do not: status is computed.
RANK_REVOKED, RANK_REPAIRED, RANK_OBJECTED = 1, 2, 3
DECIDING_KINDS: tuple[str, ...] = ("revoked", "repaired", "objection")


# --------------------------------------------------------------------------------------------- pieces
def _same_key(effect: type[RecordEffect] | RecordEffect = RecordEffect) -> ColumnElement[bool]:
    """``effect`` is on ``CreditRecord``'s natural key."""
    return and_(
        effect.item_id == CreditRecord.item_id,  # type: ignore[arg-type]
        effect.department_id == CreditRecord.department_id,  # type: ignore[arg-type]
        effect.doc_no == CreditRecord.doc_no,  # type: ignore[arg-type]
    )


def _rank(as_of: date) -> ColumnElement[int | None]:
    """The deciding rank of one ``RecordEffect`` row on ``as_of`` (None: decides nothing)."""
    open_objection = and_(
        RecordEffect.kind == "objection", or_(RecordEffect.ends_on.is_(None), RecordEffect.ends_on > as_of)
    )
    return case(
        (RecordEffect.kind == "revoked", RANK_REVOKED),
        (RecordEffect.kind == "repaired", RANK_REPAIRED),
        (open_objection, RANK_OBJECTED),
        else_=None,
    )


def effect_rank(as_of: date) -> ColumnElement[int | None]:
    """Correlated scalar: the lowest deciding rank among ``CreditRecord``'s effects on ``as_of`` (or NULL)."""
    return (
        select(func.min(_rank(as_of)))
        .where(_same_key(), RecordEffect.kind.in_(DECIDING_KINDS), RecordEffect.starts_on <= as_of)
        .correlate(CreditRecord)
        .scalar_subquery()
    )


def effect_ranks(as_of: date) -> FromClause:
    """The deciding rank on ``as_of`` of every record version whose natural key has a deciding effect: a subquery
    with columns ``record_id`` and ``rank``, to LEFT JOIN with ``join_ranks``.

    Driven by the few effects (each finds the versions of its key through ``ix_credit_record_key``), so the
    whole-table join is on the integer primary key rather than on three text columns per record."""
    version = aliased(CreditRecord)
    return (
        select(version.id.label("record_id"), func.min(_rank(as_of)).label("rank"))
        .select_from(RecordEffect)
        .join(
            version,
            and_(
                version.item_id == RecordEffect.item_id,
                version.department_id == RecordEffect.department_id,
                version.doc_no == RecordEffect.doc_no,
            ),
        )
        .where(RecordEffect.kind.in_(DECIDING_KINDS), RecordEffect.starts_on <= as_of)
        .group_by(version.id)
        .subquery("effect_ranks")
    )


def join_ranks(stmt: Select, ranks: FromClause) -> Select:  # type: ignore[type-arg]
    """``stmt`` (selecting from ``CreditRecord``) LEFT JOINed with ``effect_ranks`` on the record id."""
    return stmt.outerjoin(ranks, ranks.c.record_id == CreditRecord.id)


def expired_condition(as_of: date) -> ColumnElement[bool]:
    """``as_of`` is after the record's effective end (NULL-safe: a record without an end never expires)."""
    return or_(
        and_(CreditRecord.publicity_end.is_not(None), CreditRecord.publicity_end < as_of),
        and_(
            CreditRecord.publicity_later_from.is_not(None),
            CreditRecord.publicity_later_end.is_not(None),
            CreditRecord.publicity_later_from <= as_of,
            CreditRecord.publicity_later_end < as_of,
        ),
    )


def _by_dates(as_of: date, otherwise: str) -> ColumnElement[str]:
    return case(
        (CreditRecord.publishable.is_(False), "unpublished"),
        (CreditRecord.decided_on > as_of, "pending"),
        (expired_condition(as_of), "expired"),
        else_=otherwise,
    )


# --------------------------------------------------------------------------------------------- SQL forms
def status_expr(as_of: date, ranks: FromClause | None = None) -> ColumnElement[str]:
    """SQL ``CASE`` giving ``CreditRecord``'s status code on ``as_of`` (precedence in the module docstring).

    Without ``ranks`` it looks the key's effects up with one correlated subquery per row (the index
    ``ix_record_effect_key``); with ``ranks = effect_ranks(as_of)`` the caller LEFT JOINs them
    (``join_ranks``) and the CASE reads the joined column: the faster form for whole-table counts.
    """
    rank = effect_rank(as_of) if ranks is None else ranks.c.rank
    return case(
        {RANK_REVOKED: "revoked", RANK_REPAIRED: "repaired", RANK_OBJECTED: _by_dates(as_of, "objected")},
        value=func.coalesce(rank, 0),
        else_=_by_dates(as_of, "published"),
    )


def count_by_status(
    session: Session, as_of: date, *conditions: ColumnElement[bool], joined: bool = True
) -> dict[str, int]:
    """How many ``CreditRecord`` rows (matching ``conditions``) have each status on ``as_of``, in one query.

    Grouped over a labelled subquery: PostgreSQL takes two parameterised copies of the CASE for different
    expressions, so ``GROUP BY status_expr(...)`` beside ``SELECT status_expr(...)`` would be refused.
    ``joined`` (default) LEFT JOINs ``effect_ranks`` once instead of one correlated look-up per row."""
    if joined:
        ranks = effect_ranks(as_of)
        inner = join_ranks(select(status_expr(as_of, ranks).label("status")).select_from(CreditRecord), ranks)
    else:
        inner = select(status_expr(as_of).label("status"))
    codes = inner.where(*conditions).subquery("statuses")
    rows = session.execute(select(codes.c.status, func.count()).group_by(codes.c.status)).all()
    return {str(code): int(n) for code, n in rows}


def _effect_exists(as_of: date, kinds: tuple[str, ...], *, open_on: bool = False) -> ColumnElement[bool]:
    effect = aliased(RecordEffect)
    conditions = [
        effect.item_id == CreditRecord.item_id,
        effect.department_id == CreditRecord.department_id,
        effect.doc_no == CreditRecord.doc_no,
        effect.kind.in_(kinds),
        effect.starts_on <= as_of,
    ]
    if open_on:
        conditions.append(or_(effect.ends_on.is_(None), effect.ends_on > as_of))
    return select(effect.id).where(*conditions).correlate(CreditRecord).exists()


def in_force_condition(as_of: date) -> ColumnElement[bool]:
    """SQL: ``CreditRecord``'s status on ``as_of`` is ``published`` or ``objected`` (the record is usable:
    counted by evaluation, lists, reports and the 告知承诺 refusal)."""
    return and_(
        CreditRecord.publishable.is_(True),
        CreditRecord.decided_on <= as_of,
        not_(expired_condition(as_of)),
        not_(_effect_exists(as_of, ("revoked", "repaired"))),
    )


def objected_condition(as_of: date) -> ColumnElement[bool]:
    """SQL: an objection on ``CreditRecord``'s key is open on ``as_of`` (whatever the rest of its status)."""
    return _effect_exists(as_of, ("objection",), open_on=True)


def publicly_shown_condition(as_of: date) -> ColumnElement[bool]:
    """SQL: the status allows the record on public pages on ``as_of``: ``published``, and ``objected`` unless
    ``Settings.objection_hides_record``."""
    if get_settings().objection_hides_record:
        return and_(in_force_condition(as_of), not_(objected_condition(as_of)))
    return in_force_condition(as_of)


# --------------------------------------------------------------------------------------------- one record
class RecordStatus(BaseModel):
    """A record's publicity status on one day, with the dates it rests on."""

    code: str = Field(description="状态代码：pending/published/objected/repaired/expired/revoked/unpublished")
    label: str = Field(description="状态名称，如 公示中、异议中")
    as_of: date
    regime: str | None = Field(description="公示规则（制度）代码；未按公示制度计算的为 null")
    severity: str | None = Field(description="失信严重程度：minor 轻微 / general 一般 / serious 严重")
    min_end: date | None = Field(description="最短公示期的最后一日；此后可申请信用修复")
    effective_end: date | None = Field(description="该日适用的公示截止日（含当日）；null 表示未设截止")
    min_period_passed: bool = Field(description="该日是否已过最短公示期（无最短公示期的为 true）")
    objection_open: bool = Field(description="该日是否有未结的异议")
    repaired_on: date | None = Field(description="信用修复生效日")
    revoked_on: date | None = Field(description="处罚决定撤销生效日")


def effective_end(record: CreditRecord, as_of: date) -> date | None:
    """The last day of publicity in force on ``as_of``: ``publicity_end``, or, from ``publicity_later_from`` on,
    the later regime's shorter end (the day before ``publicity_later_from`` when that end had already passed:
    publicity stopped the day the later regime came into force). Gives the same statuses as the rule in the
    module docstring, with the day publicity actually stopped."""
    end = record.publicity_end
    later_from, later_end = record.publicity_later_from, record.publicity_later_end
    if end is not None and later_from is not None and later_end is not None and as_of >= later_from:
        return min(end, max(later_end, later_from - timedelta(days=1)))
    return end


def status_code(
    record: CreditRecord,
    as_of: date,
    *,
    revoked_on: date | None,
    repaired_on: date | None,
    objection_open: bool,
) -> str:
    """The status code of ``record`` on ``as_of`` from its dates and its effects (same rule as the SQL)."""
    if revoked_on is not None and revoked_on <= as_of:
        return "revoked"
    if repaired_on is not None and repaired_on <= as_of:
        return "repaired"
    if not record.publishable:
        return "unpublished"
    if record.decided_on > as_of:
        return "pending"
    end = effective_end(record, as_of)
    if end is not None and as_of > end:
        return "expired"
    if objection_open:
        return "objected"
    return "published"


def record_status(ctx: Context, record: CreditRecord, as_of: date) -> RecordStatus:
    """``record``'s status on ``as_of`` with its dates (no permission check: callers check theirs)."""
    rows = ctx.session.execute(
        select(RecordEffect.kind, RecordEffect.starts_on, RecordEffect.ends_on).where(
            RecordEffect.item_id == record.item_id,
            RecordEffect.department_id == record.department_id,
            RecordEffect.doc_no == record.doc_no,
            RecordEffect.kind.in_(DECIDING_KINDS),
            RecordEffect.starts_on <= as_of,
        )
    ).all()
    revoked_on = min((s for k, s, _ in rows if k == "revoked"), default=None)
    repaired_on = min((s for k, s, _ in rows if k == "repaired"), default=None)
    objection_open = any(k == "objection" and (e is None or e > as_of) for k, _, e in rows)
    code = status_code(record, as_of, revoked_on=revoked_on, repaired_on=repaired_on, objection_open=objection_open)
    min_end = record.publicity_min_end
    return RecordStatus(
        code=code,
        label=STATUS_LABELS[code],
        as_of=as_of,
        regime=record.regime,
        severity=record.severity,
        min_end=min_end,
        effective_end=effective_end(record, as_of),
        min_period_passed=min_end is None or as_of > min_end,
        objection_open=objection_open,
        repaired_on=repaired_on,
        revoked_on=revoked_on,
    )


# --------------------------------------------------------------------------------------------- daily job
def _day_after(column: ColumnElement[date | None], dialect: str) -> ColumnElement[date]:
    """``column`` + 1 day, in each database's date arithmetic."""
    if dialect == "sqlite":  # dates are ISO text in SQLite (a CAST to DATE would turn them into numbers)
        return type_coerce(func.date(column, "+1 day"), Date)
    return type_coerce(column + literal(1), Date)


def _first_day_not_published(as_of: date, dialect: str) -> ColumnElement[date]:
    """SQL: the day after ``effective_end`` on ``as_of`` (the first day the record is no longer published)."""
    later = and_(
        CreditRecord.publicity_later_from <= as_of,
        CreditRecord.publicity_later_end < CreditRecord.publicity_end,
    )
    later_passed = CreditRecord.publicity_later_end < CreditRecord.publicity_later_from
    return case(
        (
            later,
            case(
                (later_passed, CreditRecord.publicity_later_from),
                else_=_day_after(CreditRecord.publicity_later_end, dialect),
            ),
        ),
        else_=_day_after(CreditRecord.publicity_end, dialect),
    )


def expire_publicity(ctx: Context, as_of: date) -> int:
    """Daily-job step: one ``expired`` effect (starting the first day after the effective end) for every
    current record whose status on ``as_of`` is ``expired`` and whose key has none yet. Set-based
    (INSERT … SELECT), idempotent; returns how many effects were added and audits the run once.

    Being set-based, the rows bypass ``effects.add_effect``; the listeners registered with ``effects.on_effect``
    still hear each new ``expired`` effect (``effects.announce_added_after``) in the same transaction."""
    from xinyong.records.publication import current_version  # publication imports this module

    require(ctx, "jobs.run")
    session = ctx.session
    dialect = session.get_bind().dialect.name
    already = aliased(RecordEffect)
    has_expired = (
        select(already.id)
        .where(
            already.item_id == CreditRecord.item_id,
            already.department_id == CreditRecord.department_id,
            already.doc_no == CreditRecord.doc_no,
            already.kind == "expired",
        )
        .correlate(CreditRecord)
        .exists()
    )
    source = select(
        CreditRecord.item_id,
        CreditRecord.department_id,
        CreditRecord.doc_no,
        CreditRecord.id,
        literal("expired"),
        _first_day_not_published(as_of, dialect),
        literal("job"),
        literal("公示期满，自动停止公示"),
        literal(ctx.actor),
        literal(ctx.at),
    ).where(
        current_version(),
        CreditRecord.publishable.is_(True),
        CreditRecord.decided_on <= as_of,
        expired_condition(as_of),
        not_(_effect_exists(as_of, ("revoked", "repaired"))),
        not_(has_expired),
    )
    mark = effects.last_effect_id(ctx)
    result = session.execute(
        insert(RecordEffect).from_select(
            [
                RecordEffect.item_id,
                RecordEffect.department_id,
                RecordEffect.doc_no,
                RecordEffect.record_id,
                RecordEffect.kind,
                RecordEffect.starts_on,
                RecordEffect.source_type,
                RecordEffect.reason,
                RecordEffect.created_by,
                RecordEffect.created_at,
            ],
            source,
        ),
        execution_options={"preserve_rowcount": True},  # psycopg leaves an INSERT … SELECT's count out otherwise
    )
    added = max(result.rowcount or 0, 0)
    if added:
        effects.announce_added_after(ctx, mark, "expired")
    audit.record(
        ctx, "records.expire_publicity", "job", as_of.isoformat(), {"as_of": as_of.isoformat(), "added": added}
    )
    return added
