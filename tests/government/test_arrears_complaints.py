"""Complaints of arrears (issue #11 item 3): a firm files for itself only, the office on a firm's behalf; the
contact is encrypted at rest and masked; acceptance creates the linked ledger entry, rejection needs a reason; the
handling deadline is counted in working days. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

import factories
from government import gov_factories as g
from xinyong.auth.context import Context
from xinyong.auth.permissions import PermissionDenied
from xinyong.calendar import load_calendar
from xinyong.errors import Conflict, InvalidInput
from xinyong.government import arrears, arrears_queries
from xinyong.government.arrears_rules import arrears_rules
from xinyong.government.arrears_schemas import AcceptIn, ComplaintIn
from xinyong.government.models import ArrearsEntry

FIRM = "广州市番禺禾丰建材有限公司"


def firm_ctx(db: Session, subject_id: int) -> Context:
    return Context(session=db, actor="test:firm", role="subject", subject_id=subject_id)


def complaint_in(debtor: str, **extra: object) -> ComplaintIn:
    values: dict[str, object] = {
        "debtor_name": debtor,
        "amount": Decimal("25000"),
        "description": "2026年3月交付建材，验收合格后至今未付款",
        "contact": "13812345678",
    }
    return ComplaintIn(**(values | extra))


def test_firm_files_for_itself_and_office_accepts_into_the_ledger(db: Session, ctx: Context) -> None:
    firm = factories.company(ctx, FIRM, 3)
    soe = g.soe(ctx)
    mine = firm_ctx(db, firm.id)
    c = arrears.file_complaint(mine, complaint_in(soe.name))
    assert c.complainant_id == firm.id and c.complainant_name == FIRM and c.debtor_id == soe.id
    assert c.contact_enc and "13812345678" not in c.contact_enc
    listed = arrears_queries.list_complaints(mine)
    assert [x.id for x in listed] == [c.id] and listed[0].contact_masked == "138****5678"
    assert listed[0].deadline == load_calendar(db).deadline(c.received_on, arrears_rules().complaints.handling_workdays)
    with pytest.raises(PermissionDenied):
        arrears.accept_complaint(mine, c.id, AcceptIn(arose_on=date(2026, 3, 10)))
    e = arrears.accept_complaint(ctx, c.id, AcceptIn(arose_on=date(2026, 3, 10)))
    assert isinstance(e, ArrearsEntry) and e.complaint_id == c.id and e.creditor_id == firm.id
    assert e.amount == Decimal("25000.00") and c.status == "accepted" and c.handled_by == "tester"
    assert arrears_queries.list_complaints(ctx)[0].entry_id == e.id
    with pytest.raises(Conflict, match="已处理"):
        arrears.reject_complaint(ctx, c.id, "重复")
    assert arrears_queries.summary(ctx).new_arrears.count == 1


def test_firm_cannot_complain_for_another(db: Session, ctx: Context) -> None:
    firm = factories.company(ctx, FIRM, 3)
    other = factories.company(ctx, "广州另一家公司", 4)
    with pytest.raises(PermissionDenied, match="只能以本企业名义"):
        arrears.file_complaint(firm_ctx(db, firm.id), complaint_in("某单位", complainant_id=other.id))
    assert arrears_queries.list_complaints(firm_ctx(db, other.id)) == []


def test_office_files_on_behalf_rejects_with_reason_and_unknown_debtor_needs_a_body(db: Session, ctx: Context) -> None:
    c = arrears.file_complaint(ctx, complaint_in("某未登记单位", complainant_name="番禺某小微企业", contact=""))
    assert c.debtor_id is None and c.complainant_id is None and c.contact_enc == ""
    with pytest.raises(InvalidInput, match="请选择债务单位"):
        arrears.accept_complaint(ctx, c.id, AcceptIn(arose_on=date(2026, 3, 10)))
    with pytest.raises(InvalidInput, match="请填写不予受理理由"):
        arrears.reject_complaint(ctx, c.id, " ")
    arrears.reject_complaint(ctx, c.id, "被投诉单位不属于机关、事业单位或国有企业")
    assert c.status == "rejected" and "国有企业" in c.reason
    with pytest.raises(InvalidInput, match="投诉企业名称"):
        arrears.file_complaint(ctx, complaint_in("某单位", contact=""))


def test_overdue_complaints_are_counted(db: Session, ctx: Context) -> None:
    c = arrears.file_complaint(ctx, complaint_in("某单位", complainant_name="番禺某小微企业"))
    c.received_on = date(2026, 10, 8)  # received weeks ago (set directly: the service stamps today)
    db.flush()
    s = arrears_queries.summary(ctx)
    assert s.complaints_open == 1 and s.complaints_overdue == 1
    assert arrears_queries.list_complaints(ctx, status="received")[0].overdue
    assert arrears_queries.summary(ctx, date(2026, 10, 9)).complaints_overdue == 0
