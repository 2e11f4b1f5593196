"""Reads of plans and tasks: for staff (``inspections.read``, own department for a department-bound regulator)
and for the public (``inspections.read_public``: published plans only, inspectors hidden, natural persons'
names masked, notes and the plan's author left out)."""

from __future__ import annotations

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import aliased

from xinyong.auth import audit, pii
from xinyong.auth.context import Context
from xinyong.auth.permissions import require
from xinyong.errors import InvalidInput, NotFound
from xinyong.subjects.models import Department, Subject
from xinyong.supervision import candidates
from xinyong.supervision.access import READ, READ_PUBLIC, bound_department, plan_or_404, require_scope
from xinyong.supervision.draw import candidates_text
from xinyong.supervision.models import InspectionPlan, InspectionTask, Inspector
from xinyong.supervision.rules import inspection_rules
from xinyong.supervision.schemas import PlanOut, TaskOut

STATUS_LABELS: dict[str, str] = {"draft": "草拟", "drawn": "已抽取", "published": "已公示"}
NATURAL_PERSON = "natural_person"


def _counts(ctx: Context, plan_ids: list[int]) -> dict[int, tuple[int, int]]:
    """Plan id → (tasks, results entered)."""
    if not plan_ids:
        return {}
    entered = func.sum(case((InspectionTask.result.is_not(None), 1), else_=0))
    rows = ctx.session.execute(
        select(InspectionTask.plan_id, func.count(), entered)
        .where(InspectionTask.plan_id.in_(plan_ids))
        .group_by(InspectionTask.plan_id)
    ).all()
    return {int(p): (int(n), int(e or 0)) for p, n, e in rows}


def plan_out(plan: InspectionPlan, department_name: str, counts: tuple[int, int], *, public: bool = False) -> PlanOut:
    """The API shape of a plan (the public's without the author)."""
    item = inspection_rules().item(plan.item_code)
    return PlanOut(
        id=plan.id,
        title=plan.title,
        department_id=plan.department_id,
        department_name=department_name,
        item_code=plan.item_code,
        item_label=item.label if item else plan.item_code,
        as_of=plan.as_of,
        model=plan.model,
        evaluation_run_id=plan.evaluation_run_id,
        ratios=dict(plan.ratios),
        filters=dict(plan.filters),
        seed=plan.seed,
        algorithm=plan.algorithm,
        rules_version=plan.rules_version,
        status=plan.status,
        status_label=STATUS_LABELS.get(plan.status, plan.status),
        candidates_hash=plan.candidates_hash,
        candidates_by_grade=plan.candidates_by_grade,
        drawn_by_grade=plan.drawn_by_grade,
        starts_on=plan.starts_on,
        ends_on=plan.ends_on,
        created_by="" if public else plan.created_by,
        created_at=plan.created_at,
        drawn_at=plan.drawn_at,
        published_at=plan.published_at,
        tasks=counts[0],
        results_entered=counts[1],
        lock_version=plan.lock_version,
    )


def _plans(ctx: Context, stmt: Select[tuple[InspectionPlan, str]], *, public: bool = False) -> list[PlanOut]:
    rows = ctx.session.execute(stmt.order_by(InspectionPlan.id.desc())).all()
    counts = _counts(ctx, [p.id for p, _ in rows])
    return [plan_out(p, name, counts.get(p.id, (0, 0)), public=public) for p, name in rows]


def _plans_query() -> Select[tuple[InspectionPlan, str]]:
    return select(InspectionPlan, Department.name).join(Department, Department.id == InspectionPlan.department_id)


def one_plan(ctx: Context, plan: InspectionPlan, *, public: bool = False) -> PlanOut:
    """``plan_out`` of a loaded plan, with its department and counts."""
    department = ctx.session.get(Department, plan.department_id)
    return plan_out(
        plan, department.name if department else "", _counts(ctx, [plan.id]).get(plan.id, (0, 0)), public=public
    )


def list_plans(ctx: Context, status: str | None = None) -> list[PlanOut]:
    """Plans, newest first (of one status); a department-bound regulator sees its own department's."""
    own = bound_department(ctx)
    require_scope(ctx, own, READ)
    if status is not None and status not in STATUS_LABELS:
        raise InvalidInput(f"状态无效，可选：{'、'.join(STATUS_LABELS)}", field="status")
    stmt = _plans_query()
    if own is not None:
        stmt = stmt.where(InspectionPlan.department_id == own)
    if status is not None:
        stmt = stmt.where(InspectionPlan.status == status)
    return _plans(ctx, stmt)


def get_plan(ctx: Context, plan_id: int) -> PlanOut:
    """One plan for staff."""
    plan = plan_or_404(ctx, plan_id)
    require_scope(ctx, plan.department_id, READ)
    return one_plan(ctx, plan)


def _tasks_query(plan_id: int) -> Select:  # type: ignore[type-arg]
    a = aliased(Inspector, name="inspector_a")
    b = aliased(Inspector, name="inspector_b")
    return (
        select(InspectionTask, Subject.name, Subject.kind, Subject.uscc, a.name, b.name)
        .join(Subject, Subject.id == InspectionTask.subject_id)
        .join(a, a.id == InspectionTask.inspector_a_id)
        .join(b, b.id == InspectionTask.inspector_b_id)
        .where(InspectionTask.plan_id == plan_id)
        .order_by(InspectionTask.position)
    )


def task_out(
    task: InspectionTask, subject_name: str, kind: str, uscc: str | None, a: str, b: str, *, public: bool = False
) -> TaskOut:
    """The API shape of a task; the public's hides the inspectors, the grade and the note and masks a person's name."""
    result = inspection_rules().result(task.result) if task.result else None
    person = kind == NATURAL_PERSON
    return TaskOut(
        id=task.id,
        plan_id=task.plan_id,
        position=task.position,
        subject_id=task.subject_id,
        subject_name=pii.mask_name(subject_name) if public and person else subject_name,
        uscc=None if public and person else uscc,
        grade="" if public else task.grade,  # credit grades are for supervision, not published
        inspector_a="" if public else a,
        inspector_b="" if public else b,
        inspector_a_id=None if public else task.inspector_a_id,
        inspector_b_id=None if public else task.inspector_b_id,
        result=task.result,
        result_label=result.label if result else (task.result or None),
        result_note="" if public else task.result_note,
        inspected_on=task.inspected_on,
        record_id=task.record_id,
        lock_version=task.lock_version,
    )


def one_task(ctx: Context, task: InspectionTask) -> TaskOut:
    """``task_out`` of a loaded task, for staff."""
    row = ctx.session.execute(_tasks_query(task.plan_id).where(InspectionTask.id == task.id)).one()
    return task_out(*row)


def plan_tasks(ctx: Context, plan_id: int) -> list[TaskOut]:
    """A plan's tasks in draw order, with inspectors and results (staff)."""
    plan = plan_or_404(ctx, plan_id)
    require_scope(ctx, plan.department_id, READ)
    return [task_out(*row) for row in ctx.session.execute(_tasks_query(plan.id))]


def candidates_csv(ctx: Context, plan_id: int) -> bytes:
    """The plan's frozen candidate list in canonical form (``subject_id,grade`` lines by subject id): its
    SHA-256 is the published candidates hash. Staff only (the grades of every candidate); the read is audited."""
    plan = plan_or_404(ctx, plan_id)
    require_scope(ctx, plan.department_id, READ)
    if plan.status == "draft":
        raise InvalidInput("该计划尚未抽取，没有候选名单", field="plan_id")
    rows = candidates.frozen(ctx.session, plan.id)
    audit.record_read(ctx, "inspection_candidates", plan.id, {"candidates": len(rows)})
    return candidates_text(rows)


# --------------------------------------------------------------------------------------------- public
def _published(ctx: Context, plan_id: int) -> InspectionPlan:
    require(ctx, READ_PUBLIC)
    plan = plan_or_404(ctx, plan_id)
    if plan.status != "published":
        raise NotFound("抽查计划不存在或尚未公示", field="plan_id")
    return plan


def public_plans(ctx: Context) -> list[PlanOut]:
    """一公开: the published plans, newest first."""
    require(ctx, READ_PUBLIC)
    return _plans(ctx, _plans_query().where(InspectionPlan.status == "published"), public=True)


def public_plan(ctx: Context, plan_id: int) -> PlanOut:
    """One published plan with its seed, algorithm, candidate hash and counts."""
    return one_plan(ctx, _published(ctx, plan_id), public=True)


def public_tasks(ctx: Context, plan_id: int) -> list[TaskOut]:
    """The tasks and results of a published plan, as the public sees them."""
    plan = _published(ctx, plan_id)
    return [task_out(*row, public=True) for row in ctx.session.execute(_tasks_query(plan.id))]
