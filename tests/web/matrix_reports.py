"""Authorisation-matrix entries of web/api/reports.py (issue #8, 信用报告).

A subject issues and reads its own subject's reports (``reports.issue_own``), the credit office any subject's
(``reports.issue`` / ``reports.read``); another subject is refused the firm's report but lists its own (empty)
reports; departments, regulators, banks and auditors have no access. Verification by number is public. Path
makers issue a fresh public report of ``seed.firm`` through the service as the console operator.

Reports are signed with a key of the test run (``XINYONG_REPORT_KEY_FILE`` set here when the run has not set one),
never the developer's ``var/keys``.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from matrix_common import ALL, OFFICE, OWN_SUBJECT, Spec
from principals import Seed

from xinyong.auth.context import Context
from xinyong.reports import service

os.environ.setdefault(
    "XINYONG_REPORT_KEY_FILE", str(Path(tempfile.gettempdir()) / f"xinyong-test-report-key-{os.getpid()}.pem")
)
LISTERS = OFFICE | {"subject", "subject_other"}  # a subject lists its own reports


def report(seed: Seed) -> str:
    """The number of a fresh public report of ``seed.firm``."""
    assert seed.session is not None
    operator = Context(session=seed.session, actor="matrix:setup", role="system")
    return service.issue_report(operator, seed.firm.id, "public", purpose="矩阵测试").number


ENTRIES: dict[tuple[str, str], Spec] = {
    ("POST", "/api/v1/reports"): Spec(
        OWN_SUBJECT, body=lambda s: {"kind": "public", "subject_id": s.firm.id, "purpose": "矩阵测试"}
    ),
    ("GET", "/api/v1/reports"): Spec(LISTERS),
    ("GET", "/api/v1/reports/verify/{number}"): Spec(ALL, path={"number": report}),
    ("GET", "/api/v1/reports/{number}"): Spec(OWN_SUBJECT, path={"number": report}),
    ("GET", "/api/v1/reports/{number}.pdf"): Spec(OWN_SUBJECT, path={"number": report}),
    ("GET", "/api/v1/reports/{number}.html"): Spec(OWN_SUBJECT, path={"number": report}),
}
