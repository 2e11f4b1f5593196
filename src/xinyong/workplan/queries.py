"""Reading the work-plan ledger: the year's current plan, each item's status as of a day, an item's detail.

Status of an item as of ``as_of`` (reports dated after it are ignored; the thresholds are
``rules/workplan.yaml`` ``status``):

* the item's *owners* are its lead units (牵头), or its responsible units (负责) when the text names no lead;
  a report counts for an owner when its unit is that owner or belongs to an owner group (各镇街 / 各部门);
* **done**: an owner's latest report says done; *percent*: the highest latest percent among owners' reports;
* **overdue**: not done and ``as_of`` is after the item's deadline;
* **at risk**: not done, at most ``at_risk_workdays`` working days (``xinyong.calendar``) left and percent below
  ``at_risk_percent``;
* **on track** otherwise.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.auth.context import Context
from xinyong.auth.permissions import require
from xinyong.calendar import WorkCalendar, load_calendar
from xinyong.db.base import fetch_or_404
from xinyong.errors import NotFound
from xinyong.workplan.models import WorkPlan, WorkPlanItem, WorkPlanProgress, WorkPlanUnit
from xinyong.workplan.schemas import (
    REPORT_STATUS_LABELS,
    STATUS_LABELS,
    ItemDetail,
    ItemRow,
    PlanOut,
    PlanStatus,
    ProblemOut,
    ProgressOut,
    SubtaskOut,
    TargetOut,
    UnitOut,
)
from xinyong.workplan.units import ROLE_LABELS, group_kind, unit_kind, unit_label, workplan_rules

READ = "workplan.read"


def plan_out(session: Session, plan: WorkPlan) -> PlanOut:
    """The API shape of a plan version."""
    count = len(session.scalars(select(WorkPlanItem.id).where(WorkPlanItem.plan_id == plan.id)).all())
    return PlanOut(
        id=plan.id,
        year=plan.year,
        version=plan.version,
        current=plan.current,
        title=plan.title,
        items=count,
        annexes=list(plan.annexes or []),
        warnings=[ProblemOut(**w) for w in plan.warnings or []],
        loaded_by=plan.loaded_by,
        loaded_at=plan.loaded_at,
    )


def progress_out(row: WorkPlanProgress) -> ProgressOut:
    """The API shape of a progress report."""
    return ProgressOut(
        id=row.id,
        item_id=row.item_id,
        item_number=row.item_number,
        unit_code=row.unit_code,
        unit_label=unit_label(row.unit_code),
        status=row.status,
        status_label=REPORT_STATUS_LABELS.get(row.status, row.status),
        percent=row.percent,
        note=row.note,
        evidence=row.evidence,
        reported_on=row.reported_on,
        recorded_by=row.recorded_by,
        recorded_at=row.recorded_at,
    )


def _unit_out(u: WorkPlanUnit | dict) -> UnitOut:
    role, name, code, kind = (
        (u["role"], u["name"], u["code"], u["kind"]) if isinstance(u, dict) else (u.role, u.name, u.code, u.kind)
    )
    return UnitOut(
        role=role,
        role_label=ROLE_LABELS.get(role, role),
        name=name,
        code=code,
        kind=kind,
        label=unit_label(code) if code else name,
    )


def current_plan(session: Session, year: int) -> WorkPlan:
    """The year's current plan version (404 if none was loaded)."""
    plan = session.scalars(select(WorkPlan).where(WorkPlan.year == year, WorkPlan.current.is_(True))).first()
    if plan is None:
        raise NotFound(f"{year} 年的工作要点尚未载入", field="year")
    return plan


def plan_years(session: Session) -> list[int]:
    """Years with a loaded plan, newest first."""
    return sorted(set(session.scalars(select(WorkPlan.year))), reverse=True)


def plan_versions(session: Session, year: int) -> list[PlanOut]:
    """Every loaded version of the year's plan, newest first."""
    rows = session.scalars(select(WorkPlan).where(WorkPlan.year == year).order_by(WorkPlan.version.desc()))
    return [plan_out(session, p) for p in rows]


def _reports(session: Session, year: int, as_of: date, number: int | None = None) -> list[WorkPlanProgress]:
    stmt = select(WorkPlanProgress).where(WorkPlanProgress.year == year, WorkPlanProgress.reported_on <= as_of)
    if number is not None:
        stmt = stmt.where(WorkPlanProgress.item_number == number)
    return list(session.scalars(stmt.order_by(WorkPlanProgress.reported_on, WorkPlanProgress.id)))


def _owners(units: list[WorkPlanUnit]) -> list[str]:
    leads = [u.code for u in units if u.role == "lead" and u.code]
    return leads or [u.code for u in units if u.role == "responsible" and u.code]


def _counts_for(owners: list[str], code: str) -> bool:
    kind = unit_kind(code)
    return any(o == code or group_kind(o) == kind for o in owners)


def _row(
    item: WorkPlanItem,
    units: list[WorkPlanUnit],
    reports: list[WorkPlanProgress],
    as_of: date,
    cal: WorkCalendar,
) -> ItemRow:
    rule = workplan_rules().status
    latest_by_unit: dict[str, WorkPlanProgress] = {}
    for r in reports:
        latest_by_unit[r.unit_code] = r
    owners = _owners(units)
    owner_reports = [r for code, r in latest_by_unit.items() if _counts_for(owners, code)]
    done = any(r.status == "done" for r in owner_reports)
    percent = max((r.percent for r in owner_reports), default=0)
    left = cal.workdays_between(as_of, item.deadline)
    if done:
        status = "done"
    elif as_of > item.deadline:
        status = "overdue"
    elif left <= rule.at_risk_workdays and percent < rule.at_risk_percent:
        status = "at_risk"
    else:
        status = "on_track"
    return ItemRow(
        id=item.id,
        number=item.number,
        numeral=item.numeral,
        chapter=item.chapter,
        title=item.title,
        deadline=item.deadline,
        deadline_named=item.deadline_named,
        units=[_unit_out(u) for u in units],
        status=status,
        status_label=STATUS_LABELS[status],
        percent=100 if done else percent,
        workdays_left=left,
        latest=progress_out(reports[-1]) if reports else None,
    )


def _items(session: Session, plan: WorkPlan) -> list[tuple[WorkPlanItem, list[WorkPlanUnit]]]:
    items = list(
        session.scalars(select(WorkPlanItem).where(WorkPlanItem.plan_id == plan.id).order_by(WorkPlanItem.number))
    )
    units: dict[int, list[WorkPlanUnit]] = {i.id: [] for i in items}
    stmt = select(WorkPlanUnit).where(WorkPlanUnit.item_id.in_(units)).order_by(WorkPlanUnit.id)
    for u in session.scalars(stmt):
        units[u.item_id].append(u)
    return [(i, units[i.id]) for i in items]


def plan_status(session: Session, year: int, as_of: date, since: date | None = None) -> PlanStatus:
    """Every item of the year's current plan with its status as of ``as_of``; ``since`` counts the reports
    dated in ``[since, as_of]`` per item (a notice's period)."""
    plan = current_plan(session, year)
    cal = load_calendar(session)
    reports = _reports(session, year, as_of)
    by_number: dict[int, list[WorkPlanProgress]] = {}
    for r in reports:
        by_number.setdefault(r.item_number, []).append(r)
    rows = []
    for item, units in _items(session, plan):
        row = _row(item, units, by_number.get(item.number, []), as_of, cal)
        if since is not None:
            row.reports_in_period = sum(1 for r in by_number.get(item.number, []) if r.reported_on >= since)
        rows.append(row)
    counts = Counter(r.status for r in rows)
    return PlanStatus(
        plan=plan_out(session, plan),
        as_of=as_of,
        counts={STATUS_LABELS[s]: counts.get(s, 0) for s in STATUS_LABELS},
        items=rows,
    )


def ledger(ctx: Context, year: int, as_of: date | None = None) -> PlanStatus:
    """``plan_status`` for a reader with ``workplan.read``; ``as_of`` defaults to today."""
    require(ctx, READ)
    return plan_status(ctx.session, year, as_of or ctx.today)


def item_detail(ctx: Context, item_id: int, as_of: date | None = None) -> ItemDetail:
    """An item with sub-tasks, targets, units by role, status as of the day and its whole progress history."""
    require(ctx, READ)
    item = fetch_or_404(ctx.session, WorkPlanItem, item_id, f"工作要点条目 {item_id} 不存在", "item_id")
    plan = ctx.session.get(WorkPlan, item.plan_id)
    assert plan is not None
    day = as_of or ctx.today
    units = list(
        ctx.session.scalars(select(WorkPlanUnit).where(WorkPlanUnit.item_id == item.id).order_by(WorkPlanUnit.id))
    )
    reports = _reports(ctx.session, plan.year, day, item.number)
    row = _row(item, units, reports, day, load_calendar(ctx.session))
    everything = _reports(ctx.session, plan.year, date.max, item.number)
    return ItemDetail(
        **row.model_dump(),
        body=item.body,
        subtasks=[
            SubtaskOut(
                text=t["text"],
                units=[_unit_out(u) for u in t["units"]],
                deadline=date.fromisoformat(t["deadline"]) if t["deadline"] else None,
                targets=[TargetOut(**g) for g in t["targets"]],
            )
            for t in item.subtasks
        ],
        targets=[TargetOut(**g) for g in item.targets],
        history=[progress_out(r) for r in everything],
        plan_year=plan.year,
        plan_version=plan.version,
        current=plan.current,
    )


def item_by_number(ctx: Context, year: int, number: int) -> int:
    """The id of item ``number`` of the year's current plan."""
    require(ctx, READ)
    plan = current_plan(ctx.session, year)
    found = ctx.session.scalar(
        select(WorkPlanItem.id).where(WorkPlanItem.plan_id == plan.id, WorkPlanItem.number == number)
    )
    if found is None:
        raise NotFound(f"{year} 年工作要点没有第 {number} 项", field="number")
    return found
