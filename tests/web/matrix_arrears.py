"""Authorisation-matrix entries of web/api/arrears.py (清理拖欠民营企业中小企业账款, issue #11 item 3).

The credit office keeps the ledger and handles complaints; every staff reader (``government.read``) reads the
ledger, the figures and the complaints; a firm's own account files a complaint for itself and lists its own (the
other firm's account is allowed too: it files for itself and sees only its own). The makers create a body, an entry
and a complaint once in the seeding session (each request runs in a savepoint rolled back afterwards).
"""

from __future__ import annotations

from decimal import Decimal

from matrix_common import OFFICE, STAFF_READERS, TODAY, Spec
from principals import Seed
from sqlalchemy import select

from government import gov_factories as g
from xinyong.auth.context import Context
from xinyong.government import arrears
from xinyong.government.arrears_schemas import ComplaintIn, EntryIn
from xinyong.government.models import ArrearsComplaint, ArrearsEntry, PublicBody

FIRMS = frozenset({"subject", "subject_other"})
SOE_N = 301


def _operator(seed: Seed) -> Context:
    assert seed.session is not None
    return Context(session=seed.session, actor="test:operator", role="system")


def body_id(seed: Seed) -> int:
    """A registered SOE (once)."""
    ctx = _operator(seed)
    found = ctx.session.scalar(select(PublicBody).where(PublicBody.uscc == g.body_uscc(SOE_N, "soe")))
    return found.id if found is not None else g.soe(ctx, SOE_N).id


def entry_id(seed: Seed) -> int:
    """An outstanding entry of that SOE (once)."""
    ctx = _operator(seed)
    debtor = body_id(seed)
    found = ctx.session.scalar(select(ArrearsEntry.id).where(ArrearsEntry.debtor_id == debtor).limit(1))
    if found is not None:
        return found
    data = EntryIn(debtor_id=debtor, creditor_name="矩阵测试建材公司", amount=Decimal(1000), arose_on=TODAY)
    return arrears.record_entry(ctx, data).id


def complaint_id(seed: Seed) -> int:
    """A received complaint against that SOE (once)."""
    ctx = _operator(seed)
    body_id(seed)
    found = ctx.session.scalar(select(ArrearsComplaint.id).where(ArrearsComplaint.status == "received").limit(1))
    if found is not None:
        return found
    data = ComplaintIn(
        complainant_name="矩阵测试小微企业",
        debtor_name=f"广州市番禺测试国有资产经营{SOE_N}有限公司",
        amount=Decimal(500),
        description="货款未付",
    )
    return arrears.file_complaint(ctx, data).id


def _entry_body(seed: Seed) -> dict[str, object]:
    return {
        "debtor_id": body_id(seed),
        "creditor_name": "矩阵测试供应商",
        "amount": "1200.50",
        "arose_on": "2026-10-01",
    }


ENTRIES: dict[tuple[str, str], Spec] = {
    ("GET", "/api/v1/arrears/entries"): Spec(STAFF_READERS, params={"status": "outstanding"}),
    ("GET", "/api/v1/arrears/entries/export"): Spec(STAFF_READERS, params={"format": "xlsx"}),
    ("POST", "/api/v1/arrears/entries"): Spec(OFFICE, body=_entry_body),
    ("GET", "/api/v1/arrears/entries/{entry_id}"): Spec(STAFF_READERS, path={"entry_id": entry_id}),
    ("POST", "/api/v1/arrears/entries/{entry_id}/payments"): Spec(
        OFFICE, path={"entry_id": entry_id}, body=lambda s: {"amount": "100", "paid_on": TODAY.isoformat()}
    ),
    ("POST", "/api/v1/arrears/entries/{entry_id}/dispute"): Spec(
        OFFICE, path={"entry_id": entry_id}, body=lambda s: {"disputed": True, "reason": "金额有争议"}
    ),
    ("GET", "/api/v1/arrears/summary"): Spec(STAFF_READERS, params={"as_of": TODAY.isoformat()}),
    ("GET", "/api/v1/arrears/complaints"): Spec(STAFF_READERS | FIRMS),
    ("POST", "/api/v1/arrears/complaints"): Spec(
        OFFICE | FIRMS,
        body=lambda s: {
            "complainant_name": "矩阵代为投诉企业",
            "debtor_name": "某区属国有企业",
            "amount": "800",
            "description": "工程款逾期未付",
            "contact": "13800001111",
        },
    ),
    ("POST", "/api/v1/arrears/complaints/{complaint_id}/accept"): Spec(
        OFFICE, path={"complaint_id": complaint_id}, body=lambda s: {"arose_on": "2026-09-01"}
    ),
    ("POST", "/api/v1/arrears/complaints/{complaint_id}/reject"): Spec(
        OFFICE, path={"complaint_id": complaint_id}, body=lambda s: {"reason": "不属于受理范围"}
    ),
}
