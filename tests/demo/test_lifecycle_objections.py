"""Demo objections: one case in each state planted through the services on penalties loaded through intake,
with real working-day deadlines, an overdue flag, a correction as a new version, reproducible from the seed."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from factories import company, uscc
from intake_rows import penalty_row
from xinyong.auth.context import Context
from xinyong.demo.lifecycle_objections import STORY, plant_objections
from xinyong.errors import Conflict
from xinyong.intake import service as intake
from xinyong.records.models import CreditRecord, Objection
from xinyong.subjects.departments import add_department

DEPT_USCC = uscc(9301, authority="1", org_type="1")


@pytest.fixture
def penalties(ctx: Context) -> None:
    """Twelve enterprise penalties decided on 2026-06-01, loaded through intake."""
    dept = add_department(ctx, "scjgj", "广州市番禺区市场监督管理局", uscc=DEPT_USCC)
    rows = []
    for n in range(1, 13):
        company(ctx, f"广州禾丰贸易{n}有限公司", n)
        rows.append(penalty_row(n, DEPT_USCC, decided_on="2026-06-01", valid_until="2027-05-31"))
    summary = intake.submit_rows(ctx, "penalty", dept.id, rows, channel="demo")
    assert summary.status == "loaded", summary.errors


@pytest.mark.usefixtures("penalties")
def test_one_case_in_each_state(ctx: Context) -> None:
    result = plant_objections(ctx, seed=3)
    db = ctx.session
    found = {o.id: o for o in db.scalars(select(Objection))}
    assert set(result.states) == set(STORY) and set(result.states.values()) == set(found)
    status = {state: (found[i].status, found[i].outcome) for state, i in result.states.items()}
    assert status == {
        "submitted": ("submitted", None),
        "late": ("submitted", None),
        "accepted": ("accepted", None),
        "verifying": ("verifying", None),
        "refused": ("closed", "refused"),
        "platform_fixed": ("closed", "platform_fixed"),
        "upheld": ("closed", "upheld"),
        "corrected": ("closed", "corrected"),
    }
    assert found[result.states["late"]].overdue and not found[result.states["submitted"]].overdue
    assert result.overdue >= 1
    [new_id] = result.new_record_ids
    newer = db.get(CreditRecord, new_id)
    assert newer is not None and newer.data["content"].endswith("（经异议核查更正）")
    # each state on a record of its own
    drawn = {state: found[i].record_id for state, i in result.states.items()}
    assert len(set(drawn.values())) == len(STORY)


def test_refused_without_records(ctx: Context) -> None:
    with pytest.raises(Conflict):
        plant_objections(ctx)
