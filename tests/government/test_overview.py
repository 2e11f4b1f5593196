"""The government-integrity and campaigns overview (issue #11 item 7): every section's figures as of a date, read
from the #11 tables (rows inserted directly as setup: the overview reads the tables, not the services), rows that
did not exist yet left out, a contract or case closed after the date counted as open; the titled tables the page
and the exports share. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

import factories
from government import gov_factories as g
from xinyong.auth.context import Context
from xinyong.auth.permissions import PermissionDenied
from xinyong.campaigns.models import Campaign, CampaignTarget, RepeatViolatorRun
from xinyong.errors import InvalidInput
from xinyong.government import arrears, overview
from xinyong.government.arrears_schemas import EntryIn, PaymentIn
from xinyong.government.models import (
    EnforcementCase,
    EnforcementNotice,
    GovContract,
    GovContractTerm,
    GovIntegrityRecord,
)

AT = datetime(2026, 1, 1, 8, 0)
AS_OF = date(2026, 11, 27)


def contract(db: Session, body_id: int, n: int, signed: date, status: str = "performing", closed=None) -> GovContract:
    row = GovContract(
        contract_no=f"HT-{n}",
        title=f"合同{n}",
        body_id=body_id,
        counterparty_name="某企业",
        amount=Decimal("1000.00") * n,
        signed_on=signed,
        status=status,
        closed_on=closed,
        registered_by="setup",
        registered_at=AT,
    )
    db.add(row)
    db.flush()
    return row


def term(db: Session, contract_id: int, seq: int, due: date, done=None) -> None:
    db.add(
        GovContractTerm(contract_id=contract_id, seq=seq, kind="payment", description="付款", due_on=due, done_on=done)
    )


def case_(db: Session, notice_id: int, body_id: int, n: int, **extra: object) -> None:
    db.add(
        EnforcementCase(
            notice_id=notice_id,
            case_no=f"(2026)粤0113执{n}号",
            court="番禺区人民法院",
            body_id=body_id,
            applicant="申请人",
            amount=Decimal("500.00"),
            **extra,
        )
    )


@pytest.fixture
def seeded(db: Session, ctx: Context) -> dict[str, int]:
    office, soe = g.town_office(ctx), g.soe(ctx)
    c1 = contract(db, office.id, 1, date(2026, 1, 10))
    contract(db, office.id, 2, date(2026, 2, 10), "completed", date(2026, 11, 1))
    contract(db, soe.id, 3, date(2026, 12, 1))  # signed after AS_OF: not counted
    term(db, c1.id, 1, date(2026, 12, 10))  # due soon
    term(db, c1.id, 2, date(2026, 10, 1))  # overdue
    term(db, c1.id, 3, date(2026, 9, 1), done=date(2026, 9, 1))  # done
    notice = EnforcementNotice(
        period="2026-10",
        court="番禺区人民法院",
        file_name="n.csv",
        digest="d" * 64,
        cases=3,
        imported_by="s",
        imported_at=AT,
    )
    db.add(notice)
    db.flush()
    case_(
        db,
        notice.id,
        office.id,
        1,
        filed_on=date(2026, 9, 1),
        status="assigned",
        unit_code=g.SHIQIAO,
        due_on=date(2026, 10, 1),
    )
    case_(
        db,
        notice.id,
        office.id,
        2,
        filed_on=date(2026, 9, 1),
        status="closed",
        unit_code=g.SHIQIAO,
        closed_on=date(2026, 10, 20),
    )
    case_(db, notice.id, soe.id, 3, filed_on=date(2026, 9, 5), status="open")
    for n, (day, kind) in enumerate(
        [
            (date(2026, 10, 3), "enforcement_case"),
            (date(2026, 10, 9), "arrears_overdue"),
            (date(2025, 5, 1), "contract_default"),
        ],
        start=1,
    ):
        db.add(
            GovIntegrityRecord(
                body_id=office.id,
                source_kind=kind,
                source_id=n,
                summary="s",
                occurred_on=day,
                recorded_by="s",
                recorded_at=AT,
            )
        )
    camp = Campaign(
        code="ZX-2026-1",
        name="商贸流通领域专项治理",
        sectors=["trade"],
        lead_unit="kgsxj",
        units=[g.SHIQIAO],
        starts_on=date(2026, 3, 1),
        ends_on=date(2026, 12, 31),
        status="active",
        created_by="s",
        created_at=AT,
    )
    db.add(camp)
    db.flush()
    firm = factories.company(ctx, "番禺某商行有限公司", 5)
    for i, status in enumerate(("in_scope", "rectified", "rectified")):
        db.add(
            CampaignTarget(
                campaign_id=camp.id,
                subject_id=firm.id,
                case_ref=f"C{i}",
                sector="trade",
                source="manual",
                status=status,
                added_by="s",
                added_at=AT,
            )
        )
    for day, subjects in ((date(2026, 10, 1), 4), (date(2026, 11, 1), 7), (date(2026, 12, 1), 9)):
        db.add(
            RepeatViolatorRun(
                as_of=day,
                min_count=3,
                window_days=365,
                items=[],
                rule_version=1,
                subjects=subjects,
                rows=subjects * 3,
                run_by="s",
                run_at=AT,
            )
        )
    e = arrears.record_entry(
        ctx, EntryIn(debtor_id=soe.id, creditor_name="某企业", amount=Decimal(300), arose_on=date(2026, 4, 1))
    )
    arrears.record_payment(ctx, e.id, PaymentIn(amount=Decimal(100), paid_on=date(2026, 5, 1)))
    db.flush()
    return {"office": office.id, "soe": soe.id}


def test_figures_as_of(db: Session, ctx: Context, seeded: dict[str, int]) -> None:
    o = overview.overview(ctx, AS_OF)
    contracts = {c.key: c for c in o.contracts_by_status}
    assert contracts["performing"].count == 1 and contracts["completed"].count == 1
    assert contracts["performing"].amount == Decimal("1000.00")
    assert o.terms_due_soon == 1 and o.terms_overdue == 1
    assert o.arrears.outstanding == Decimal("200.00") and o.arrears.new_arrears.count == 1
    assert {c.key: c.count for c in o.arrears.by_kind}["soe"] == 1
    cases = {c.key: c.count for c in o.cases_by_status}
    assert cases == {"open": 1, "assigned": 1, "rectifying": 0, "closed": 1}
    assert o.cases_overdue == 1
    shiqiao = next(u for u in o.cases_by_unit if u.unit_code == g.SHIQIAO)
    assert (shiqiao.open, shiqiao.closed, shiqiao.overdue) == (1, 1, 1)
    assert len(o.records_by_month) == 12 and o.records_by_month[-1].month == "2026-11"
    october = next(m for m in o.records_by_month if m.month == "2026-10")
    assert october.total == 2 and october.by_source["arrears_overdue"] == 1
    assert {c.key: c.count for c in o.records_by_source}["contract_default"] == 0  # 2025-05 is outside 12 months
    assert o.campaigns is not None and o.campaigns[0].targets["rectified"] == 2 and o.campaigns[0].total == 3
    assert o.latest_run is not None and o.latest_run.subjects == 7  # the run dated after AS_OF is not seen


def test_an_earlier_date_sees_less(db: Session, ctx: Context, seeded: dict[str, int]) -> None:
    o = overview.overview(ctx, date(2026, 10, 10))
    contracts = {c.key: c.count for c in o.contracts_by_status}
    assert contracts["performing"] == 2 and contracts["completed"] == 0  # completed on 2026-11-01
    cases = {c.key: c.count for c in o.cases_by_status}
    assert cases["closed"] == 0 and cases["rectifying"] == 1  # closed on 2026-10-20
    assert o.latest_run is not None and o.latest_run.subjects == 4
    assert o.arrears.cleared == Decimal("100.00")
    early = overview.overview(ctx, date(2026, 4, 15))
    assert early.arrears.cleared == 0 and early.arrears.new_arrears.amount == Decimal("300.00")


def test_tables_and_chart_data(db: Session, ctx: Context, seeded: dict[str, int]) -> None:
    o = overview.overview(ctx, AS_OF)
    tables = {t.key: t for t in overview.tables(o)}
    assert list(tables) == ["contracts", "arrears", "cases", "case_units", "records", "campaigns", "violators"]
    assert all(len(row) == len(t.headings) for t in tables.values() for row in t.rows)
    assert tables["violators"].rows[0][1] == 7
    chart = overview.chart_data(o)
    assert chart["records"]["months"][-1] == "2026-11" and chart["arrears"]["new_count"] == 1


def test_who_reads(db: Session, ctx: Context, departments) -> None:
    officer = Context(session=db, actor="d", role="department_officer", department_id=departments[0].id)
    assert overview.overview(officer).campaigns == []
    with pytest.raises(PermissionDenied):
        overview.overview(Context(session=db, actor="b", role="bank", institution="某银行"))


def test_a_date_outside_the_platforms_years_is_refused(ctx: Context) -> None:
    """The 12-month series reaches back from ``as_of``: a year the platform does not answer for is a clear
    ``InvalidInput``, never a server error (found by the schemathesis run with ``as_of=0001-01-01``)."""
    with pytest.raises(InvalidInput) as err:
        overview.overview(ctx, date(1, 1, 1))
    assert err.value.field == "as_of"
