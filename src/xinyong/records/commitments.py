"""信用承诺 (issue #5): signing, recording, publication, verification, breach (being written; the signature of
``sign_commitment`` is fixed: the repair flow calls it)."""

from __future__ import annotations

from datetime import date

from xinyong.auth.context import Context
from xinyong.records.models import Commitment


def sign_commitment(
    ctx: Context,
    *,
    subject_id: int,
    kind: str,
    department_id: int,
    matter: str,
    text: str,
    signer_name: str,
) -> Commitment:
    """A commitment signed online by the subject (role ``subject``, own subject) or recorded by a department
    (``commitments.record``). Checks permission and the rules, writes, audits; returns the flushed row."""
    raise NotImplementedError("being written")


def flag_overdue(ctx: Context, as_of: date) -> int:
    """Daily-job step: flag verifications past their due date; returns how many were newly flagged."""
    return 0
