"""Authorisation-matrix entries of web/api/workplan.py (issue #12 item 2, 工作要点台账).

Staff of every department (officers and their tokens), regulators and the credit office read the ledger
(``workplan.read``); only the credit office loads a plan (``workplan.manage``). Progress (``workplan.report``) on
item 九, which names ``seed.department`` (区市场监管局) and not ``seed.other_department`` (区司法局): the seed
department's officer and token report for their department; the other department's officer is refused (403); the
office is allowed (its body names no unit, so it gets 422). Subjects, banks and auditors have no access. Path
makers load the 2021 plan through the service as the console operator (idempotent).
"""

from __future__ import annotations

from matrix_common import OFFICE, STAFF_READERS, Spec
from principals import Seed

from workplan.plans import PLAN_2021
from xinyong.auth.context import Context
from xinyong.workplan import queries, service

REPORTERS = OFFICE | {"department_officer", "department_token"}


def _operator(seed: Seed) -> Context:
    assert seed.session is not None
    return Context(session=seed.session, actor="matrix:setup", role="system")


def year(seed: Seed) -> int:
    """2021, with its plan loaded."""
    service.load_plan(_operator(seed), PLAN_2021, 2021)
    return 2021


def item_nine(seed: Seed) -> int:
    """Item 九 of the loaded 2021 plan."""
    year(seed)
    return queries.item_by_number(_operator(seed), 2021, 9)


ENTRIES: dict[tuple[str, str], Spec] = {
    ("GET", "/api/v1/workplan/years"): Spec(STAFF_READERS),
    ("POST", "/api/v1/workplan"): Spec(OFFICE, body=lambda s: {"year": 2021, "text": PLAN_2021}),
    ("GET", "/api/v1/workplan/{year}"): Spec(STAFF_READERS, path={"year": year}, params={"as_of": "2021-06-30"}),
    ("GET", "/api/v1/workplan/{year}/versions"): Spec(STAFF_READERS, path={"year": year}),
    ("GET", "/api/v1/workplan/{year}/notice"): Spec(STAFF_READERS, path={"year": year}, params={"period": "2021-06"}),
    ("GET", "/api/v1/workplan/items/{item_id}"): Spec(STAFF_READERS, path={"item_id": item_nine}),
    ("POST", "/api/v1/workplan/items/{item_id}/progress"): Spec(
        REPORTERS, path={"item_id": item_nine}, body=lambda s: {"note": "矩阵报送的进展", "percent": 30}
    ),
}
