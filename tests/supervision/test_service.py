"""Plans on the service layer: create (validation, generated seed), draw (frozen candidates from the evaluation
run, per-grade counts, two inspectors per task, all or nothing), publish, stale versions, verify, preview."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from inspection_factories import TODAY, TOWNS, District, firm, officer, plan_in
from xinyong.auth.context import Context
from xinyong.auth.models import AuditEvent
from xinyong.auth.permissions import PermissionDenied
from xinyong.errors import Conflict, InvalidInput
from xinyong.evaluation.models import EvaluationRun
from xinyong.evaluation.service import run_evaluation
from xinyong.records.cases import StaleCase
from xinyong.subjects.models import Subject
from xinyong.supervision import draw as algorithm
from xinyong.supervision import service
from xinyong.supervision.models import InspectionCandidate, InspectionPlan, InspectionTask, Inspector
from xinyong.supervision.schemas import ConflictIn


def drawn(ctx: Context, district: District, **kw: object):
    plan = service.create_plan(ctx, plan_in(district.scjgj, **kw))
    return service.draw_plan(ctx, plan.id, plan.lock_version)


def test_create_plan_records_rules_model_filters_and_audit(ctx: Context, db: Session, district: District) -> None:
    plan = service.create_plan(ctx, plan_in(district.scjgj))
    assert (plan.status, plan.status_label, plan.seed, plan.algorithm) == (
        "draft",
        "草拟",
        "20261127",
        "xinyong-draw-1",
    )
    assert plan.ratios == {"A": "0.02", "B": "0.05", "C": "1", "D": "1"}
    assert (plan.model, plan.item_label, plan.rules_version, plan.tasks) == ("general", "企业公示信息抽查", 1, 0)
    assert plan.filters == {
        "statuses": ["存续"],
        "subject_kinds": ["individual_business", "legal_person"],
        "industries": [],
        "township_codes": [],
    }
    event = db.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert event is not None and event.action == "inspections.create_plan" and event.target_id == str(plan.id)


def test_seed_is_generated_and_stored_when_absent(ctx: Context, district: District) -> None:
    one = service.create_plan(ctx, plan_in(district.scjgj, seed=None))
    two = service.create_plan(ctx, plan_in(district.scjgj, seed=""))
    assert one.seed.isdigit() and len(one.seed) == 12 and two.seed.isdigit() and one.seed != two.seed


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"ratios": {"A": "0.02", "B": "0.05", "C": "1.5", "D": "1"}}, "ratios"),
        ({"ratios": {"A": "0.02", "B": "x", "C": "1", "D": "1"}}, "ratios"),
        ({"ratios": {"A": "0.02", "B": "0.05", "C": "1"}}, "ratios"),
        ({"seed": "a|b"}, "seed"),
        ({"item_code": "nonesuch"}, "item_code"),
        ({"item_code": "zj_jzsg"}, "item_code"),  # an item of 住建局, not of 市场监管局
        ({"industries": ["bakery"]}, "industries"),
        ({"township_codes": ["440113999"]}, "township_codes"),
        ({"subject_kinds": ["robot"]}, "subject_kinds"),
        ({"model": "nonesuch"}, "model"),
        ({"as_of": date(2026, 11, 28)}, "as_of"),
    ],
)
def test_bad_plan_input_is_refused_with_the_field(
    ctx: Context, db: Session, district: District, change: dict[str, object], field: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        service.create_plan(ctx, plan_in(district.scjgj, **change))
    assert caught.value.field == field and caught.value.message
    assert db.scalar(select(func.count()).select_from(InspectionPlan)) == 0


def test_draw_freezes_candidates_and_draws_ceil_per_grade(ctx: Context, db: Session, district: District) -> None:
    plan = drawn(ctx, district)
    run_id = db.scalar(select(EvaluationRun.id))
    assert (plan.status, plan.evaluation_run_id) == ("drawn", run_id)
    assert plan.candidates_by_grade == {"A": 20, "B": 0, "C": 4, "D": 0}
    assert plan.drawn_by_grade == {"A": 1, "B": 0, "C": 4, "D": 0}  # ceil(0.02 × 20) = 1, all of C
    frozen = db.execute(
        select(InspectionCandidate.subject_id, InspectionCandidate.grade)
        .where(InspectionCandidate.plan_id == plan.id)
        .order_by(InspectionCandidate.subject_id)
    ).all()
    expected = [algorithm.Candidate(s, g) for s, g in frozen]
    assert len(frozen) == 24 and plan.candidates_hash == algorithm.candidates_hash(expected)
    tasks = service.plan_tasks(ctx, plan.id)
    assert [t.position for t in tasks] == [1, 2, 3, 4, 5] and plan.tasks == 5
    assert {t.subject_id for t in tasks if t.grade == "C"} == {s.id for s in district.graded_c}
    reference = algorithm.draw(expected, algorithm.parse_ratios("A=0.02,B=0.05,C=1,D=1"), "20261127")
    assert [(t.subject_id, t.grade) for t in tasks] == [(c.subject_id, c.grade) for c in reference.drawn]


def test_every_task_has_two_distinct_eligible_inspectors(ctx: Context, db: Session, district: District) -> None:
    plan = drawn(ctx, district, ratios={"A": "1", "B": "1", "C": "1", "D": "1"})
    towns = dict(db.execute(select(Inspector.id, Inspector.township_code)).all())
    subject_towns = dict(db.execute(select(Subject.id, Subject.township_code)).all())
    loads: dict[int, int] = {}
    for task in service.plan_tasks(ctx, plan.id):
        pair = (task.inspector_a_id, task.inspector_b_id)
        assert pair[0] != pair[1] and task.inspector_a and task.inspector_b
        assert all(towns[i] != subject_towns[task.subject_id] for i in pair)
        for i in pair:
            loads[i] = loads.get(i, 0) + 1
    # the town rule narrows each task's choice: the loads stay close (within one without it, test_assignment)
    assert sum(loads.values()) == 48 and len(loads) == 6 and max(loads.values()) - min(loads.values()) <= 2


def test_no_evaluation_run_tells_to_run_the_evaluation(ctx: Context, db: Session, district: District) -> None:
    plan = service.create_plan(ctx, plan_in(district.scjgj, as_of=date(2026, 11, 1)))
    with pytest.raises(InvalidInput) as caught:
        service.draw_plan(ctx, plan.id, plan.lock_version)
    assert caught.value.field == "as_of" and "xinyong evaluate run --as-of 2026-11-01" in caught.value.message
    assert db.scalar(select(func.count()).select_from(InspectionCandidate)) == 0


def test_the_newest_run_on_or_before_the_plan_day_grades_it(ctx: Context, db: Session, district: District) -> None:
    later = run_evaluation(ctx, date(2026, 11, 27))  # a second run of the same day: the latest counts
    plan = drawn(ctx, district)
    assert plan.evaluation_run_id == later.run_id


def test_empty_pool_is_refused_and_nothing_is_stored(ctx: Context, db: Session, district: District) -> None:
    for inspector_id in district.inspectors:
        service.set_inspector_active(ctx, inspector_id, False)
    plan = service.create_plan(ctx, plan_in(district.scjgj))
    with pytest.raises(InvalidInput) as caught:
        service.draw_plan(ctx, plan.id, plan.lock_version)
    assert caught.value.field == "inspectors" and "为空" in caught.value.message
    assert db.scalar(select(func.count()).select_from(InspectionCandidate)) == 0
    assert service.get_plan(ctx, plan.id).status == "draft"


def test_a_task_without_two_eligible_inspectors_names_the_subject(
    ctx: Context, db: Session, district: District
) -> None:
    # keep only the two inspectors of 东环 (TOWNS[2]) and the first of 沙头: a 东环 firm has one eligible inspector
    keep = {i for i, t in db.execute(select(Inspector.id, Inspector.township_code)) if t == TOWNS[2]}
    keep.add(db.scalar(select(Inspector.id).where(Inspector.township_code == TOWNS[1]).order_by(Inspector.id)))
    for inspector_id in district.inspectors:
        if inspector_id not in keep:
            service.set_inspector_active(ctx, inspector_id, False)
    east = next(s for s in district.graded_c if s.township_code == TOWNS[2])
    plan = service.create_plan(ctx, plan_in(district.scjgj))
    with pytest.raises(InvalidInput) as caught:
        service.draw_plan(ctx, plan.id, plan.lock_version)
    assert east.name in caught.value.message and "不足 2 名" in caught.value.message
    assert db.scalar(select(func.count()).select_from(InspectionTask)) == 0
    assert db.scalar(select(func.count()).select_from(InspectionCandidate)) == 0
    assert service.get_plan(ctx, plan.id).status == "draft"


def test_recorded_conflicts_are_avoided(ctx: Context, db: Session, district: District) -> None:
    target = district.graded_c[0]
    eligible = [i for i, t in db.execute(select(Inspector.id, Inspector.township_code)) if t != target.township_code]
    for inspector_id in eligible[:2]:
        service.add_conflict(ctx, ConflictIn(inspector_id=inspector_id, subject_id=target.id, reason="近亲属任职"))
    plan = drawn(ctx, district)
    task = next(t for t in service.plan_tasks(ctx, plan.id) if t.subject_id == target.id)
    assert {task.inspector_a_id, task.inspector_b_id} == set(eligible[2:4])


def test_stale_versions_are_refused(ctx: Context, district: District) -> None:
    plan = service.create_plan(ctx, plan_in(district.scjgj))
    done = service.draw_plan(ctx, plan.id, plan.lock_version)
    with pytest.raises(StaleCase):
        service.publish_plan(ctx, plan.id, plan.lock_version)
    with pytest.raises(Conflict):
        service.draw_plan(ctx, plan.id, done.lock_version)
    published = service.publish_plan(ctx, plan.id, done.lock_version)
    assert (published.status, published.status_label, published.published_at is not None) == (
        "published",
        "已公示",
        True,
    )
    with pytest.raises(Conflict):
        service.publish_plan(ctx, plan.id, published.lock_version)


def test_publish_needs_a_draw(ctx: Context, district: District) -> None:
    plan = service.create_plan(ctx, plan_in(district.scjgj))
    with pytest.raises(Conflict) as caught:
        service.publish_plan(ctx, plan.id, plan.lock_version)
    assert "尚未抽取" in caught.value.message


def test_verify_reruns_the_draw_and_detects_tampering(ctx: Context, db: Session, district: District) -> None:
    plan = drawn(ctx, district)
    check = service.verify_plan(ctx, plan.id)
    assert (check.hash_matches, check.tasks_match, check.drawn, check.mismatches) == (True, True, 5, [])
    assert check.candidates_hash == plan.candidates_hash
    task = db.scalars(
        select(InspectionTask).where(InspectionTask.plan_id == plan.id, InspectionTask.position == 1)
    ).one()
    other = next(s for s in district.firms if s.id != task.subject_id and s not in district.graded_c)
    task.subject_id = other.id
    db.flush()
    tampered = service.verify_plan(ctx, plan.id)
    assert (tampered.hash_matches, tampered.tasks_match, tampered.mismatches) == (True, False, [1])


def test_a_new_subject_after_the_draw_does_not_change_the_verification(
    ctx: Context, db: Session, district: District
) -> None:
    plan = drawn(ctx, district)
    firm(ctx, 99)
    assert service.verify_plan(ctx, plan.id).hash_matches


def test_department_scope(ctx: Context, db: Session, district: District) -> None:
    other = officer(db, district.sfj)
    with pytest.raises(PermissionDenied):
        service.create_plan(other, plan_in(district.scjgj))
    own = officer(db, district.scjgj)
    plan = service.create_plan(own, plan_in(district.scjgj))
    with pytest.raises(PermissionDenied):
        service.get_plan(other, plan.id)
    assert [p.id for p in service.list_plans(own)] == [plan.id] and service.list_plans(other) == []
    assert [p.id for p in service.list_plans(officer(db, None, "credit_office_staff"))] == [plan.id]
    with pytest.raises(PermissionDenied):
        service.create_plan(officer(db, district.scjgj, "subject"), plan_in(district.scjgj))


def test_preview_is_the_plans_draw_and_stores_nothing(ctx: Context, db: Session, district: District) -> None:
    preview = service.preview_draw(ctx, TODAY, "A=0.02,B=0.05,C=1,D=1", "20261127", department_id=district.scjgj.id)
    assert db.scalar(select(func.count()).select_from(InspectionPlan)) == 0
    plan = drawn(ctx, district)
    assert preview.candidates_hash == plan.candidates_hash and preview.drawn_by_grade == plan.drawn_by_grade
    tasks = service.plan_tasks(ctx, plan.id)
    assert [(t["subject_id"], [i["id"] for i in t["inspectors"]]) for t in preview.tasks] == [
        (t.subject_id, [t.inspector_a_id, t.inspector_b_id]) for t in tasks
    ]
    bare = service.preview_draw(ctx, TODAY, "A=0.02,B=0.05,C=1,D=1", "20261127")
    assert all(t["inspectors"] == [] for t in bare.tasks) and bare.evaluation_run_id is not None


def test_preview_without_a_run_grades_transiently(ctx: Context, db: Session, district: District) -> None:
    day = date(2026, 11, 1)
    preview = service.preview_draw(ctx, day, "A=0,B=0,C=1,D=1", "7")
    assert preview.evaluation_run_id is None
    assert preview.candidates_by_grade == {"A": 20, "B": 0, "C": 4, "D": 0}
    assert db.scalar(select(func.count()).select_from(EvaluationRun)) == 1  # only the fixture's run


def test_draw_leaves_an_audit_event(ctx: Context, db: Session, district: District) -> None:
    plan = drawn(ctx, district)
    event = db.scalars(
        select(AuditEvent).where(AuditEvent.action == "inspections.draw_plan").order_by(AuditEvent.id)
    ).one()
    assert event.target_id == str(plan.id) and plan.candidates_hash in str(event.detail)
