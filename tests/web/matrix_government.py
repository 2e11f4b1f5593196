"""Authorisation-matrix entries of web/api/government.py (公共机构名录、政府合同与政务失信记录, issue #11).

Staff (the credit office, department officers, regulators) read; the credit office registers bodies and declares
defaults; contracts are managed by the credit office and by the seed department (``scjgj``) for the body it answers
for, never by the other department (``sfj``: out of scope, 403). The path makers build a fresh contract of that
body through the service as the console operator; a second allowed caller may meet 409 (already done), and the
multipart import called with a JSON body answers 422 to the allowed callers.
"""

from __future__ import annotations

from itertools import count

from matrix_common import OFFICE, STAFF_READERS, Spec
from principals import Seed
from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.auth.context import Context
from xinyong.codes.uscc import make_uscc
from xinyong.government import bodies, contracts
from xinyong.government.contract_schemas import ContractIn
from xinyong.government.models import PublicBody

MANAGERS = OFFICE | {"department_officer", "department_token", "department_other"}
OWN_MANAGERS = OFFICE | {"department_officer", "department_token"}
BODY_NAME = "矩阵测试市场监管事业单位"
_NUMBERS = count(1)


def _session(seed: Seed) -> Session:
    assert seed.session is not None
    return seed.session


def _operator(session: Session) -> Context:
    return Context(session=session, actor="test:operator", role="system")


def scjgj_body(seed: Seed) -> int:
    """A body the seed department (scjgj) answers for (registered once)."""
    session = _session(seed)
    found = session.scalar(select(PublicBody).where(PublicBody.name == BODY_NAME))
    if found is not None:
        return found.id
    code = make_uscc("1", "2", "440113", "MX000001")
    return bodies.register_body(_operator(session), BODY_NAME, code, "institution", "scjgj").id


def contract_data(seed: Seed) -> dict[str, object]:
    """A valid new contract of the scjgj body (a fresh number each call)."""
    return {
        "contract_no": f"MX-{next(_NUMBERS):05d}",
        "title": "矩阵测试检测设备采购合同",
        "body_id": scjgj_body(seed),
        "counterparty_name": "广州市矩阵测试设备有限公司",
        "amount": "100000.00",
        "signed_on": "2026-03-01",
        "ends_on": "2026-12-31",
        "terms": [
            {"seq": 1, "kind": "milestone", "description": "设备验收", "due_on": "2026-06-30"},
            {"seq": 2, "kind": "payment", "description": "验收后付款", "due_on": "2026-12-10", "amount": "100000.00"},
        ],
    }


def contract_id(seed: Seed) -> int:
    """A fresh performing contract of the scjgj body."""
    data = ContractIn.model_validate(contract_data(seed))
    return contracts.register_contract(_operator(_session(seed)), data).id


def term_id(seed: Seed) -> int:
    """The milestone of a fresh contract."""
    return contracts.terms_of(_operator(_session(seed)), contract_id(seed))[0].id


def amend_body(seed: Seed) -> dict[str, object]:
    return {
        "reason": "补充协议增加培训服务",
        "amount": "120000.00",
        "terms": [{"seq": 3, "kind": "payment", "description": "培训费", "due_on": "2026-12-20", "amount": "20000.00"}],
    }


ENTRIES: dict[tuple[str, str], Spec] = {
    ("GET", "/api/v1/government/bodies"): Spec(STAFF_READERS),
    ("POST", "/api/v1/government/bodies"): Spec(
        OFFICE,
        body=lambda s: {
            "name": "矩阵测试街道办事处",
            "uscc": make_uscc("1", "1", "440113", "MX000002"),
            "kind": "organ",
            "unit_code": "440113007",
        },
    ),
    ("POST", "/api/v1/government/bodies/{body_id}/unit"): Spec(
        OFFICE, path={"body_id": scjgj_body}, body=lambda s: {"unit_code": "scjgj"}
    ),
    ("GET", "/api/v1/government/contracts"): Spec(STAFF_READERS, params={"alert": True}),
    ("GET", "/api/v1/government/contracts/export"): Spec(STAFF_READERS, params={"format": "xlsx"}),
    ("GET", "/api/v1/government/contracts/{contract_id}"): Spec(STAFF_READERS, path={"contract_id": contract_id}),
    ("POST", "/api/v1/government/contracts"): Spec(OWN_MANAGERS, body=contract_data),
    ("POST", "/api/v1/government/contracts/import"): Spec(MANAGERS),
    ("POST", "/api/v1/government/terms/{term_id}/done"): Spec(
        OWN_MANAGERS, path={"term_id": term_id}, body=lambda s: {"done_on": "2026-06-30"}
    ),
    ("POST", "/api/v1/government/contracts/{contract_id}/amend"): Spec(
        OWN_MANAGERS, path={"contract_id": contract_id}, body=amend_body
    ),
    ("POST", "/api/v1/government/contracts/{contract_id}/default"): Spec(
        OFFICE, path={"contract_id": contract_id}, body=lambda s: {"reason": "逾期未支付验收款"}
    ),
    ("POST", "/api/v1/government/contracts/{contract_id}/complete"): Spec(
        OWN_MANAGERS, path={"contract_id": contract_id}, body=lambda s: {}
    ),
    ("POST", "/api/v1/government/contracts/{contract_id}/terminate"): Spec(
        OWN_MANAGERS, path={"contract_id": contract_id}, body=lambda s: {"reason": "项目取消，协商解除"}
    ),
    ("GET", "/api/v1/government/alerts"): Spec(STAFF_READERS, params={"as_of": "2026-12-01"}),
    ("GET", "/api/v1/government/records"): Spec(STAFF_READERS),
}
