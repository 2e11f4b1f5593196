"""Authorisation-matrix entries of web/api/verification.py (issue #7, 失信案例核查).

The credit office registers cases and closes them early (``verification.open``); the owning department's officer
and its API token, and the office, handle them (``verification.handle``: complete a stage, reassign, upload
evidence) and read them; another department's officer reads only its own (here empty) list and counts and is
refused the seed department's case. Regulators, banks, subjects and auditors have no access; the rulebook is
public. Path makers open a fresh case of ``seed.department`` on ``seed.firm`` through the service as the console
operator (lock_version 1), one with an evidence file for the download.
"""

from __future__ import annotations

import itertools

from matrix_common import ALL, OFFICE, OWN_DEPARTMENT, Spec
from principals import Seed

from xinyong.auth.context import Context
from xinyong.lists import verification
from xinyong.records import cases

PDF = b"%PDF-1.4\n%%EOF\n"
READERS = OWN_DEPARTMENT | {"department_other"}  # lists and counts: every department sees its own
_SERIAL = itertools.count(1)
_LAST: dict[str, int] = {}


def _operator(seed: Seed) -> Context:
    assert seed.session is not None
    return Context(session=seed.session, actor="matrix:setup", role="system")


def case(seed: Seed) -> int:
    """A fresh case of ``seed.department`` at 核查 (lock_version 1)."""
    made = verification.open_case(
        _operator(seed),
        "矩阵测试失信案例",
        seed.firm.id,
        "",
        "public_report",
        f"matrix-{next(_SERIAL)}",
        "群众举报该企业拒不履行法院判决。",
        seed.department.id,
        "矩阵经办人",
    )
    _LAST["case"] = made.id
    return made.id


def case_with_file(seed: Seed) -> int:
    made = case(seed)
    verification.attach(_operator(seed), made, "证据.pdf", PDF)
    return made


def last_file(seed: Seed) -> int:
    assert seed.session is not None
    return cases.case_files(seed.session, "verification", _LAST["case"])[0].id


def _case_body(seed: Seed) -> dict[str, object]:
    return {
        "title": "矩阵登记的失信案例",
        "subject_id": seed.firm.id,
        "source": "hotline_12345",
        "summary": "12345 热线反映该企业拖欠货款拒不支付。",
        "department_id": seed.department.id,
        "owner": "矩阵经办人",
    }


ENTRIES: dict[tuple[str, str], Spec] = {
    ("GET", "/api/v1/cases/rules"): Spec(ALL),
    ("GET", "/api/v1/cases"): Spec(READERS, params={"stage": "open"}),
    ("GET", "/api/v1/cases/counts"): Spec(READERS),
    ("POST", "/api/v1/cases"): Spec(OFFICE, body=_case_body),
    ("GET", "/api/v1/cases/{case_id}"): Spec(OWN_DEPARTMENT, path={"case_id": case}),
    ("GET", "/api/v1/cases/{case_id}/files/{file_id}"): Spec(
        OWN_DEPARTMENT, path={"case_id": case_with_file, "file_id": last_file}
    ),
    ("POST", "/api/v1/cases/{case_id}/complete"): Spec(
        OWN_DEPARTMENT,
        path={"case_id": case},
        body=lambda s: {"stage": "verify", "note": "经核查属实", "founded": True, "lock_version": 1},
    ),
    ("POST", "/api/v1/cases/{case_id}/reassign"): Spec(
        OWN_DEPARTMENT, path={"case_id": case}, body=lambda s: {"owner": "矩阵新经办人", "lock_version": 1}
    ),
    ("POST", "/api/v1/cases/{case_id}/close"): Spec(
        OFFICE, path={"case_id": case}, body=lambda s: {"outcome": "transferred", "note": "移送公安", "lock_version": 1}
    ),
    # multipart: the matrix sends JSON, so the allowed callers get 422 (no file); others are refused first
    ("POST", "/api/v1/cases/{case_id}/files"): Spec(OWN_DEPARTMENT, path={"case_id": case}),
}
