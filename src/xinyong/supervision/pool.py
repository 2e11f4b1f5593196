"""执法检查人员名录库: adding, deactivating and listing inspectors, and recording conflicts (回避情形)."""

from __future__ import annotations

from sqlalchemy import func, select, union_all
from sqlalchemy.exc import IntegrityError

from xinyong.auth import audit
from xinyong.auth.context import Context
from xinyong.codes.divisions import township_by_code
from xinyong.db.base import fetch_or_404
from xinyong.errors import Conflict, InvalidInput
from xinyong.subjects.models import Department, Subject
from xinyong.supervision.access import (
    MANAGE_POOL,
    READ,
    bound_department,
    department_or_404,
    require_scope,
)
from xinyong.supervision.models import InspectionTask, Inspector, InspectorConflict
from xinyong.supervision.schemas import ConflictIn, ConflictOut, InspectorIn, InspectorOut


def open_task_counts(ctx: Context, inspector_ids: list[int] | None = None) -> dict[int, int]:
    """Inspector id → tasks without a result yet (as inspector A or B)."""
    a = select(InspectionTask.inspector_a_id.label("inspector_id")).where(InspectionTask.result.is_(None))
    b = select(InspectionTask.inspector_b_id.label("inspector_id")).where(InspectionTask.result.is_(None))
    if inspector_ids is not None:
        a = a.where(InspectionTask.inspector_a_id.in_(inspector_ids))
        b = b.where(InspectionTask.inspector_b_id.in_(inspector_ids))
    both = union_all(a, b).subquery("open")
    rows = ctx.session.execute(select(both.c.inspector_id, func.count()).group_by(both.c.inspector_id)).all()
    return {int(i): int(n) for i, n in rows}


def _out(inspector: Inspector, department: Department, open_tasks: int) -> InspectorOut:
    town = township_by_code(inspector.township_code) if inspector.township_code else None
    return InspectorOut(
        id=inspector.id,
        name=inspector.name,
        department_id=department.id,
        department_name=department.name,
        badge_no=inspector.badge_no,
        township_code=inspector.township_code,
        township_name=town.name if town else None,
        active=inspector.active,
        open_tasks=open_tasks,
    )


def _clean_name(value: str, label: str, field: str) -> str:
    text = " ".join(value.split())
    if len(text) < 2 or any(ord(ch) < 32 or ord(ch) == 127 for ch in text):
        raise InvalidInput(f"{label}应至少 2 个字且不含控制字符", field=field)
    return text


def add_inspector(ctx: Context, data: InspectorIn) -> InspectorOut:
    """Add an inspector to a department's pool (``inspections.manage_pool``, own department for a regulator)."""
    require_scope(ctx, data.department_id, MANAGE_POOL)
    department = department_or_404(ctx, data.department_id)
    name = _clean_name(data.name, "姓名", "name")
    badge = data.badge_no.strip()
    if not badge or any(ord(ch) < 32 for ch in badge):
        raise InvalidInput("执法证号不能为空", field="badge_no")
    if data.township_code is not None and township_by_code(data.township_code) is None:
        raise InvalidInput(f"镇街代码 {data.township_code} 不是番禺区的镇街", field="township_code")
    session = ctx.session
    taken = session.scalar(
        select(Inspector.id).where(Inspector.department_id == department.id, Inspector.badge_no == badge)
    )
    if taken is not None:
        raise Conflict(f"执法证号 {badge} 已在{department.name}的检查人员名录中", field="badge_no")
    row = Inspector(
        name=name,
        department_id=department.id,
        badge_no=badge,
        township_code=data.township_code,
        account_id=data.account_id,
        active=True,
        created_by=ctx.actor,
        created_at=ctx.at,
    )
    session.add(row)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        raise Conflict(f"执法证号 {badge} 已在{department.name}的检查人员名录中", field="badge_no") from None
    audit.record(
        ctx,
        "inspections.add_inspector",
        "inspector",
        row.id,
        {"department": department.code, "badge_no": badge, "township_code": data.township_code},
    )
    return _out(row, department, 0)


def inspector_or_404(ctx: Context, inspector_id: int) -> Inspector:
    return fetch_or_404(ctx.session, Inspector, inspector_id, "检查人员不存在", "inspector_id")


def set_inspector_active(ctx: Context, inspector_id: int, active: bool) -> InspectorOut:
    """Take an inspector out of (or back into) the draws. Tasks already assigned stay assigned."""
    inspector = inspector_or_404(ctx, inspector_id)
    require_scope(ctx, inspector.department_id, MANAGE_POOL)
    department = department_or_404(ctx, inspector.department_id)
    if inspector.active != active:
        inspector.active = active
        ctx.session.flush()
        action = "inspections.activate_inspector" if active else "inspections.deactivate_inspector"
        audit.record(ctx, action, "inspector", inspector.id, {"department": department.code})
    return _out(inspector, department, open_task_counts(ctx, [inspector.id]).get(inspector.id, 0))


def list_inspectors(ctx: Context, department_id: int | None = None) -> list[InspectorOut]:
    """The pool (of one department, or all for the credit office), by department then badge number; a
    department-bound regulator sees its own department's."""
    if department_id is None:
        department_id = bound_department(ctx)
    require_scope(ctx, department_id, READ)
    stmt = select(Inspector, Department).join(Department, Department.id == Inspector.department_id)
    if department_id is not None:
        stmt = stmt.where(Inspector.department_id == department_id)
    rows = ctx.session.execute(stmt.order_by(Department.code, Inspector.badge_no, Inspector.id)).all()
    loads = open_task_counts(ctx, [i.id for i, _ in rows]) if rows else {}
    return [_out(i, d, loads.get(i.id, 0)) for i, d in rows]


def add_conflict(ctx: Context, data: ConflictIn) -> ConflictOut:
    """Record that an inspector must not inspect a subject (回避): excluded from its tasks in every later draw."""
    inspector = inspector_or_404(ctx, data.inspector_id)
    require_scope(ctx, inspector.department_id, MANAGE_POOL)
    session = ctx.session
    subject = fetch_or_404(session, Subject, data.subject_id, "信用主体不存在", "subject_id")
    reason = " ".join(data.reason.split())
    if len(reason) < 2:
        raise InvalidInput("请填写回避事由", field="reason")
    exists = session.scalar(
        select(InspectorConflict.id).where(
            InspectorConflict.inspector_id == inspector.id, InspectorConflict.subject_id == subject.id
        )
    )
    if exists is not None:
        raise Conflict(f"已登记{inspector.name}与该主体的回避情形（编号 {exists}）", field="subject_id")
    row = InspectorConflict(
        inspector_id=inspector.id,
        subject_id=subject.id,
        reason=reason,
        recorded_by=ctx.actor,
        recorded_at=ctx.at,
    )
    session.add(row)
    session.flush()
    audit.record(
        ctx,
        "inspections.add_conflict",
        "inspector_conflict",
        row.id,
        {"inspector_id": inspector.id, "subject_id": subject.id},
    )
    return _conflict_out(row, inspector, subject)


def _conflict_out(row: InspectorConflict, inspector: Inspector, subject: Subject) -> ConflictOut:
    return ConflictOut(
        id=row.id,
        inspector_id=inspector.id,
        inspector_name=inspector.name,
        subject_id=subject.id,
        subject_name=subject.name,
        reason=row.reason,
        recorded_by=row.recorded_by,
        recorded_at=row.recorded_at,
    )


def list_conflicts(ctx: Context, inspector_id: int | None = None) -> list[ConflictOut]:
    """Recorded conflicts (of one inspector), newest first; a department-bound regulator sees its own
    department's inspectors' conflicts. Staff read personal relationships: the read is audited."""
    own = bound_department(ctx)
    if inspector_id is not None:
        require_scope(ctx, inspector_or_404(ctx, inspector_id).department_id, READ)
    else:
        require_scope(ctx, own, READ)
    stmt = (
        select(InspectorConflict, Inspector, Subject)
        .join(Inspector, Inspector.id == InspectorConflict.inspector_id)
        .join(Subject, Subject.id == InspectorConflict.subject_id)
    )
    if inspector_id is not None:
        stmt = stmt.where(InspectorConflict.inspector_id == inspector_id)
    elif own is not None:
        stmt = stmt.where(Inspector.department_id == own)
    rows = ctx.session.execute(stmt.order_by(InspectorConflict.id.desc())).all()
    audit.record_read(ctx, "inspector_conflict", inspector_id or "*", {"rows": len(rows)})
    return [_conflict_out(c, i, s) for c, i, s in rows]


def conflict_pairs(ctx: Context, department_id: int) -> list[tuple[int, int]]:
    """(inspector id, subject id) of every recorded conflict of a department's inspectors."""
    stmt = (
        select(InspectorConflict.inspector_id, InspectorConflict.subject_id)
        .join(Inspector, Inspector.id == InspectorConflict.inspector_id)
        .where(Inspector.department_id == department_id)
    )
    return [(int(i), int(s)) for i, s in ctx.session.execute(stmt)]


def active_pool(ctx: Context, department_id: int) -> list[Inspector]:
    """The department's active inspectors, by id."""
    stmt = select(Inspector).where(Inspector.department_id == department_id, Inspector.active.is_(True))
    return list(ctx.session.scalars(stmt.order_by(Inspector.id)))
