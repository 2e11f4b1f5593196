"""Results: entered on published plans only, validated, versioned, and loaded as ``inspection_result`` credit records
(a correction is a new version under the same document number)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from inspection_factories import TODAY, District, officer, plan_in
from xinyong.auth.context import Context
from xinyong.auth.permissions import PermissionDenied
from xinyong.catalog.items import load_catalog
from xinyong.errors import Conflict, InvalidInput
from xinyong.records.cases import StaleCase
from xinyong.records.models import CreditRecord
from xinyong.records.publication import current_version
from xinyong.records.status import record_status
from xinyong.supervision import service
from xinyong.supervision.results import result_doc_no
from xinyong.supervision.rules import inspection_rules
from xinyong.supervision.schemas import PlanOut, ResultIn, TaskOut


def published(ctx: Context, district: District) -> PlanOut:
    plan = service.create_plan(ctx, plan_in(district.scjgj))
    plan = service.draw_plan(ctx, plan.id, plan.lock_version)
    return service.publish_plan(ctx, plan.id, plan.lock_version)


def enter(ctx: Context, task: TaskOut, result: str = "not_disclosed", **kw: object) -> TaskOut:
    values: dict[str, object] = {"result": result, "inspected_on": TODAY, "note": "年报未公示"} | kw
    values.setdefault("lock_version", task.lock_version)
    return service.enter_result(ctx, task.id, ResultIn.model_validate(values))


def test_result_becomes_a_credit_record_in_force(ctx: Context, db: Session, district: District) -> None:
    plan = published(ctx, district)
    task = service.plan_tasks(ctx, plan.id)[0]
    done = enter(officer(db, district.scjgj), task)
    assert (done.result, done.result_label, done.inspected_on) == ("not_disclosed", "未按规定公示应当公示的信息", TODAY)
    record = db.get(CreditRecord, done.record_id)
    assert record is not None
    assert (record.item_id, record.department_id, record.subject_id) == (
        "inspection_result",
        district.scjgj.id,
        task.subject_id,
    )
    assert (record.doc_no, record.category, record.decided_on) == (
        result_doc_no(task.id),
        "未按规定公示应当公示的信息",
        TODAY,
    )
    assert record.data["plan_no"] == str(plan.id) and record.data["inspection_item"] == "企业公示信息抽查"
    assert record_status(ctx, record, TODAY).code == "published"
    assert service.get_plan(ctx, plan.id).results_entered == 1


def test_a_correction_is_a_new_version_and_the_same_entry_changes_nothing(
    ctx: Context, db: Session, district: District
) -> None:
    task = service.plan_tasks(ctx, published(ctx, district).id)[0]
    first = enter(ctx, task)
    again = enter(ctx, first)
    assert (again.record_id, again.lock_version) == (first.record_id, first.lock_version)
    fixed = enter(ctx, first, "corrected", note="已责令改正")
    assert fixed.record_id != first.record_id and fixed.result == "corrected"
    versions = db.execute(
        select(CreditRecord.version, CreditRecord.category)
        .where(CreditRecord.doc_no == result_doc_no(task.id))
        .order_by(CreditRecord.version)
    ).all()
    assert [tuple(v) for v in versions] == [(1, "未按规定公示应当公示的信息"), (2, "发现问题已责令改正")]
    current = db.scalars(
        select(CreditRecord.id).where(CreditRecord.doc_no == result_doc_no(task.id), current_version())
    ).all()
    assert current == [fixed.record_id]


def test_results_wait_for_publication(ctx: Context, db: Session, district: District) -> None:
    plan = service.create_plan(ctx, plan_in(district.scjgj))
    plan = service.draw_plan(ctx, plan.id, plan.lock_version)
    task = service.plan_tasks(ctx, plan.id)[0]
    with pytest.raises(Conflict) as caught:
        enter(ctx, task)
    assert caught.value.code == "plan_not_published"
    assert (
        db.scalar(select(func.count()).select_from(CreditRecord).where(CreditRecord.item_id == "inspection_result"))
        == 0
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"result": "nonesuch"}, "result"),
        ({"inspected_on": date(2026, 11, 28)}, "inspected_on"),
        ({"note": "a\x00b"}, "note"),
    ],
)
def test_bad_results_are_refused(
    ctx: Context, db: Session, district: District, change: dict[str, object], field: str
) -> None:
    task = service.plan_tasks(ctx, published(ctx, district).id)[0]
    with pytest.raises(InvalidInput) as caught:
        enter(ctx, task, **change)
    assert caught.value.field == field
    assert service.plan_tasks(ctx, task.plan_id)[0].result is None


def test_inspection_before_the_plan_day_is_refused(ctx: Context, district: District) -> None:
    plan = service.create_plan(ctx, plan_in(district.scjgj, as_of=TODAY))
    plan = service.publish_plan(ctx, plan.id, service.draw_plan(ctx, plan.id, plan.lock_version).lock_version)
    task = service.plan_tasks(ctx, plan.id)[0]
    with pytest.raises(InvalidInput) as caught:
        enter(ctx, task, inspected_on=date(2026, 11, 26))
    assert caught.value.field == "inspected_on" and "2026-11-27" in caught.value.message


def test_stale_task_version_and_other_department_are_refused(ctx: Context, db: Session, district: District) -> None:
    task = service.plan_tasks(ctx, published(ctx, district).id)[0]
    enter(ctx, task)
    with pytest.raises(StaleCase):
        enter(ctx, task, "corrected")
    with pytest.raises(PermissionDenied):
        enter(officer(db, district.sfj), service.plan_tasks(ctx, task.plan_id)[0], "corrected")


def test_result_categories_match_the_catalogue_item() -> None:
    rules = inspection_rules()
    values = load_catalog().item("inspection_result").field("result").values
    assert [r.label for r in rules.results] == list(values)
    assert {r.code for r in rules.results if not r.problem} == {"no_problem", "no_activity"}
    assert [c.code for c in service.result_codes()] == [r.code for r in rules.results]
