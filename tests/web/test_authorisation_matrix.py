"""The authorisation matrix: every operation of the OpenAPI document × every role, against ``EXPECTED``.

``EXPECTED`` is the specification (issue #3, "Roles and permissions"): public; subject (self); department
officer (own department's data only); credit office staff; credit office admin; regulator; bank (only with a
valid authorisation from the subject); auditor (the audit log). Operations are read from
``create_app().openapi()``, so a new endpoint fails this test until someone writes down who may call it.

Besides one column per role there are scoped variants (another subject, another department, a bank without
the subject's authorisation) and the two machine clients (a department's and a bank's API token).
"Allowed" means the answer is neither 401 nor 403 (and not a 5xx); "denied" means 401 for the anonymous
public and 403 for everyone else. Each request runs in a savepoint rolled back afterwards, so calls do not
see each other's changes. The callers are built with the shared helpers of ``principals.py``.
"""

from __future__ import annotations

import string
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import matrix_arrears
import matrix_campaigns
import matrix_checks
import matrix_commitments
import matrix_dashboard
import matrix_enforcement
import matrix_evaluation
import matrix_gov_overview
import matrix_government
import matrix_incentives
import matrix_inspections
import matrix_integrity
import matrix_lending
import matrix_lifecycle
import matrix_lists
import matrix_monitoring
import matrix_notifications
import matrix_objections
import matrix_personal_scores
import matrix_portal
import matrix_privacy
import matrix_repairs
import matrix_reports
import matrix_sandbox
import matrix_verification
import matrix_workplan
import pytest
from fastapi.testclient import TestClient
from matrix_common import (
    ADMIN,
    ALL,
    AUDITORS,
    BANKS_AUTHORISED,
    COLUMN_ROLE,
    COLUMNS,
    LOGGED_IN,
    OFFICE,
    OWN_DEPARTMENT,
    OWN_SUBJECT,
    STAFF_READERS,
    TODAY,
    Spec,
)
from principals import BANK, Seed, savepoint_client, seeded
from sqlalchemy import Engine

from records_factories import make_batch, make_record
from xinyong.auth.permissions import ROLES
from xinyong.web.app import create_app

EXPECTED: dict[tuple[str, str], Spec] = {
    # --- public
    ("GET", "/healthz"): Spec(ALL),
    ("GET", "/api/v1/subjects"): Spec(ALL, params={"q": "禾丰"}),
    ("GET", "/api/v1/subjects/{uscc}"): Spec(ALL),
    # --- staff reads
    ("GET", "/api/v1/staff/subjects"): Spec(STAFF_READERS, params={"q": "禾丰"}),
    ("GET", "/api/v1/staff/subjects/{subject_id}/identity"): Spec(OFFICE, path={"subject_id": lambda s: s.person.id}),
    # --- banks, under the subject's authorisation
    ("GET", "/api/v1/bank/subjects/{uscc}"): Spec(BANKS_AUTHORISED),
    ("POST", "/api/v1/subjects/{subject_id}/authorisations"): Spec(
        OWN_SUBJECT,
        body=lambda s: {
            "institution": BANK,
            "purpose": "信易贷贷款审批",
            "scopes": ["basic"],
            "valid_from": TODAY.isoformat(),
            "valid_to": (TODAY + timedelta(days=180)).isoformat(),
        },
    ),
    ("GET", "/api/v1/subjects/{subject_id}/authorisations"): Spec(OWN_SUBJECT),
    ("POST", "/api/v1/authorisations/{authorisation_id}/revoke"): Spec(OWN_SUBJECT),
    # --- API tokens
    ("GET", "/api/v1/tokens"): Spec(OFFICE),
    ("POST", "/api/v1/tokens"): Spec(
        ADMIN,
        body=lambda s: {
            "name": "矩阵测试令牌",
            "role": "department_officer",
            "department_id": s.department.id,
            "scopes": ["subjects.read"],
            "expires_on": (TODAY + timedelta(days=30)).isoformat(),
        },
    ),
    ("POST", "/api/v1/tokens/{token_id}/revoke"): Spec(ADMIN, body=lambda s: {"reason": "矩阵测试"}),
    ("GET", "/api/v1/departments/{department_id}/tokens"): Spec(OWN_DEPARTMENT),
    # --- accounts (web/api/accounts.py)
    ("GET", "/api/v1/me"): Spec(LOGGED_IN),
    ("GET", "/api/v1/accounts"): Spec(ADMIN),
    ("POST", "/api/v1/accounts"): Spec(
        ADMIN,
        body=lambda s: {
            "username": "matrix_new",
            "display_name": "矩阵新账户",
            "password": "Panyu2026credit",
            "role": "regulator",
        },
    ),
    ("POST", "/api/v1/accounts/{account_id}/unlock"): Spec(ADMIN),
    ("POST", "/api/v1/accounts/{account_id}/deactivate"): Spec(ADMIN),
    ("POST", "/api/v1/accounts/{account_id}/activate"): Spec(ADMIN),
    # --- audit log (web/api/audit.py)
    ("GET", "/api/v1/audit/events"): Spec(AUDITORS),
    ("GET", "/api/v1/audit/export"): Spec(AUDITORS),
    ("GET", "/api/v1/audit/verify"): Spec(AUDITORS | ADMIN),
    # --- catalogue (web/api/catalog.py)
    ("GET", "/api/v1/catalog"): Spec(ALL),
    ("GET", "/api/v1/catalog/{item_id}"): Spec(ALL, path={"item_id": lambda s: "utility_arrears"}),
    ("GET", "/api/v1/catalog/{item_id}/template.xlsx"): Spec(ALL, path={"item_id": lambda s: "penalty"}),
    # --- intake (web/api/intake.py)
    # Any department's officer (or token) submits and lists for its own department; the office names one (422
    # without it). A batch is readable by its department and the office only.
    ("POST", "/api/v1/intake/{item_id}"): Spec(
        OWN_DEPARTMENT | {"department_other"},
        path={"item_id": lambda s: "penalty"},
        body=lambda s: {"rows": [{"行政处罚决定书文号": "矩阵测试1号"}]},
    ),
    ("POST", "/api/v1/intake/{item_id}/file"): Spec(
        OWN_DEPARTMENT | {"department_other"}, path={"item_id": lambda s: "penalty"}
    ),
    ("GET", "/api/v1/intake/batches"): Spec(OWN_DEPARTMENT | {"department_other"}),
    ("GET", "/api/v1/intake/batches/{batch_id}"): Spec(
        OWN_DEPARTMENT, path={"batch_id": lambda s: make_batch(s.session, s.department).id}
    ),
    ("GET", "/api/v1/intake/batches/{batch_id}/feedback.xlsx"): Spec(
        OWN_DEPARTMENT, path={"batch_id": lambda s: make_batch(s.session, s.department).id}
    ),
    # --- credit records and 双公示 (web/api/records.py)
    ("GET", "/api/v1/gongshi/{item_id}"): Spec(ALL, params={"q": "禾丰"}, path={"item_id": lambda s: "penalty"}),
    ("GET", "/api/v1/gongshi/{item_id}/{record_id}"): Spec(
        ALL,
        path={
            "item_id": lambda s: "penalty",
            "record_id": lambda s: (
                make_record(s.session, make_batch(s.session, s.department), doc_no="罚〔矩阵〕1号", decided_on=TODAY).id
            ),
        },
    ),
    ("GET", "/api/v1/staff/records"): Spec(STAFF_READERS, params={"item_id": "penalty"}),
    ("GET", "/api/v1/staff/records/{record_id}"): Spec(
        STAFF_READERS,
        path={
            "record_id": lambda s: (
                make_record(s.session, make_batch(s.session, s.department), doc_no="罚〔矩阵〕2号", decided_on=TODAY).id
            )
        },
    ),
    # --- quality scorecards (web/api/quality.py)
    ("GET", "/api/v1/quality/scorecard"): Spec(STAFF_READERS, params={"month": "2026-10"}),
    ("GET", "/api/v1/quality/scorecard.xlsx"): Spec(STAFF_READERS, params={"month": "2026-10"}),
    ("POST", "/api/v1/quality/reference"): Spec(
        OFFICE,
        body=lambda s: {
            "item": "penalty",
            "department": s.department.code,
            "list_name": "矩阵测试台账",
            "rows": [{"文书号": "番市监罚〔2026〕1号", "决定日期": "2026-10-09"}],
        },
    ),
    # --- record lifecycle (issue #5): one module per area
    **matrix_lifecycle.ENTRIES,
    **matrix_objections.ENTRIES,
    **matrix_repairs.ENTRIES,
    **matrix_commitments.ENTRIES,
    **matrix_notifications.ENTRIES,
    **matrix_evaluation.ENTRIES,
    **matrix_inspections.ENTRIES,
    **matrix_lists.ENTRIES,
    **matrix_checks.ENTRIES,
    **matrix_verification.ENTRIES,
    **matrix_reports.ENTRIES,
    **matrix_portal.ENTRIES,
    **matrix_workplan.ENTRIES,
    **matrix_monitoring.ENTRIES,
    **matrix_lending.ENTRIES,
    **matrix_incentives.ENTRIES,
    **matrix_personal_scores.ENTRIES,
    **matrix_dashboard.ENTRIES,
    **matrix_privacy.ENTRIES,
    **matrix_sandbox.ENTRIES,
    **matrix_government.ENTRIES,
    **matrix_integrity.ENTRIES,
    **matrix_arrears.ENTRIES,
    **matrix_enforcement.ENTRIES,
    **matrix_campaigns.ENTRIES,
    **matrix_gov_overview.ENTRIES,
}


DOCUMENT: dict[str, Any] = create_app().openapi()
OPERATIONS = sorted(
    (method.upper(), path)
    for path, operations in DOCUMENT["paths"].items()
    for method in operations
    if method in {"get", "post", "put", "patch", "delete"}
)


@pytest.fixture(scope="module")
def matrix(engine: Engine) -> Iterator[tuple[TestClient, Seed]]:
    """Seeded once per database for the whole module; every request is isolated in a savepoint, so the
    operations cannot see each other's changes."""
    with seeded(engine) as (session, seed), savepoint_client(session) as client:
        yield client, seed


@pytest.fixture(autouse=True)
def _fresh_rate_limits(request: pytest.FixtureRequest) -> None:
    """A full rate-limit budget for each operation (13 callers hit the public search bucket)."""
    if "matrix" in request.fixturenames:
        client, _ = request.getfixturevalue("matrix")
        limiter = getattr(client.app.state, "rate_limiter", None)  # type: ignore[attr-defined]
        if limiter is not None:
            limiter.reset()


def test_every_role_has_a_column() -> None:
    roles = {COLUMN_ROLE.get(c, c) for c in COLUMNS}
    assert roles == set(ROLES) - {"system"}


def test_table_lists_no_operation_the_app_lacks() -> None:
    stale = sorted(set(EXPECTED) - set(OPERATIONS))
    assert not stale, f"EXPECTED names operations that are not in the OpenAPI document: {stale}"


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_security_is_declared_on_every_non_public_operation(method: str, path: str) -> None:
    spec = EXPECTED.get((method, path))
    assert spec is not None, f"{method} {path}: no entry in EXPECTED"
    operation = DOCUMENT["paths"][path][method.lower()]
    if "public" in spec.allowed:
        assert not operation.get("security"), f"{method} {path} is public but declares security"
    else:
        declared = {name for requirement in operation.get("security", []) for name in requirement}
        assert declared >= {"bearer", "session"}, f"{method} {path} does not declare its security in OpenAPI"


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_authorisation_matrix(method: str, path: str, matrix: tuple[TestClient, Seed]) -> None:
    client, seed = matrix
    spec = EXPECTED.get((method, path))
    assert spec is not None, (
        f"{method} {path} has no entry in EXPECTED: decide which roles may call it and add it to the table"
    )
    values = seed.path_values() | {name: make(seed) for name, make in spec.path.items()}
    missing = [name for name in _path_names(path) if name not in values]
    assert not missing, f"{method} {path}: no seeded value for path parameter(s) {missing}"
    url = path.format(**{name: values[name] for name in _path_names(path)})
    wrong: list[str] = []
    for column in COLUMNS:
        response = client.request(
            method,
            url,
            params=spec.params,
            json=spec.body(seed) if spec.body else None,
            headers=seed.headers[column],
        )
        status = response.status_code
        if column in spec.allowed:
            ok = status not in (401, 403) and status < 500
            want = "allowed"
        else:
            ok = status == (401 if column == "public" else 403)
            want = "401" if column == "public" else "403"
        if not ok:
            wrong.append(f"{column}: want {want}, got {status} {response.text[:160]}")
    assert not wrong, f"{method} {path}:\n" + "\n".join(wrong)


def _path_names(path: str) -> list[str]:
    return [name for _, name, _, _ in string.Formatter().parse(path) if name]
