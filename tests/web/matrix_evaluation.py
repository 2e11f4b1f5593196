"""Authorisation-matrix entries of web/api/evaluation.py (issue #6).

Staff readers (department officers and their token, regulators, the credit office) read runs, distributions,
explanations, histories and the validation report; the credit office and regulators run an evaluation (one model
or all of them). The distribution path makes a run first
(as the console operator), so every allowed caller reaches the data, not a 404.
"""

from __future__ import annotations

from matrix_common import OFFICE, STAFF_READERS, TODAY, Spec
from principals import Seed

from xinyong.auth.context import Context
from xinyong.evaluation import service


def run_id(seed: Seed) -> int:
    assert seed.session is not None
    operator = Context(session=seed.session, actor="matrix:setup", role="system")
    return service.run_evaluation(operator, TODAY).run_id


ENTRIES: dict[tuple[str, str], Spec] = {
    ("POST", "/api/v1/evaluation/runs"): Spec(OFFICE | {"regulator"}, body=lambda s: {"as_of": TODAY.isoformat()}),
    ("POST", "/api/v1/evaluation/runs/all"): Spec(OFFICE | {"regulator"}, body=lambda s: {"as_of": TODAY.isoformat()}),
    ("GET", "/api/v1/evaluation/runs"): Spec(STAFF_READERS),
    ("GET", "/api/v1/evaluation/runs/{run_id}/distribution"): Spec(STAFF_READERS, path={"run_id": run_id}),
    ("GET", "/api/v1/evaluation/subjects/{subject_id}/explanation"): Spec(
        STAFF_READERS, params={"as_of": TODAY.isoformat()}
    ),
    ("GET", "/api/v1/evaluation/subjects/{subject_id}/history"): Spec(STAFF_READERS),
    ("GET", "/api/v1/evaluation/validation"): Spec(
        STAFF_READERS, params={"from": "2026-09", "to": "2026-10", "horizon": 1}
    ),
}
