"""The enforcement demo step (issue #11 item 4): with town offices on the register, one notice of last month whose
cases are assigned to the towns, some rectified and closed; nothing without bodies; nothing on a second run; the
same cases for the same seed. SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from government import gov_factories as g
from government.enforcement_data import towns
from xinyong.auth.context import Context
from xinyong.demo.lifecycle_enforcement import CASES, plant_enforcement
from xinyong.government.models import EnforcementCase, EnforcementNotice

pytestmark = pytest.mark.usefixtures("pinned_clock")


def test_nothing_without_town_offices(db: Session, ctx: Context) -> None:
    assert plant_enforcement(ctx, 7) == 0
    g.soe(ctx)  # answered for by a department, not a town
    assert plant_enforcement(ctx, 7) == 0
    assert db.scalar(select(EnforcementNotice)) is None


def test_plants_one_notice_assigned_to_towns_some_closed(db: Session, ctx: Context) -> None:
    offices = towns(ctx)
    assert plant_enforcement(ctx, 7) == CASES
    notice = db.scalars(select(EnforcementNotice)).one()
    assert notice.period == "2026-10" and notice.cases == CASES
    cases = list(db.scalars(select(EnforcementCase).order_by(EnforcementCase.id)))
    assert {c.unit_code for c in cases} <= {b.unit_code for b in offices}
    statuses = [c.status for c in cases]
    assert statuses.count("closed") == 2 and statuses.count("rectifying") == 2 and statuses.count("assigned") == 1
    assert all(c.filed_on.strftime("%Y-%m") == "2026-10" for c in cases)
    assert plant_enforcement(ctx, 7) == 0
    first = [(c.case_no, c.body_id, c.amount) for c in cases]
    db.rollback()
    towns(ctx)
    plant_enforcement(ctx, 7)
    again = [(c.case_no, c.amount) for c in db.scalars(select(EnforcementCase).order_by(EnforcementCase.id))]
    assert again == [(n, a) for n, _, a in first]
