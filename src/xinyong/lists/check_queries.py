"""Reads of the joint-check log: one check as it was answered (with its feedback), recent checks, and the feedback
rates per department (惩戒反馈率) for the credit office's dashboard.

Scope: the credit office (``checks.read_all``) and the console see every department; a department officer or a
department's API token its own department's checks; an actor bound to no department its own checks.
Rates count the checks made in the period (China dates of ``at``) and the feedback recorded on those checks:
feedback rate = measures given feedback / measures returned by hits; applied rate = applied / feedback.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import ColumnElement, and_, case, func, select
from sqlalchemy.orm import Session

from xinyong import clock
from xinyong.auth.context import Context
from xinyong.auth.permissions import PermissionDenied, require
from xinyong.errors import InvalidInput
from xinyong.lists.check_schemas import (
    CheckEntryOut,
    CheckOut,
    CheckSubjectOut,
    CheckSummaryOut,
    FeedbackOut,
    RateRow,
    RatesOut,
)
from xinyong.lists.checks import RUN, check_or_404, department_name, may_see, measure_out, reads_all
from xinyong.lists.measures import measure_ledger
from xinyong.lists.models import CheckFeedback, ListCheck, ListEntry
from xinyong.lists.types import LIST_KINDS, list_catalogue
from xinyong.subjects.models import SUBJECT_KIND_LABELS, Department, Subject

RECENT_MAX = 200
NO_DEPARTMENT = "未指定部门（控制台或个人账号）"
MAX_PERIOD_DAYS = 3660


def _scope(ctx: Context) -> ColumnElement[bool] | None:
    """The SQL condition limiting ``ListCheck`` to what the actor may see (None: everything)."""
    if reads_all(ctx):
        return None
    if ctx.department_id is not None:
        return ListCheck.department_id == ctx.department_id
    return and_(ListCheck.department_id.is_(None), ListCheck.actor == ctx.actor)


# --------------------------------------------------------------------------------------------- one check
def _entries(session: Session, ids: list[int]) -> list[CheckEntryOut]:
    if not ids:
        return []
    catalogue = list_catalogue().types
    stmt = (
        select(ListEntry, Department.name)
        .join(Department, Department.id == ListEntry.department_id)
        .where(ListEntry.id.in_(ids))
        .order_by(ListEntry.list_code, ListEntry.id)
    )
    out = []
    for entry, dept_name in session.execute(stmt):
        list_type = catalogue.get(entry.list_code)
        kind = list_type.kind if list_type else entry.kind
        out.append(
            CheckEntryOut(
                id=entry.id,
                subject_id=entry.subject_id,
                list_code=entry.list_code,
                list_name=list_type.name if list_type else entry.list_code,
                list_kind=kind,
                list_kind_label=LIST_KINDS.get(kind, kind),
                role=entry.role,
                department_id=entry.department_id,
                department_name=dept_name,
                source_authority=entry.source_authority,
                decision_on=entry.decision_on,
                published_on=entry.published_on,
                expires_on=entry.expires_on,
                basis=entry.basis,
            )
        )
    return out


def _subjects(session: Session, ids: list[int]) -> list[CheckSubjectOut]:
    if not ids:
        return []
    rows = session.scalars(select(Subject).where(Subject.id.in_(ids)).order_by(Subject.id))
    return [
        CheckSubjectOut(
            id=s.id,
            name=s.name,
            kind=s.kind,
            kind_label=SUBJECT_KIND_LABELS.get(s.kind, s.kind),
            code=s.uscc or s.ric_masked or "",
        )
        for s in rows
    ]


def feedback_of(session: Session, check_id: int) -> list[FeedbackOut]:
    """The feedback recorded on a check, in the order recorded."""
    names = {m.id: m.name for m in measure_ledger().measures}
    rows = session.scalars(select(CheckFeedback).where(CheckFeedback.check_id == check_id).order_by(CheckFeedback.id))
    return [
        FeedbackOut(
            id=f.id,
            check_id=f.check_id,
            measure_id=f.measure_id,
            measure_name=names.get(f.measure_id, f.measure_id),
            applied=f.applied,
            reason=f.reason,
            department_id=f.department_id,
            recorded_by=f.recorded_by,
            recorded_at=f.recorded_at,
        )
        for f in rows
    ]


def get_check(ctx: Context, check_id: int) -> CheckOut:
    """A logged check as it was answered — the entries it found (read back by id), the measures it returned
    (described by the current ledger) — with the feedback recorded on it. 403 outside the actor's scope."""
    require(ctx, RUN)
    found = check_or_404(ctx, check_id)
    if not may_see(ctx, found):
        raise PermissionDenied(ctx.role, RUN, "只能查看本部门的查询记录")
    session = ctx.session
    ledger = measure_ledger()
    entries = _entries(session, list(found.entry_ids or []))
    subject_ids = sorted({*([found.subject_id] if found.subject_id else []), *(e.subject_id for e in entries)})
    lists = {e.list_code for e in entries}
    by_id = {m.id: m for m in ledger.measures}
    measures = [measure_out(ledger, by_id[i], lists) for i in found.measure_ids or [] if i in by_id]
    return CheckOut(
        check_id=found.id,
        at=found.at,
        checked_on=found.checked_on,
        scenario=found.scenario,
        scenario_label=ledger.scenarios.get(found.scenario, found.scenario),
        code=found.code,
        code_kind="uscc" if "*" not in found.code else "ric",
        department_id=found.department_id,
        department_name=department_name(session, found.department_id),
        actor=found.actor,
        found=found.subject_id is not None,
        hit=found.hit,
        subjects=_subjects(session, subject_ids),
        entries=entries,
        measures=measures,
        ledger_version=ledger.version,
        batch_ref=found.batch_ref,
        feedback=feedback_of(session, found.id),
    )


def recent_checks(ctx: Context, limit: int = 20, batch_ref: str | None = None) -> list[CheckSummaryOut]:
    """The newest checks the actor may see (``batch_ref``: one batch's, in submission order)."""
    require(ctx, RUN)
    limit = max(1, min(limit, RECENT_MAX))
    given = select(CheckFeedback.check_id, func.count().label("n")).group_by(CheckFeedback.check_id).subquery("given")
    stmt = select(ListCheck, func.coalesce(given.c.n, 0)).outerjoin(given, given.c.check_id == ListCheck.id)
    scope = _scope(ctx)
    if scope is not None:
        stmt = stmt.where(scope)
    if batch_ref is not None:
        stmt = stmt.where(ListCheck.batch_ref == batch_ref).order_by(ListCheck.id)
    else:
        stmt = stmt.order_by(ListCheck.id.desc())
    scenarios = measure_ledger().scenarios
    return [
        CheckSummaryOut(
            id=c.id,
            at=c.at,
            checked_on=c.checked_on,
            scenario=c.scenario,
            scenario_label=scenarios.get(c.scenario, c.scenario),
            code=c.code,
            department_name=department_name(ctx.session, c.department_id),
            actor=c.actor,
            hit=c.hit,
            measures=len(c.measure_ids or []),
            feedback=n,
            batch_ref=c.batch_ref,
        )
        for c, n in ctx.session.execute(stmt.limit(limit))
    ]


# --------------------------------------------------------------------------------------------- rates
def _instant(day: date) -> datetime:
    """00:00 China time of ``day``, in UTC (stored instants are UTC)."""
    return datetime.combine(day, time.min, tzinfo=clock.CHINA_TZ).astimezone(UTC)


def _rate(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def _row(department_id: int | None, name: str, counts: dict[str, int]) -> RateRow:
    return RateRow(
        department_id=department_id,
        department_name=name,
        checks=counts.get("checks", 0),
        hits=counts.get("hits", 0),
        hits_with_measures=counts.get("hits_with_measures", 0),
        measures_due=counts.get("measures_due", 0),
        feedback=counts.get("feedback", 0),
        applied=counts.get("applied", 0),
        not_applied=counts.get("not_applied", 0),
        feedback_rate=_rate(counts.get("feedback", 0), counts.get("measures_due", 0)),
        applied_rate=_rate(counts.get("applied", 0), counts.get("feedback", 0)),
    )


def feedback_rates(ctx: Context, date_from: date | None = None, date_to: date | None = None) -> RatesOut:
    """Per department over the period (default: 1 January of this year to today): checks, hits, hits with
    measures, measures due, feedback given, applied / not applied, feedback and applied rates; two set-based
    queries. The credit office sees every department, a department its own."""
    require(ctx, RUN)
    day_to = date_to or ctx.today
    day_from = date_from or date(day_to.year, 1, 1)
    if day_from > day_to:
        raise InvalidInput(
            f"起始日 {day_from.isoformat()} 晚于截止日 {day_to.isoformat()}，请重新选择统计期间", field="date_from"
        )
    if (day_to - day_from).days > MAX_PERIOD_DAYS:
        raise InvalidInput("统计期间不能超过 10 年", field="date_from")
    start, end = _instant(day_from), _instant(day_to + timedelta(days=1))
    in_period = and_(ListCheck.at >= start, ListCheck.at < end)
    scope = _scope(ctx)
    if scope is not None:
        in_period = and_(in_period, scope)
    n_measures = func.json_array_length(ListCheck.measure_ids)
    checks_stmt = (
        select(
            ListCheck.department_id,
            func.count(),
            func.sum(case((ListCheck.hit.is_(True), 1), else_=0)),
            func.sum(case((and_(ListCheck.hit.is_(True), n_measures > 0), 1), else_=0)),
            func.sum(case((ListCheck.hit.is_(True), n_measures), else_=0)),
        )
        .where(in_period)
        .group_by(ListCheck.department_id)
    )
    feedback_stmt = (
        select(
            ListCheck.department_id,
            func.count(CheckFeedback.id),
            func.sum(case((CheckFeedback.applied.is_(True), 1), else_=0)),
        )
        .join(ListCheck, ListCheck.id == CheckFeedback.check_id)
        .where(in_period)
        .group_by(ListCheck.department_id)
    )
    counts: dict[int | None, dict[str, int]] = {}
    for dept, checks, hits, with_measures, due in ctx.session.execute(checks_stmt):
        counts[dept] = {
            "checks": int(checks or 0),
            "hits": int(hits or 0),
            "hits_with_measures": int(with_measures or 0),
            "measures_due": int(due or 0),
        }
    for dept, given, applied in ctx.session.execute(feedback_stmt):
        row = counts.setdefault(dept, {})
        row.update(feedback=int(given or 0), applied=int(applied or 0), not_applied=int(given or 0) - int(applied or 0))
    if not reads_all(ctx) and ctx.department_id is not None:
        counts.setdefault(ctx.department_id, {})  # a department sees its own row, even when empty
    names = dict(ctx.session.execute(select(Department.id, Department.name)).all())
    rows = [_row(dept, names.get(dept, str(dept)) if dept else NO_DEPARTMENT, c) for dept, c in counts.items()]
    rows.sort(key=lambda r: (r.department_id is None, r.department_name))
    keys = ("checks", "hits", "hits_with_measures", "measures_due", "feedback", "applied", "not_applied")
    total = {k: sum(c.get(k, 0) for c in counts.values()) for k in keys}
    return RatesOut(
        date_from=day_from,
        date_to=day_to,
        scope="all" if reads_all(ctx) else "own",
        rows=rows,
        total=_row(None, "合计", total),
    )
