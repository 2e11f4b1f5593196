"""The demo's evaluations step: industries assigned by one audited bulk rule set, the general model run for the
last twelve month-ends and every industry model for the latest, deterministically per seed."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from xinyong.auth.context import Context
from xinyong.auth.models import AuditEvent
from xinyong.demo.lifecycle_evaluations import MONTHS, plant_evaluations
from xinyong.demo.service import load_demo
from xinyong.evaluation.models import EvaluationRun
from xinyong.subjects.models import Subject


def test_the_demo_assigns_industries_and_runs_monthly_evaluations(ctx: Context) -> None:
    summary = load_demo(ctx, 1000, 7, records=1.0)
    assert summary.lifecycle is not None and summary.lifecycle.skipped == {}
    assert summary.lifecycle.evaluations == MONTHS + 3
    db = ctx.session
    industries = dict(
        db.execute(
            select(Subject.industry, func.count()).where(Subject.industry.is_not(None)).group_by(Subject.industry)
        ).all()
    )
    assert industries["construction"] > 0 and industries["fire_safety_service"] > 0
    named = db.scalars(select(Subject.name).where(Subject.industry == "construction")).all()
    assert all("建筑工程" in n or "装饰工程" in n for n in named)
    [event] = db.scalars(
        select(AuditEvent).where(AuditEvent.action == "subject.assign_industries").order_by(AuditEvent.id)
    ).all()
    assert event.detail["assigned"] == {k: industries.get(k, 0) for k in event.detail["assigned"]}
    runs = db.execute(select(EvaluationRun.model, EvaluationRun.as_of).order_by(EvaluationRun.id)).all()
    general = [day for model, day in runs if model == "general"]
    assert general[0] == date(2025, 11, 30) and general[-1] == date(2026, 10, 31) and len(general) == MONTHS
    assert sorted(m for m, d in runs if m != "general") == [
        "construction",
        "fire_safety_service",
        "off_campus_training",
    ]
    assert {d for m, d in runs if m != "general"} == {date(2026, 10, 31)}
    construction = db.scalar(select(EvaluationRun.subjects).where(EvaluationRun.model == "construction"))
    assert construction == industries["construction"] - db.scalar(
        select(func.count()).where(Subject.industry == "construction", Subject.kind == "individual_business")
    )
    again = plant_evaluations(ctx, 7)  # everyone with a matching name already has an industry
    assert sum(again.industries.values()) == 0 and len(again.runs) == MONTHS + 3
