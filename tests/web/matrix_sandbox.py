"""Authorisation-matrix entries of web/api/sandbox.py (issue #10 items 3 and 4).

The data sandbox (``sandbox.query``): department officers (their own and the other department's, and their
tokens) and the credit office list the views, submit queries and read their own; reading every query and
reproducing a release is the credit office's (``privacy.read``). Federated runs (``federated.run``): the credit
office and banks (any bank account or token: a run uses demo data, no subject's authorisation is involved).
Subjects, regulators, auditors and providers have no access. A query's detail path is one the console operator
submitted: its analyst-callers get 404 (not their query), the office reads it.
"""

from __future__ import annotations

from matrix_common import OFFICE, Spec
from principals import Seed

from xinyong.auth.context import Context
from xinyong.privacy import sandbox

ANALYSTS = OFFICE | {"department_officer", "department_other", "department_token"}
RUNNERS = OFFICE | {"bank", "bank_unauthorised", "bank_token"}
QUERY = {"view": "subjects", "by": ["kind"], "measures": ["subjects"], "epsilon": 0.1}


def submitted_query(seed: Seed) -> int:
    """A query the console operator submitted (released or suppressed)."""
    assert seed.session is not None
    ctx = Context(session=seed.session, actor="matrix:setup", role="system")
    return sandbox.submit(ctx, sandbox.QuerySpec.model_validate(QUERY)).id


ENTRIES: dict[tuple[str, str], Spec] = {
    ("GET", "/api/v1/sandbox/views"): Spec(ANALYSTS),
    ("POST", "/api/v1/sandbox/queries"): Spec(ANALYSTS, body=lambda s: QUERY),
    ("GET", "/api/v1/sandbox/queries/mine"): Spec(ANALYSTS),
    ("GET", "/api/v1/sandbox/queries"): Spec(OFFICE),
    ("GET", "/api/v1/sandbox/queries/{query_id}"): Spec(ANALYSTS, path={"query_id": submitted_query}),
    ("POST", "/api/v1/sandbox/queries/{query_id}/reproduce"): Spec(OFFICE, path={"query_id": submitted_query}),
    ("POST", "/api/v1/sandbox/federated/runs"): Spec(
        RUNNERS, body=lambda s: {"rows": 200, "features": 2, "key_bits": 1024, "seed": 1}
    ),
    ("GET", "/api/v1/sandbox/federated/runs"): Spec(RUNNERS),
}
