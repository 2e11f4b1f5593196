"""Authorisation-matrix entries of web/api/objections.py (issue #5).

Applicants: the subject for its own records (``seed.firm``), or the credit office on a paper application
(``XINYONG_OBJECTION_OPEN_TO_PUBLIC`` is off, its default). Handlers: the credit office accepts, refuses and
self-checks; the data provider (``seed.department``, whose records these are: its officer and its API token) and
the office verify; every department's officer reads its own (possibly empty) queue. The path makers create a
fresh published penalty of ``seed.firm`` and an objection on it through the service (as the console operator,
i.e. a paper application for the firm), advanced to the state the operation needs, so every allowed caller
reaches the rules, not a 404.
"""

from __future__ import annotations

import itertools
from datetime import date

from matrix_common import OFFICE, OWN_DEPARTMENT, OWN_SUBJECT, Spec
from principals import Seed

from records_factories import make_batch, make_record
from xinyong.auth.context import Context
from xinyong.records import cases, objections
from xinyong.records.models import CreditRecord, Objection

PDF = b"%PDF-1.4\n%%EOF\n"
_DOCS = itertools.count(1)
_LAST: dict[str, Objection] = {}

APPLICANTS = OWN_SUBJECT
READERS = OWN_SUBJECT | OWN_DEPARTMENT
DEPARTMENTS = frozenset({"department_officer", "department_other", "department_token"})


def _operator(seed: Seed) -> Context:
    assert seed.session is not None
    return Context(session=seed.session, actor="matrix:setup", role="system")


def record(seed: Seed) -> CreditRecord:
    """A published penalty of ``seed.firm`` reported by ``seed.department``."""
    assert seed.session is not None
    return make_record(
        seed.session,
        make_batch(seed.session, seed.department),
        doc_no=f"番罚〔矩阵异议〕{next(_DOCS)}号",
        decided_on=date(2026, 6, 1),
        subject=seed.firm,
        publicity_end=date(2027, 5, 31),
    )


def objection(seed: Seed, *, step: str = "submitted") -> int:
    """An objection on a fresh record with one evidence file, advanced to ``step``."""
    ctx = _operator(seed)
    made = objections.submit_objection(ctx, record(seed).id, "处罚决定已被撤销，请更正", "", "", [("证明.pdf", PDF)])
    if step in ("accepted", "verifying"):
        objections.accept(ctx, made.id, None)
    if step == "verifying":
        objections.self_check(ctx, made.id, "pass_to_provider", "", None)
    _LAST["objection"] = made
    return made.id


def last_file(seed: Seed) -> int:
    assert seed.session is not None
    return cases.case_files(seed.session, "objection", _LAST["objection"].id)[0].id


ENTRIES: dict[tuple[str, str], Spec] = {
    ("POST", "/api/v1/objections"): Spec(
        APPLICANTS, body=lambda s: {"record_id": record(s).id, "reasons": "处罚决定已被撤销，请更正"}
    ),
    # multipart: the matrix sends JSON, so allowed callers get 422; the other subject passes the "may submit at
    # all" check (it is a subject) and is refused by the record's owner check only once a form arrives
    ("POST", "/api/v1/objections/upload"): Spec(APPLICANTS | {"subject_other"}),
    ("GET", "/api/v1/objections"): Spec(APPLICANTS | {"subject_other"}),
    ("GET", "/api/v1/objections/queue"): Spec(OFFICE | DEPARTMENTS),
    ("GET", "/api/v1/objections/{objection_id}"): Spec(READERS, path={"objection_id": objection}),
    ("POST", "/api/v1/objections/{objection_id}/accept"): Spec(
        OFFICE, path={"objection_id": objection}, body=lambda s: {"version": 1}
    ),
    ("POST", "/api/v1/objections/{objection_id}/refuse"): Spec(
        OFFICE, path={"objection_id": objection}, body=lambda s: {"version": 1, "reason": "材料不能证明记录有误"}
    ),
    ("POST", "/api/v1/objections/{objection_id}/self-check"): Spec(
        OFFICE,
        path={"objection_id": lambda s: objection(s, step="accepted")},
        body=lambda s: {"version": 2, "result": "pass_to_provider", "note": ""},
    ),
    ("POST", "/api/v1/objections/{objection_id}/verify"): Spec(
        OWN_DEPARTMENT,
        path={"objection_id": lambda s: objection(s, step="verifying")},
        body=lambda s: {"version": 3, "outcome": "upheld", "reason": "经核查记录无误"},
    ),
    ("POST", "/api/v1/objections/{objection_id}/withdraw"): Spec(APPLICANTS, path={"objection_id": objection}),
    ("GET", "/api/v1/objections/{objection_id}/files/{file_id}"): Spec(
        READERS, path={"objection_id": objection, "file_id": last_file}
    ),
}
