"""Reads: the public sees published plans only, without inspectors, notes or the author, natural persons masked;
staff read tasks with inspectors, and the canonical candidate list whose SHA-256 is the published hash."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest
from sqlalchemy.orm import Session

from inspection_factories import District, plan_in
from xinyong.auth.context import Context
from xinyong.auth.permissions import PermissionDenied
from xinyong.errors import NotFound
from xinyong.supervision import service
from xinyong.supervision.models import InspectionTask
from xinyong.supervision.queries import task_out
from xinyong.supervision.schemas import ResultIn


def public(db: Session) -> Context:
    return Context(session=db, actor="anonymous", role="public")


def test_public_sees_published_plans_only(ctx: Context, db: Session, district: District) -> None:
    draft = service.create_plan(ctx, plan_in(district.scjgj, title="草拟计划"))
    drawn = service.create_plan(ctx, plan_in(district.scjgj, title="已抽取计划"))
    drawn = service.draw_plan(ctx, drawn.id, drawn.lock_version)
    shown = service.create_plan(ctx, plan_in(district.scjgj, title="已公示计划"))
    shown = service.draw_plan(ctx, shown.id, shown.lock_version)
    shown = service.publish_plan(ctx, shown.id, shown.lock_version)
    reader = public(db)
    assert [p.id for p in service.public_plans(reader)] == [shown.id]
    for hidden in (draft.id, drawn.id):
        with pytest.raises(NotFound):
            service.public_plan(reader, hidden)
        with pytest.raises(NotFound):
            service.public_tasks(reader, hidden)
    with pytest.raises(PermissionDenied):
        service.verify_plan(reader, drawn.id)
    seen = service.public_plan(reader, shown.id)
    assert (seen.seed, seen.candidates_hash, seen.created_by) == (shown.seed, shown.candidates_hash, "")
    assert service.verify_plan(reader, shown.id).tasks_match
    with pytest.raises(PermissionDenied):
        service.plan_tasks(reader, shown.id)


def test_public_tasks_hide_inspectors_and_notes(ctx: Context, db: Session, district: District) -> None:
    plan = service.create_plan(ctx, plan_in(district.scjgj))
    plan = service.draw_plan(ctx, plan.id, plan.lock_version)
    plan = service.publish_plan(ctx, plan.id, plan.lock_version)
    task = service.plan_tasks(ctx, plan.id)[0]
    assert task.inspector_a and task.inspector_a_id
    service.enter_result(
        ctx,
        task.id,
        ResultIn(result="no_problem", inspected_on=date(2026, 11, 27), note="现场核查", lock_version=task.lock_version),
    )
    seen = service.public_tasks(public(db), plan.id)[0]
    assert (seen.inspector_a, seen.inspector_b, seen.inspector_a_id, seen.inspector_b_id) == ("", "", None, None)
    assert (seen.result_label, seen.result_note, seen.subject_name) == ("未发现问题", "", task.subject_name)


def test_natural_persons_are_masked_for_the_public(ctx: Context, db: Session, district: District) -> None:
    plan = service.create_plan(ctx, plan_in(district.scjgj))
    plan = service.draw_plan(ctx, plan.id, plan.lock_version)
    row = db.get(InspectionTask, service.plan_tasks(ctx, plan.id)[0].id)
    assert row is not None
    shown = task_out(row, "王小明", "natural_person", None, "甲", "乙", public=True)
    staff = task_out(row, "王小明", "natural_person", None, "甲", "乙")
    assert (shown.subject_name, staff.subject_name, staff.inspector_a) == ("王**", "王小明", "甲")


def test_candidates_csv_hashes_to_the_published_hash(ctx: Context, db: Session, district: District) -> None:
    plan = service.create_plan(ctx, plan_in(district.scjgj))
    plan = service.draw_plan(ctx, plan.id, plan.lock_version)
    body = service.candidates_csv(ctx, plan.id)
    lines = body.decode().splitlines()
    assert len(lines) == 24 and all(line.count(",") == 1 for line in lines)
    assert [int(line.split(",")[0]) for line in lines] == sorted(int(line.split(",")[0]) for line in lines)
    assert hashlib.sha256(body).hexdigest() == plan.candidates_hash
