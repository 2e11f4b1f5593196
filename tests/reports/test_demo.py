"""Demo reports: ``plant_reports`` issues the planned reports of demo enterprises through the service (own and
office-issued, public and special), each verifying as authentic; an empty registry is refused; SQLite and
PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from reports.world import World
from xinyong.auth.context import Context
from xinyong.demo.lifecycle_reports import PLANS, plant_reports
from xinyong.errors import Conflict
from xinyong.reports import service
from xinyong.reports.models import CreditReport


def test_reports_are_planted_and_verify(world: World) -> None:
    world.record("番市监罚〔2025〕1号", date(2025, 3, 1))
    assert plant_reports(world.ctx, 2021) == len(PLANS)
    reports = list(world.db.scalars(select(CreditReport).order_by(CreditReport.id)))
    assert [r.kind for r in reports] == [p.kind for p in PLANS]
    roles = [r.issued_role for r in reports]
    assert roles == ["subject"] * 3 + ["credit_office_staff"] * 2
    assert reports[0].subject_id == reports[1].subject_id == world.firm.id  # the enterprise with a penalty
    assert reports[0].content["facts"]["sections"][0]["violations_found"] is True
    assert reports[4].domains == ["social_insurance", "work_safety", "housing_construction"]
    public = Context(session=world.db, actor="public", role="public")
    assert all(service.verify_report(public, r.number, service.report_check_code(r)).authentic for r in reports)


def test_an_empty_registry_is_refused(ctx: Context) -> None:
    with pytest.raises(Conflict):
        plant_reports(ctx, 2021)


def test_a_report_issued_before_a_recent_penalty_shows_the_change(world: World) -> None:
    world.record("番市监罚〔2026〕77号", date(2026, 11, 10))
    assert plant_reports(world.ctx, 2021) == len(PLANS) + 1
    last = world.db.scalars(select(CreditReport).order_by(CreditReport.id.desc())).first()
    assert last is not None and last.kind == "public" and last.as_of == date(2026, 11, 5)
    assert last.number.startswith("PY-20261105-")
    result = service.verify_report(Context(session=world.db, actor="public", role="public"), last.number)
    assert result.authentic and result.facts_changed is True
    assert "行政处罚信息 番市监罚〔2026〕77号（2026-11-10）" in result.changes[0].added
