"""The arrears ledger (issue #11 item 3): entries against registered bodies only, payments never above what is
owed, clearing, disputes, the daily step into government-integrity records and the clearing figures as of a date
(the done-when journey: new arrears back to zero as of the clearing day, still one the day before). SQLite and
PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

import factories
from government import gov_factories as g
from xinyong.auth.context import Context
from xinyong.auth.models import AuditEvent
from xinyong.auth.permissions import PermissionDenied
from xinyong.errors import Conflict, InvalidInput
from xinyong.government import arrears, arrears_queries
from xinyong.government.arrears_rules import arrears_rules
from xinyong.government.arrears_schemas import DisputeIn, EntryIn, PaymentIn
from xinyong.government.models import GovIntegrityRecord

FIRM = "广州市番禺禾丰建材有限公司"


def entry(ctx: Context, debtor_id: int, amount: str = "100000", arose: date = date(2026, 3, 1), **extra: object):
    data = EntryIn(debtor_id=debtor_id, creditor_name=FIRM, amount=Decimal(amount), arose_on=arose, **extra)
    return arrears.record_entry(ctx, data)


def pay(ctx: Context, entry_id: int, amount: str, on: date):
    return arrears.record_payment(ctx, entry_id, PaymentIn(amount=Decimal(amount), paid_on=on))


def test_done_when_new_arrears_back_to_zero_as_of_the_clearing_day(db: Session, ctx: Context) -> None:
    soe = g.soe(ctx)
    e = entry(ctx, soe.id)
    assert arrears_queries.summary(ctx, date(2026, 11, 1)).new_arrears.count == 1
    pay(ctx, e.id, "40000", date(2026, 11, 20))
    pay(ctx, e.id, "60000", date(2026, 11, 26))
    assert e.status == "cleared" and e.cleared_on == date(2026, 11, 26)
    before = arrears_queries.summary(ctx, date(2026, 11, 25))
    assert before.new_arrears.count == 1 and before.new_arrears.amount == Decimal("60000.00")
    assert not before.new_arrears.met
    after = arrears_queries.summary(ctx, date(2026, 11, 26))
    assert after.new_arrears.count == 0 and after.new_arrears.amount == 0 and after.new_arrears.met
    assert after.total.cleared == Decimal("100000.00") and after.total.clearing_rate == 1.0
    assert arrears_queries.summary(ctx, date(2026, 2, 28)).total.entries == 0  # had not arisen yet


def test_figures_by_unit_and_kind_and_last_years_entries_are_not_new(db: Session, ctx: Context) -> None:
    soe = g.soe(ctx)
    office = g.town_office(ctx)
    entry(ctx, soe.id, "1000.10", date(2025, 6, 1))
    e2 = entry(ctx, office.id, "0.30", date(2026, 1, 5))
    pay(ctx, e2.id, "0.10", date(2026, 2, 1))
    pay(ctx, e2.id, "0.20", date(2026, 2, 2))  # float sums on SQLite must still clear exactly
    s = arrears_queries.summary(ctx, date(2026, 6, 30))
    assert s.total.entries == 2 and s.total.owed == Decimal("1000.40") and s.total.outstanding == Decimal("1000.10")
    assert s.new_arrears.count == 0
    kinds = {t.key: t for t in s.by_kind}
    assert kinds["soe"].outstanding == Decimal("1000.10") and kinds["organ"].open_entries == 0
    assert {t.key for t in s.by_unit} == {"czj", g.SHIQIAO}
    assert s.by_unit[0].key == "czj"  # most outstanding first


def test_entry_validation(db: Session, ctx: Context) -> None:
    soe = g.soe(ctx)
    with pytest.raises(InvalidInput, match="不在公共机构名录中"):
        arrears.record_entry(
            ctx, EntryIn(debtor_name="某未登记公司", creditor_name=FIRM, amount=Decimal(1), arose_on=date(2026, 1, 1))
        )
    with pytest.raises(InvalidInput, match="不能晚于今天"):
        entry(ctx, soe.id, arose=date(2026, 12, 1))
    with pytest.raises(InvalidInput, match="不能早于欠款发生日期"):
        entry(ctx, soe.id, due_on=date(2026, 2, 1))
    with pytest.raises(InvalidInput, match="未在主体库中登记"):
        arrears.record_entry(
            ctx,
            EntryIn(debtor_id=soe.id, creditor_uscc=factories.uscc(99), amount=Decimal(1), arose_on=date(2026, 1, 1)),
        )
    with pytest.raises(InvalidInput, match="本台账只记拖欠民营企业"):
        arrears.record_entry(
            ctx, EntryIn(debtor_id=soe.id, creditor_uscc=soe.uscc, amount=Decimal(1), arose_on=date(2026, 1, 1))
        )
    with pytest.raises(ValueError):
        EntryIn(debtor_id=soe.id, creditor_name=FIRM, amount=Decimal("-1"), arose_on=date(2026, 1, 1))


def test_creditor_by_code_and_default_due_day_from_the_statutory_term(db: Session, ctx: Context) -> None:
    firm = factories.company(ctx, FIRM, 3)
    office = g.town_office(ctx)
    soe = g.soe(ctx)
    e = arrears.record_entry(
        ctx, EntryIn(debtor_id=office.id, creditor_uscc=firm.uscc, amount=Decimal(5), arose_on=date(2026, 1, 1))
    )
    assert e.creditor_id == firm.id and e.creditor_name == FIRM
    assert (e.due_on - e.arose_on).days == arrears_rules().term_days("organ") == 30  # 条例第八条
    e2 = entry(ctx, soe.id, arose=date(2026, 1, 1))
    assert (e2.due_on - e2.arose_on).days == arrears_rules().term_days("soe")
    detail = arrears_queries.entry_detail(ctx, e.id)
    assert detail.creditor_uscc == firm.uscc and detail.overdue and detail.days_overdue > 0


def test_payments_never_above_outstanding_and_not_after_clearing(db: Session, ctx: Context) -> None:
    e = entry(ctx, g.soe(ctx).id, "100")
    with pytest.raises(InvalidInput, match="超过尚欠金额"):
        pay(ctx, e.id, "100.01", date(2026, 4, 1))
    with pytest.raises(InvalidInput, match="不能早于欠款发生日期"):
        pay(ctx, e.id, "1", date(2026, 2, 1))
    with pytest.raises(InvalidInput, match="不能晚于今天"):
        pay(ctx, e.id, "1", date(2026, 11, 28))
    pay(ctx, e.id, "100", date(2026, 4, 1))
    with pytest.raises(Conflict, match="已清偿完毕"):
        pay(ctx, e.id, "1", date(2026, 4, 2))
    detail = arrears_queries.entry_detail(ctx, e.id)
    assert [p.amount for p in detail.payments] == [Decimal("100.00")] and detail.outstanding == 0
    assert db.scalar(select(func.count()).where(AuditEvent.action == "arrears.payment")) == 1


def test_dispute_and_undispute(db: Session, ctx: Context) -> None:
    e = entry(ctx, g.soe(ctx).id)
    arrears.set_disputed(ctx, e.id, DisputeIn(disputed=True, reason="验收未通过，金额有争议"))
    assert e.status == "disputed" and "验收未通过" in e.description
    with pytest.raises(Conflict):
        arrears.set_disputed(ctx, e.id, DisputeIn(disputed=True, reason="再次"))
    arrears.set_disputed(ctx, e.id, DisputeIn(disputed=False, reason="已复核，金额确认"))
    assert e.status == "outstanding"
    assert [x.id for x in arrears_queries.list_entries(ctx, status="outstanding")] == [e.id]


def test_daily_step_records_overdue_entries_once(db: Session, ctx: Context) -> None:
    soe = g.soe(ctx)
    grace = arrears_rules().overdue_record.grace_days
    late = entry(ctx, soe.id, "500", due_on=date(2026, 6, 1))
    disputed = entry(ctx, soe.id, "600", due_on=date(2026, 6, 1))
    arrears.set_disputed(ctx, disputed.id, DisputeIn(disputed=True, reason="金额有争议"))
    entry(ctx, soe.id, "700", due_on=date(2026, 11, 20))  # within the grace
    paid = entry(ctx, soe.id, "800", due_on=date(2026, 6, 1))
    pay(ctx, paid.id, "800", date(2026, 5, 30))
    assert arrears.daily_step(ctx, date(2026, 6, 1) + timedelta(days=grace)) == 0  # the last day of grace
    assert arrears.daily_step(ctx, date(2026, 11, 27)) == 1
    assert arrears.daily_step(ctx, date(2026, 11, 27)) == 0
    record = db.scalar(select(GovIntegrityRecord))
    assert record is not None and record.source_id == late.id and record.body_id == soe.id
    assert record.amount == Decimal("500.00") and record.source_kind == "arrears_overdue"


def test_only_the_office_keeps_the_ledger(db: Session, ctx: Context, departments) -> None:
    soe = g.soe(ctx)
    officer = Context(session=db, actor="dept", role="department_officer", department_id=departments[0].id)
    with pytest.raises(PermissionDenied):
        entry(officer, soe.id)
    assert arrears_queries.summary(officer).total.entries == 0  # staff read the figures
    firm = Context(session=db, actor="firm", role="subject", subject_id=1)
    with pytest.raises(PermissionDenied):
        arrears_queries.summary(firm)


def test_demo_plants_a_deterministic_ledger(db: Session, ctx: Context) -> None:
    from xinyong.demo.lifecycle_arrears import plant_arrears

    assert plant_arrears(ctx, 7) == 0  # no bodies yet
    g.soe(ctx)
    g.town_office(ctx)
    for n in range(1, 6):
        factories.company(ctx, f"番禺演示供应商{n}有限公司", 10 + n)
    made = plant_arrears(ctx, 7)
    entries = arrears_queries.list_entries(ctx)
    assert len(entries) == 14 and made > 14
    assert {e.status for e in entries} == {"outstanding", "cleared", "disputed"}
    assert all(e.creditor_id is not None for e in entries)
    assert len(arrears_queries.list_complaints(ctx)) == 1
    assert plant_arrears(ctx, 7) == 0  # a second run plants nothing
    s = arrears_queries.summary(ctx)
    assert s.total.entries == 14 and 0 < s.total.cleared < s.total.owed
