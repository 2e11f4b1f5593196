"""Entering a task's result (检查结果) and loading it as a credit record of item ``inspection_result``.

Results are entered once the plan is published (the order of the issue: draw, publish, enter results): the
plan, its seed and its list are public first, and every result entered is public at once with the plan
(一公开), as a credit record and on the plan's public page alike. Re-entering a task's result corrects it: a
new version of the same record (document number ``XYCC`` + task id) through intake, as any correction.
"""

from __future__ import annotations

from xinyong.auth import audit
from xinyong.auth.context import Context
from xinyong.db.base import fetch
from xinyong.errors import Conflict, InvalidInput, NotFound
from xinyong.records.cases import flush_locked
from xinyong.records.generated import load_generated, subject_fields
from xinyong.records.models import CreditRecord
from xinyong.subjects.models import Department, Subject
from xinyong.supervision.access import RECORD_RESULT, TASK_LABEL, check_version, plan_or_404, require_scope, task_or_404
from xinyong.supervision.models import InspectionPlan, InspectionTask
from xinyong.supervision.queries import one_task
from xinyong.supervision.rules import RESULT_ITEM, ResultCode, inspection_rules
from xinyong.supervision.schemas import ResultIn, TaskOut

RESULT_CHANNEL = "inspection"  # intake_batch.channel (VARCHAR(16))
NOTE_MAX = 2000


def result_doc_no(task_id: int) -> str:
    """The document number of a task's result record (its natural key within the department)."""
    return f"XYCC{task_id:08d}"


def _note(value: str) -> str:
    text = (value or "").strip()
    if len(text) > NOTE_MAX:
        raise InvalidInput(f"检查情况说明过长（最多 {NOTE_MAX} 字）", field="note")
    if any((ord(ch) < 32 and ch not in "\n\r\t") or ord(ch) == 127 for ch in text):
        raise InvalidInput("检查情况说明含有不可见的控制字符", field="note")
    return text


def enter_result(ctx: Context, task_id: int, data: ResultIn) -> TaskOut:
    """Record (or correct) a task's result on the version the form was shown (``StaleCase`` otherwise); the result
    becomes a credit record of the plan's department. Entering the same result again changes nothing."""
    task = task_or_404(ctx, task_id)
    plan = plan_or_404(ctx, task.plan_id)
    require_scope(ctx, plan.department_id, RECORD_RESULT)
    check_version(task.lock_version, data.lock_version, TASK_LABEL)
    if plan.status != "published":
        raise Conflict("请先公示抽查计划与抽取名单，再录入检查结果", field="task_id", code="plan_not_published")
    rules = inspection_rules()
    result = rules.result(data.result.strip())
    if result is None:
        choices = "、".join(f"{r.code}（{r.label}）" for r in rules.results)
        raise InvalidInput(f"检查结果代码无效，可选：{choices}", field="result")
    if data.inspected_on > ctx.today:
        raise InvalidInput("检查日期不能晚于今天", field="inspected_on")
    if data.inspected_on < plan.as_of:
        raise InvalidInput(f"检查日期不能早于计划基准日 {plan.as_of.isoformat()}", field="inspected_on")
    note = _note(data.note)
    if (task.result, task.inspected_on, task.result_note) == (result.code, data.inspected_on, note):
        return one_task(ctx, task)
    correcting = task.result is not None
    previous = task.result
    with ctx.session.begin_nested():  # a record that cannot be loaded leaves the task as it was
        task.result = result.code
        task.inspected_on = data.inspected_on
        task.result_note = note
        task.entered_by = ctx.actor
        task.entered_at = ctx.at
        flush_locked(ctx, TASK_LABEL)  # a concurrent entry fails here, before the record is loaded
        task.record_id = _load_record(ctx, plan, task, result).id
        flush_locked(ctx, TASK_LABEL)
    audit.record(
        ctx,
        "inspections.correct_result" if correcting else "inspections.enter_result",
        "inspection_task",
        task.id,
        {
            "plan_id": plan.id,
            "result": result.code,
            "previous": previous,
            "problem": result.problem,
            "inspected_on": data.inspected_on.isoformat(),
            "record_id": task.record_id,
        },
    )
    return one_task(ctx, task)


def _load_record(ctx: Context, plan: InspectionPlan, task: InspectionTask, result: ResultCode) -> CreditRecord:
    """Load the result as an ``inspection_result`` record of the plan's department, through intake."""
    session = ctx.session
    department = fetch(session, Department, plan.department_id)
    subject = fetch(session, Subject, task.subject_id)
    if department is None or subject is None:
        raise NotFound("抽查计划的部门或检查对象不存在", field="task_id")
    item = inspection_rules().item(plan.item_code)
    row = subject_fields(subject, "检查结果记录", "task_id") | {
        "plan_no": str(plan.id),
        "plan_title": plan.title,
        "inspection_item": item.label if item else plan.item_code,
        "doc_no": result_doc_no(task.id),
        "result": result.label,
        "result_note": task.result_note,
        "inspected_on": task.inspected_on.isoformat() if task.inspected_on else "",
    }
    return load_generated(
        ctx, department, RESULT_ITEM, RESULT_CHANNEL, row, what="检查结果记录", code="result_not_loaded"
    )
