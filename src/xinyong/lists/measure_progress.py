"""Tracking the measures ledger (失信约束措施台账的跟踪检查, work-plan item 二): the credit office records progress
notes on the revise and abolish tasks, and the report merges the ledger file with them.

* ``record_progress`` (``measures.update``, audited) writes one ``MeasureProgress`` row: a note, whether the
  task is done, the day it was reported. Notes are never edited: a later note supersedes an earlier one.
* ``tracking_report(session, as_of)``: every measure of ``rules/measures.yaml`` — basis, status, deadline — with
  its newest note reported on or before ``as_of`` (time travel: what the ledger showed that day). A note's
  ``done`` flag overrides the file's; a revise or abolish task not done by ``as_of`` past its deadline is
  overdue (the same rule as ``Measure.overdue``).
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.auth import audit
from xinyong.auth.context import Context
from xinyong.auth.permissions import require
from xinyong.catalog.departments import load_departments
from xinyong.errors import InvalidInput, NotFound
from xinyong.lists.check_schemas import NOTE_MAX, ProgressOut, TrackingReport, TrackingRow
from xinyong.lists.measures import KIND_LABELS, STATUS_LABELS, Measure, MeasureLedger, measure_ledger
from xinyong.lists.models import MeasureProgress

UPDATE = "measures.update"
READ = "lists.read"
EARLIEST = date(2000, 1, 1)


def measure_or_404(ledger: MeasureLedger, measure_id: str) -> Measure:
    """The ledger's measure ``measure_id``; 404 naming the known ids otherwise."""
    for m in ledger.measures:
        if m.id == measure_id:
            return m
    known = "、".join(m.id for m in ledger.measures)
    raise NotFound(f"措施台账中没有编号为“{measure_id[:48]}”的措施（可用：{known}）", field="measure_id")


def _out(row: MeasureProgress) -> ProgressOut:
    return ProgressOut(
        id=row.id,
        measure_id=row.measure_id,
        ledger_version=row.ledger_version,
        note=row.note,
        done=row.done,
        reported_on=row.reported_on,
        recorded_by=row.recorded_by,
        recorded_at=row.recorded_at,
    )


def record_progress(
    ctx: Context, measure_id: str, note: str, done: bool = False, reported_on: date | None = None
) -> ProgressOut:
    """A progress note on a measure's revise or abolish task (or a tracking note on a retained measure).

    422 for an empty or over-long note, a day after today or before 2000, or ``done`` on a retained measure
    (it has no task); 404 for a measure not in the ledger. Audited."""
    require(ctx, UPDATE)
    ledger = measure_ledger()
    measure = measure_or_404(ledger, (measure_id or "").strip())
    text = (note or "").strip()
    if not text:
        raise InvalidInput("请填写进展情况", field="note")
    if len(text) > NOTE_MAX:
        raise InvalidInput(f"进展情况过长（最多 {NOTE_MAX} 个字）", field="note")
    day = reported_on or ctx.today
    if day > ctx.today:
        raise InvalidInput(f"进展日期 {day.isoformat()} 晚于今天，不能预先登记", field="reported_on")
    if day < EARLIEST:
        raise InvalidInput(f"进展日期 {day.isoformat()} 早于 {EARLIEST.isoformat()}，请检查", field="reported_on")
    if done and measure.status == "retain":
        raise InvalidInput(
            f"措施“{measure.name}”在台账中为保留，没有修订或废止任务，不能标记为已完成（可只登记跟踪情况）",
            field="done",
        )
    row = MeasureProgress(
        measure_id=measure.id,
        ledger_version=ledger.version,
        note=text,
        done=bool(done),
        reported_on=day,
        recorded_by=ctx.actor[:128],
        recorded_at=ctx.at.astimezone(UTC),
    )
    ctx.session.add(row)
    ctx.session.flush()
    audit.record(
        ctx,
        "measures.progress",
        "measure",
        measure.id,
        {"note": text, "done": bool(done), "reported_on": day.isoformat(), "ledger_version": ledger.version},
    )
    return _out(row)


def progress_history(session: Session, measure_id: str) -> list[ProgressOut]:
    """Every note on a measure, oldest first."""
    stmt = (
        select(MeasureProgress)
        .where(MeasureProgress.measure_id == measure_id)
        .order_by(MeasureProgress.reported_on, MeasureProgress.id)
    )
    return [_out(r) for r in session.scalars(stmt)]


def newest_progress(session: Session, as_of: date) -> dict[str, MeasureProgress]:
    """Per measure, the newest note reported on or before ``as_of`` (latest day, then latest recorded)."""
    stmt = (
        select(MeasureProgress)
        .where(MeasureProgress.reported_on <= as_of)
        .order_by(MeasureProgress.reported_on, MeasureProgress.id)
    )
    return {row.measure_id: row for row in session.scalars(stmt)}


def tracking_report(session: Session, as_of: date, ledger: MeasureLedger | None = None) -> TrackingReport:
    """The ledger merged with the newest progress notes as of ``as_of``; overdue tasks flagged."""
    book = ledger or measure_ledger()
    notes = newest_progress(session, as_of)
    names = {d.code: d.name for d in load_departments().departments}
    rows: list[TrackingRow] = []
    for m in book.measures:
        note = notes.get(m.id)
        done = note.done if note is not None else m.done
        task = m.status != "retain" and m.deadline is not None and not done
        rows.append(
            TrackingRow(
                id=m.id,
                name=m.name,
                kind=m.kind,
                kind_label=KIND_LABELS[m.kind],
                scenario=m.scenario,
                scenario_label=book.scenarios[m.scenario],
                lists=list(m.lists),
                department=m.department,
                department_name=names.get(m.department, m.department),
                basis=[f"{b.document}{b.article}" for b in m.legal_basis],
                status=m.status,
                status_label=STATUS_LABELS[m.status],
                deadline=m.deadline,
                ledger_progress=m.progress,
                progress_note=note.note if note else None,
                progress_on=note.reported_on if note else None,
                progress_by=note.recorded_by if note else None,
                done=done,
                overdue=task and m.deadline is not None and as_of > m.deadline,
                days_left=(m.deadline - as_of).days if task and m.deadline is not None else None,
            )
        )
    counts = Counter(m.status for m in book.measures)
    return TrackingReport(
        version=book.version,
        as_of=as_of,
        by_status={STATUS_LABELS[s]: counts.get(s, 0) for s in STATUS_LABELS},
        overdue=[r.id for r in rows if r.overdue],
        measures=rows,
    )


def ledger_tracking(ctx: Context, as_of: date | None = None) -> TrackingReport:
    """``tracking_report`` for a reader with ``lists.read`` (staff of the list departments, regulators, the
    credit office); ``as_of`` defaults to today."""
    require(ctx, READ)
    return tracking_report(ctx.session, as_of or ctx.today)
