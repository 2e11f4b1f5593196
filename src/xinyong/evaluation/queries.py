"""The SQL of an evaluation: set-based, one set of statements for SQLite and PostgreSQL (the few dialect-specific
pieces are listed below).

The records an evaluation counts are read once: ``live_records`` is the CTE ``live`` of the current versions in
force on ``as_of`` (``records.status.in_force_condition``) of the items the model's indicators count, with a
matched subject, holding just ``subject_id``, ``item_id``, ``severity``, ``category`` and ``decided_on``. The
indicators are split into layers of indicators that never count the same record (``indicator_layers``: another
item, or no severity or category in common; the models shipped are one layer): a layer reads ``live`` once, a
CASE naming the indicator each record counts for and another giving its points after decay (``layer_hits``).
The hits of every layer (UNION ALL) are grouped once by subject and indicator, giving the number of records, the
decayed sum or extreme (``raw``: ``per_record`` sums, ``any_record`` takes the maximum, the minimum for negative
points), the capped points and the weighted points (``indicators_union``). The batch inserts them with one
INSERT … SELECT, in primary-key order (subject, indicator: cheaper index inserts); the score of every subject the
model covers is a second INSERT … SELECT over ``subject`` LEFT JOINed with the run's summed indicators (no
records: the base score). The explanation of one subject runs the same SELECT restricted to it (``live`` then
reads the subject's records through ``ix_credit_record_subject``), so it gives the score the batch gives.

Decay bands become cutoff dates computed once in Python (``as_of`` minus the band's months, clamped to the end
of a shorter month): a record is within a band when ``decided_on`` is after the cutoff, so the CASE compares
dates and needs no date arithmetic in SQL. Dialect-specific pieces:

- rounding to two decimals (``round2``): PostgreSQL rounds ``numeric`` only;
- SQLite: the batch's ``live`` is ``MATERIALIZED`` and read in ``credit_record.id`` order, its item and subject
  terms written ``+column`` (``_unindexed``), so SQLite scans the table once instead of fetching most of it row by
  row through ``ix_credit_record_item_decided`` (about six times slower at 10,000,000 records; without
  ``ANALYZE`` statistics SQLite would pick that index);
- PostgreSQL: ``live`` is left to the planner (inlined when one layer reads it, materialised when several do),
  and ``batch_settings`` sets ``BATCH_SETTINGS`` for the run's two statements, the previous values restored
  afterwards.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from sqlalchemy import (
    CTE,
    ColumnElement,
    Float,
    FromClause,
    Numeric,
    Select,
    String,
    and_,
    case,
    cast,
    func,
    literal,
    select,
    text,
    type_coerce,
    union_all,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql import operators
from sqlalchemy.sql.expression import UnaryExpression

from xinyong.evaluation.models import EvaluationIndicator
from xinyong.evaluation.models_yaml import NO_DECAY, EvaluationModel, Indicator
from xinyong.lists.active import in_force
from xinyong.lists.models import ListEntry
from xinyong.records.models import CreditRecord
from xinyong.records.publication import current_version
from xinyong.records.status import in_force_condition
from xinyong.subjects.models import Subject

# PostgreSQL settings of a batch run (``batch_settings``): memory for the hash aggregate and the sort of millions of
# indicator rows (with the default 4MB they spill to disk, several seconds at 1,000,000 subjects), and no JIT
# compilation (about a second of compiling per statement, not won back).
BATCH_SETTINGS: dict[str, str] = {"work_mem": "256MB", "jit": "off"}


def months_before(day: date, months: int) -> date:
    """``day`` minus ``months`` calendar months (the day clamped to the end of a shorter month)."""
    total = day.year * 12 + day.month - 1 - months
    year, month = divmod(total, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def round2(expr: ColumnElement[float], dialect: str) -> ColumnElement[float]:
    """``expr`` rounded to two decimals, as a float, in each database's arithmetic."""
    if dialect == "postgresql":
        return type_coerce(cast(func.round(cast(expr, Numeric), 2), Float), Float)
    return type_coerce(func.round(expr, 2), Float)


def decay_factor(
    model: EvaluationModel,
    indicator: Indicator,
    as_of: date,
    decided_on: ColumnElement[date] | None = None,
) -> ColumnElement[float]:
    """SQL: the decay factor for ``indicator`` on ``as_of`` of a record decided on ``decided_on`` (default
    ``CreditRecord.decided_on``); 1 without decay."""
    if indicator.decay == NO_DECAY:
        return literal(1.0, Float)
    decided = CreditRecord.decided_on if decided_on is None else decided_on
    schedule = model.decay[indicator.decay]
    whens = [
        (decided > months_before(as_of, band.within_months), literal(band.factor, Float)) for band in schedule.bands
    ]
    return case(*whens, else_=literal(schedule.beyond, Float))


def record_conditions(indicator: Indicator, as_of: date) -> list[ColumnElement[bool]]:
    """Which records an indicator counts: current versions of its item (severities, categories) in force."""
    conditions: list[ColumnElement[bool]] = [
        CreditRecord.item_id == indicator.item,
        CreditRecord.subject_id.is_not(None),
    ]
    if indicator.severity:
        conditions.append(CreditRecord.severity.in_(indicator.severity))
    if indicator.categories:
        conditions.append(CreditRecord.category.in_(indicator.categories))
    conditions += [current_version(), in_force_condition(as_of)]
    return conditions


def _unindexed(column: ColumnElement[Any]) -> ColumnElement[Any]:
    """SQLite: ``+column``, the same value, which keeps the term it is in from choosing an index."""
    return UnaryExpression(column, operator=operators.custom_op("+"), type_=column.type)


def live_records(model: EvaluationModel, as_of: date, dialect: str, subject_id: int | None = None) -> CTE:
    """The CTE ``live``: ``subject_id``, ``item_id``, ``severity``, ``category``, ``decided_on`` of the current
    versions in force on ``as_of`` of the items ``model`` counts (of one subject when given)."""
    items = sorted({i.item for i in model.indicators() if i.item})
    item: ColumnElement[Any] = CreditRecord.item_id
    subject: ColumnElement[Any] = CreditRecord.subject_id
    if dialect == "sqlite" and subject_id is None:  # one table scan in rowid order (module docstring)
        item, subject = _unindexed(item), _unindexed(subject)
    stmt = select(
        CreditRecord.subject_id,
        CreditRecord.item_id,
        CreditRecord.severity,
        CreditRecord.category,
        CreditRecord.decided_on,
    ).where(item.in_(items), subject.is_not(None), current_version(), in_force_condition(as_of))
    if subject_id is not None:
        stmt = stmt.where(CreditRecord.subject_id == subject_id)
    if dialect != "sqlite":
        return stmt.cte("live")
    if subject_id is None:
        stmt = stmt.order_by(CreditRecord.id)
    return stmt.cte("live").prefix_with("MATERIALIZED")  # MATERIALIZED keeps the ORDER BY


def _disjoint(a: Indicator, b: Indicator) -> bool:
    """No record can count for both ``a`` and ``b`` (another item, or no severity or no category in common)."""
    return (
        a.item != b.item
        or bool(a.severity and b.severity and not set(a.severity) & set(b.severity))
        or bool(a.categories and b.categories and not set(a.categories) & set(b.categories))
    )


def indicator_layers(model: EvaluationModel) -> list[list[Indicator]]:
    """The model's indicators in layers of pairwise disjoint ones (first fit, in file order): a layer reads
    ``live`` once, each record counting for at most one of its indicators. The models shipped have one layer."""
    layers: list[list[Indicator]] = []
    for indicator in (i for i in model.indicators() if not i.on_list):
        layer = next((la for la in layers if all(_disjoint(indicator, other) for other in la)), None)
        if layer is None:
            layers.append([indicator])
        else:
            layer.append(indicator)
    return layers


def _counts(indicator: Indicator, live: FromClause) -> ColumnElement[bool]:
    """SQL: the record of ``live`` is one ``indicator`` counts (its item, severities, categories)."""
    conditions: list[ColumnElement[bool]] = [live.c.item_id == indicator.item]
    if indicator.severity:
        conditions.append(live.c.severity.in_(indicator.severity))
    if indicator.categories:
        conditions.append(live.c.category.in_(indicator.categories))
    return and_(*conditions)


def layer_hits(model: EvaluationModel, layer: list[Indicator], as_of: date, live: FromClause) -> Select:  # type: ignore[type-arg]
    """The records of ``live`` that the (disjoint) indicators of ``layer`` count, in one pass: ``subject_id``,
    ``indicator`` (its code) and ``contribution`` (the indicator's points times the record's decay factor)."""
    code = case(*[(_counts(i, live), literal(i.code, String)) for i in layer])
    coded = select(live.c.subject_id, live.c.decided_on, code.label("indicator")).subquery("coded")
    contribution = case(
        {i.code: literal(i.points, Float) * decay_factor(model, i, as_of, coded.c.decided_on) for i in layer},
        value=coded.c.indicator,
    )
    return select(coded.c.subject_id, coded.c.indicator, contribution.label("contribution")).where(
        coded.c.indicator.is_not(None)
    )


def list_hits(model: EvaluationModel, as_of: date, subject_id: int | None = None) -> Select | None:  # type: ignore[type-arg]
    """The entries in force on ``as_of`` that the ``on_list`` indicators count: ``subject_id``, ``indicator``,
    ``contribution`` (the indicator's points); None when the model has no such indicator."""
    wanted = [i for i in model.indicators() if i.on_list]
    if not wanted:
        return None
    code = case(*[(ListEntry.list_code == i.list_code, literal(i.code, String)) for i in wanted])
    points = case(*[(ListEntry.list_code == i.list_code, literal(i.points, Float)) for i in wanted])
    stmt = select(ListEntry.subject_id, code.label("indicator"), points.label("contribution")).where(
        ListEntry.list_code.in_([i.list_code for i in wanted]), ListEntry.role == "subject", in_force(as_of)
    )
    if subject_id is not None:
        stmt = stmt.where(ListEntry.subject_id == subject_id)
    return stmt


def _capped(raw: ColumnElement[float], cap: float) -> ColumnElement[float]:
    """SQL: ``raw`` kept within [-``cap``, ``cap``]."""
    return case((raw > cap, literal(cap, Float)), (raw < -cap, literal(-cap, Float)), else_=raw)


def indicators_union(
    model: EvaluationModel, as_of: date, dialect: str, subject_id: int | None = None, *, ordered: bool = False
) -> Select:  # type: ignore[type-arg]
    """Per subject and indicator with records: ``subject_id``, ``indicator``, ``records``, ``raw``, ``points``,
    ``weighted``, as one SELECT (``ordered``: by subject then indicator, the primary-key order of the rows)."""
    indicators = model.indicators()
    live = live_records(model, as_of, dialect, subject_id)
    layers = [layer_hits(model, layer, as_of, live) for layer in indicator_layers(model)]
    listed = list_hits(model, as_of, subject_id)
    if listed is not None:
        layers.append(listed)
    hits = (union_all(*layers) if len(layers) > 1 else layers[0]).subquery("hits")
    contribution = hits.c.contribution
    extremes = [
        (hits.c.indicator.in_(codes), aggregate)
        for codes, aggregate in (
            ([i.code for i in indicators if i.kind != "per_record" and i.points >= 0], func.max(contribution)),
            # the strongest (most negative) of the records counts once; an entry in force counts once
            ([i.code for i in indicators if i.kind != "per_record" and i.points < 0], func.min(contribution)),
        )
        if codes
    ]
    total = case(*extremes, else_=func.sum(contribution)) if extremes else func.sum(contribution)
    grouped = select(
        hits.c.subject_id,
        hits.c.indicator,
        func.count().label("records"),
        round2(total, dialect).label("raw"),
    ).group_by(hits.c.subject_id, hits.c.indicator)
    if ordered:  # in the grouping's own SELECT, where SQLite's GROUP BY already gives the order
        grouped = grouped.order_by(hits.c.subject_id, hits.c.indicator)
    grouped = grouped.subquery("grouped")
    raw, code = grouped.c.raw, grouped.c.indicator
    points = {i.code: _capped(raw, i.cap) for i in indicators}  # one CASE over the codes, then constants
    weights = {i.code: literal(i.weight * model.dimension_of(i.code).weight, Float) for i in indicators}
    return select(
        grouped.c.subject_id,
        code,
        grouped.c.records,
        raw,
        case(points, value=code).label("points"),
        round2(case({c: p * weights[c] for c, p in points.items()}, value=code), dialect).label("weighted"),
    )


@contextmanager
def batch_settings(session: Session) -> Iterator[None]:
    """On PostgreSQL, ``BATCH_SETTINGS`` for the statements inside (transaction-local, the previous values set
    back afterwards); nothing on SQLite."""
    if session.get_bind().dialect.name != "postgresql":
        yield
        return
    previous = {name: session.scalar(text("SELECT current_setting(:name)"), {"name": name}) for name in BATCH_SETTINGS}
    for name, value in BATCH_SETTINGS.items():
        session.execute(text("SELECT set_config(:name, :value, true)"), {"name": name, "value": value})
    yield  # on an error the transaction is rolled back, and the settings with it
    for name, value in previous.items():
        session.execute(text("SELECT set_config(:name, :value, true)"), {"name": name, "value": value})


def score_expr(model: EvaluationModel, total: ColumnElement[float], dialect: str) -> ColumnElement[float]:
    """SQL: base score plus ``total`` weighted points, kept in [score_min, score_max], rounded to 2 decimals."""
    raw = literal(model.base_score, Float) + func.coalesce(total, literal(0.0, Float))
    kept = case(
        (raw < model.score_min, literal(model.score_min, Float)),
        (raw > model.score_max, literal(model.score_max, Float)),
        else_=raw,
    )
    return round2(kept, dialect)


def grade_expr(model: EvaluationModel, score: ColumnElement[float]) -> ColumnElement[str]:
    """SQL: the grade band holding ``score`` (bands validated contiguous: A from its min, …, D below C)."""
    whens = [(score >= band.min, literal(band.grade)) for band in model.grades if band.min is not None]
    return case(*whens, else_=literal(model.grades[-1].grade))


def coverage(model: EvaluationModel) -> list[ColumnElement[bool]]:
    """SQL conditions on ``Subject``: the subjects the model covers (its kinds and, if listed, its industries)."""
    conditions: list[ColumnElement[bool]] = [Subject.kind.in_(model.applies_to.subject_kinds)]
    if model.applies_to.industries:
        conditions.append(Subject.industry.in_(model.applies_to.industries))
    return conditions


def _scored(model: EvaluationModel, totals: FromClause, dialect: str) -> Select:  # type: ignore[type-arg]
    """Per covered subject: ``subject_id``, ``score``, ``grade`` from ``totals`` (``subject_id``, ``total``)."""
    scored = (
        select(Subject.id.label("subject_id"), score_expr(model, totals.c.total, dialect).label("score"))
        .select_from(Subject)
        .outerjoin(totals, totals.c.subject_id == Subject.id)
        .where(*coverage(model))
        .subquery("scored")
    )
    return select(scored.c.subject_id, scored.c.score, grade_expr(model, scored.c.score).label("grade"))


def results_select(model: EvaluationModel, run_id: int, dialect: str) -> Select:  # type: ignore[type-arg]
    """Per subject the model covers: ``run_id``, ``subject_id``, ``score``, ``grade`` (from the run's indicators)."""
    totals = (
        select(EvaluationIndicator.subject_id, func.sum(EvaluationIndicator.weighted).label("total"))
        .where(EvaluationIndicator.run_id == run_id)
        .group_by(EvaluationIndicator.subject_id)
        .subquery("totals")
    )
    scored = _scored(model, totals, dialect).subquery("graded")
    return select(literal(run_id).label("run_id"), scored.c.subject_id, scored.c.score, scored.c.grade)


def grades_select(model: EvaluationModel, as_of: date, dialect: str) -> Select:  # type: ignore[type-arg]
    """Per subject the model covers: ``subject_id``, ``score``, ``grade`` as of ``as_of``, computed transiently
    (nothing stored) by the same statements a run uses: the indicators summed, then scored and graded."""
    rows = indicators_union(model, as_of, dialect).subquery("rows")
    totals = (
        select(rows.c.subject_id, func.sum(rows.c.weighted).label("total"))
        .group_by(rows.c.subject_id)
        .subquery("totals")
    )
    return _scored(model, totals, dialect)


def score_of(session: Session, model: EvaluationModel, total: float) -> tuple[float, str]:
    """The score and grade of ``total`` weighted points, computed by the database as the batch does."""
    dialect = session.get_bind().dialect.name
    score = score_expr(model, literal(total, Float), dialect)
    row = session.execute(select(score.label("score"))).one()
    grade = session.scalar(select(grade_expr(model, literal(float(row.score), Float))))
    return float(row.score), str(grade)


def record_rows(
    session: Session, model: EvaluationModel, indicator: Indicator, as_of: date, subject_id: int
) -> list[tuple[int, str, str, date, str | None, str | None, float]]:
    """The records behind ``indicator`` for one subject: id, item, doc_no, decided_on, severity, category and
    the points after decay, newest first."""
    factor = decay_factor(model, indicator, as_of)
    stmt = (
        select(
            CreditRecord.id,
            CreditRecord.item_id,
            CreditRecord.doc_no,
            CreditRecord.decided_on,
            CreditRecord.severity,
            CreditRecord.category,
            factor.label("factor"),
        )
        .where(*record_conditions(indicator, as_of), CreditRecord.subject_id == subject_id)
        .order_by(CreditRecord.decided_on.desc(), CreditRecord.id.desc())
    )
    return [
        (r.id, r.item_id, r.doc_no, r.decided_on, r.severity, r.category, round(indicator.points * r.factor, 2))
        for r in session.execute(stmt)
    ]
