"""Authorisation-matrix entries of web/api/gov_overview.py (政务诚信与专项治理综合看板, issue #11 item 7): every staff
reader (``government.read``) reads and exports the overview."""

from __future__ import annotations

from matrix_common import STAFF_READERS, TODAY, Spec

ENTRIES: dict[tuple[str, str], Spec] = {
    ("GET", "/api/v1/government-overview"): Spec(STAFF_READERS, params={"as_of": TODAY.isoformat()}),
    ("GET", "/api/v1/government-overview/export"): Spec(STAFF_READERS, params={"format": "csv", "section": "arrears"}),
}
