"""The demo's work-plan step: the 2021 plan loaded with its 18 items and the stories' progress reports."""

from __future__ import annotations

from sqlalchemy import func, select

from xinyong.auth.context import Context
from xinyong.demo.lifecycle_workplan import STORIES, plant_workplan
from xinyong.workplan.models import WorkPlan, WorkPlanItem, WorkPlanProgress


def test_the_plan_and_its_progress_are_planted(ctx: Context) -> None:
    planted = plant_workplan(ctx, 2021)
    assert planted == sum(len(reports) for _, _, reports in STORIES)
    plan = ctx.session.scalars(select(WorkPlan)).one()
    assert plan.year == 2021
    assert ctx.session.scalar(select(func.count()).select_from(WorkPlanItem)) == 18
    units = set(ctx.session.scalars(select(WorkPlanProgress.unit_code).where(WorkPlanProgress.item_number == 11)))
    assert units == {"scjgj", "fgj"}
