"""Scorecard validation report (issue #6 item 6): is a model's grade stable month to month, and does it rank
subjects by the risk of a later penalty?

For a model and a range of months, every month-end is graded: from the stored run of that model version on that
day when there is one (the latest), else transiently by the batch's own SELECT (``queries.grades_select``,
nothing stored). The grades go to a temporary table, once per month, and two grouped queries answer:

- **stability**: for consecutive month-ends, the transition matrix (previous grade × grade) over the subjects
  graded at both, and the share keeping their grade; subjects entering or leaving the model's coverage are
  counted apart;
- **discrimination**: per month-end and grade, the *bad rate*: the share of subjects against which a record of
  the model's ``validation.bad_items`` (a penalty, any severity; the current version, not revoked) is decided in
  the ``horizon`` months after the month-end (``validation.horizon_months`` by default), and whether the rates
  are monotone A ≤ B ≤ C ≤ D (grades without subjects are skipped). A month-end whose horizon ends after the
  report day is incomplete (its later penalties are not all known yet); the pooled rates sum every month-end.

Only records decided up to the report day (``ctx.today``) count. A changed model (another version, or a copy read
from a file) is always graded transiently, so the report shows the effect of the change on the same data.
"""

from __future__ import annotations

import calendar
import re
from datetime import date
from itertools import pairwise

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    and_,
    func,
    insert,
    literal,
    select,
)
from sqlalchemy.orm import Session

from xinyong.auth.context import Context
from xinyong.auth.permissions import require
from xinyong.errors import InvalidInput
from xinyong.evaluation import queries
from xinyong.evaluation.models import EvaluationResult, EvaluationRun
from xinyong.evaluation.models_yaml import GRADES, EvaluationModel, load_model, model_names
from xinyong.evaluation.schemas import MonthEnd, PooledGrade, Transition, ValidationReport
from xinyong.evaluation.service import model_or_422
from xinyong.records.models import CreditRecord
from xinyong.records.publication import AS_OF_YEARS, current_version
from xinyong.records.status import status_expr

MAX_MONTHS = 36
MAX_HORIZON = 60
MONTH = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")

_META = MetaData()
GRADED = Table(
    "tmp_validation_grade",
    _META,
    Column("seq", Integer, nullable=False),
    Column("as_of", Date, nullable=False),
    Column("horizon_end", Date, nullable=False),
    Column("subject_id", BigInteger().with_variant(Integer, "sqlite"), nullable=False),
    Column("grade", String(1), nullable=False),
    Index("ix_tmp_validation_grade", "subject_id", "seq"),
    prefixes=["TEMPORARY"],
)


def parse_month(text: str, field: str) -> tuple[int, int]:
    """``YYYY-MM`` as (year, month); ``InvalidInput`` naming ``field`` otherwise."""
    found = MONTH.match(text or "")
    if not found or not 1 <= int(found.group(2)) <= 12:
        raise InvalidInput(f"月份应为 YYYY-MM（收到 {text!r}）", field=field)
    if not AS_OF_YEARS[0] <= int(found.group(1)) <= AS_OF_YEARS[1]:
        raise InvalidInput(f"月份应在 {AS_OF_YEARS[0]} 年至 {AS_OF_YEARS[1]} 年之间", field=field)
    return int(found.group(1)), int(found.group(2))


def month_end(year: int, month: int) -> date:
    """The last day of the month."""
    return date(year, month, calendar.monthrange(year, month)[1])


def month_ends(first: tuple[int, int], last: tuple[int, int]) -> list[date]:
    """Every month-end from ``first`` to ``last`` (inclusive)."""
    start, stop = first[0] * 12 + first[1] - 1, last[0] * 12 + last[1] - 1
    return [month_end(n // 12, n % 12 + 1) for n in range(start, stop + 1)]


def last_month_ends(today: date, months: int = 12) -> list[date]:
    """The ``months`` latest month-ends on or before ``today``, oldest first."""
    latest = month_end(today.year, today.month)
    index = today.year * 12 + today.month - 1 - (0 if latest <= today else 1)
    return [month_end(n // 12, n % 12 + 1) for n in range(index - months + 1, index + 1)]


def horizon_end(day: date, months: int) -> date:
    """The last day of the horizon: ``months`` calendar months after the month-end ``day`` (a month-end)."""
    later = queries.months_before(date(day.year, day.month, 1), -months)
    return month_end(later.year, later.month)


def _shipped(spec: EvaluationModel) -> bool:
    """Whether ``spec`` is the shipped model of its name (whose stored runs may then be used)."""
    return spec.name in model_names() and load_model(spec.name) == spec


def _month_source(session: Session, spec: EvaluationModel, day: date, dialect: str) -> tuple[object, int | None]:
    """A SELECT of (``subject_id``, ``grade``) at ``day`` and the stored run it reads (None: computed)."""
    run_id = None
    if _shipped(spec):
        run_id = session.scalar(
            select(EvaluationRun.id)
            .where(
                EvaluationRun.model == spec.name,
                EvaluationRun.model_version == spec.version,
                EvaluationRun.as_of == day,
                EvaluationRun.finished_at.is_not(None),
            )
            .order_by(EvaluationRun.id.desc())
            .limit(1)
        )
    if run_id is not None:
        return select(EvaluationResult.subject_id, EvaluationResult.grade).where(
            EvaluationResult.run_id == run_id
        ), run_id
    graded = queries.grades_select(spec, day, dialect).subquery("graded")
    return select(graded.c.subject_id, graded.c.grade), None


def _rate(bad: int, total: int) -> float | None:
    return round(bad / total, 4) if total else None


def is_monotone(rates: dict[str, float | None]) -> bool:
    """Whether the bad rates rise (or stay) from A to D, skipping grades without subjects."""
    known = [rate for g in GRADES if (rate := rates.get(g)) is not None]
    return all(a <= b for a, b in pairwise(known))


def _check(spec: EvaluationModel, first: tuple[int, int], last: tuple[int, int], horizon: int, today: date) -> None:
    if first > last:
        raise InvalidInput("起始月份不能晚于截止月份", field="from")
    if (last[0] * 12 + last[1]) - (first[0] * 12 + first[1]) + 1 > MAX_MONTHS:
        raise InvalidInput(f"一次最多验证 {MAX_MONTHS} 个月", field="to")
    if month_end(*last) > today:
        raise InvalidInput(f"截止月份的月末（{month_end(*last).isoformat()}）晚于今天，尚无该月末的评价", field="to")
    if not 1 <= horizon <= MAX_HORIZON:
        raise InvalidInput(f"观察期应为 1 到 {MAX_HORIZON} 个月", field="horizon")


def validate_model(
    ctx: Context,
    model: str | EvaluationModel | None,
    from_month: str,
    to_month: str,
    horizon: int | None = None,
) -> ValidationReport:
    """The validation report of ``model`` for the month-ends from ``from_month`` to ``to_month`` (``YYYY-MM``)
    with a horizon of ``horizon`` months (default: the model's ``validation.horizon_months``)."""
    require(ctx, "evaluation.read")
    spec = model_or_422(model)
    first, last = parse_month(from_month, "from"), parse_month(to_month, "to")
    months = horizon if horizon is not None else spec.validation.horizon_months
    today = ctx.today
    _check(spec, first, last, months, today)
    days = month_ends(first, last)
    session = ctx.session
    dialect = session.get_bind().dialect.name
    conn = session.connection()
    GRADED.drop(conn, checkfirst=True)
    GRADED.create(conn)
    sources: list[int | None] = []
    for seq, day in enumerate(days):
        source, run_id = _month_source(session, spec, day, dialect)
        graded = source.subquery("month")  # type: ignore[attr-defined]
        session.execute(
            insert(GRADED).from_select(
                ["seq", "as_of", "horizon_end", "subject_id", "grade"],
                select(
                    literal(seq, Integer),
                    literal(day, Date),
                    literal(horizon_end(day, months), Date),
                    graded.c.subject_id,
                    graded.c.grade,
                ),
            )
        )
        sources.append(run_id)
    stats = _month_stats(session, spec, days[0], horizon_end(days[-1], months), today)
    moves = _transitions(session)
    GRADED.drop(conn)
    return _report(spec, months, today, days, sources, stats, moves)


def _month_stats(
    session: Session, spec: EvaluationModel, first: date, last: date, today: date
) -> dict[tuple[int, str], tuple[int, int]]:
    """(seq, grade) → (subjects, bad subjects). The bad events (a small set: records of the bad items decided
    between the first month-end and the last horizon end) are joined to the grades through the temporary
    table's subject index, so the cost follows the events, not the graded rows."""
    events = (
        select(CreditRecord.subject_id.label("subject_id"), CreditRecord.decided_on.label("decided_on"))
        .where(
            CreditRecord.subject_id.is_not(None),
            CreditRecord.item_id.in_(spec.validation.bad_items),
            CreditRecord.decided_on > first,
            CreditRecord.decided_on <= min(last, today),
            current_version(),
            status_expr(today) != "revoked",
        )
        .subquery("events")
    )
    bad = {
        (int(seq), str(grade)): int(n)
        for seq, grade, n in session.execute(
            select(GRADED.c.seq, GRADED.c.grade, func.count(func.distinct(GRADED.c.subject_id)))
            .select_from(events)
            .join(
                GRADED,
                and_(
                    GRADED.c.subject_id == events.c.subject_id,
                    events.c.decided_on > GRADED.c.as_of,
                    events.c.decided_on <= GRADED.c.horizon_end,
                ),
            )
            .group_by(GRADED.c.seq, GRADED.c.grade)
        )
    }
    totals = session.execute(
        select(GRADED.c.seq, GRADED.c.grade, func.count()).group_by(GRADED.c.seq, GRADED.c.grade)
    ).all()
    return {(int(seq), str(grade)): (int(n), bad.get((int(seq), str(grade)), 0)) for seq, grade, n in totals}


def _transitions(session: Session) -> dict[tuple[int, str, str], int]:
    """(seq of the earlier month-end, its grade, the next month-end's grade) → subjects."""
    a, b = GRADED.alias("a"), GRADED.alias("b")
    rows = session.execute(
        select(a.c.seq, a.c.grade, b.c.grade, func.count())
        .select_from(a)
        .join(b, and_(b.c.subject_id == a.c.subject_id, b.c.seq == a.c.seq + 1))
        .group_by(a.c.seq, a.c.grade, b.c.grade)
    ).all()
    return {(int(seq), str(g1), str(g2)): int(n) for seq, g1, g2, n in rows}


def _report(
    spec: EvaluationModel,
    months: int,
    today: date,
    days: list[date],
    sources: list[int | None],
    stats: dict[tuple[int, str], tuple[int, int]],
    moves: dict[tuple[int, str, str], int],
) -> ValidationReport:
    month_rows: list[MonthEnd] = []
    for seq, day in enumerate(days):
        grades = {g: stats.get((seq, g), (0, 0))[0] for g in GRADES}
        bad = {g: stats.get((seq, g), (0, 0))[1] for g in GRADES}
        rates = {g: _rate(bad[g], grades[g]) for g in GRADES}
        end = horizon_end(day, months)
        month_rows.append(
            MonthEnd(
                as_of=day,
                source="run" if sources[seq] is not None else "computed",
                run_id=sources[seq],
                subjects=sum(grades.values()),
                grades=grades,
                bad=bad,
                bad_rate=rates,
                horizon_end=end,
                complete=end <= today,
                monotone=is_monotone(rates),
            )
        )
    transitions: list[Transition] = []
    total = {g: dict.fromkeys(GRADES, 0) for g in GRADES}
    for seq in range(len(days) - 1):
        matrix = {g1: {g2: moves.get((seq, g1, g2), 0) for g2 in GRADES} for g1 in GRADES}
        both = sum(sum(row.values()) for row in matrix.values())
        kept = sum(matrix[g][g] for g in GRADES)
        for g1 in GRADES:
            for g2 in GRADES:
                total[g1][g2] += matrix[g1][g2]
        transitions.append(
            Transition(
                from_as_of=days[seq],
                to_as_of=days[seq + 1],
                subjects=both,
                kept=kept,
                kept_share=_rate(kept, both),
                matrix=matrix,
                entered=month_rows[seq + 1].subjects - both,
                left=month_rows[seq].subjects - both,
            )
        )
    pooled = [
        PooledGrade(
            grade=g,
            label=spec.grade_label(g),
            subjects=sum(m.grades[g] for m in month_rows),
            bad=sum(m.bad[g] for m in month_rows),
            bad_rate=_rate(sum(m.bad[g] for m in month_rows), sum(m.grades[g] for m in month_rows)),
        )
        for g in GRADES
    ]
    all_kept = sum(t.kept for t in transitions)
    all_both = sum(t.subjects for t in transitions)
    return ValidationReport(
        model=spec.name,
        version=spec.version,
        label=spec.label,
        from_month=f"{days[0].year:04d}-{days[0].month:02d}",
        to_month=f"{days[-1].year:04d}-{days[-1].month:02d}",
        horizon_months=months,
        horizon_source=spec.validation.source,
        bad_items=list(spec.validation.bad_items),
        report_day=today,
        months=month_rows,
        transitions=transitions,
        kept_share=_rate(all_kept, all_both),
        matrix=total,
        pooled=pooled,
        monotone=is_monotone({p.grade: p.bad_rate for p in pooled}),
        months_monotone=sum(1 for m in month_rows if m.monotone),
        complete_months=sum(1 for m in month_rows if m.complete),
    )
