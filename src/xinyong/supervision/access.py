"""Who may act on which department's inspections, and loading plans, tasks and departments by an id a user typed.

A regulator (or department officer) whose context names a department may only manage the pool of, plan for,
enter results of and read the plans of that department; the credit office and the console operator any."""

from __future__ import annotations

from xinyong.auth.context import Context
from xinyong.auth.permissions import PermissionDenied, require_department
from xinyong.db.base import fetch_or_404
from xinyong.records.cases import StaleCase
from xinyong.subjects.models import Department
from xinyong.supervision.models import InspectionPlan, InspectionTask

READ = "inspections.read"
PLAN = "inspections.plan"
RECORD_RESULT = "inspections.record_result"
MANAGE_POOL = "inspections.manage_pool"
READ_PUBLIC = "inspections.read_public"
PLAN_LABEL = "该抽查计划"
TASK_LABEL = "该抽查任务"
DEPARTMENT_BOUND_ROLES = frozenset({"regulator", "department_officer"})


def bound_department(ctx: Context) -> int | None:
    """The department a department-bound actor is limited to, or None (credit office, console, unbound)."""
    return ctx.department_id if ctx.role in DEPARTMENT_BOUND_ROLES else None


def require_scope(ctx: Context, department_id: int | None, permission: str) -> None:
    """``require`` plus: a department-bound regulator or officer acts for its own department only."""
    require_department(ctx, department_id, permission)
    own = bound_department(ctx)
    if own is not None and own != department_id:
        raise PermissionDenied(ctx.role, permission, "只能管理本部门的抽查计划、检查人员和检查结果")


def department_or_404(ctx: Context, department_id: int) -> Department:
    return fetch_or_404(ctx.session, Department, department_id, "部门不存在，请从部门列表中选择", "department_id")


def plan_or_404(ctx: Context, plan_id: int) -> InspectionPlan:
    return fetch_or_404(ctx.session, InspectionPlan, plan_id, "抽查计划不存在", "plan_id")


def task_or_404(ctx: Context, task_id: int) -> InspectionTask:
    return fetch_or_404(ctx.session, InspectionTask, task_id, "抽查任务不存在", "task_id")


def check_version(current: int, expected: int, label: str) -> None:
    """The form's version must be the stored one (optimistic locking): ``StaleCase`` (409) otherwise."""
    if expected != current:
        raise StaleCase(label)
