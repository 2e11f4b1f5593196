"""Authorisation-matrix entries of web/api/lifecycle.py (issue #5).

* A record's status: staff readers (``records.read``: department officers of any department and their tokens,
  regulators, the credit office) and the record's own subject (``seed.firm``); not another subject, a bank or
  the auditor.
* Revocation: the record's department (``seed.department``: its officer and its API token) and the credit office.
* ``/my/records``: every subject reads its own (``subject_other`` gets its own, empty, list); the credit office
  must name a subject (422 without one: allowed, not forbidden).
The path maker creates a fresh published penalty of ``seed.firm`` reported by ``seed.department``.
"""

from __future__ import annotations

import itertools
from datetime import date

from matrix_common import OWN_DEPARTMENT, OWN_SUBJECT, STAFF_READERS, TODAY, Spec
from principals import Seed

from records_factories import make_batch, make_record

_DOCS = itertools.count(1)


def record_id(seed: Seed) -> int:
    """A published penalty of ``seed.firm`` reported by ``seed.department``."""
    assert seed.session is not None
    return make_record(
        seed.session,
        make_batch(seed.session, seed.department),
        doc_no=f"番罚〔矩阵状态〕{next(_DOCS)}号",
        decided_on=date(2026, 6, 1),
        subject=seed.firm,
        publicity_end=date(2027, 6, 1),
    ).id


ENTRIES: dict[tuple[str, str], Spec] = {
    ("GET", "/api/v1/lifecycle/records/{record_id}/status"): Spec(
        STAFF_READERS | OWN_SUBJECT, params={"as_of": TODAY.isoformat()}, path={"record_id": record_id}
    ),
    ("POST", "/api/v1/lifecycle/records/{record_id}/revoke"): Spec(
        OWN_DEPARTMENT,
        body=lambda s: {
            "revoked_on": TODAY.isoformat(),
            "reason": "行政复议撤销原处罚决定",
            "document": "番复决〔2026〕1号",
        },
        path={"record_id": record_id},
    ),
    ("GET", "/api/v1/lifecycle/my/records"): Spec(OWN_SUBJECT | {"subject_other"}),
}
