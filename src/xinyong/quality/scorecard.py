"""Monthly data-quality scorecards per department (双公示 数据归集质量通报; work-plan item 十一).

Every metric is one set-based query (SQLAlchemy Core, the same on SQLite and PostgreSQL). Deadlines in
working days are computed in Python once per distinct (deadline length, decision date) pair, never per
record, and enter the queries as ``CASE``/``IN`` conditions. The formulas are in docs/quality.md; none is
official (rules.md §3, L). Every figure is a function of the stored facts up to ``as_of`` (design.md
principle 3): the month's window ends at the earlier of the month's last day and ``as_of``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Table,
    and_,
    case,
    cast,
    exists,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from xinyong.auth import audit
from xinyong.auth.context import Context
from xinyong.auth.permissions import require
from xinyong.calendar import CalendarRangeError, WorkCalendar, load_calendar
from xinyong.catalog.items import DataItem, UnknownItem, load_catalog
from xinyong.errors import Conflict, InvalidInput, NotFound
from xinyong.intake.models import IntakeBatch, IntakeRejectedRow
from xinyong.quality.models import ReferenceDecision
from xinyong.quality.rules import METRICS, QualityRules, quality_rules
from xinyong.quality.schemas import DepartmentScore, Scorecard
from xinyong.records.models import CreditRecord
from xinyong.subjects.models import Department

MONTH_PATTERN = re.compile(r"(\d{4})-(\d{2})")
MIN_YEAR, MAX_YEAR = 2000, 2100
RATE_DIGITS = 4
SCORE_DIGITS = 2


class DeadlineNotComputable(Conflict):
    """A deadline falls in a year the working-day calendar does not cover (strict mode)."""

    code = "calendar_not_covered"


# ------------------------------------------------------------------------------------------------ inputs


def month_bounds(month: str) -> tuple[date, date]:
    """First and last day of ``YYYY-MM``; ``InvalidInput`` (field ``month``) otherwise."""
    found = MONTH_PATTERN.fullmatch(month.strip()) if isinstance(month, str) else None
    if found is None:
        raise InvalidInput(f"月份应为 YYYY-MM 格式，如 2026-11（收到 {month!r}）", field="month")
    year, mon = int(found.group(1)), int(found.group(2))
    if not MIN_YEAR <= year <= MAX_YEAR or not 1 <= mon <= 12:
        raise InvalidInput(f"月份超出范围：{month}（年份 {MIN_YEAR}–{MAX_YEAR}，月份 01–12）", field="month")
    first = date(year, mon, 1)
    following = date(year + mon // 12, mon % 12 + 1, 1)
    return first, following - timedelta(days=1)


def catalogue_item(item_id: str) -> DataItem:
    """The catalogue item ``item_id``; ``NotFound`` (field ``item``) with the known ids otherwise."""
    try:
        return load_catalog().item(item_id)
    except UnknownItem as exc:
        raise NotFound(str(exc), field="item") from None


# ------------------------------------------------------------------------------------------------ deadlines


@dataclass
class Deadlines:
    """Reporting deadlines (working days after the decision) per item and department, and their dates.

    ``workdays(item_col, department_col)`` is a SQL ``CASE`` giving each row's number of working days
    (``DataItem.deadline_for``: 7 by default, 20 for market supervision penalties); ``deadline(n, day)``
    computes one date with the working-day calendar, cached, with a clear error for uncovered years.
    """

    calendar: WorkCalendar
    items: Sequence[DataItem]
    departments: Sequence[Department]
    _cache: dict[tuple[int, date], date] = field(default_factory=dict)

    def workdays(self, item_col: Any, department_col: Any) -> ColumnElement[Any]:
        """The SQL expression of a row's deadline length in working days (NULL for an unknown item)."""
        ids_by_code = {d.code: d.id for d in self.departments}
        whens: list[tuple[ColumnElement[bool], int]] = []
        for item in self.items:
            overrides: dict[int, list[int]] = defaultdict(list)
            for code, days in item.deadline_overrides.items():
                if code in ids_by_code:
                    overrides[days].append(ids_by_code[code])
            for days, ids in sorted(overrides.items()):
                whens.append((and_(item_col == item.id, department_col.in_(ids)), days))
            whens.append((item_col == item.id, item.reporting_deadline_workdays))
        return case(*whens, else_=None)

    def deadline(self, workdays: int, decided_on: date) -> date:
        """Last day to report a decision of ``decided_on`` (``WorkCalendar.deadline``)."""
        key = (workdays, decided_on)
        found = self._cache.get(key)
        if found is None:
            try:
                found = self.calendar.deadline(decided_on, workdays)
            except CalendarRangeError as exc:
                raise DeadlineNotComputable(
                    f"无法计算 {decided_on.isoformat()} 作出的决定的报送期限（{workdays} 个工作日）：{exc.message}",
                    field="month",
                ) from None
            self._cache[key] = found
        return found

    def workdays_between(self, start: date, end: date) -> int:
        """Working days after ``start`` up to and including ``end`` (clear error for uncovered years)."""
        try:
            return self.calendar.workdays_between(start, end)
        except CalendarRangeError as exc:
            raise DeadlineNotComputable(
                f"无法计算 {start.isoformat()} 至 {end.isoformat()} 的工作日数：{exc.message}", field="month"
            ) from None


def _as_date(value: date | str) -> date:
    """A date from a query column (SQLite may hand back ISO text for aggregates of date columns)."""
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


# ------------------------------------------------------------------------------------------------ counters


@dataclass
class Counts:
    """The raw counters of one department (every rate is a ratio of two of these)."""

    records: int = 0
    rows_submitted: int = 0
    keys: int = 0
    keys_passed: int = 0
    on_time: int = 0
    expected_fields: int = 0
    filled_fields: int = 0
    reference_due: int = 0
    omissions: int = 0
    corrected: int = 0
    correction_workdays: int = 0

    def any(self) -> bool:
        """Whether the department has anything at all in the month."""
        return any(vars(self).values())


@dataclass(frozen=True)
class Window:
    """What one scorecard looks at: the items, the days [first, last] and the horizon for "due"."""

    items: Sequence[DataItem]
    first: date
    last: date  # min(month end, as_of)

    @property
    def item_ids(self) -> list[str]:
        return [i.id for i in self.items]

    @property
    def empty(self) -> bool:
        return self.last < self.first


def _filled(value: Any) -> ColumnElement[bool]:
    text = value.as_string()
    return and_(text.is_not(None), func.trim(text) != "")


def _new_records(session: Session, window: Window, deadlines: Deadlines, counts: dict[int, Counts]) -> None:
    """records, on_time (timeliness) and filled/expected fields (completeness) of the month's new records."""
    cr = CreditRecord
    filled_terms: list[ColumnElement[Any]] = []
    expected_whens: list[tuple[ColumnElement[bool], int]] = []
    for item in window.items:
        keys = [f.key for f in item.fields if f.expected]
        if keys:
            expected_whens.append((cr.item_id == item.id, len(keys)))
        filled_terms += [case((and_(cr.item_id == item.id, _filled(cr.data[k])), 1), else_=0) for k in keys]
    filled = sum(filled_terms[1:], filled_terms[0]) if filled_terms else literal(0)
    expected = case(*expected_whens, else_=0) if expected_whens else literal(0)
    new = (
        select(
            cr.department_id.label("department_id"),
            cr.decided_on.label("decided_on"),
            cr.reported_on.label("reported_on"),
            deadlines.workdays(cr.item_id, cr.department_id).label("n"),
            cast(filled, Integer).label("filled"),
            cast(expected, Integer).label("expected"),
        )
        .where(
            cr.version == 1,
            cr.reported_on >= window.first,
            cr.reported_on <= window.last,
            cr.item_id.in_(window.item_ids),
        )
        .subquery("new_records")
    )
    # Deadlines only for the decision dates where some record may be late: a deadline of n working days
    # is at least n calendar days after the decision, so records reported by then are on time anyway.
    late_groups: dict[tuple[int, date], list[date]] = defaultdict(list)
    pairs = select(new.c.n, new.c.decided_on, func.max(new.c.reported_on)).group_by(new.c.n, new.c.decided_on)
    for n, decided, latest in session.execute(pairs):
        if n is None:
            continue
        decided, latest = _as_date(decided), _as_date(latest)
        if latest <= decided + timedelta(days=n):
            continue
        due = deadlines.deadline(n, decided)
        if latest > due:
            late_groups[(n, due)].append(decided)
    late_whens = [
        (and_(new.c.n == n, new.c.decided_on.in_(days), new.c.reported_on > due), 1)
        for (n, due), days in sorted(late_groups.items())
    ]
    late = case(*late_whens, else_=0) if late_whens else literal(0)
    query = select(
        new.c.department_id,
        func.count(),
        func.coalesce(func.sum(late), 0),
        func.coalesce(func.sum(new.c.filled), 0),
        func.coalesce(func.sum(new.c.expected), 0),
    ).group_by(new.c.department_id)
    for department_id, records, late_count, filled_count, expected_count in session.execute(query):
        c = counts[department_id]
        c.records = int(records)
        c.on_time = int(records) - int(late_count)
        c.filled_fields, c.expected_fields = int(filled_count), int(expected_count)


def _rows_submitted(session: Session, window: Window, counts: dict[int, Counts]) -> None:
    ib = IntakeBatch
    query = (
        select(ib.department_id, func.coalesce(func.sum(ib.rows), 0))
        .where(ib.submitted_on >= window.first, ib.submitted_on <= window.last, ib.item_id.in_(window.item_ids))
        .group_by(ib.department_id)
    )
    for department_id, rows in session.execute(query):
        counts[department_id].rows_submitted = int(rows)


def _has_doc_no(column: Any) -> ColumnElement[bool]:
    return and_(column.is_not(None), func.trim(column) != "")


def _validity(session: Session, window: Window, counts: dict[int, Counts]) -> None:
    """Document keys first submitted in the window, and how many passed every check on that submission.

    A key's first submission is its earliest batch by (day, batch id) among its stored versions and its
    rejected rows; it failed when a row of the key in that batch was rejected for its own errors (``valid``
    false). Rows without a document number are failed first submissions each.
    """
    cr, rr = CreditRecord, IntakeRejectedRow
    subs = union_all(
        select(
            cr.item_id.label("item_id"),
            cr.department_id.label("department_id"),
            cr.doc_no.label("doc_no"),
            cr.reported_on.label("day"),
            cr.batch_id.label("batch_id"),
            literal(0).label("failed"),
        ).where(cr.item_id.in_(window.item_ids)),
        select(
            rr.item_id,
            rr.department_id,
            rr.doc_no,
            rr.submitted_on,
            rr.batch_id,
            case((rr.valid.is_(True), 0), else_=1),
        ).where(rr.item_id.in_(window.item_ids), _has_doc_no(rr.doc_no)),
    ).subquery("submissions")
    key = (subs.c.item_id, subs.c.department_id, subs.c.doc_no)
    first_day = (
        select(*key, func.min(subs.c.day).label("day"))
        .group_by(*key)
        .having(and_(func.min(subs.c.day) >= window.first, func.min(subs.c.day) <= window.last))
        .subquery("first_day")
    )
    same_key = and_(
        subs.c.item_id == first_day.c.item_id,
        subs.c.department_id == first_day.c.department_id,
        subs.c.doc_no == first_day.c.doc_no,
    )
    first_batch = (
        select(*key, func.min(subs.c.batch_id).label("batch_id"))
        .join(first_day, and_(same_key, subs.c.day == first_day.c.day))
        .group_by(*key)
        .subquery("first_batch")
    )
    per_key = (
        select(subs.c.department_id, func.max(subs.c.failed).label("failed"))
        .join(
            first_batch,
            and_(
                subs.c.item_id == first_batch.c.item_id,
                subs.c.department_id == first_batch.c.department_id,
                subs.c.doc_no == first_batch.c.doc_no,
                subs.c.batch_id == first_batch.c.batch_id,
            ),
        )
        .group_by(*key)
        .subquery("per_key")
    )
    query = select(per_key.c.department_id, func.count(), func.sum(1 - per_key.c.failed)).group_by(
        per_key.c.department_id
    )
    for department_id, keys, passed in session.execute(query):
        c = counts[department_id]
        c.keys += int(keys)
        c.keys_passed += int(passed or 0)
    no_doc = (
        select(rr.department_id, func.count())
        .where(
            rr.item_id.in_(window.item_ids),
            rr.submitted_on >= window.first,
            rr.submitted_on <= window.last,
            ~_has_doc_no(rr.doc_no),
        )
        .group_by(rr.department_id)
    )
    for department_id, rows in session.execute(no_doc):
        counts[department_id].keys += int(rows)


def _first_by_day_and_batch(table: Table, day_col: Any, where: Sequence[Any], name: str, having: Any = None) -> Any:
    """Per (item, department, document number): the first day and, on that day, the lowest batch id."""
    key = (table.c.item_id, table.c.department_id, table.c.doc_no)
    first_day = select(*key, func.min(day_col).label("day")).where(*where).group_by(*key)
    if having is not None:
        first_day = first_day.having(having(func.min(day_col)))
    fd = first_day.subquery(f"{name}_day")
    return (
        select(fd.c.item_id, fd.c.department_id, fd.c.doc_no, fd.c.day, func.min(table.c.batch_id).label("batch_id"))
        .join(
            table,
            and_(
                key[0] == fd.c.item_id,
                key[1] == fd.c.department_id,
                key[2] == fd.c.doc_no,
                day_col == fd.c.day,
                *where,
            ),
        )
        .group_by(fd.c.item_id, fd.c.department_id, fd.c.doc_no, fd.c.day)
        .subquery(name)
    )


def _corrections(session: Session, window: Window, deadlines: Deadlines, counts: dict[int, Counts]) -> None:
    """Keys whose first accepted version falls in the window after an earlier rejected submission (their
    working days from the first rejected row to the first accepted version)."""
    cr, rr = CreditRecord, IntakeRejectedRow
    accepted = _first_by_day_and_batch(
        CreditRecord.__table__,
        cr.reported_on,
        (cr.item_id.in_(window.item_ids),),
        "accepted",
        having=lambda first: and_(first >= window.first, first <= window.last),
    )
    rejected = _first_by_day_and_batch(
        IntakeRejectedRow.__table__,
        rr.submitted_on,
        (rr.item_id.in_(window.item_ids), rr.valid.is_(False), _has_doc_no(rr.doc_no)),
        "rejected",
    )
    query = (
        select(accepted.c.department_id, rejected.c.day, accepted.c.day, func.count())
        .join(
            rejected,
            and_(
                rejected.c.item_id == accepted.c.item_id,
                rejected.c.department_id == accepted.c.department_id,
                rejected.c.doc_no == accepted.c.doc_no,
            ),
        )
        .where(
            or_(
                rejected.c.day < accepted.c.day,
                and_(rejected.c.day == accepted.c.day, rejected.c.batch_id < accepted.c.batch_id),
            )
        )
        .group_by(accepted.c.department_id, rejected.c.day, accepted.c.day)
    )
    for department_id, rejected_day, accepted_day, keys in session.execute(query):
        c = counts[department_id]
        c.corrected += int(keys)
        c.correction_workdays += int(keys) * deadlines.workdays_between(_as_date(rejected_day), _as_date(accepted_day))


def _omissions(session: Session, window: Window, deadlines: Deadlines, counts: dict[int, Counts]) -> None:
    """Reference decisions (decided up to the window's end) whose deadline passed before the window's last
    day, and those of them no record of the same (item, department, document number) reported by then."""
    rd, cr = ReferenceDecision, CreditRecord
    refs = (
        select(
            rd.item_id.label("item_id"),
            rd.department_id.label("department_id"),
            rd.doc_no.label("doc_no"),
            rd.decided_on.label("decided_on"),
            deadlines.workdays(rd.item_id, rd.department_id).label("n"),
        )
        .where(rd.item_id.in_(window.item_ids), rd.decided_on <= window.last)
        .subquery("refs")
    )
    due_days: dict[int, list[date]] = defaultdict(list)
    for n, decided in session.execute(select(refs.c.n, refs.c.decided_on).distinct()):
        if n is None:
            continue
        decided = _as_date(decided)
        if decided + timedelta(days=n) >= window.last:
            continue  # the deadline is at least n calendar days after the decision: not passed yet
        if deadlines.deadline(n, decided) < window.last:
            due_days[n].append(decided)
    if not due_days:
        return
    due = or_(*(and_(refs.c.n == n, refs.c.decided_on.in_(days)) for n, days in sorted(due_days.items())))
    reported = exists().where(
        cr.item_id == refs.c.item_id,
        cr.department_id == refs.c.department_id,
        cr.doc_no == refs.c.doc_no,
        cr.reported_on <= window.last,
    )
    query = (
        select(refs.c.department_id, func.count(), func.sum(case((reported, 0), else_=1)))
        .where(due)
        .group_by(refs.c.department_id)
    )
    for department_id, due_count, missing in session.execute(query):
        c = counts[department_id]
        c.reference_due, c.omissions = int(due_count), int(missing or 0)


# ------------------------------------------------------------------------------------------------ scoring


def _rate(numerator: int, denominator: int) -> Fraction | None:
    return Fraction(numerator, denominator) if denominator else None


def _round(value: Fraction | float | None, digits: int) -> float | None:
    if value is None:
        return None
    exact = Decimal(value.numerator) / Decimal(value.denominator) if isinstance(value, Fraction) else Decimal(value)
    return float(exact.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP))


def composite_score(metrics: dict[str, Fraction | None], rules: QualityRules) -> Fraction | None:
    """100 × Σ weight × metric / Σ weight over the measured metrics (``None`` when none is measured)."""
    total = Fraction(0)
    weights = Fraction(0)
    for name in METRICS:
        value = metrics.get(name)
        weight = Fraction(rules.weight(name))
        if value is None or weight == 0:
            continue
        total += weight * value
        weights += weight
    return 100 * total / weights if weights else None


def _row(department: Department, c: Counts, rules: QualityRules) -> DepartmentScore:
    validity = _rate(c.keys_passed, c.keys)
    timeliness = _rate(c.on_time, c.records)
    completeness = _rate(c.filled_fields, c.expected_fields)
    omission = _rate(c.omissions, c.reference_due)
    score = composite_score(
        {
            "validity": validity,
            "timeliness": timeliness,
            "completeness": completeness,
            "omission": None if omission is None else 1 - omission,
        },
        rules,
    )
    rounded = _round(score, SCORE_DIGITS)
    return DepartmentScore(
        department=department.name,
        code=department.code,
        department_id=department.id,
        records=c.records,
        rows_submitted=c.rows_submitted,
        validity_rate=_round(validity, RATE_DIGITS),
        timeliness_rate=_round(timeliness, RATE_DIGITS),
        late_rate=_round(None if timeliness is None else 1 - timeliness, RATE_DIGITS),
        completeness_rate=_round(completeness, RATE_DIGITS),
        omissions=c.omissions,
        omission_rate=_round(omission, RATE_DIGITS),
        correction_days=_round(_rate(c.correction_workdays, c.corrected), SCORE_DIGITS),
        score=rounded,
        grade=None if rounded is None else rules.grade(rounded),
        rank=None,
        keys_first_submitted=c.keys,
        keys_passed=c.keys_passed,
        on_time=c.on_time,
        expected_fields=c.expected_fields,
        filled_fields=c.filled_fields,
        reference_due=c.reference_due,
        corrected_keys=c.corrected,
    )


def rank(rows: Iterable[DepartmentScore]) -> list[DepartmentScore]:
    """Rows best first with competition ranks (equal scores share a rank: 1, 1, 3); unscored rows last."""
    scored = sorted((r for r in rows if r.score is not None), key=lambda r: (-(r.score or 0), r.code))
    out: list[DepartmentScore] = []
    previous: float | None = None
    current = 0
    for position, row in enumerate(scored, 1):
        if row.score != previous:
            current, previous = position, row.score
        out.append(row.model_copy(update={"rank": current}))
    out += sorted((r for r in rows if r.score is None), key=lambda r: r.code)
    return out


# ------------------------------------------------------------------------------------------------ service


def scorecard(
    ctx: Context,
    month: str,
    *,
    item_id: str | None = None,
    as_of: date | None = None,
    rules: QualityRules | None = None,
) -> Scorecard:
    """The scorecard of ``month`` (``YYYY-MM``) for one item or every catalogue item (``quality.read``).

    One row per registered department (for an item with ``source_departments``: those, plus any other
    department with data). Facts after ``as_of`` (default: today) are ignored; decisions count as due when
    their deadline fell before the earlier of the month's last day and ``as_of``.
    """
    require(ctx, "quality.read")
    first, month_end = month_bounds(month)
    as_of = as_of or ctx.today
    rules = rules or quality_rules()
    items = [catalogue_item(item_id)] if item_id else list(load_catalog().items.values())
    session = ctx.session
    departments = list(session.scalars(select(Department).order_by(Department.code)))
    window = Window(items, first, min(month_end, as_of))
    counts: dict[int, Counts] = defaultdict(Counts)
    if not window.empty:
        deadlines = Deadlines(load_calendar(session), items, departments)
        _new_records(session, window, deadlines, counts)
        _rows_submitted(session, window, counts)
        _validity(session, window, counts)
        _corrections(session, window, deadlines, counts)
        _omissions(session, window, deadlines, counts)
    expected_codes = set(items[0].source_departments) if item_id and items[0].source_departments else None
    rows = [
        _row(d, counts[d.id], rules)
        for d in departments
        if expected_codes is None or d.code in expected_codes or counts[d.id].any()
    ]
    audit.record_read(ctx, "quality_scorecard", month, {"item": item_id, "as_of": as_of.isoformat()})
    return Scorecard(
        month=f"{first.year:04d}-{first.month:02d}",
        item=item_id,
        as_of=as_of,
        rules_version=rules.version,
        weights={name: rules.weight(name) for name in METRICS},
        departments=rank(rows),
    )


__all__ = [
    "DeadlineNotComputable",
    "Deadlines",
    "catalogue_item",
    "composite_score",
    "month_bounds",
    "rank",
    "scorecard",
]
