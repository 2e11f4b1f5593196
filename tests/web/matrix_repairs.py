"""Authorisation-matrix entries of web/api/repairs.py (issue #5).

Applicants: the subject for its own records (``seed.firm``), or the credit office on a paper application.
Handlers: the deciding department (``seed.department``, whose records these are: its officer and its API token)
and the credit office; another department's officer sees its own (empty) queue only. External lists are the
credit office's desk. The path makers create a fresh eligible penalty record of ``seed.firm`` and, for the
application paths, an application on it through the service (as the console operator), so every allowed caller
reaches the rules, not a 404.
"""

from __future__ import annotations

import base64
import itertools
from datetime import date
from typing import Any

from matrix_common import OFFICE, OWN_DEPARTMENT, OWN_SUBJECT, Spec
from principals import Seed

from records_factories import make_batch, make_record
from xinyong.auth.context import Context
from xinyong.records import cases, repairs
from xinyong.records.models import CreditRecord, RepairApplication

PDF_B64 = base64.b64encode(b"%PDF-1.4\n%%EOF\n").decode()
_DOCS = itertools.count(1)
_LAST: dict[str, RepairApplication] = {}

APPLICANTS = OWN_SUBJECT
HANDLERS = OWN_DEPARTMENT  # the department's token carries the officer's permissions (tests/web/principals.py)
READERS = OWN_SUBJECT | OWN_DEPARTMENT


def _operator(seed: Seed) -> Context:
    assert seed.session is not None
    return Context(session=seed.session, actor="matrix:setup", role="system")


def record(seed: Seed) -> CreditRecord:
    """An eligible penalty of ``seed.firm`` decided by ``seed.department`` (minimum period passed)."""
    assert seed.session is not None
    made = make_record(
        seed.session,
        make_batch(seed.session, seed.department),
        doc_no=f"番罚〔矩阵修复〕{next(_DOCS)}号",
        decided_on=date(2025, 6, 2),
        subject=seed.firm,
        publicity_end=date(2028, 6, 2),
    )
    made.severity, made.regime, made.publicity_min_end = "general", "order58", date(2025, 9, 2)
    seed.session.flush()
    return made


def application(seed: Seed) -> int:
    """A submitted application of ``seed.firm`` with one material file."""
    app = repairs.apply_for_repair(
        _operator(seed),
        record(seed).id,
        "已缴清罚款",
        "本单位承诺所提交材料真实有效。",
        "陈国强",
        [("证明.pdf", b"%PDF-1.4\n")],
    )
    _LAST["app"] = app
    return app.id


def last_file(seed: Seed) -> int:
    assert seed.session is not None
    return cases.case_files(seed.session, "repair", _LAST["app"].id)[0].id


def external(seed: Seed) -> int:
    app = repairs.apply_external(_operator(seed), seed.firm.id, "tax_major_violation", f"税矩阵{next(_DOCS)}", "已补缴")
    return app.id


def _apply_body(seed: Seed) -> dict[str, Any]:
    return {
        "obligations": "已缴清罚款并整改",
        "commitment_text": "本单位郑重承诺所提交材料真实有效。",
        "signer_name": "陈国强",
        "files": [{"filename": "证明.pdf", "content_base64": PDF_B64}],
    }


def _reason(seed: Seed) -> dict[str, Any]:
    return {"expected_version": 1, "reason": "矩阵测试"}


ENTRIES: dict[tuple[str, str], Spec] = {
    ("GET", "/api/v1/repairs/records/{record_id}/eligibility"): Spec(
        APPLICANTS | OWN_DEPARTMENT | {"subject_other"}, path={"record_id": lambda s: record(s).id}
    ),
    ("POST", "/api/v1/repairs/records/{record_id}"): Spec(
        APPLICANTS, body=_apply_body, path={"record_id": lambda s: record(s).id}
    ),
    ("POST", "/api/v1/repairs/records/{record_id}/upload"): Spec(
        APPLICANTS, path={"record_id": lambda s: record(s).id}
    ),
    ("POST", "/api/v1/repairs/subjects/{subject_id}/external"): Spec(
        APPLICANTS,
        body=lambda s: {
            "external_list": "court_dishonest_debtor",
            "external_ref": "(2025)粤0113执1号",
            "obligations": "已履行",
        },
    ),
    ("POST", "/api/v1/repairs/subjects/{subject_id}/external/upload"): Spec(APPLICANTS),
    ("GET", "/api/v1/repairs"): Spec(OWN_DEPARTMENT | {"department_other"}),
    ("GET", "/api/v1/repairs/mine"): Spec(OFFICE | {"subject", "subject_other"}),
    ("GET", "/api/v1/repairs/{repair_id}"): Spec(READERS, path={"repair_id": application}),
    ("GET", "/api/v1/repairs/{repair_id}/files/{file_id}"): Spec(
        READERS, path={"repair_id": application, "file_id": last_file}
    ),
    ("POST", "/api/v1/repairs/{repair_id}/accept"): Spec(
        HANDLERS, body=lambda s: {"expected_version": 1}, path={"repair_id": application}
    ),
    ("POST", "/api/v1/repairs/{repair_id}/refuse"): Spec(HANDLERS, body=_reason, path={"repair_id": application}),
    ("POST", "/api/v1/repairs/{repair_id}/extend"): Spec(HANDLERS, body=_reason, path={"repair_id": application}),
    ("POST", "/api/v1/repairs/{repair_id}/grant"): Spec(HANDLERS, body=_reason, path={"repair_id": application}),
    ("POST", "/api/v1/repairs/{repair_id}/reject"): Spec(HANDLERS, body=_reason, path={"repair_id": application}),
    ("POST", "/api/v1/repairs/{repair_id}/external-result"): Spec(
        OFFICE,
        body=lambda s: {"expected_version": 1, "result": "in_progress", "note": "矩阵测试"},
        path={"repair_id": external},
    ),
}
