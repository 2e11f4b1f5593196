"""Demo 一键查询 and 惩戒反馈 (issue #7): joint checks by the implementing departments on whatever list entries are in
force, and their feedback, planted through ``lists.checks`` so the check pages, the feedback dashboard and the
rates have data after ``xinyong demo``.

What ``plant_checks`` writes (deterministic for a seed on the same data):

* for up to ``LISTED`` enterprises with an entry in force today, one check each in a scenario where the ledger has
  a measure for one of its lists, made by that measure's implementing department when the department is
  registered (otherwise by the acting context);
* ``CLEAN`` checks of registered enterprises that are on no list (no hit, nothing to feed back);
* feedback on most measures returned: mostly applied, some not applied with a reason, a few left open so the
  dashboard shows a feedback rate below 100%.

Nothing is planted (0 returned) when no entry is in force. The caller commits.
"""

from __future__ import annotations

import dataclasses
import random

from sqlalchemy import select

from xinyong.auth.context import Context
from xinyong.lists.active import in_force
from xinyong.lists.checks import check, record_feedback
from xinyong.lists.measures import measure_ledger
from xinyong.lists.models import ListEntry
from xinyong.subjects.models import Department, Subject

LISTED = 40
CLEAN = 10
NOT_APPLIED_REASONS = (
    "该项目已于列入名单前完成招标，依法不予撤销",
    "经核实申请事项不属于该措施的适用范围",
    "主体已提出信用修复申请，待修复结果后处理",
)


def _as_department(ctx: Context, department: Department | None) -> Context:
    if department is None:
        return ctx
    return dataclasses.replace(
        ctx, actor=f"demo:{department.code}", role="department_officer", department_id=department.id, scopes=None
    )


def plant_checks(ctx: Context, seed: int) -> int:
    """Run joint checks on the entries in force and record feedback; the number of checks planted."""
    rng = random.Random(seed * 7919 + 7)
    session = ctx.session
    ledger = measure_ledger()
    departments = {d.code: d for d in session.scalars(select(Department))}
    stmt = (
        select(ListEntry.list_code, Subject.uscc)
        .join(Subject, Subject.id == ListEntry.subject_id)
        .where(in_force(ctx.today), Subject.uscc.is_not(None), ListEntry.role == "subject")
        .order_by(ListEntry.id)
    )
    listed = [(code, uscc) for code, uscc in session.execute(stmt) if uscc]
    if not listed:
        return 0
    picked = rng.sample(listed, min(LISTED, len(listed)))
    planted = 0
    for list_code, uscc in picked:
        measures = [m for m in ledger.measures if m.status != "abolish" and list_code in m.lists]
        if not measures:
            continue
        measure = rng.choice(measures)
        actor = _as_department(ctx, departments.get(measure.department))
        answer = check(actor, uscc, measure.scenario)
        planted += 1
        for returned in answer.measures:
            roll = rng.random()
            if roll < 0.15:
                continue  # feedback still owed
            if roll < 0.3:
                record_feedback(actor, answer.check_id, returned.id, False, rng.choice(NOT_APPLIED_REASONS))
            else:
                record_feedback(actor, answer.check_id, returned.id, True)
    on_lists = select(ListEntry.subject_id).where(in_force(ctx.today))
    clean = list(
        session.scalars(
            select(Subject.uscc)
            .where(Subject.uscc.is_not(None), Subject.id.not_in(on_lists), Subject.kind == "legal_person")
            .order_by(Subject.id)
            .limit(500)
        )
    )
    scenarios = list(ledger.scenarios)
    for uscc in rng.sample(clean, min(CLEAN, len(clean))):
        department = departments.get(rng.choice(("czj", "zjj", "scjgj")))
        if uscc:
            check(_as_department(ctx, department), uscc, rng.choice(scenarios))
            planted += 1
    return planted
