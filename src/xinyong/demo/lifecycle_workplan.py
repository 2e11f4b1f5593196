"""Demo work-plan ledger (issue #12, item 2): the district's 2021 plan (``xinyong.workplan.data``) loaded through
``workplan.service.load_plan``, and progress reported on some of its items by their own lead or responsible units
during 2021, so the ledger shows items done, in progress and overdue after ``xinyong demo``.

Each story names an item by its number, the unit (a catalogue department code) and the reports' days, notes and
percentages; a unit the parsed plan does not list on that item is skipped (the plan text decides, not the demo).
Deterministic; the caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from xinyong.auth.context import Context
from xinyong.workplan import service
from xinyong.workplan.data import PLAN_2021_FILE
from xinyong.workplan.models import WorkPlanItem, WorkPlanUnit

YEAR = 2021


@dataclass(frozen=True)
class Report:
    """One progress report of a story."""

    day: date
    note: str
    status: str
    percent: int
    evidence: str = ""


STORIES: tuple[tuple[int, str, tuple[Report, ...]], ...] = (
    (
        11,
        "scjgj",
        (
            Report(
                date(2021, 4, 30),
                "完成一季度双公示数据报送与校核，合规率 99.2%。",
                "in_progress",
                30,
                "番市监〔2021〕45号",
            ),
            Report(
                date(2021, 9, 30), "重错码清理完成，重错码率降至 0.004%。", "in_progress", 70, "番市监〔2021〕132号"
            ),
        ),
    ),
    (
        11,
        "fgj",
        (
            Report(
                date(2021, 6, 30),
                "上半年数据归集通报已印发，双公示迟报率下降。",
                "in_progress",
                50,
                "番发改〔2021〕88号",
            ),
            Report(
                date(2021, 12, 20), "全年归集目标完成，资源目录更新至 2021 版。", "done", 100, "番发改〔2021〕210号"
            ),
        ),
    ),
    (
        2,
        "fgj",
        (Report(date(2021, 5, 31), "失信约束措施清单梳理完毕，形成台账。", "in_progress", 60, "番发改〔2021〕61号"),),
    ),
    (
        8,
        "rsj",
        (
            Report(
                date(2021, 7, 15),
                "拖欠农民工工资失信联合惩戒对象名单认定 2 件。",
                "in_progress",
                40,
                "番人社〔2021〕27号",
            ),
        ),
    ),
)


def plant_workplan(ctx: Context, seed: int) -> int:
    """Load the 2021 plan and plant the stories' progress reports; the number of reports planted."""
    del seed  # the stories are fixed: the plan is a real document, not random data
    loaded = service.load_plan(ctx, PLAN_2021_FILE.read_text(encoding="utf-8"), YEAR)
    planted = 0
    for number, unit, reports in STORIES:
        item_id = ctx.session.scalar(
            select(WorkPlanItem.id).where(WorkPlanItem.plan_id == loaded.plan.id, WorkPlanItem.number == number)
        )
        listed = ctx.session.scalar(
            select(WorkPlanUnit.id).where(WorkPlanUnit.item_id == item_id, WorkPlanUnit.code == unit).limit(1)
        )
        if item_id is None or listed is None:
            continue
        for r in reports:
            service.report_progress(ctx, item_id, unit, r.note, r.status, r.percent, r.evidence, r.day)
            planted += 1
    return planted
