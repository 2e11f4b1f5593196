"""Authorisation-matrix entries of web/api/commitments.py (issue #5).

Signing: the subject (its own subject), the department concerned (its officer or token) and the credit office;
a department officer of another department may not record for ``seed.department`` (403). Reading one
commitment: its subject, the department concerned, regulators and the office. Verifying: the department
concerned, regulators and the office. The feed: every department reader (its own department's), regulators
and the office. Publication toggles: the office only.
"""

from __future__ import annotations

import itertools

from matrix_common import ALL, OFFICE, STAFF_READERS, Spec
from principals import Seed

from xinyong.auth.context import Context
from xinyong.records import commitments

SIGNERS = OFFICE | {"subject", "department_officer", "department_token"}
CONCERNED = OFFICE | {"department_officer", "department_token", "regulator"}
_SERIAL = itertools.count(1)


def _commitment(seed: Seed) -> int:
    """A signed 主动型 commitment of ``seed.firm`` concerning ``seed.department`` (a new matter each time: the
    seed session keeps what earlier operations' makers created)."""
    assert seed.session is not None
    row = commitments.sign_commitment(
        Context(session=seed.session, actor="matrix", role="system"),
        subject_id=seed.firm.id,
        kind="voluntary",
        department_id=seed.department.id,
        matter=f"矩阵测试承诺事项{next(_SERIAL)}",
        text="本单位承诺依法诚信经营。",
        signer_name="张三",
    )
    return row.id


def _sign_body(seed: Seed) -> dict[str, object]:
    return {
        "subject_id": seed.firm.id,
        "kind": "voluntary",
        "department_id": seed.department.id,
        "matter": "矩阵测试签署事项",
        "signer_name": "张三",
    }


ENTRIES: dict[tuple[str, str], Spec] = {
    ("GET", "/api/v1/commitments/types"): Spec(ALL),
    ("GET", "/api/v1/commitments/public"): Spec(ALL, params={"q": "禾丰"}),
    ("POST", "/api/v1/commitments"): Spec(SIGNERS, body=_sign_body),
    ("GET", "/api/v1/commitments/feed"): Spec(STAFF_READERS, params={"since": "2026-11-01"}),
    # the office must name the subject (422 without it), a subject reads its own
    ("GET", "/api/v1/commitments/mine"): Spec(OFFICE | {"subject", "subject_other"}),
    ("GET", "/api/v1/commitments/{commitment_id}"): Spec(CONCERNED | {"subject"}, path={"commitment_id": _commitment}),
    ("POST", "/api/v1/commitments/{commitment_id}/verify"): Spec(
        CONCERNED,
        path={"commitment_id": _commitment},
        body=lambda s: {"outcome": "kept", "reason": "矩阵测试核查"},
    ),
    ("POST", "/api/v1/commitments/{commitment_id}/publication"): Spec(
        OFFICE, path={"commitment_id": _commitment}, body=lambda s: {"published": False}
    ),
}
