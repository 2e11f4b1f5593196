"""Authorisation-matrix entries of web/api/checks.py and web/api/measures.py (issue #7: 一键查询, 惩戒反馈, the
measures ledger tracking).

Checks (``checks.run``) and the rates: department officers of any department and their API tokens, regulators
and the credit office. One logged check and its feedback: the checking department (its officer and its token)
and the credit office; another department's officer and a regulator get 403. The ledger report and progress
history (``lists.read``): the same staff; recording progress (``measures.update``): the credit office.
Path makers work through the services as the console operator: a subject of its own on the market regulator's
serious-illegal list (so ``honours`` returns ``samr_honours``), checked by the seed department's officer.
"""

from __future__ import annotations

from matrix_common import OFFICE, OWN_DEPARTMENT, Spec
from principals import Seed
from webdata import register

from factories import uscc
from list_factories import published_entry
from xinyong.auth.context import Context
from xinyong.lists.checks import check

CHECKERS = OFFICE | {"department_officer", "department_other", "department_token", "regulator"}
SCENARIO = "honours"
MEASURE = "samr_honours"
LISTED_USCC = uscc(770701)
_READY: set[int] = set()


def _listed(seed: Seed) -> None:
    """Once per seed: a firm of its own on 市场监督管理严重违法失信名单 (department scjgj = seed.department)."""
    if id(seed) in _READY:
        return
    assert seed.session is not None
    operator = Context(session=seed.session, actor="matrix:setup", role="system")
    firm = register(operator, kind="legal_person", name="广州矩阵联合惩戒有限公司", uscc=LISTED_USCC)
    published_entry(seed.session, firm, "samr_serious_illegal")
    _READY.add(id(seed))


def check_id(seed: Seed) -> int:
    """A fresh check of the listed firm by the seed department's officer, returning ``samr_honours``."""
    _listed(seed)
    assert seed.session is not None
    officer = Context(
        session=seed.session, actor="matrix:officer", role="department_officer", department_id=seed.department.id
    )
    return check(officer, LISTED_USCC, SCENARIO).check_id


ENTRIES: dict[tuple[str, str], Spec] = {
    ("GET", "/api/v1/checks"): Spec(CHECKERS, params={"code": LISTED_USCC, "scenario": SCENARIO}),
    ("POST", "/api/v1/checks/batch"): Spec(
        CHECKERS, body=lambda s: {"scenario": SCENARIO, "codes": [LISTED_USCC, "bad-code", uscc(770702)]}
    ),
    ("GET", "/api/v1/checks/rates"): Spec(CHECKERS),
    ("GET", "/api/v1/checks/{check_id}"): Spec(OWN_DEPARTMENT, path={"check_id": check_id}),
    ("POST", "/api/v1/checks/{check_id}/feedback"): Spec(
        OWN_DEPARTMENT,
        path={"check_id": check_id},
        body=lambda s: {"measure_id": MEASURE, "applied": False, "reason": "矩阵测试：评选已结束"},
    ),
    ("GET", "/api/v1/measures"): Spec(CHECKERS),
    ("GET", "/api/v1/measures/{measure_id}/progress"): Spec(CHECKERS, path={"measure_id": lambda s: MEASURE}),
    ("POST", "/api/v1/measures/{measure_id}/progress"): Spec(
        OFFICE, path={"measure_id": lambda s: "serious_financing"}, body=lambda s: {"note": "矩阵测试进展"}
    ),
}
