"""The register of public bodies (issue #11): registration links or creates the registry subject, codes and units
are checked, duplicates refused, ``find_body`` matches by code or normalised name only. SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

import factories
from government import gov_factories as g
from xinyong.auth.context import Context
from xinyong.auth.models import AuditEvent
from xinyong.auth.permissions import PermissionDenied
from xinyong.errors import Conflict, InvalidInput
from xinyong.government import bodies, records
from xinyong.subjects.models import Subject


def test_register_creates_or_links_the_subject(db: Session, ctx: Context) -> None:
    office = g.town_office(ctx)
    subject = db.get(Subject, office.subject_id)
    assert subject is not None and subject.kind == "government_body" and subject.uscc == office.uscc
    firm = factories.company(ctx, "广州市番禺交通建设投资有限公司", 7)
    soe = bodies.register_body(ctx, "广州市番禺交通建设投资有限公司", firm.uscc or "", "soe", "czj")
    assert soe.subject_id == firm.id  # the registry's own subject, not a second one
    events = db.scalars(select(AuditEvent.action).where(AuditEvent.action == "government.body"))
    assert len(list(events)) == 2


def test_bad_input_and_duplicates(db: Session, ctx: Context) -> None:
    g.town_office(ctx)
    with pytest.raises(Conflict, match="已在公共机构名录中"):
        g.town_office(ctx)
    with pytest.raises(InvalidInput, match="单位类别"):
        bodies.register_body(ctx, "某单位", g.body_uscc(5), "club", g.SHIQIAO)
    with pytest.raises(InvalidInput, match="不是已登记的部门或镇街"):
        bodies.register_body(ctx, "某单位", g.body_uscc(5), "organ", "all_towns")
    with pytest.raises(InvalidInput) as bad_code:
        bodies.register_body(ctx, "某单位", "123", "organ", g.SHIQIAO)
    assert bad_code.value.field == "uscc"


def test_find_by_code_or_normalised_name_only(db: Session, ctx: Context) -> None:
    office = g.town_office(ctx, 3)
    assert bodies.find_body(ctx, uscc=office.uscc.lower()) is office
    assert bodies.find_body(ctx, name=" 广州市番禺区测试３街道办事处 ") is office  # full-width digit, spaces
    assert bodies.find_body(ctx, name="广州市番禺区测试街道办事处") is None  # no guessing
    index = bodies.body_index(ctx)
    assert index[office.uscc] is office and len(index) == 2


def test_reassign_and_permissions(db: Session, ctx: Context) -> None:
    office = g.town_office(ctx)
    moved = bodies.reassign_body(ctx, office.id, g.DALONG)
    assert moved.unit_code == g.DALONG
    with pytest.raises(Conflict):
        bodies.reassign_body(ctx, office.id, g.DALONG)
    public = Context(session=db, actor="anon", role="public")
    with pytest.raises(PermissionDenied):
        bodies.list_bodies(public)
    officer = Context(session=db, actor="officer", role="department_officer", department_id=1)
    with pytest.raises(PermissionDenied):
        bodies.register_body(officer, "某单位", g.body_uscc(9), "organ", g.SHIQIAO)


def test_one_integrity_record_per_source(db: Session, ctx: Context, pinned_clock: object) -> None:
    office = g.town_office(ctx)
    first, created = records.record_default(ctx, office.id, "contract_default", 41, "合同违约", ctx.today)
    again, created_again = records.record_default(ctx, office.id, "contract_default", 41, "合同违约", ctx.today)
    assert created and not created_again and again.id == first.id
    assert [r.id for r in records.records_of(ctx, office.id)] == [first.id]
    with pytest.raises(InvalidInput):
        records.record_default(ctx, office.id, "gossip", 1, "x", ctx.today)


def test_the_daily_job_turns_overdue_arrears_into_records(db: Session, ctx: Context) -> None:
    """``records.jobs.run_daily`` runs the government steps (contracts, arrears, enforcement): an arrears entry long
    past its due date becomes one government-integrity record, and a re-run adds none."""
    from datetime import date
    from decimal import Decimal

    from xinyong.government import arrears
    from xinyong.government.arrears_schemas import EntryIn
    from xinyong.records.jobs import run_daily

    office = g.town_office(ctx)
    entry = arrears.record_entry(
        ctx,
        EntryIn(
            debtor_id=office.id,
            creditor_name="广州市番禺某建材有限公司",
            amount=Decimal("86000.00"),
            arose_on=date(2026, 3, 2),
            due_on=date(2026, 4, 1),
        ),
    )
    first = run_daily(ctx, ctx.today)
    assert {"government_contracts", "arrears_overdue", "enforcement_records"} <= set(first.steps)
    assert first.steps["arrears_overdue"] == 1
    made = records.records_of(ctx, office.id)
    assert [(r.source_kind, r.source_id) for r in made] == [("arrears_overdue", entry.id)]
    assert run_daily(ctx, ctx.today).steps["arrears_overdue"] == 0
