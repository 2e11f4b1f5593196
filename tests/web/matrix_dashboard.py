"""Authorisation-matrix entries of web/api/dashboard.py (issue #12 item 3, 领导驾驶舱).

The dashboard's figures are aggregates for staff readers (``dashboard.read``): department officers and their
tokens, regulators and the credit office. Subjects, banks and auditors are refused (403), the public 401.
"""

from __future__ import annotations

from matrix_common import STAFF_READERS, Spec

ENTRIES: dict[tuple[str, str], Spec] = {
    ("GET", "/api/v1/dashboard/figures"): Spec(STAFF_READERS),
}
