"""``demo.lifecycle_scores.plant_scores``: runs as of the last three month-ends and today, the last current."""

from __future__ import annotations

from sqlalchemy import select

from incentives.scoring_setup import EXPECTED, build
from xinyong.auth.context import Context
from xinyong.demo.lifecycle_scores import plant_scores
from xinyong.incentives.models import PersonalScoreRun
from xinyong.subjects.models import Department


def test_plant_scores(ctx: Context, departments: tuple[Department, Department]) -> None:
    build(ctx, departments)
    assert plant_scores(ctx, 7) == len(EXPECTED)
    runs = ctx.session.scalars(select(PersonalScoreRun).order_by(PersonalScoreRun.id)).all()
    assert [r.as_of.isoformat() for r in runs] == ["2026-08-31", "2026-09-30", "2026-10-31", "2026-11-27"]
    assert [r.current for r in runs] == [False, False, False, True]
