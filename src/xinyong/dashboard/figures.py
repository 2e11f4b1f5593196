"""The leadership dashboard's figures (大屏, issue #12 item 3), set-based and cached.

``dashboard_figures(session, as_of, due_within)`` answers, as of ``as_of`` (a day in China):

* subjects in the registry; credit records collected by department, in all and decided this month (first versions
  only: a correction is not a new record; one grouped count over ``ix_credit_record_key``, one range of
  ``ix_credit_record_item_decided``);
* the department quality ranking: the last completed month's scorecard over every catalogue item
  (``quality.scorecard.scorecard``, the same figures as ``/quality``);
* the grade distribution: the latest finished evaluation run of each model, its stored ``grades`` summed;
* entries in force on the public lists by list type (``portal.figures`` counts them for the home page: reused);
* open objections and repairs by their current deadline (the step the case is at: acceptance, self-check,
  verification or decision): overdue (the deadline has passed, or the daily job flagged it), due within
  ``due_within`` working days (``xinyong.calendar``: the horizon's last day is computed once, then compared in
  SQL), and the rest;
* the monthly monitoring score trend (``monitoring.queries.trend_points``);
* work-plan progress: the current plan of the latest year loaded up to ``as_of``'s (``workplan.queries``).

Nothing loops over subjects or records in Python. ``cached_dashboard_figures`` reuses the portal's cache
(``portal.figures.FiguresCache``, its reader-session and background-refresh helpers): the live figures per
(database, day, horizon) for ``portal_figures_ttl_seconds``; the quality ranking per month for
``HISTORY_TTL_SECONDS`` (a completed month changes only through late reports), never waited for by a web reader
(``quality.ready`` false until its first computation ends). Served from an engine, a reader waits only for the
very first live figures of a process and day.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, and_, case, func, or_, select
from sqlalchemy.orm import Session

from xinyong import clock
from xinyong.calendar import CalendarRangeError, WorkCalendar, load_calendar
from xinyong.catalog.items import load_catalog
from xinyong.dashboard.config import dashboard_config
from xinyong.dashboard.schemas import (
    CaseCounts,
    Cases,
    DashboardOut,
    DepartmentRecords,
    GradeBand,
    Grades,
    ListFigure,
    MonitoringTrend,
    QualityRanking,
    QualityRow,
    Workplan,
    WorkplanItem,
)
from xinyong.errors import XinyongError
from xinyong.evaluation.models import EvaluationRun
from xinyong.evaluation.service import model_or_422
from xinyong.monitoring.queries import trend_points
from xinyong.portal import figures as portal
from xinyong.records.models import CreditRecord, Objection, RepairApplication
from xinyong.subjects.models import Department, Subject
from xinyong.workplan import queries as workplan_queries
from xinyong.workplan.models import WorkPlan
from xinyong.workplan.schemas import STATUS_LABELS

OBJECTION_OPEN = ("submitted", "accepted", "self_check", "verifying")
REPAIR_OPEN = ("submitted", "accepted", "routed")


@dataclass(frozen=True)
class _Live:
    """Everything but the quality ranking."""

    computed_at: datetime
    subjects_total: int
    records: list[DepartmentRecords]
    grades: Grades
    lists: list[portal.ListCount]
    cases: Cases
    monitoring: MonitoringTrend
    workplan: Workplan


# --------------------------------------------------------------------------------------------- the queries
def previous_month(day: date) -> str:
    """``YYYY-MM`` of the month before ``day``'s (the last completed month)."""
    last = day.replace(day=1) - timedelta(days=1)
    return f"{last.year:04d}-{last.month:02d}"


def _records(session: Session, as_of: date) -> list[DepartmentRecords]:
    """First versions per department: every row counted through the covering index ``ix_credit_record_key``
    (item, department, document), less the later versions found through ``ix_credit_record_supersedes`` (a few
    per thousand) — two index reads rather than a pass over the records; this month's decisions through
    ``ix_credit_record_item_decided``."""
    items = list(load_catalog().items)
    every: dict[int, int] = {}
    for _, department_id, n in session.execute(
        select(CreditRecord.item_id, CreditRecord.department_id, func.count()).group_by(
            CreditRecord.item_id, CreditRecord.department_id
        )
    ):
        every[department_id] = every.get(department_id, 0) + int(n)
    later = dict(
        session.execute(
            select(CreditRecord.department_id, func.count())
            .where(CreditRecord.supersedes_id.is_not(None))
            .group_by(CreditRecord.department_id)
        ).all()
    )
    month = dict(
        session.execute(
            select(CreditRecord.department_id, func.count())
            .where(
                CreditRecord.item_id.in_(items),
                CreditRecord.decided_on >= as_of.replace(day=1),
                CreditRecord.decided_on <= as_of,
                func.coalesce(CreditRecord.supersedes_id, 0) == 0,  # not through ix_credit_record_supersedes
            )
            .group_by(CreditRecord.department_id)
        ).all()
    )
    rows = [
        DepartmentRecords(
            code=d.code,
            name=d.name,
            records=every.get(d.id, 0) - int(later.get(d.id, 0)),
            this_month=int(month.get(d.id, 0)),
        )
        for d in session.scalars(select(Department).order_by(Department.code))
    ]
    return sorted(rows, key=lambda r: (-r.records, r.code))


def _grades(session: Session, as_of: date) -> Grades:
    newest = (
        select(func.max(EvaluationRun.id))
        .where(EvaluationRun.finished_at.is_not(None), EvaluationRun.as_of <= as_of)
        .group_by(EvaluationRun.model)
    )
    runs = list(session.scalars(select(EvaluationRun).where(EvaluationRun.id.in_(newest))))
    totals: dict[str, int] = {}
    for run in runs:
        for grade, n in (run.grades or {}).items():
            totals[grade] = totals.get(grade, 0) + int(n)
    labels = {band.grade: band.label for band in model_or_422(None).grades}
    order = sorted(set(labels) | set(totals))
    bands = [GradeBand(grade=g, label=labels.get(g, g), subjects=totals.get(g, 0)) for g in order]
    return Grades(
        as_of=max((r.as_of for r in runs), default=None), runs=len(runs), total=sum(totals.values()), bands=bands
    )


def _horizon(session: Session, as_of: date, due_within: int) -> tuple[date, str]:
    """The last day of the "due soon" window; weekends only (and said so) where the calendar has no data."""
    try:
        return load_calendar(session).add_workdays(as_of, due_within), ""
    except CalendarRangeError as exc:
        day = WorkCalendar(fallback="weekends_only").add_workdays(as_of, due_within)
        return day, f"工作日历未覆盖（{exc.message}），按周末推算"


def _case_counts(
    session: Session, table: Any, open_statuses: tuple[str, ...], due: Any, as_of: date, by: date
) -> CaseCounts:
    late = or_(table.overdue.is_(True), due < as_of)
    soon = and_(~late, due <= by)
    opened, overdue, due_soon = session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(case((late, 1), else_=0)), 0),
            func.coalesce(func.sum(case((soon, 1), else_=0)), 0),
        ).where(table.status.in_(open_statuses))
    ).one()
    opened, overdue, due_soon = int(opened), int(overdue), int(due_soon)
    return CaseCounts(open=opened, overdue=overdue, due_soon=due_soon, on_time=opened - overdue - due_soon)


def _cases(session: Session, as_of: date, due_within: int) -> Cases:
    by, note = _horizon(session, as_of, due_within)
    objection_due = case(
        (Objection.status == "submitted", Objection.accept_due),
        (Objection.status == "verifying", Objection.verify_due),
        else_=func.coalesce(Objection.self_check_due, Objection.verify_due, Objection.accept_due),
    )
    repair_due = case(
        (
            RepairApplication.status == "submitted",
            func.coalesce(RepairApplication.accept_due, RepairApplication.decide_due),
        ),
        else_=RepairApplication.decide_due,
    )
    return Cases(
        due_within=due_within,
        due_by=by,
        calendar_note=note,
        objections=_case_counts(session, Objection, OBJECTION_OPEN, objection_due, as_of, by),
        repairs=_case_counts(session, RepairApplication, REPAIR_OPEN, repair_due, as_of, by),
    )


def _monitoring(session: Session) -> MonitoringTrend:
    points = trend_points(session)
    last = points[-1] if points else None
    return MonitoringTrend(
        months=[p.month for p in points],
        scores=[round(p.score, 2) for p in points],
        warnings=[p.warnings for p in points],
        latest_month=last.month if last else None,
        latest_score=round(last.score, 2) if last else None,
    )


def _workplan(session: Session, as_of: date) -> Workplan:
    year = session.scalar(
        select(func.max(WorkPlan.year)).where(WorkPlan.current.is_(True), WorkPlan.year <= as_of.year)
    )
    if year is None:
        return Workplan(year=None, counts={label: 0 for label in STATUS_LABELS.values()}, items=[])
    status = workplan_queries.plan_status(session, int(year), as_of)
    shown = dashboard_config().workplan_items_shown
    items = [
        WorkplanItem(
            number=i.number,
            numeral=i.numeral,
            title=i.title,
            status=i.status,
            status_label=i.status_label,
            percent=i.percent,
        )
        for i in status.items[:shown]
    ]
    return Workplan(year=int(year), counts=status.counts, items=items)


def _live(session: Session, as_of: date, due_within: int) -> _Live:
    return _Live(
        computed_at=clock.now(),
        subjects_total=int(session.scalar(select(func.count()).select_from(Subject)) or 0),
        records=_records(session, as_of),
        grades=_grades(session, as_of),
        lists=portal._lists(session, as_of),
        cases=_cases(session, as_of, due_within),
        monitoring=_monitoring(session),
        workplan=_workplan(session, as_of),
    )


def _department_scores(session: Session, month: str, as_of: date) -> list[QualityRow]:
    """The scorecard of ``month`` over every catalogue item, ranked: ``quality.scorecard.scorecard``'s figures
    through its own steps, without its read audit event (the dashboard reads on a session of its own, which on
    SQLite may not write while a request holds the lock; the page's reader is known from the request log)."""
    from collections import defaultdict

    from xinyong.quality import scorecard as qs  # imported late: the scorecard pulls in intake
    from xinyong.quality.rules import quality_rules

    first, month_end = qs.month_bounds(month)
    rules = quality_rules()
    items = list(load_catalog().items.values())
    departments = list(session.scalars(select(Department).order_by(Department.code)))
    window = qs.Window(items, first, min(month_end, as_of))
    counts: dict[int, qs.Counts] = defaultdict(qs.Counts)
    if not window.empty:
        deadlines = qs.Deadlines(load_calendar(session), items, departments)
        for step in (qs._new_records, qs._corrections, qs._omissions):
            step(session, window, deadlines, counts)
        for plain in (qs._rows_submitted, qs._validity):
            plain(session, window, counts)
    ranked = qs.rank([qs._row(d, counts[d.id], rules) for d in departments])
    return [
        QualityRow(code=d.code, name=d.department, score=d.score, grade=d.grade, rank=d.rank, records=d.records)
        for d in ranked
    ]


def quality_ranking(session: Session, as_of: date) -> QualityRanking:
    """The last completed month's scorecard (every catalogue item), ranked as ``/quality`` ranks it."""
    month = previous_month(as_of)
    try:
        rows = _department_scores(session, month, as_of)
    except XinyongError:  # e.g. a deadline in a year the working-day calendar does not cover
        rows = []
    return QualityRanking(month=month, ready=True, rows=rows)


def _assemble(as_of: date, live: _Live, quality: QualityRanking | None) -> DashboardOut:
    lists = [ListFigure(**vars(x)) for x in live.lists]
    return DashboardOut(
        as_of=as_of,
        computed_at=live.computed_at,
        subjects_total=live.subjects_total,
        records_total=sum(r.records for r in live.records),
        records_this_month=sum(r.this_month for r in live.records),
        records_by_department=live.records,
        quality=quality or QualityRanking(month=previous_month(as_of), ready=False, rows=[]),
        grades=live.grades,
        lists_dishonesty=sum(x.count for x in lists if x.kind in portal.DISHONESTY_KINDS),
        lists_red=sum(x.count for x in lists if x.kind == portal.RED_KIND),
        lists=lists,
        cases=live.cases,
        monitoring=live.monitoring,
        workplan=live.workplan,
        refresh_seconds=dashboard_config().refresh_seconds,
    )


def dashboard_figures(session: Session, as_of: date, due_within: int | None = None) -> DashboardOut:
    """Every figure on ``as_of``, computed now on ``session`` (see the module docstring)."""
    days = dashboard_config().due_soon_workdays if due_within is None else due_within
    return _assemble(as_of, _live(session, as_of, days), quality_ranking(session, as_of))


# --------------------------------------------------------------------------------------------- the cache
_live_cache: portal.FiguresCache[_Live] = portal.FiguresCache()
_quality_cache: portal.FiguresCache[QualityRanking] = portal.FiguresCache()


Spawn = Callable[[Callable[[], None]], None]


@dataclass(frozen=True)
class _Plan:
    """Where and under which keys the figures of (database, day, horizon) are read and cached."""

    days: int
    seconds: float
    reader: Engine | None
    live_key: tuple[Any, ...]
    quality_key: tuple[Any, ...]
    quality_ttl: float

    def fresh_live(self, as_of: date) -> Callable[[], _Live]:
        reader = self.reader
        assert reader is not None
        return lambda: portal.on_own_session(reader, lambda own: _live(own, as_of, self.days))

    def fresh_quality(self, as_of: date) -> Callable[[], QualityRanking]:
        reader = self.reader
        assert reader is not None
        return lambda: portal.on_own_session(reader, lambda own: quality_ranking(own, as_of))


def _plan(session: Session, as_of: date, due_within: int | None, ttl: float | None) -> _Plan:
    days = dashboard_config().due_soon_workdays if due_within is None else due_within
    seconds = portal.ttl_seconds() if ttl is None else ttl
    database = portal.database_key(session)
    return _Plan(
        days=days,
        seconds=seconds,
        reader=portal.reader_engine(session),
        live_key=(database, as_of, days),
        quality_key=(database, previous_month(as_of), as_of),
        quality_ttl=max(portal.HISTORY_TTL_SECONDS, seconds),
    )


def _quality_held(plan: _Plan, as_of: date, run: Spawn) -> QualityRanking | None:
    """The quality ranking held (None: not yet), refreshed in the background when not fresh (engine only)."""
    quality, fresh = _quality_cache.peek(plan.quality_key, plan.quality_ttl)
    if not fresh and plan.reader is not None:
        _quality_cache.refresh_in_background(plan.quality_key, plan.fresh_quality(as_of), run)
    return quality


def cached_dashboard_figures(
    session: Session, as_of: date, due_within: int | None = None, *, ttl: float | None = None, spawn: Any = None
) -> DashboardOut:
    """``dashboard_figures`` through the in-process caches (the portal's: see the module docstring). ``ttl``
    defaults to ``portal_figures_ttl_seconds`` (0 computes everything now). A reader finding no live figures
    computes them (or waits for the computation already running: ``page_figures``, the start-up warm-up)."""
    plan = _plan(session, as_of, due_within, ttl)
    run = spawn or portal.spawn_thread
    engine = plan.reader
    if plan.seconds <= 0:
        if engine is None:
            return dashboard_figures(session, as_of, plan.days)
        return portal.on_own_session(engine, lambda own: dashboard_figures(own, as_of, plan.days))
    if engine is None:
        live = _live_cache.get(plan.live_key, plan.seconds, lambda: _live(session, as_of, plan.days))
        quality = _quality_cache.get(plan.quality_key, plan.quality_ttl, lambda: quality_ranking(session, as_of))
        return _assemble(as_of, live, quality)
    held, fresh = _live_cache.peek(plan.live_key, plan.seconds)
    if held is None:
        held = _live_cache.get(plan.live_key, plan.seconds, plan.fresh_live(as_of))
    elif not fresh:
        _live_cache.refresh_in_background(plan.live_key, plan.fresh_live(as_of), run)
    return _assemble(as_of, held, _quality_held(plan, as_of, run))


def page_figures(
    session: Session, as_of: date, due_within: int | None = None, *, ttl: float | None = None, spawn: Any = None
) -> DashboardOut | None:
    """The figures for the page ``/dashboard`` without waiting for a computation: the cached ones (refreshed in
    the background when stale, as ``cached_dashboard_figures`` does), or None when no live figures are held —
    then, served from an engine, their computation starts in the background (once, however many pages ask:
    ``FiguresCache.warm``) and the page's script fetches the JSON endpoint, whose reader waits for that very
    computation. On a caller's transaction (the tests) nothing is computed here: the endpoint computes. With the
    cache off (``ttl`` 0) the page always waits for nothing and the endpoint computes."""
    plan = _plan(session, as_of, due_within, ttl)
    if plan.seconds <= 0:
        return None
    run = spawn or portal.spawn_thread
    held, fresh = _live_cache.peek(plan.live_key, plan.seconds)
    if plan.reader is not None:
        if held is None:
            _live_cache.warm(plan.live_key, plan.seconds, plan.fresh_live(as_of), run)
        elif not fresh:
            _live_cache.refresh_in_background(plan.live_key, plan.fresh_live(as_of), run)
    quality = _quality_held(plan, as_of, run)
    return None if held is None else _assemble(as_of, held, quality)


def clear_cache() -> None:
    """Forget the cached figures (tests; after a bulk load)."""
    _live_cache.clear()
    _quality_cache.clear()
