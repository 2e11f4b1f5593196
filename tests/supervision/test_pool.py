"""The inspector pool: adding (unique badge per department, Panyu towns), deactivating, listing with open tasks,
conflicts, and the department scope of regulators."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from inspection_factories import District, officer, plan_in
from xinyong.auth.context import Context
from xinyong.auth.models import AuditEvent
from xinyong.auth.permissions import PermissionDenied
from xinyong.errors import Conflict, InvalidInput, NotFound
from xinyong.subjects.models import Department
from xinyong.supervision import service
from xinyong.supervision.schemas import ConflictIn, InspectorIn


def test_add_list_and_deactivate(ctx: Context, db: Session, departments: tuple[Department, Department]) -> None:
    scjgj, sfj = departments
    added = service.add_inspector(
        ctx, InspectorIn(name="陈  志强", department_id=scjgj.id, badge_no="SJ001", township_code="440113007")
    )
    assert (added.name, added.township_name, added.active, added.open_tasks) == ("陈 志强", "市桥街道", True, 0)
    service.add_inspector(ctx, InspectorIn(name="李秀英", department_id=sfj.id, badge_no="SJ001"))  # another department
    with pytest.raises(Conflict):
        service.add_inspector(ctx, InspectorIn(name="黄伟明", department_id=scjgj.id, badge_no="SJ001"))
    with pytest.raises(InvalidInput) as caught:
        service.add_inspector(
            ctx, InspectorIn(name="黄伟明", department_id=scjgj.id, badge_no="SJ002", township_code="110101001")
        )
    assert caught.value.field == "township_code"
    assert [i.badge_no for i in service.list_inspectors(ctx, scjgj.id)] == ["SJ001"]
    assert len(service.list_inspectors(ctx)) == 2
    off = service.set_inspector_active(ctx, added.id, False)
    assert off.active is False and service.list_inspectors(ctx, scjgj.id)[0].active is False
    actions = db.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions.count("inspections.add_inspector") == 2 and actions[-1] == "inspections.deactivate_inspector"


def test_a_regulator_manages_its_own_department_only(db: Session, departments: tuple[Department, Department]) -> None:
    scjgj, sfj = departments
    own = officer(db, scjgj)
    service.add_inspector(own, InspectorIn(name="陈志强", department_id=scjgj.id, badge_no="SJ001"))
    with pytest.raises(PermissionDenied):
        service.add_inspector(own, InspectorIn(name="李秀英", department_id=sfj.id, badge_no="SF001"))
    assert [i.department_id for i in service.list_inspectors(own)] == [scjgj.id]
    with pytest.raises(PermissionDenied):
        service.list_inspectors(own, sfj.id)
    with pytest.raises(PermissionDenied):
        service.list_inspectors(Context(session=db, actor="x", role="public"))


def test_conflicts_are_recorded_once_and_listed(ctx: Context, db: Session, district: District) -> None:
    inspector_id, subject = district.inspectors[0], district.firms[0]
    made = service.add_conflict(ctx, ConflictIn(inspector_id=inspector_id, subject_id=subject.id, reason="近亲属任职"))
    assert (made.inspector_name, made.subject_name, made.reason) == ("检查员0", subject.name, "近亲属任职")
    with pytest.raises(Conflict):
        service.add_conflict(ctx, ConflictIn(inspector_id=inspector_id, subject_id=subject.id, reason="再次登记"))
    with pytest.raises(NotFound):
        service.add_conflict(ctx, ConflictIn(inspector_id=inspector_id, subject_id=999999, reason="近亲属任职"))
    assert [c.id for c in service.list_conflicts(ctx, inspector_id)] == [made.id]
    assert [c.id for c in service.list_conflicts(ctx)] == [made.id]
    assert service.list_conflicts(officer(db, district.sfj)) == []


def test_open_tasks_count_the_unfinished_tasks(ctx: Context, district: District) -> None:
    plan = service.create_plan(ctx, plan_in(district.scjgj))
    service.draw_plan(ctx, plan.id, plan.lock_version)
    assert sum(i.open_tasks for i in service.list_inspectors(ctx, district.scjgj.id)) == 10
