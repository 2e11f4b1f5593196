"""Actions on the work-plan ledger: loading a year's plan text and units' progress reports (audited).

* ``load_plan`` (``workplan.manage``): all-or-nothing. A text with errors is refused with every problem line by
  line (``PlanParseError``); the same text as the year's current version changes nothing; a different text
  becomes the next version (the old one is kept, no longer current).
* ``report_progress`` (``workplan.report``): only a unit named on the item (directly, or through a group such as
  各镇街 / 各部门 for a unit of that kind); a department officer reports for their own department only.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date

from sqlalchemy import func, select, update

from xinyong.auth import audit
from xinyong.auth.context import Context
from xinyong.auth.permissions import PermissionDenied, require
from xinyong.db.base import fetch_or_404
from xinyong.errors import Conflict, InvalidInput
from xinyong.records.cases import clean_text
from xinyong.subjects.departments import own_unit_code
from xinyong.workplan.models import WorkPlan, WorkPlanItem, WorkPlanProgress, WorkPlanUnit
from xinyong.workplan.parser import ParsedPlan, Problem, parse_plan
from xinyong.workplan.queries import plan_out, progress_out
from xinyong.workplan.schemas import EVIDENCE_MAX, NOTE_MAX, LoadResult, ProgressOut
from xinyong.workplan.units import group_kind, unit_kind, unit_label

MANAGE = "workplan.manage"
REPORT = "workplan.report"
EARLIEST = date(2000, 1, 1)
TEXT_MAX = 200_000


class PlanParseError(InvalidInput):
    """The plan text has lines the parser cannot place; ``errors`` lists them (line, message)."""

    def __init__(self, problems: list[Problem]) -> None:
        lines = "；".join(f"第 {p.line} 行：{p.message}" if p.line else p.message for p in problems)
        super().__init__(f"工作要点文本有 {len(problems)} 处无法识别，未载入：{lines}", field="text")
        self.errors = problems
        self.extra = {"problems": [{"line": p.line, "item": p.item, "message": p.message} for p in problems]}


def _normalise(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").strip().split("\n"))


def load_plan(ctx: Context, text: str, year: int) -> LoadResult:
    """Parse and store ``text`` as the plan of ``year`` (see the module docstring). Audited when stored."""
    require(ctx, MANAGE)
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise InvalidInput(f"年份 {year!r} 无效（应为 2000–2100）", field="year")
    body = _normalise(text or "")
    if not body:
        raise InvalidInput("工作要点文本为空", field="text")
    clean_text(body, "工作要点文本", "text", max_len=TEXT_MAX)  # length and control characters
    parsed = parse_plan(body, year)
    if parsed.errors:
        raise PlanParseError(parsed.errors)
    digest = hashlib.sha256(body.encode("utf-8")).hexdigest()
    session = ctx.session
    current = session.scalars(select(WorkPlan).where(WorkPlan.year == year, WorkPlan.current.is_(True))).first()
    if current is not None and current.text_sha256 == digest:
        return LoadResult(created=False, plan=plan_out(session, current))
    version = (session.scalar(select(func.max(WorkPlan.version)).where(WorkPlan.year == year)) or 0) + 1
    session.execute(update(WorkPlan).where(WorkPlan.year == year).values(current=False))
    plan = _store(ctx, parsed, body, digest, version)
    audit.record(
        ctx,
        "workplan.load",
        "work_plan",
        str(plan.id),
        {
            "year": year,
            "version": version,
            "items": len(parsed.items),
            "sha256": digest,
            "warnings": len(parsed.warnings),
        },
    )
    return LoadResult(created=True, plan=plan_out(session, plan))


def _store(ctx: Context, parsed: ParsedPlan, body: str, digest: str, version: int) -> WorkPlan:
    session = ctx.session
    plan = WorkPlan(
        year=parsed.year,
        version=version,
        current=True,
        title=parsed.title[:200],
        text_sha256=digest,
        text=body,
        annexes=parsed.annexes,
        warnings=[{"line": p.line, "item": p.item, "message": p.message} for p in parsed.warnings],
        loaded_by=ctx.actor[:128],
        loaded_at=ctx.at.astimezone(UTC),
    )
    session.add(plan)
    session.flush()
    for it in parsed.items:
        item = WorkPlanItem(
            plan_id=plan.id,
            number=it.number,
            numeral=it.numeral,
            chapter=it.chapter[:200],
            title=it.title[:200],
            body=it.body,
            subtasks=[
                {
                    "text": t.text,
                    "deadline": t.deadline.isoformat() if t.deadline else None,
                    "units": [{"role": u.role, "name": u.name, "code": u.code, "kind": u.kind} for u in t.units],
                    "targets": [vars(g) for g in t.targets],
                }
                for t in it.subtasks
            ],
            targets=[vars(g) for g in it.targets],
            deadline=it.deadline(parsed.year),
            deadline_named=it.deadline_named,
        )
        session.add(item)
        session.flush()
        for u in it.units:
            session.add(WorkPlanUnit(item_id=item.id, role=u.role, name=u.name[:64], code=u.code, kind=u.kind))
    session.flush()
    return plan


def item_or_404(ctx: Context, item_id: int) -> WorkPlanItem:
    """The item with this id."""
    return fetch_or_404(ctx.session, WorkPlanItem, item_id, f"工作要点条目 {item_id} 不存在", "item_id")


def unit_allowed(units: list[WorkPlanUnit], code: str) -> bool:
    """Whether ``code`` is named on the item, directly or through a group of its kind."""
    kind = unit_kind(code)
    for u in units:
        if u.code == code and kind != "group":
            return True
        if u.code is not None and group_kind(u.code) == kind:
            return True
    return False


def report_progress(
    ctx: Context,
    item_id: int,
    unit_code: str,
    note: str,
    status: str = "in_progress",
    percent: int = 0,
    evidence: str = "",
    reported_on: date | None = None,
) -> ProgressOut:
    """A unit's progress report on an item (rules in the module docstring). Audited."""
    require(ctx, REPORT)
    item = item_or_404(ctx, item_id)
    plan = ctx.session.get(WorkPlan, item.plan_id)
    assert plan is not None
    code = (unit_code or "").strip()
    if ctx.role == "department_officer":
        own = own_unit_code(ctx, REPORT, "，不能报送工作要点进展")
        if code and code != own:
            raise PermissionDenied(ctx.role, REPORT, f"只能以本部门（{unit_label(own)}）名义报送进展")
        code = own
    if not code:
        raise InvalidInput("请选择报送单位", field="unit_code")
    kind = unit_kind(code)
    if kind in ("unknown", "group"):
        raise InvalidInput(f"报送单位代码“{code[:32]}”不是已登记的部门或镇街", field="unit_code")
    if not plan.current:
        raise Conflict(
            f"第（{item.numeral}）项属于已被新版本取代的 {plan.year} 年工作要点（第 {plan.version} 版），"
            "请在现行版本上报送"
        )
    units = list(ctx.session.scalars(select(WorkPlanUnit).where(WorkPlanUnit.item_id == item.id)))
    if not unit_allowed(units, code):
        reason = f"{unit_label(code)}不是第（{item.numeral}）项“{item.title}”的牵头、负责或配合单位，不能报送该项进展"
        if ctx.role == "department_officer":
            raise PermissionDenied(ctx.role, REPORT, reason)
        raise InvalidInput(reason, field="unit_code")
    if status not in ("in_progress", "done"):
        raise InvalidInput(f"进展状态“{status}”无效（应为 in_progress 或 done）", field="status")
    if not isinstance(percent, int) or not 0 <= percent <= 100:
        raise InvalidInput(f"完成进度 {percent!r} 无效（应为 0–100）", field="percent")
    text = clean_text(note, "进展情况", "note", max_len=NOTE_MAX, min_len=1)
    proof = clean_text(evidence, "佐证材料说明", "evidence", max_len=EVIDENCE_MAX)
    day = reported_on or ctx.today
    if day > ctx.today:
        raise InvalidInput(f"报送日期 {day.isoformat()} 晚于今天，不能预先报送", field="reported_on")
    if day < EARLIEST:
        raise InvalidInput(f"报送日期 {day.isoformat()} 早于 {EARLIEST.isoformat()}，请检查", field="reported_on")
    row = WorkPlanProgress(
        item_id=item.id,
        year=plan.year,
        item_number=item.number,
        unit_code=code,
        status=status,
        percent=100 if status == "done" else percent,
        note=text,
        evidence=proof,
        reported_on=day,
        recorded_by=ctx.actor[:128],
        recorded_at=ctx.at.astimezone(UTC),
    )
    ctx.session.add(row)
    ctx.session.flush()
    audit.record(
        ctx,
        "workplan.progress",
        "work_plan_item",
        str(item.id),
        {"unit": code, "status": status, "percent": row.percent, "reported_on": day.isoformat(), "year": plan.year},
    )
    return progress_out(row)
