"""Demo 失信案例核查: ``plant_cases`` plants cases in every stage and closed ones through the services, with links to
the subjects' records and list entries, dates within 2021–2026, overdue flags, and refuses an empty registry;
SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from factories import company
from list_factories import department, published_entry
from records_factories import make_batch, make_record
from xinyong.auth.context import Context
from xinyong.auth.models import AuditEvent
from xinyong.demo.lifecycle_cases import STORIES, plant_cases, planted_stages
from xinyong.errors import Conflict
from xinyong.lists.models import VerificationCase
from xinyong.records.cases import in_china
from xinyong.records.models import CaseEvent, Notification
from xinyong.subjects.models import Department


@pytest.fixture
def registry(db: Session, ctx: Context, departments: tuple[Department, Department]) -> None:
    """Twenty enterprises, each with a penalty record; five of them on the wage-arrears list."""
    market, _ = departments
    department(db, "rsj")
    batch = make_batch(db, market)
    for n in range(20):
        firm = company(ctx, f"广州演示案例{n:02d}有限公司", 1100 + n)
        make_record(
            db, batch, doc_no=f"番市监罚〔2026〕{1100 + n}号", decided_on=date(2026, 2, 2), subject=firm, row_no=n
        )
        if n < 5:
            published_entry(db, firm)


def test_cases_are_planted_in_every_stage_and_closed(db: Session, ctx: Context, registry: None) -> None:
    assert plant_cases(ctx, 2021) == len(STORIES)
    stages = planted_stages(ctx)
    assert stages == {
        "verify": 2,
        "record": 1,
        "supervise": 1,
        "punish": 1,
        "rectify": 1,
        "educate": 1,
        "closed": 6,
    }
    cases = db.scalars(select(VerificationCase).order_by(VerificationCase.id)).all()
    assert {c.outcome for c in cases if c.outcome} == {"rectified", "punished", "unfounded", "transferred", "merged"}
    assert any(c.record_id for c in cases) and any(c.list_entry_id for c in cases)
    days = [c.opened_on for c in cases] + [c.closed_on for c in cases if c.closed_on]
    days += [c.stage_due for c in cases if c.stage_due]
    days += [in_china(e.at).date() for e in db.scalars(select(CaseEvent).where(CaseEvent.case_type == "verification"))]
    assert min(days) >= date(2021, 1, 1) and max(days) <= date(2026, 12, 31)
    assert min(c.opened_on for c in cases).year == 2021
    overdue = db.scalar(
        select(func.count())
        .select_from(Notification)
        .where(Notification.case_type == "verification", Notification.kind == "overdue")
    )
    assert overdue >= 3  # 核查, 惩戒 and 教育 stories are past their due dates
    assert db.scalar(select(func.count()).where(AuditEvent.action == "verification.open")) == len(STORIES)
    with pytest.raises(Conflict, match="请勿重复登记"):  # the same seed again: the source references are taken
        plant_cases(ctx, 2021)


def test_the_same_seed_plants_the_same_cases(db: Session, ctx: Context, registry: None) -> None:
    def plant() -> list[tuple[object, ...]]:
        savepoint = db.begin_nested()
        plant_cases(ctx, 7)
        shown = [
            (c.subject_id, c.department_id, c.stage, c.owner, c.outcome, c.stage_due)
            for c in db.scalars(select(VerificationCase).order_by(VerificationCase.id))
        ]
        savepoint.rollback()
        return shown

    assert plant() == plant()


def test_an_empty_registry_is_refused(db: Session, ctx: Context) -> None:
    with pytest.raises(Conflict, match="请先载入演示数据"):
        plant_cases(ctx, 2021)
