"""Demo 异议 (issue #5): objections in every state planted through ``records.objections``, so the applicant's
list, the office's and the departments' queues, the overdue marks, a correction (a new version through intake)
and the notifications are there to look at after ``xinyong demo load``.

``plant_objections`` draws penalty records of enterprises (current versions, in force over the whole period the
story needs, not objected to before) with ``seed`` and plays each case out on its own days, counted back from
today, so every deadline is a real working-day deadline:

* ``submitted`` — submitted yesterday, waiting for acceptance;
* ``late`` — submitted eight days ago and never accepted: flagged overdue by the daily step;
* ``accepted`` — in the platform self-check;
* ``verifying`` — handed over to the data provider;
* ``refused`` — refused (不予受理) with a reason;
* ``platform_fixed`` — a platform error found in the self-check and fixed;
* ``upheld`` — verified by the provider, the record kept;
* ``corrected`` — verified and corrected: the provider's correction loaded through intake as a new version.

The applicant is the subject's own account (online); the office and the provider act as demo staff. The caller
commits.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import aliased

from xinyong.auth.context import Context
from xinyong.auth.permissions import require
from xinyong.clock import CHINA_TZ
from xinyong.errors import Conflict, InvalidInput
from xinyong.records import objections
from xinyong.records.models import CreditRecord, Objection
from xinyong.records.publication import current_version
from xinyong.records.status import in_force_condition
from xinyong.subjects.models import Department

# state → (days before today it was submitted, days of each later step after submission)
STORY: dict[str, tuple[int, tuple[int, ...]]] = {
    "submitted": (1, ()),
    "late": (8, ()),
    "accepted": (3, (1,)),
    "verifying": (10, (1, 2)),
    "refused": (20, (1,)),
    "platform_fixed": (25, (1, 2)),
    "upheld": (40, (1, 2, 9)),
    "corrected": (45, (1, 2, 8)),
}
LONGEST = max(days for days, _ in STORY.values())
CANDIDATES = 500
REASONS = (
    "该处罚决定已被复议机关撤销，请求删除该记录",
    "公示的处罚金额与处罚决定书不一致，请核实更正",
    "本单位法定代表人信息有误，请更正",
    "该违法行为已整改完毕且处罚已履行，公示内容与事实不符",
)
CONTACTS = ("13800138000", "020-84881234", "13926012345")


class ObjectionDemo(BaseModel):
    """What ``plant_objections`` planted."""

    seed: int
    states: dict[str, int] = Field(description="状态 → 异议编号")
    overdue: int = Field(description="每日任务标记的超期与提醒数")
    new_record_ids: list[int] = Field(description="核查更正产生的新版本记录")


def _candidates(ctx: Context, earliest: date) -> list[int]:
    """Enterprise penalties in force from ``earliest`` to today, never objected to, lowest ids first."""
    objected = aliased(Objection)
    never = (
        ~select(objected.id)
        .where(
            objected.item_id == CreditRecord.item_id,
            objected.department_id == CreditRecord.department_id,
            objected.doc_no == CreditRecord.doc_no,
        )
        .exists()
    )
    stmt = (
        select(CreditRecord.id)
        .where(
            CreditRecord.item_id == "penalty",
            CreditRecord.subject_id.is_not(None),
            CreditRecord.subject_kind == "legal_person",
            CreditRecord.decided_on < earliest,
            current_version(),
            in_force_condition(earliest),
            in_force_condition(ctx.today),
            never,
        )
        .order_by(CreditRecord.id)
        .limit(CANDIDATES)
    )
    return list(ctx.session.scalars(stmt))


def _moment(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=CHINA_TZ).astimezone(UTC)


def plant_objections(ctx: Context, *, seed: int = 20261127) -> ObjectionDemo:
    """Plant one objection in each state of ``STORY`` (see the module docstring); reproducible from ``seed`` on
    the same data. ``Conflict`` when there are not enough penalties of enterprises to draw from."""
    require(ctx, "demo.load")
    session = ctx.session
    today = ctx.today
    rng = random.Random(seed)
    pool = _candidates(ctx, today - timedelta(days=LONGEST + 1))
    if len(pool) < len(STORY):
        raise Conflict("演示异议需要若干公示中的企业行政处罚记录：请先载入演示数据（xinyong demo load）")
    rng.shuffle(pool)
    states: dict[str, int] = {}
    corrected: list[int] = []
    for state, (ago, steps) in STORY.items():
        record = session.get(CreditRecord, pool.pop())
        assert record is not None and record.subject_id is not None
        department = session.get(Department, record.department_id)
        assert department is not None
        submitted_on = today - timedelta(days=ago)
        days = [submitted_on + timedelta(days=d) for d in steps]
        applicant = Context(
            session=session,
            actor=f"demo:subject:{record.subject_id}",
            role="subject",
            subject_id=record.subject_id,
            at=_moment(submitted_on, 9),
        )

        def office(day: date) -> Context:
            return Context(session=session, actor="demo:office", role="credit_office_staff", at=_moment(day, 15))

        def provider(day: date, dept: Department = department) -> Context:
            return Context(
                session=session,
                actor=f"demo:{dept.code}",
                role="department_officer",
                department_id=dept.id,
                at=_moment(day, 16),
            )

        made = objections.submit_objection(
            applicant,
            record.id,
            REASONS[rng.randrange(len(REASONS))],
            "请核实后更正或删除",
            CONTACTS[rng.randrange(len(CONTACTS))],
            [],
        )
        oid = made.id
        plan: list[Callable[[], object]] = []
        if state in ("accepted", "verifying", "platform_fixed", "upheld", "corrected"):
            plan.append(lambda oid=oid, d=days[0]: objections.accept(office(d), oid, None))
        if state == "refused":
            plan.append(
                lambda oid=oid, d=days[0]: objections.refuse(
                    office(d), oid, "申请材料不能证明记录有误，且未说明具体理由", None
                )
            )
        if state == "platform_fixed":
            plan.append(
                lambda oid=oid, d=days[1]: objections.self_check(
                    office(d), oid, "platform_error", "归集时主体关联有误，已重新关联并更正展示", None
                )
            )
        if state in ("verifying", "upheld", "corrected"):
            plan.append(lambda oid=oid, d=days[1]: objections.self_check(office(d), oid, "pass_to_provider", "", None))
        if state == "upheld":
            plan.append(
                lambda oid=oid, d=days[2]: objections.verify(
                    provider(d), oid, "upheld", "经核查，处罚决定合法有效，记录无误", None, None
                )
            )
        for step in plan:
            step()
        if state == "corrected":
            content = str(record.data.get("content") or "处罚内容")
            try:
                with session.begin_nested():
                    objections.verify(
                        provider(days[2]),
                        oid,
                        "corrected",
                        "经核查，处罚内容表述有误，已更正",
                        {"content": f"{content}（经异议核查更正）"},
                        None,
                    )
            except InvalidInput:  # a demo record intake would not take again: keep the record instead
                objections.verify(provider(days[2]), oid, "upheld", "经核查，记录无误", None, None)
            if made.new_record_id is not None:
                corrected.append(made.new_record_id)
        states[state] = oid
    overdue = objections.flag_overdue(ctx, today)
    return ObjectionDemo(seed=seed, states=states, overdue=overdue, new_record_ids=corrected)
