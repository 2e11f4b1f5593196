"""Run the personal honesty score (``incentives.manage``): every natural person scored as of ``as_of`` under a
model version (``rules/personal_score``), set-based, on SQLite and PostgreSQL alike.

One INSERT … SELECT stores the run's scores, no per-person Python loop:

1. ``hits_select``: aggregates ``(subject_id, indicator, n)`` over the indicators' sources — credit records in
   force on ``as_of`` (``records.status.in_force_condition`` on current versions) or repaired on or before
   ``as_of`` and not revoked, one pass per ``record_layers`` layer (the disjoint indicators of one kind and item,
   a CASE naming the indicator each record counts for); list entries in force on ``as_of``
   (``lists.active.in_force``) and kept commitments, one aggregate per indicator — UNION ALLed;
2. per person and indicator the points ``n × points`` kept within ±``cap``; per person their sum and the
   ``reasons`` (a JSON array of ``{"code", "count", "points"}``: the indicators that moved the score), built in
   the database (``json_group_array`` on SQLite, ``json_agg`` on PostgreSQL);
3. every natural person (``subject`` of kind ``natural_person`` LEFT JOIN the sums: other kinds' rows are
   dropped here): ``base_score`` plus the sum, kept within [``score_min``, ``score_max``], and the band holding it.

Every date condition is on ``as_of`` (time travel): a run as of a past day gives what the platform held then.
A new run of a model becomes ``current``; the model's previous current run loses the flag (history kept).
"""

from __future__ import annotations

import time
from datetime import date
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    String,
    and_,
    case,
    cast,
    func,
    insert,
    literal,
    not_,
    select,
    true,
    type_coerce,
    union_all,
    update,
)
from sqlalchemy.orm import aliased
from sqlalchemy.types import JSON

from xinyong import clock
from xinyong.auth import audit
from xinyong.auth.context import Context
from xinyong.auth.permissions import require
from xinyong.errors import InvalidInput
from xinyong.evaluation.queries import batch_settings, months_before
from xinyong.incentives.model_yaml import PERSON, RECORD_KINDS, Indicator, ModelError, PersonalScoreModel, load_model
from xinyong.incentives.models import PersonalScore, PersonalScoreRun
from xinyong.lists.active import in_force as list_in_force
from xinyong.lists.models import ListEntry
from xinyong.records.models import Commitment, CreditRecord, RecordEffect
from xinyong.records.publication import check_as_of, current_version
from xinyong.records.status import in_force_condition
from xinyong.subjects.models import Subject

MANAGE = "incentives.manage"
READ = "incentives.read"
OWN = "incentives.own"


def model_or_422(name: str | PersonalScoreModel | None) -> PersonalScoreModel:
    """The model ``name`` (default ``honesty``; a loaded model is used as it is); ``InvalidInput`` if unknown."""
    if isinstance(name, PersonalScoreModel):
        return name
    try:
        return load_model(name) if name else load_model()
    except ModelError as exc:
        raise InvalidInput(str(exc), field="model") from None


# --------------------------------------------------------------------------------------------- the SQL
def _effect(kind: str, as_of: date) -> ColumnElement[bool]:
    """SQL: an effect ``kind`` on ``CreditRecord``'s natural key started on or before ``as_of``."""
    effect = aliased(RecordEffect)
    return (
        select(effect.id)
        .where(
            effect.item_id == CreditRecord.item_id,
            effect.department_id == CreditRecord.department_id,
            effect.doc_no == CreditRecord.doc_no,
            effect.kind == kind,
            effect.starts_on <= as_of,
        )
        .correlate(CreditRecord)
        .exists()
    )


def _person(column: ColumnElement[Any], subject_id: int | None) -> list[ColumnElement[bool]]:
    """Conditions on the subject column of an indicator's source: only ``subject_id`` when given. The batch
    leaves the kind to the final join over ``subject`` (natural persons only): a per-row membership test here
    made SQLite drive every indicator from the whole list of persons through ``ix_credit_record_subject``."""
    if subject_id is not None:
        return [column == subject_id]
    return [column.is_not(None)]


def _matches(indicator: Indicator, as_of: date) -> ColumnElement[bool]:
    """SQL: ``CreditRecord`` is one ``indicator`` counts, among its item's records (severity, category, window)."""
    conditions: list[ColumnElement[bool]] = []
    if indicator.severity:
        conditions.append(CreditRecord.severity.in_(indicator.severity))
    if indicator.categories:
        conditions.append(CreditRecord.category.in_(indicator.categories))
    if indicator.window_months:
        conditions.append(CreditRecord.decided_on > months_before(as_of, indicator.window_months))
    return and_(true(), *conditions)


def _disjoint(a: Indicator, b: Indicator) -> bool:
    """No record can count for both (no severity or no category in common)."""
    return bool(a.severity and b.severity and not set(a.severity) & set(b.severity)) or bool(
        a.categories and b.categories and not set(a.categories) & set(b.categories)
    )


def record_layers(model: PersonalScoreModel) -> list[list[Indicator]]:
    """The record indicators in layers of one kind and item whose indicators are pairwise disjoint (first fit,
    in file order): a layer reads its item's records once, a CASE naming the indicator each record counts for.
    The shipped model has four layers (penalties in force, repaired penalties, breaches, repaired breaches)."""
    layers: list[list[Indicator]] = []
    for indicator in model.indicators:
        if indicator.kind not in RECORD_KINDS or indicator.points == 0:
            continue
        layer = next(
            (
                la
                for la in layers
                if (la[0].kind, la[0].item) == (indicator.kind, indicator.item)
                and all(_disjoint(indicator, other) for other in la)
            ),
            None,
        )
        if layer is None:
            layers.append([indicator])
        else:
            layer.append(indicator)
    return layers


def _records(layer: list[Indicator], as_of: date, subject_id: int | None) -> Select:  # type: ignore[type-arg]
    """``(subject_id, indicator, n)`` of a layer's indicators in one pass over their item's records."""
    first = layer[0]
    conditions: list[ColumnElement[bool]] = [CreditRecord.item_id == first.item, CreditRecord.decided_on <= as_of]
    if all(i.window_months for i in layer):  # the widest window bounds the scan (the index on item, decided_on)
        widest = max(i.window_months or 0 for i in layer)
        conditions.append(CreditRecord.decided_on > months_before(as_of, widest))
    conditions.append(current_version())
    if first.kind == "records":
        conditions.append(in_force_condition(as_of))
    else:  # repaired on or before as_of, and not revoked (a revocation wins: records.status)
        conditions += [CreditRecord.publishable.is_(True), _effect("repaired", as_of), not_(_effect("revoked", as_of))]
    code = case(*[(_matches(i, as_of), literal(i.code, String)) for i in layer], else_=literal(None, String))
    coded = (
        select(CreditRecord.subject_id.label("subject_id"), code.label("indicator"))
        .where(*conditions, *_person(CreditRecord.subject_id, subject_id))
        .subquery(f"coded_{first.code}")
    )
    return (
        select(coded.c.subject_id, coded.c.indicator, func.count().label("n"))
        .where(coded.c.indicator.is_not(None))
        .group_by(coded.c.subject_id, coded.c.indicator)
    )


def _entries(indicator: Indicator, as_of: date, subject_id: int | None) -> Select | None:  # type: ignore[type-arg]
    codes = indicator.list_codes()
    if not codes:  # e.g. no red list covering natural persons is configured
        return None
    conditions: list[ColumnElement[bool]] = [ListEntry.list_code.in_(codes), list_in_force(as_of)]
    if indicator.roles:
        conditions.append(ListEntry.role.in_(indicator.roles))
    return (
        select(ListEntry.subject_id.label("subject_id"), literal(indicator.code, String).label("indicator"))
        .add_columns(func.count().label("n"))
        .where(*conditions, *_person(ListEntry.subject_id, subject_id))
        .group_by(ListEntry.subject_id)
    )


def _kept(indicator: Indicator, as_of: date, subject_id: int | None) -> Select:  # type: ignore[type-arg]
    conditions: list[ColumnElement[bool]] = [
        Commitment.status == "kept",
        Commitment.outcome_on.is_not(None),
        Commitment.outcome_on <= as_of,
    ]
    if indicator.window_months:
        conditions.append(Commitment.outcome_on > months_before(as_of, indicator.window_months))
    return (
        select(Commitment.subject_id.label("subject_id"), literal(indicator.code, String).label("indicator"))
        .add_columns(func.count().label("n"))
        .where(*conditions, *_person(Commitment.subject_id, subject_id))
        .group_by(Commitment.subject_id)
    )


def indicator_select(indicator: Indicator, as_of: date, subject_id: int | None = None) -> Select | None:  # type: ignore[type-arg]
    """``(subject_id, indicator, n)`` of one indicator as of ``as_of``: the persons it counts rows for (only
    ``subject_id`` when given); None when it can count nothing (zero points, or no list to read)."""
    if indicator.points == 0:
        return None
    if indicator.kind == "list_entries":
        return _entries(indicator, as_of, subject_id)
    if indicator.kind == "commitments_kept":
        return _kept(indicator, as_of, subject_id)
    return _records([indicator], as_of, subject_id)


def hits_select(model: PersonalScoreModel, as_of: date, subject_id: int | None = None) -> Select | None:  # type: ignore[type-arg]
    """Per person and indicator with rows: ``subject_id``, ``indicator``, ``n`` and the capped ``points``."""
    others = [i for i in model.indicators if i.kind not in RECORD_KINDS]
    parts = [_records(layer, as_of, subject_id) for layer in record_layers(model)]
    parts += [s for s in (indicator_select(i, as_of, subject_id) for i in others) if s is not None]
    if not parts:
        return None
    hits = (union_all(*parts) if len(parts) > 1 else parts[0]).subquery("hits")
    raw = {i.code: hits.c.n * i.points for i in model.indicators}
    capped = {
        i.code: case(
            (raw[i.code] > i.cap, literal(i.cap, Integer)),
            (raw[i.code] < -i.cap, literal(-i.cap, Integer)),
            else_=raw[i.code],
        )
        for i in model.indicators
    }
    points = case(capped, value=hits.c.indicator)
    return select(hits.c.subject_id, hits.c.indicator, hits.c.n, type_coerce(points, Integer).label("points"))


def _reasons(dialect: str, code: ColumnElement[str], n: ColumnElement[int], points: ColumnElement[int]) -> Any:
    """SQL aggregate: the JSON array of ``{"code", "count", "points"}`` of a person's indicators."""
    if dialect == "postgresql":
        return func.json_agg(func.json_build_object("code", code, "count", n, "points", points))
    return func.json_group_array(func.json_object("code", code, "count", n, "points", points))


def _empty(dialect: str) -> ColumnElement[Any]:
    return cast(literal("[]"), JSON) if dialect == "postgresql" else literal("[]")


def band_expr(model: PersonalScoreModel, score: ColumnElement[int]) -> ColumnElement[str]:
    """SQL: the code of the band holding ``score`` (bands validated contiguous, highest first)."""
    whens = [(score >= band.min, literal(band.code)) for band in model.bands if band.min is not None]
    return case(*whens, else_=literal(model.bands[-1].code))


def scores_select(model: PersonalScoreModel, as_of: date, dialect: str, subject_id: int | None = None) -> Select:  # type: ignore[type-arg]
    """Per natural person (only ``subject_id`` when given): ``subject_id``, ``score``, ``band``, ``reasons``."""
    hits = hits_select(model, as_of, subject_id)
    persons = [Subject.kind == PERSON] + ([Subject.id == subject_id] if subject_id is not None else [])
    if hits is None:
        total: ColumnElement[Any] = literal(0, Integer)
        reasons: ColumnElement[Any] = _empty(dialect)
        base = select(Subject.id.label("subject_id"), total.label("total"), reasons.label("reasons")).where(*persons)
    else:
        h = hits.subquery("scored_hits")
        sums = (
            select(
                h.c.subject_id,
                func.sum(h.c.points).label("total"),
                _reasons(dialect, h.c.indicator, h.c.n, h.c.points).label("reasons"),
            )
            .group_by(h.c.subject_id)
            .subquery("sums")
        )
        base = (
            select(
                Subject.id.label("subject_id"),
                func.coalesce(sums.c.total, 0).label("total"),
                func.coalesce(sums.c.reasons, _empty(dialect)).label("reasons"),
            )
            .select_from(Subject)
            .outerjoin(sums, sums.c.subject_id == Subject.id)
            .where(*persons)
        )
    b = base.subquery("base")
    raw = literal(model.base_score, Integer) + b.c.total
    score = case(
        (raw < model.score_min, literal(model.score_min, Integer)),
        (raw > model.score_max, literal(model.score_max, Integer)),
        else_=raw,
    )
    s = select(b.c.subject_id, type_coerce(score, Integer).label("score"), b.c.reasons).subquery("scores")
    reasons_json = type_coerce(s.c.reasons, JSON).label("reasons")
    return select(s.c.subject_id, s.c.score, band_expr(model, s.c.score).label("band"), reasons_json)


# --------------------------------------------------------------------------------------------- the run
def run(ctx: Context, as_of: date, model: str | PersonalScoreModel | None = None) -> PersonalScoreRun:
    """Score every natural person as of ``as_of`` under ``model`` (default ``honesty``); the new run becomes the
    model's current one (the previous loses ``current``); one audit event. Returns the stored run."""
    require(ctx, MANAGE)
    day = check_as_of(ctx, as_of)
    spec = model_or_422(model)
    session = ctx.session
    dialect = session.get_bind().dialect.name
    run_row = PersonalScoreRun(
        model=spec.name,
        model_version=spec.version,
        as_of=day,
        current=False,
        persons=0,
        seconds=0.0,
        actor=ctx.actor,
        started_at=clock.now(),
    )
    session.add(run_row)
    session.flush()
    started = time.perf_counter()
    scores = scores_select(spec, day, dialect).subquery("person_scores")
    with batch_settings(session):
        session.execute(
            insert(PersonalScore).from_select(
                ["run_id", "subject_id", "score", "band", "reasons"],
                select(literal(run_row.id), scores.c.subject_id, scores.c.score, scores.c.band, scores.c.reasons),
            )
        )
    counts = dict(
        session.execute(
            select(PersonalScore.band, func.count())
            .where(PersonalScore.run_id == run_row.id)
            .group_by(PersonalScore.band)
        ).all()
    )
    session.execute(
        update(PersonalScoreRun)
        .where(
            PersonalScoreRun.model == spec.name,
            PersonalScoreRun.current.is_(True),
            PersonalScoreRun.id != run_row.id,
        )
        .values(current=False)
        .execution_options(synchronize_session="fetch")
    )
    run_row.current = True
    run_row.persons = int(sum(counts.values()))
    run_row.seconds = round(time.perf_counter() - started, 3)
    session.flush()
    audit.record(
        ctx,
        "personal_score.run",
        "personal_score_run",
        run_row.id,
        {
            "model": spec.name,
            "version": spec.version,
            "as_of": day.isoformat(),
            "persons": run_row.persons,
            "bands": {b.code: int(counts.get(b.code, 0)) for b in spec.bands},
        },
    )
    return run_row


def compute_one(ctx: Context, subject_id: int, as_of: date, model: str | PersonalScoreModel | None = None) -> Any:
    """The row the batch would store for one person as of ``as_of`` (``subject_id``, ``score``, ``band``,
    ``reasons``), computed transiently by the same SELECT; None when ``subject_id`` is not a natural person."""
    spec = model_or_422(model)
    dialect = ctx.session.get_bind().dialect.name
    return ctx.session.execute(scores_select(spec, as_of, dialect, subject_id)).first()
