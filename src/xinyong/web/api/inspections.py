"""``/api/v1/inspections``: 双随机、一公开 (issue #6) — the item library and result codes, the inspector pool
and its conflicts, plans (create, draw, publish, verify, tasks, the frozen candidate list), result entry, and
the public plans with their results.

The item library, the result codes and ``/public/...`` need no credential (``inspections.read_public``).
Everything else declares the shared security schemes (``inspections.*``: regulators and the credit office);
state changes by cookie also send ``X-CSRF-Token``. A draw, a publication and a result carry the
``lock_version`` the caller saw: 409 when someone else changed the plan or task first. The rules live in
``supervision.service``; this router parses and returns.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import Response

from xinyong.auth.context import Context
from xinyong.db.base import MAX_ID
from xinyong.supervision import service
from xinyong.supervision.schemas import (
    ConflictIn,
    ConflictOut,
    InspectionItemOut,
    InspectorIn,
    InspectorOut,
    PlanIn,
    PlanOut,
    ResultCodeOut,
    ResultIn,
    TaskOut,
    VerifyOut,
)
from xinyong.web.deps import get_public_context
from xinyong.web.errors import error_responses
from xinyong.web.security import CSRF, DENIED, SECURED, LoggedIn

router = APIRouter(prefix="/api/v1/inspections", tags=["双随机、一公开"])

PublicContext = Annotated[Context, Depends(get_public_context)]
PlanId = Annotated[int, Path(ge=1, le=MAX_ID, description="抽查计划编号")]
TaskId = Annotated[int, Path(ge=1, le=MAX_ID, description="抽查任务编号")]
InspectorId = Annotated[int, Path(ge=1, le=MAX_ID, description="检查人员编号")]
Status = Literal["draft", "drawn", "published"]
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
SECURED_CHANGE = [*SECURED, *CSRF]


class VersionIn(BaseModel):
    """The plan's ``lock_version`` as the caller saw it (optimistic locking)."""

    model_config = ConfigDict(extra="forbid")

    lock_version: int = Field(ge=1, le=MAX_ID, description="乐观锁版本号（计划详情中的 lock_version）")


# --------------------------------------------------------------------------------------------- rules
@router.get("/items", response_model=list[InspectionItemOut], summary="随机抽查事项清单")
def items() -> list[InspectionItemOut]:
    """The inspection item library (rules/inspections.yaml): the department, the basis, the subjects it covers."""
    return service.inspection_items()


@router.get("/result-codes", response_model=list[ResultCodeOut], summary="检查结果分类")
def result_codes() -> list[ResultCodeOut]:
    """The result categories a task's result is entered as, and whether each means a problem was found."""
    return service.result_codes()


# --------------------------------------------------------------------------------------------- the inspector pool
@router.get(
    "/inspectors",
    response_model=list[InspectorOut],
    summary="执法检查人员名录",
    dependencies=SECURED,
    responses=error_responses(*DENIED, 422),
)
def inspectors(
    ctx: LoggedIn,
    department_id: Annotated[int | None, Query(ge=1, le=MAX_ID, description="只列出该部门的人员")] = None,
) -> list[InspectorOut]:
    """The inspector pool with each officer's department, town, state and open tasks."""
    return service.list_inspectors(ctx, department_id)


@router.post(
    "/inspectors",
    response_model=InspectorOut,
    status_code=201,
    summary="新增执法检查人员",
    dependencies=SECURED_CHANGE,
    responses=error_responses(*DENIED, 404, 409, 422),
)
def add_inspector(data: InspectorIn, ctx: LoggedIn) -> InspectorOut:
    """Add an officer to the pool (badge numbers are unique within a department)."""
    return service.add_inspector(ctx, data)


@router.post(
    "/inspectors/{inspector_id}/deactivate",
    response_model=InspectorOut,
    summary="停用执法检查人员（不再参与抽取）",
    dependencies=SECURED_CHANGE,
    responses=error_responses(*DENIED, 404, 409, 422),
)
def deactivate_inspector(inspector_id: InspectorId, ctx: LoggedIn) -> InspectorOut:
    """The officer is no longer drawn for new tasks; tasks already assigned keep their inspectors."""
    return service.set_inspector_active(ctx, inspector_id, False)


@router.post(
    "/inspectors/{inspector_id}/activate",
    response_model=InspectorOut,
    summary="启用执法检查人员",
    dependencies=SECURED_CHANGE,
    responses=error_responses(*DENIED, 404, 409, 422),
)
def activate_inspector(inspector_id: InspectorId, ctx: LoggedIn) -> InspectorOut:
    """The officer may be drawn again."""
    return service.set_inspector_active(ctx, inspector_id, True)


@router.get(
    "/conflicts",
    response_model=list[ConflictOut],
    summary="回避关系清单",
    dependencies=SECURED,
    responses=error_responses(*DENIED, 422),
)
def conflicts(
    ctx: LoggedIn,
    inspector_id: Annotated[int | None, Query(ge=1, le=MAX_ID, description="只列出该检查人员的回避关系")] = None,
) -> list[ConflictOut]:
    """Recorded relationships that keep an inspector away from a subject."""
    return service.list_conflicts(ctx, inspector_id)


@router.post(
    "/conflicts",
    response_model=ConflictOut,
    status_code=201,
    summary="登记回避关系",
    dependencies=SECURED_CHANGE,
    responses=error_responses(*DENIED, 404, 409, 422),
)
def add_conflict(data: ConflictIn, ctx: LoggedIn) -> ConflictOut:
    """The inspector is never assigned to inspect the subject (e.g. a close relative works there)."""
    return service.add_conflict(ctx, data)


# --------------------------------------------------------------------------------------------- plans
@router.get(
    "/plans",
    response_model=list[PlanOut],
    summary="抽查计划列表",
    dependencies=SECURED,
    responses=error_responses(*DENIED, 422),
)
def plans(
    ctx: LoggedIn,
    status: Annotated[Status | None, Query(description="draft 草稿 / drawn 已抽取 / published 已公开")] = None,
) -> list[PlanOut]:
    """Plans, newest first."""
    return service.list_plans(ctx, status)


@router.post(
    "/plans",
    response_model=PlanOut,
    status_code=201,
    summary="制定抽查计划",
    dependencies=SECURED_CHANGE,
    responses=error_responses(*DENIED, 404, 409, 422),
)
def create_plan(data: PlanIn, ctx: LoggedIn) -> PlanOut:
    """A draft plan: the item, the day whose grades set the ratios, the per-grade ratios (each in [0, 1]), the
    seed (generated and published when not given) and the candidate filters."""
    return service.create_plan(ctx, data)


@router.get(
    "/plans/{plan_id}",
    response_model=PlanOut,
    summary="抽查计划详情",
    dependencies=SECURED,
    responses=error_responses(*DENIED, 404, 422),
)
def plan(plan_id: PlanId, ctx: LoggedIn) -> PlanOut:
    """One plan with its seed, algorithm, candidate hash and per-grade counts."""
    return service.get_plan(ctx, plan_id)


@router.post(
    "/plans/{plan_id}/draw",
    response_model=PlanOut,
    summary="抽取检查对象并匹配检查人员",
    dependencies=SECURED_CHANGE,
    responses=error_responses(*DENIED, 404, 409, 422),
)
def draw(plan_id: PlanId, data: VersionIn, ctx: LoggedIn) -> PlanOut:
    """Freeze the candidate list, draw per grade with the plan's seed, assign two inspectors to each task.
    Nothing is stored when the pool cannot staff every task (422/409 naming the task)."""
    return service.draw_plan(ctx, plan_id, data.lock_version)


@router.post(
    "/plans/{plan_id}/publish",
    response_model=PlanOut,
    summary="公开抽查计划（一公开）",
    dependencies=SECURED_CHANGE,
    responses=error_responses(*DENIED, 404, 409, 422),
)
def publish(plan_id: PlanId, data: VersionIn, ctx: LoggedIn) -> PlanOut:
    """Publish the drawn plan: seed, algorithm, candidate hash, counts, the drawn subjects and their results."""
    return service.publish_plan(ctx, plan_id, data.lock_version)


@router.get(
    "/plans/{plan_id}/verify",
    response_model=VerifyOut,
    summary="复核抽取结果（按公开的种子重新抽取）",
    dependencies=SECURED,
    responses=error_responses(*DENIED, 404, 409, 422),
)
def verify(plan_id: PlanId, ctx: LoggedIn) -> VerifyOut:
    """Re-run the draw from the stored seed and frozen candidates: does the candidate hash match, and is the
    drawn list the same task by task?"""
    return service.verify_plan(ctx, plan_id)


@router.get(
    "/plans/{plan_id}/tasks",
    response_model=list[TaskOut],
    summary="抽查任务（检查对象与检查人员）",
    dependencies=SECURED,
    responses=error_responses(*DENIED, 404, 422),
)
def tasks(plan_id: PlanId, ctx: LoggedIn) -> list[TaskOut]:
    """The drawn tasks in draw order, with their inspectors and results."""
    return service.plan_tasks(ctx, plan_id)


@router.get(
    "/plans/{plan_id}/candidates.csv",
    summary="下载检查对象名录（冻结的候选清单，用于核对哈希）",
    dependencies=SECURED,
    response_class=Response,
    responses={
        200: {"content": {"text/csv": {"schema": {"type": "string"}}}, "description": "候选清单"},
        **error_responses(*DENIED, 404, 409, 422),
    },
)
def candidates(plan_id: PlanId, ctx: LoggedIn) -> Response:
    """The canonical candidate list (``subject_id,grade`` lines sorted by id): its SHA-256 is the published
    candidate hash, so a colleague can check it and re-run the draw with the published seed."""
    body = service.candidates_csv(ctx, plan_id)
    return Response(
        body,
        media_type=CSV_MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="inspection-plan-{plan_id}-candidates.csv"'},
    )


# --------------------------------------------------------------------------------------------- results
@router.put(
    "/tasks/{task_id}/result",
    response_model=TaskOut,
    summary="录入或更正检查结果",
    dependencies=SECURED_CHANGE,
    responses=error_responses(*DENIED, 404, 409, 422),
)
def enter_result(task_id: TaskId, data: ResultIn, ctx: LoggedIn) -> TaskOut:
    """Enter the result on the task version the caller saw (409 when someone entered one first); the result
    becomes a credit record of the item 检查结果."""
    return service.enter_result(ctx, task_id, data)


# --------------------------------------------------------------------------------------------- 一公开
@router.get("/public/plans", response_model=list[PlanOut], summary="公开的抽查计划")
def public_plans(ctx: PublicContext) -> list[PlanOut]:
    """Published plans, newest first, with their seed, algorithm and candidate hash."""
    return service.public_plans(ctx)


@router.get(
    "/public/plans/{plan_id}", response_model=PlanOut, summary="公开的抽查计划详情", responses=error_responses(404, 422)
)
def public_plan(plan_id: PlanId, ctx: PublicContext) -> PlanOut:
    """One published plan (404 for a plan not published)."""
    return service.public_plan(ctx, plan_id)


@router.get(
    "/public/plans/{plan_id}/tasks",
    response_model=list[TaskOut],
    summary="公开的抽查对象与检查结果",
    responses=error_responses(404, 422),
)
def public_tasks(plan_id: PlanId, ctx: PublicContext) -> list[TaskOut]:
    """The drawn subjects of a published plan and their results; no inspector ids, natural persons masked."""
    return service.public_tasks(ctx, plan_id)


@router.get(
    "/public/plans/{plan_id}/verify",
    response_model=VerifyOut,
    summary="复核公开的抽取结果",
    responses=error_responses(404, 422),
)
def public_verify(plan_id: PlanId, ctx: PublicContext) -> VerifyOut:
    """Anyone re-runs a published plan's draw from its published seed and the frozen candidates (404 for a plan
    not published)."""
    service.public_plan(ctx, plan_id)
    return service.verify_plan(ctx, plan_id)
