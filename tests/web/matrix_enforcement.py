"""Authorisation-matrix entries of web/api/enforcement.py (涉党政机关和国有企业执行案件, issue #11 item 4), and the
setup the enforcement web tests share (made through the services as the console operator).

Staff read notices, cases and the summary (``government.read``); the credit office imports notices (multipart:
the matrix sends JSON, so the office gets 422, everyone else is refused first), reassigns, closes and reopens;
rectification is for the office and for the officer (and token) of the department the case is assigned to: the
matrix's case is against a body answered for by the seed's department (``scjgj``), so ``department_other`` is
refused.
"""

from __future__ import annotations

from matrix_common import OFFICE, STAFF_READERS, Spec
from principals import Seed
from sqlalchemy import select
from sqlalchemy.orm import Session

from government import gov_factories as g
from government.enforcement_data import COURT, csv_bytes, row
from xinyong.auth.context import Context
from xinyong.government import enforcement as service
from xinyong.government.enforcement_import import import_notice
from xinyong.government.models import EnforcementCase, PublicBody

BODY_NAME = "广州市番禺区矩阵测试市场监管执法大队"
RECTIFIERS = OFFICE | {"department_officer", "department_token"}


def operator(session: Session) -> Context:
    """The console operator."""
    return Context(session=session, actor="test:operator", role="system")


def matrix_body(session: Session) -> PublicBody:
    """An institution answered for by 区市场监管局 (``scjgj``, the seed's department), registered once."""
    found = session.scalar(select(PublicBody).where(PublicBody.name == BODY_NAME))
    return found or g.body(operator(session), BODY_NAME, 801, "institution", "scjgj")


def case_no(session: Session, n: int, closed: bool = False) -> int:
    """The case of number n (imported once, in a notice of its own; closed when asked)."""
    body = matrix_body(session)
    wanted = f"（2026）粤0113执{n}号"
    found = session.scalar(select(EnforcementCase).where(EnforcementCase.case_no == wanted))
    if found is None:
        result = import_notice(operator(session), "2026-10", COURT, f"matrix-{n}.csv", csv_bytes([row(body, n)]))
        found = service.case_or_404(operator(session), result.case_ids[0])
        if closed:
            service.close(operator(session), found.id, "执行完毕")
    return found.id


def _session(seed: Seed) -> Session:
    assert seed.session is not None
    return seed.session


def open_case(seed: Seed) -> int:
    """An assigned case of the seed's department."""
    return case_no(_session(seed), 9101)


def case_to_close(seed: Seed) -> int:
    """An assigned case the office closes."""
    return case_no(_session(seed), 9102)


def closed_case(seed: Seed) -> int:
    """A closed case the office reopens."""
    return case_no(_session(seed), 9103, closed=True)


def case_to_move(seed: Seed) -> int:
    """An assigned case the office reassigns."""
    return case_no(_session(seed), 9104)


ENTRIES: dict[tuple[str, str], Spec] = {
    ("POST", "/api/v1/enforcement/notices"): Spec(OFFICE),
    ("POST", "/api/v1/enforcement/notices/rejected"): Spec(OFFICE),
    ("GET", "/api/v1/enforcement/notices"): Spec(STAFF_READERS),
    ("GET", "/api/v1/enforcement/cases"): Spec(STAFF_READERS, params={"period": "2026-10", "overdue": "true"}),
    ("GET", "/api/v1/enforcement/cases/{case_id}"): Spec(STAFF_READERS, path={"case_id": open_case}),
    ("POST", "/api/v1/enforcement/cases/{case_id}/reassign"): Spec(
        OFFICE, path={"case_id": case_to_move}, body=lambda s: {"unit_code": g.SHIQIAO, "reason": "矩阵测试改派"}
    ),
    ("POST", "/api/v1/enforcement/cases/{case_id}/rectify"): Spec(
        RECTIFIERS, path={"case_id": open_case}, body=lambda s: {"note": "已筹措资金", "evidence": "矩阵测试"}
    ),
    ("POST", "/api/v1/enforcement/cases/{case_id}/close"): Spec(
        OFFICE, path={"case_id": case_to_close}, body=lambda s: {"outcome": "执行完毕"}
    ),
    ("POST", "/api/v1/enforcement/cases/{case_id}/reopen"): Spec(
        OFFICE, path={"case_id": closed_case}, body=lambda s: {"reason": "法院恢复执行"}
    ),
    ("GET", "/api/v1/enforcement/summary"): Spec(STAFF_READERS, params={"period": "2026-10"}),
    ("GET", "/api/v1/enforcement/summary/export"): Spec(STAFF_READERS, params={"period": "2026-10", "format": "csv"}),
}
