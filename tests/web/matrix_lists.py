"""Authorisation-matrix entries of web/api/lists.py (issue #7, the listing procedure and received lists).

The list types and the public lists are public. Reading entries needs ``lists.read`` (department officers,
their tokens, regulators, the credit office; an entry's detail only for its own department's officers); the
procedure needs ``lists.manage`` and imports ``lists.import`` (department officers for list types their own
department keeps, and the credit office; not regulators). The seed department is the market regulator
(``scjgj``), which keeps the red list 守合同重信用企业: the path makers build its entries through the service as
the console operator, each on a fresh firm (one open entry per list and subject). Steps a red list does not
have (notice, defence) and multipart endpoints called with a JSON body answer 422 to the allowed callers.
"""

from __future__ import annotations

import itertools

from matrix_common import ALL, OWN_DEPARTMENT, TODAY, Spec
from principals import Seed

from factories import company
from xinyong.auth.context import Context
from xinyong.lists import entries

LIST = "contract_honouring"  # a red list of scjgj (seed.department)
READERS = OWN_DEPARTMENT | {"department_other", "regulator"}
ENTRY_READERS = OWN_DEPARTMENT | {"regulator"}
MANAGERS = OWN_DEPARTMENT
IMPORTERS = OWN_DEPARTMENT | {"department_other"}  # the list's department is checked once the form is valid
PDF = b"%PDF-1.4\n% matrix\n%%EOF\n"
_SERIAL = itertools.count(1)
_FILES: dict[int, int] = {}


def _operator(seed: Seed) -> Context:
    assert seed.session is not None
    return Context(session=seed.session, actor="matrix:setup", role="system")


def firm(seed: Seed) -> int:
    """A fresh legal person (each entry needs its own subject)."""
    n = next(_SERIAL)
    return company(_operator(seed), f"矩阵名单测试{n}有限公司", 610000 + n).id


def proposed(seed: Seed) -> int:
    """A proposed red-list entry (lock_version 1)."""
    return entries.propose(_operator(seed), LIST, firm(seed), "矩阵测试：守合同重信用评定", "").id


def decided(seed: Seed) -> int:
    """A decided red-list entry (lock_version 2)."""
    entry = entries.decide(_operator(seed), proposed(seed), "矩阵评〔2026〕1号", TODAY, None, 1)
    return entry.id


def published(seed: Seed) -> int:
    """A published red-list entry (lock_version 3)."""
    return entries.publish(_operator(seed), decided(seed), TODAY, 2).id


def with_file(seed: Seed) -> int:
    """A proposed entry with one file (its id remembered for ``file_id``)."""
    entry_id = proposed(seed)
    _FILES[id(seed)] = entries.attach(_operator(seed), entry_id, "评定材料.pdf", PDF).id
    return entry_id


ENTRIES: dict[tuple[str, str], Spec] = {
    ("GET", "/api/v1/lists/types"): Spec(ALL),
    ("GET", "/api/v1/lists/public"): Spec(ALL),
    ("GET", "/api/v1/lists/public/{list_code}"): Spec(ALL, path={"list_code": lambda s: "wage_arrears"}),
    ("GET", "/api/v1/lists/entries"): Spec(READERS, params={"list_code": LIST}),
    ("POST", "/api/v1/lists/entries"): Spec(
        MANAGERS,
        body=lambda s: {"list_code": LIST, "subject_id": firm(s), "reasons": "矩阵测试：守合同重信用评定"},
    ),
    ("GET", "/api/v1/lists/entries/{entry_id}"): Spec(ENTRY_READERS, path={"entry_id": proposed}),
    ("GET", "/api/v1/lists/subjects/{subject_id}/entries"): Spec(READERS),
    ("GET", "/api/v1/lists/entries/{entry_id}/files/{file_id}"): Spec(
        ENTRY_READERS, path={"entry_id": with_file, "file_id": lambda s: _FILES[id(s)]}
    ),
    ("POST", "/api/v1/lists/entries/{entry_id}/notice"): Spec(
        MANAGERS,
        path={"entry_id": proposed},
        body=lambda s: {"doc_no": "矩阵告〔2026〕1号", "served_on": TODAY.isoformat(), "lock_version": 1},
    ),
    ("POST", "/api/v1/lists/entries/{entry_id}/defence"): Spec(
        MANAGERS,
        path={"entry_id": proposed},
        body=lambda s: {"text": "矩阵测试申辩", "received_on": TODAY.isoformat(), "lock_version": 1},
    ),
    ("POST", "/api/v1/lists/entries/{entry_id}/decision"): Spec(
        MANAGERS,
        path={"entry_id": proposed},
        body=lambda s: {"doc_no": "矩阵评〔2026〕2号", "decided_on": TODAY.isoformat(), "lock_version": 1},
    ),
    ("POST", "/api/v1/lists/entries/{entry_id}/drop"): Spec(
        MANAGERS, path={"entry_id": proposed}, body=lambda s: {"reason": "矩阵测试不予列入", "lock_version": 1}
    ),
    ("POST", "/api/v1/lists/entries/{entry_id}/publication"): Spec(
        MANAGERS, path={"entry_id": decided}, body=lambda s: {"published_on": TODAY.isoformat(), "lock_version": 2}
    ),
    ("POST", "/api/v1/lists/entries/{entry_id}/removal"): Spec(
        MANAGERS,
        path={"entry_id": published},
        body=lambda s: {
            "reason": "revocation",
            "removed_on": TODAY.isoformat(),
            "note": "矩阵测试撤销",
            "lock_version": 3,
        },
    ),
    ("POST", "/api/v1/lists/entries/{entry_id}/files"): Spec(MANAGERS, path={"entry_id": proposed}),
    ("POST", "/api/v1/lists/imports"): Spec(IMPORTERS),
}
