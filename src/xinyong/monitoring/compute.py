"""Computed indicator kinds: one set-based query (grouped by township where the data has one) per kind.

A kind returns ``Counts``: per township code (None for data without a township) a numerator and a denominator;
the district's figure is the sum over every key. The value is ``numerator / denominator × per`` (``per`` is 100
for a share in percent, 1,000 for a rate per thousand enterprises, 1 for an average). ``split`` False means the
data has no township (the district figure stands for every township). No query loops over subjects.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, exists, func, or_, select
from sqlalchemy.orm import Session

from xinyong.calendar import load_calendar
from xinyong.catalog.items import load_catalog
from xinyong.clock import CHINA_TZ
from xinyong.codes.uscc import PLACEHOLDER
from xinyong.evaluation.models import EvaluationResult, EvaluationRun
from xinyong.intake.models import IntakeBatch
from xinyong.lists.models import CheckFeedback, ListCheck
from xinyong.records.models import Commitment, CreditRecord, Objection, RepairApplication
from xinyong.subjects.models import CodeCorrection, Department, Subject

Key = str | None


@dataclass
class Counts:
    """Numerator and denominator per township (None: no township), how to scale them, whether split."""

    pairs: dict[Key, tuple[float, float]]
    per: float
    split: bool = True

    def district(self) -> tuple[float, float]:
        """The sums over every key."""
        return sum(n for n, _ in self.pairs.values()), sum(d for _, d in self.pairs.values())


@dataclass
class Scope:
    """The month being computed: its first and last day, the enterprises per township and the month's new 双公示
    decisions (each computed once)."""

    session: Session
    start: date
    end: date
    _enterprises: dict[Key, float] | None = field(default=None, repr=False)
    _new: list[tuple[Key, int | None, date, date, int]] | None = field(default=None, repr=False)
    _deadlines: Any = field(default=None, repr=False)

    def new_decisions(self) -> list[tuple[Key, int | None, date, date, int]]:
        """The month's new 双公示 decisions, grouped (computed once: ``_new_decisions``)."""
        if self._new is None:
            self._new = _new_decisions(self)
        return self._new

    def enterprises(self) -> dict[Key, float]:
        """Market subjects (every kind but natural persons) registered by the month's end, per township."""
        if self._enterprises is None:
            stmt = (
                select(Subject.township_code, func.count())
                .where(Subject.kind != "natural_person", Subject.created_at < _after(self.end))
                .group_by(Subject.township_code)
            )
            self._enterprises = {t: float(n) for t, n in self.session.execute(stmt)}
        return self._enterprises


def _after(day: date) -> datetime:
    """The first instant (Beijing time, as UTC) after ``day``."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=CHINA_TZ).astimezone(UTC)


def _days(session: Session, later: Any, earlier: Any) -> ColumnElement[Any]:
    """``later - earlier`` in days, as each database writes it."""
    if session.get_bind().dialect.name == "sqlite":
        return func.julianday(later) - func.julianday(earlier)
    return later - earlier


def _grouped(session: Session, stmt: Select[Any]) -> dict[Key, tuple[float, float]]:
    """Run ``select(township, numerator, denominator) … group by township``."""
    return {t: (float(n or 0), float(d or 0)) for t, n, d in session.execute(stmt)}


def _with_enterprises(scope: Scope, numerators: dict[Key, float], per: float) -> Counts:
    """Numerators over the month's enterprises per township."""
    firms = scope.enterprises()
    keys = set(firms) | set(numerators)
    return Counts({k: (numerators.get(k, 0.0), firms.get(k, 0.0)) for k in keys}, per)


def _dual_publicity_items() -> list[str]:
    return [i.id for i in load_catalog().items.values() if i.dual_publicity]


def _first_versions(scope: Scope) -> ColumnElement[bool]:
    """双公示 decisions first reported in the month (later versions are corrections, not new decisions)."""
    return and_(
        CreditRecord.item_id.in_(_dual_publicity_items()),
        CreditRecord.supersedes_id.is_(None),
        CreditRecord.reported_on >= scope.start,
        CreditRecord.reported_on <= scope.end,
    )


def gongshi_volume(scope: Scope) -> Counts:
    """双公示 decisions reported in the month per 1,000 enterprises, by the subject's township (the month's new
    decisions counted once with their timeliness: ``Scope.new_decisions``)."""
    counts: dict[Key, float] = {}
    for township, _, _, _, n in scope.new_decisions():
        counts[township] = counts.get(township, 0.0) + n
    return _with_enterprises(scope, counts, 1000.0)


def _new_decisions(scope: Scope) -> list[tuple[Key, int | None, date, date, int]]:
    """The month's new 双公示 decisions (``_first_versions``) grouped by (township, deadline in working days,
    decision day, report day): one pass over the month's records for both 双公示 indicators."""
    from xinyong.quality.scorecard import Deadlines, _as_date  # imported late: the scorecard pulls in intake

    session = scope.session
    items = [i for i in load_catalog().items.values() if i.dual_publicity]
    deadlines = Deadlines(load_calendar(session), items, list(session.scalars(select(Department))))
    scope._deadlines = deadlines
    n = deadlines.workdays(CreditRecord.item_id, CreditRecord.department_id).label("n")
    stmt = (
        select(Subject.township_code, n, CreditRecord.decided_on, CreditRecord.reported_on, func.count())
        .select_from(CreditRecord)
        .outerjoin(Subject, Subject.id == CreditRecord.subject_id)
        .where(_first_versions(scope))
        .group_by(Subject.township_code, n, CreditRecord.decided_on, CreditRecord.reported_on)
    )
    return [
        (township, None if days is None else int(days), _as_date(decided), _as_date(reported), int(count))
        for township, days, decided, reported, count in session.execute(stmt)
    ]


def gongshi_timeliness(scope: Scope) -> Counts:
    """Share (%) of the month's 双公示 decisions reported within their deadline in working days.

    The deadline is the catalogue's (``reporting_deadline_workdays`` of the item, or the department's override:
    7 working days after the decision, 20 for market-supervision penalties; rules.md §3, H) counted with the
    working-day calendar (``xinyong.calendar``, the day of the decision not counted), as the quality scorecard
    counts it (``quality.scorecard.Deadlines``). Set-based: the month's decisions are read once, grouped by
    (township, deadline length, decision day, report day) (``Scope.new_decisions``, shared with
    ``gongshi_volume``); a deadline is computed in Python once per distinct (deadline length, decision day) that
    some record may have missed (reported more than that many calendar days after the decision); a decision in a
    year the calendar does not cover fails loudly (``DeadlineNotComputable``)."""
    groups = scope.new_decisions()
    deadlines = scope._deadlines
    assert deadlines is not None
    dues: dict[tuple[int, date], date] = {}
    pairs: dict[Key, tuple[float, float]] = {}
    for township, days, decided, reported, count in groups:
        late = False
        if days is not None and reported > decided + timedelta(days=days):  # n working days ≥ n calendar days
            due = dues.get((days, decided))
            if due is None:
                due = dues[(days, decided)] = deadlines.deadline(days, decided)
            late = reported > due
        on_time, total = pairs.get(township, (0.0, 0.0))
        pairs[township] = (on_time + (0 if late else count), total + count)
    return Counts(pairs, 100.0)


def gongshi_validity(scope: Scope) -> Counts:
    """Share (%) of 双公示 rows accepted on submission among the month's batches (district only: batches have no
    township)."""
    stmt = select(func.sum(IntakeBatch.accepted), func.sum(IntakeBatch.accepted + IntakeBatch.rejected)).where(
        IntakeBatch.item_id.in_(_dual_publicity_items()),
        IntakeBatch.submitted_on >= scope.start,
        IntakeBatch.submitted_on <= scope.end,
    )
    accepted, rows = scope.session.execute(stmt).one()
    return Counts({None: (float(accepted or 0), float(rows or 0))}, 100.0, split=False)


def _registered(scope: Scope) -> ColumnElement[bool]:
    return and_(Subject.kind != "natural_person", Subject.created_at < _after(scope.end))


def _bad_code(scope: Scope) -> ColumnElement[Any]:
    """1 for a registered subject whose code fails the checks or is held by another subject, else 0."""
    coded = and_(_registered(scope), Subject.uscc.is_not(None), Subject.uscc != PLACEHOLDER)
    other = Subject.__table__.alias("other")
    duplicate = exists().where(other.c.uscc == Subject.uscc, other.c.id != Subject.id, other.c.kind != "natural_person")
    return case((and_(coded, or_(Subject.uscc_problems != "", duplicate)), 1), else_=0)


def code_error_rate(scope: Scope) -> Counts:
    """重错码率 (%): coded subjects whose code fails the checks or is held by another subject, over the market
    subjects registered by the month's end, by township (the registry's state, as ``code_quality`` counts it)."""
    stmt = (
        select(Subject.township_code, func.sum(_bad_code(scope)), func.count())
        .where(_registered(scope))
        .group_by(Subject.township_code)
    )
    return Counts(_grouped(scope.session, stmt), 100.0)


def code_correction_rate(scope: Scope) -> Counts:
    """纠正率 (%): subjects whose code was corrected in the month, over those plus the subjects whose code is still
    duplicated or erroneous, by township."""
    corrected = (
        select(Subject.township_code, func.count(func.distinct(CodeCorrection.subject_id)))
        .select_from(CodeCorrection)
        .join(Subject, Subject.id == CodeCorrection.subject_id)
        .where(
            CodeCorrection.field == "uscc",
            CodeCorrection.corrected_at >= _after(scope.start - timedelta(days=1)),
            CodeCorrection.corrected_at < _after(scope.end),
        )
        .group_by(Subject.township_code)
    )
    fixed = {t: float(n) for t, n in scope.session.execute(corrected)}
    remaining = select(Subject.township_code, func.sum(_bad_code(scope))).where(_registered(scope))
    left = {t: float(n or 0) for t, n in scope.session.execute(remaining.group_by(Subject.township_code))}
    keys = set(fixed) | set(left)
    return Counts({k: (fixed.get(k, 0.0), fixed.get(k, 0.0) + left.get(k, 0.0)) for k in keys}, 100.0)


def repair_avg_days(scope: Scope) -> Counts:
    """Average calendar days from submission to decision of the repair applications decided in the month."""
    days = _days(scope.session, RepairApplication.decided_on, RepairApplication.submitted_on)
    stmt = (
        select(Subject.township_code, func.sum(days), func.count())
        .select_from(RepairApplication)
        .join(Subject, Subject.id == RepairApplication.subject_id)
        .where(RepairApplication.decided_on >= scope.start, RepairApplication.decided_on <= scope.end)
        .group_by(Subject.township_code)
    )
    return Counts(_grouped(scope.session, stmt), 1.0)


def repair_completion(scope: Scope) -> Counts:
    """Share (%) of the repair applications due for decision in the month that were decided by their due day."""
    decided = RepairApplication.decided_on
    on_time = and_(decided.is_not(None), decided <= RepairApplication.decide_due)
    stmt = (
        select(Subject.township_code, func.sum(case((on_time, 1), else_=0)), func.count())
        .select_from(RepairApplication)
        .join(Subject, Subject.id == RepairApplication.subject_id)
        .where(RepairApplication.decide_due >= scope.start, RepairApplication.decide_due <= scope.end)
        .group_by(Subject.township_code)
    )
    return Counts(_grouped(scope.session, stmt), 100.0)


def objection_in_time(scope: Scope) -> Counts:
    """Share (%) of the objections closed in the month that never went overdue, by the subject's township."""
    stmt = (
        select(Subject.township_code, func.sum(case((Objection.overdue.is_(False), 1), else_=0)), func.count())
        .select_from(Objection)
        .outerjoin(Subject, Subject.id == Objection.subject_id)
        .where(Objection.closed_on >= scope.start, Objection.closed_on <= scope.end)
        .group_by(Subject.township_code)
    )
    return Counts(_grouped(scope.session, stmt), 100.0)


def commitments_per_1000(scope: Scope) -> Counts:
    """Credit commitments signed in the month per 1,000 enterprises, by the subject's township."""
    stmt = (
        select(Subject.township_code, func.count())
        .select_from(Commitment)
        .join(Subject, Subject.id == Commitment.subject_id)
        .where(Commitment.signed_on >= scope.start, Commitment.signed_on <= scope.end)
        .group_by(Subject.township_code)
    )
    return _with_enterprises(scope, {t: float(n) for t, n in scope.session.execute(stmt)}, 1000.0)


def evaluation_coverage(scope: Scope) -> Counts:
    """Share (%) of enterprises graded in the latest evaluation run as of the month's end, by township."""
    latest = scope.session.scalar(
        select(EvaluationRun.id)
        .where(EvaluationRun.as_of <= scope.end, EvaluationRun.finished_at.is_not(None))
        .order_by(EvaluationRun.as_of.desc(), EvaluationRun.id.desc())
        .limit(1)
    )
    graded: dict[Key, float] = {}
    if latest is not None:
        stmt = (
            select(Subject.township_code, func.count())
            .select_from(EvaluationResult)
            .join(Subject, Subject.id == EvaluationResult.subject_id)
            .where(EvaluationResult.run_id == latest, Subject.kind != "natural_person")
            .group_by(Subject.township_code)
        )
        graded = {t: float(n) for t, n in scope.session.execute(stmt)}
    return _with_enterprises(scope, graded, 100.0)


def list_feedback_rate(scope: Scope) -> Counts:
    """Share (%) of the month's joint checks that found a list entry and got a punishment feedback (district
    only: a check belongs to a department)."""
    answered = exists().where(CheckFeedback.check_id == ListCheck.id)
    stmt = select(func.sum(case((answered, 1), else_=0)), func.count()).where(
        ListCheck.hit.is_(True), ListCheck.checked_on >= scope.start, ListCheck.checked_on <= scope.end
    )
    fed, hits = scope.session.execute(stmt).one()
    return Counts({None: (float(fed or 0), float(hits or 0))}, 100.0, split=False)


KINDS: dict[str, Callable[..., Counts]] = {
    "gongshi_volume": gongshi_volume,
    "gongshi_timeliness": gongshi_timeliness,
    "gongshi_validity": gongshi_validity,
    "code_error_rate": code_error_rate,
    "code_correction_rate": code_correction_rate,
    "repair_avg_days": repair_avg_days,
    "repair_completion": repair_completion,
    "objection_in_time": objection_in_time,
    "commitments_per_1000": commitments_per_1000,
    "evaluation_coverage": evaluation_coverage,
    "list_feedback_rate": list_feedback_rate,
}
