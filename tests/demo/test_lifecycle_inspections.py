"""Demo inspections: pools, conflicts and plans in every status planted through the supervision services, with
results entered on the published plan; the published draw verifies."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from inspection_factories import TOWNS, firm, penalise
from xinyong.auth.context import Context
from xinyong.demo.lifecycle_inspections import plant_inspections
from xinyong.errors import Conflict
from xinyong.evaluation.models import EvaluationRun
from xinyong.records.models import CreditRecord
from xinyong.subjects.models import Department
from xinyong.supervision import service
from xinyong.supervision.models import InspectorConflict


@pytest.fixture
def registry(ctx: Context, db: Session) -> None:
    """The three departments the demo plants pools for, and 30 firms (6 with a serious penalty)."""
    rows = [
        Department(code="scjgj", name="广州市番禺区市场监督管理局", uscc="11440113MB0000001X"),
        Department(code="xfdd", name="广州市番禺区消防救援大队", uscc="11440113MB0000003X"),
        Department(code="zjj", name="广州市番禺区住房和建设局", uscc="11440113MB0000004X"),
    ]
    db.add_all(rows)
    db.flush()
    for n in range(1, 31):
        subject = firm(ctx, n, TOWNS[n % 3])
        if n % 5 == 0:
            penalise(db, rows[0], subject, n)


def test_plants_pools_conflicts_and_plans_in_every_status(ctx: Context, db: Session, registry: None) -> None:
    planted = plant_inspections(ctx, seed=7)
    assert (planted.inspectors, planted.conflicts) == (20, 2)
    assert db.scalar(select(func.count()).select_from(InspectorConflict)) == 2
    assert db.scalar(select(func.count()).select_from(EvaluationRun)) == 1  # no run yet: the step ran one
    statuses = {p.status: p.id for p in service.list_plans(ctx)}
    assert statuses == planted.plans and set(statuses) == {"draft", "drawn", "published"}
    published = service.get_plan(ctx, planted.plans["published"])
    assert published.ratios == {"A": "0.02", "B": "0.05", "C": "1", "D": "1"} and published.seed == "demo7-1"
    assert published.drawn_by_grade is not None and published.drawn_by_grade["C"] == 6
    assert planted.results == published.results_entered == min(12, published.tasks) and planted.problems >= 1
    records = db.scalar(
        select(func.count()).select_from(CreditRecord).where(CreditRecord.item_id == "inspection_result")
    )
    assert records == planted.results
    assert service.verify_plan(ctx, published.id).tasks_match
    assert [t.subject_id for t in service.public_tasks(Context(session=db, actor="x", role="public"), published.id)]
    assert planted.tasks == published.tasks + service.get_plan(ctx, planted.plans["drawn"]).tasks


def test_without_departments_the_step_is_refused(ctx: Context, db: Session) -> None:
    with pytest.raises(Conflict):
        plant_inspections(ctx, seed=7)
