"""The SQL of an evaluation: set-based, the same statements on SQLite and PostgreSQL.

Each indicator is one grouped SELECT over ``credit_record`` (current versions in force on ``as_of``, of the
indicator's item, severities and categories) giving per subject the number of records, the decayed sum
(``raw``), the capped points and the weighted points. The batch inserts all of them with one INSERT … SELECT
(a UNION ALL); the score of every subject the model covers is a second INSERT … SELECT over ``subject`` LEFT
JOINed with the summed indicators (no records: the base score). The explanation of one subject runs the same
SELECTs restricted to it, so it gives the score the batch gives.

Decay bands become cutoff dates computed once in Python (``as_of`` minus the band's months, clamped to the end
of a shorter month): a record is within a band when ``decided_on`` is after the cutoff, so the CASE compares
dates and needs no date arithmetic in SQL. Rounding to two decimals is the one dialect-specific piece
(``round2``): PostgreSQL rounds ``numeric`` only.
"""

from __future__ import annotations

import calendar
from datetime import date

from sqlalchemy import (
    ColumnElement,
    Float,
    FromClause,
    Numeric,
    Select,
    case,
    cast,
    func,
    literal,
    select,
    type_coerce,
    union_all,
)
from sqlalchemy.orm import Session

from xinyong.evaluation.models import EvaluationIndicator
from xinyong.evaluation.models_yaml import NO_DECAY, EvaluationModel, Indicator
from xinyong.records.models import CreditRecord
from xinyong.records.publication import current_version
from xinyong.records.status import in_force_condition
from xinyong.subjects.models import Subject


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


def decay_factor(model: EvaluationModel, indicator: Indicator, as_of: date) -> ColumnElement[float]:
    """SQL: the decay factor of ``CreditRecord`` for ``indicator`` on ``as_of`` (1 without decay)."""
    if indicator.decay == NO_DECAY:
        return literal(1.0, Float)
    schedule = model.decay[indicator.decay]
    whens = [
        (CreditRecord.decided_on > months_before(as_of, band.within_months), literal(band.factor, Float))
        for band in schedule.bands
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


def _capped(raw: ColumnElement[float], cap: float) -> ColumnElement[float]:
    return case((raw > cap, literal(cap, Float)), (raw < -cap, literal(-cap, Float)), else_=raw)


def indicator_select(
    model: EvaluationModel, indicator: Indicator, as_of: date, dialect: str, subject_id: int | None = None
) -> Select:  # type: ignore[type-arg]
    """Per subject: ``subject_id``, ``indicator``, ``records``, ``raw``, ``points``, ``weighted``."""
    contribution = literal(indicator.points, Float) * decay_factor(model, indicator, as_of)
    total = func.sum(contribution) if indicator.kind == "per_record" else func.max(contribution)
    if indicator.kind == "any_record" and indicator.points < 0:
        total = func.min(contribution)  # the strongest (most negative) of the records counts once
    conditions = record_conditions(indicator, as_of)
    if subject_id is not None:
        conditions.append(CreditRecord.subject_id == subject_id)
    grouped = (
        select(
            CreditRecord.subject_id.label("subject_id"),
            func.count().label("records"),
            round2(total, dialect).label("raw"),
        )
        .where(*conditions)
        .group_by(CreditRecord.subject_id)
        .subquery(f"i_{indicator.code}")
    )
    weight = indicator.weight * model.dimension_of(indicator.code).weight
    points = _capped(grouped.c.raw, indicator.cap)
    return select(
        grouped.c.subject_id,
        literal(indicator.code).label("indicator"),
        grouped.c.records,
        grouped.c.raw,
        points.label("points"),
        round2(points * literal(weight, Float), dialect).label("weighted"),
    )


def indicators_union(model: EvaluationModel, as_of: date, dialect: str, subject_id: int | None = None) -> Select:  # type: ignore[type-arg]
    """Every indicator's rows (UNION ALL), as one SELECT."""
    parts = [indicator_select(model, i, as_of, dialect, subject_id) for i in model.indicators()]
    union = union_all(*parts).subquery("indicators")
    return select(*union.c)


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
