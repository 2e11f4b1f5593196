"""The authorisation matrix: every operation of the OpenAPI document × every role, against ``EXPECTED``.

``EXPECTED`` is the specification (issue #3, "Roles and permissions"): public; subject (self); department
officer (own department's data only); credit office staff; credit office admin; regulator; bank (only with a
valid authorisation from the subject); auditor (the audit log). Operations are read from
``create_app().openapi()``, so a new endpoint fails this test until someone writes down who may call it.

Besides one column per role there are scoped variants (another subject, another department, a bank without
the subject's authorisation) and the two machine clients (a department's and a bank's API token).
"Allowed" means the answer is neither 401 nor 403 (and not a 5xx); "denied" means 401 for the anonymous
public and 403 for everyone else. Each request runs in a savepoint rolled back afterwards, so calls do not
see each other's changes. Helpers here (``add_account``, ``login_headers``, ``token_headers``,
``isolated_session``) are shared with the other security tests.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from webdata import HEFENG, HEFENG_USCC, register

from factories import uscc
from xinyong import clock
from xinyong.auth import tokens
from xinyong.auth.authorisations import grant_authorisation
from xinyong.auth.context import Context
from xinyong.auth.credentials import SESSION_COOKIE, hash_secret, new_secret
from xinyong.auth.models import Account, LoginSession
from xinyong.auth.permissions import ROLE_PERMISSIONS, ROLES
from xinyong.subjects.models import Department, Subject
from xinyong.web.app import create_app
from xinyong.web.deps import get_session

BANK = "广州农商银行番禺支行"
OTHER_BANK = "某未获授权银行"


# --------------------------------------------------------------------------------------------- helpers
def isolated_session(db: Session, *, keep: bool = False) -> Callable[[], Iterator[Session]]:
    """A ``get_session`` override running each request on ``db`` inside a savepoint.

    The savepoint is rolled back when the request fails, like ``session_scope`` (so a failed statement cannot
    poison later requests on PostgreSQL), and when it succeeds too unless ``keep``: the matrix keeps nothing,
    so its calls cannot see each other's changes. A route that commits keeps its work either way."""

    def dependency() -> Iterator[Session]:
        savepoint = db.begin_nested()
        try:
            yield db
        except BaseException:
            if savepoint.is_active:
                savepoint.rollback()
            raise
        if savepoint.is_active:
            if keep:
                savepoint.commit()
            else:
                savepoint.rollback()

    return dependency


def add_account(
    db: Session,
    username: str,
    role: str,
    *,
    department_id: int | None = None,
    subject_id: int | None = None,
    institution: str | None = None,
) -> Account:
    """An active account inserted directly (setup only; account rules are tested on the accounts service)."""
    now = clock.now()
    account = Account(
        username=username,
        display_name=username,
        password_hash="!",  # no password can match: these accounts only log in through ``login_headers``
        role=role,
        department_id=department_id,
        subject_id=subject_id,
        institution=institution,
        active=True,
        failed_logins=0,
        must_change_password=False,
        password_changed_at=now,
        created_at=now,
        created_by="test",
    )
    db.add(account)
    db.flush()
    return account


def login_headers(db: Session, account: Account) -> dict[str, str]:
    """Headers of a logged-in browser: a fresh login-session cookie and its CSRF token."""
    raw, csrf = new_secret(), new_secret()
    now = clock.now()
    db.add(
        LoginSession(
            token_hash=hash_secret(raw),
            account_id=account.id,
            csrf_token=csrf,
            created_at=now,
            expires_at=now + timedelta(hours=8),
            revoked_at=None,
            ip="",
        )
    )
    db.flush()
    return {"Cookie": f"{SESSION_COOKIE}={raw}", "X-CSRF-Token": csrf}


def token_headers(raw: str) -> dict[str, str]:
    """Headers of a machine client holding ``raw``."""
    return {"Authorization": f"Bearer {raw}"}


def admin_context(db: Session) -> Context:
    """The credit office admin, for setup through the services."""
    return Context(session=db, actor="test:admin", role="credit_office_admin")


def issue_token(db: Session, role: str, *, scopes: list[str] | None = None, days: int = 30, **scope: Any) -> str:
    """A raw API token (all the role's permissions unless ``scopes``)."""
    ctx = admin_context(db)
    raw, _ = tokens.create_token(
        ctx,
        f"{role} 测试令牌",
        role,
        scopes=scopes or sorted(ROLE_PERMISSIONS[role]),
        expires_on=ctx.today + timedelta(days=days),
        **scope,
    )
    return raw


# --------------------------------------------------------------------------------------------- seed
@dataclass
class Seed:
    """Objects the path parameters point at, and each column's request headers."""

    firm: Subject
    other_firm: Subject
    person: Subject
    department: Department
    other_department: Department
    token_id: int
    authorisation_id: int
    spare_account_id: int
    headers: dict[str, dict[str, str]] = field(default_factory=dict)

    def path_values(self) -> dict[str, object]:
        """Default value of each path parameter name."""
        return {
            "uscc": HEFENG_USCC,
            "subject_id": self.firm.id,
            "department_id": self.department.id,
            "token_id": self.token_id,
            "authorisation_id": self.authorisation_id,
            "account_id": self.spare_account_id,
        }


def seed_security(ctx: Context) -> Seed:
    """Two subjects and a natural person, two departments, one account per column, a token, an authorisation."""
    db = ctx.session
    firm = register(ctx, kind="legal_person", name=HEFENG, uscc=HEFENG_USCC, township_code="440113007")
    other_firm = register(ctx, kind="legal_person", name="广州另一家贸易有限公司", uscc=uscc(424242))
    person = register(ctx, kind="natural_person", name="王禾丰", ric="11010519491231002X")
    department = Department(code="scjgj", name="广州市番禺区市场监督管理局", uscc="11440113MB0000001X")
    other_department = Department(code="sfj", name="广州市番禺区司法局", uscc="11440113MB0000002X")
    db.add_all([department, other_department])
    db.flush()
    admin = admin_context(db)
    _, dept_token = tokens.create_token(
        admin,
        "番禺市场监管报送系统",
        "department_officer",
        department_id=department.id,
        scopes=["subjects.read"],
        expires_on=admin.today + timedelta(days=30),
    )
    grant = grant_authorisation(
        Context(session=db, actor="test:subject", role="subject", subject_id=firm.id),
        firm.id,
        BANK,
        "信易贷贷款审批",
        ["basic"],
        admin.today,
        admin.today + timedelta(days=90),
    )
    spare = add_account(db, "spare_user", "regulator")
    seed = Seed(
        firm=firm,
        other_firm=other_firm,
        person=person,
        department=department,
        other_department=other_department,
        token_id=dept_token.id,
        authorisation_id=grant.id,
        spare_account_id=spare.id,
    )
    people: dict[str, tuple[str, dict[str, Any]]] = {
        "subject": ("subject", {"subject_id": firm.id}),
        "subject_other": ("subject", {"subject_id": other_firm.id}),
        "department_officer": ("department_officer", {"department_id": department.id}),
        "department_other": ("department_officer", {"department_id": other_department.id}),
        "credit_office_staff": ("credit_office_staff", {}),
        "credit_office_admin": ("credit_office_admin", {}),
        "regulator": ("regulator", {}),
        "bank": ("bank", {"institution": BANK}),
        "bank_unauthorised": ("bank", {"institution": OTHER_BANK}),
        "auditor": ("auditor", {}),
    }
    seed.headers["public"] = {}
    for column, (role, scope) in people.items():
        seed.headers[column] = login_headers(db, add_account(db, f"m_{column}", role, **scope))
    seed.headers["department_token"] = token_headers(issue_token(db, "department_officer", department_id=department.id))
    seed.headers["bank_token"] = token_headers(issue_token(db, "bank", institution=BANK))
    return seed


# --------------------------------------------------------------------------------------------- the table
COLUMNS: tuple[str, ...] = (
    "public",
    "subject",
    "subject_other",
    "department_officer",
    "department_other",
    "department_token",
    "credit_office_staff",
    "credit_office_admin",
    "regulator",
    "bank",
    "bank_unauthorised",
    "bank_token",
    "auditor",
)
COLUMN_ROLE = {
    "subject_other": "subject",
    "department_other": "department_officer",
    "department_token": "department_officer",
    "bank_unauthorised": "bank",
    "bank_token": "bank",
}

ALL = frozenset(COLUMNS)
LOGGED_IN = ALL - {"public"}
OFFICE = frozenset({"credit_office_staff", "credit_office_admin"})
ADMIN = frozenset({"credit_office_admin"})
# subjects.read: department officers (and their tokens), regulators and the credit office
STAFF_READERS = OFFICE | {"department_officer", "department_other", "department_token", "regulator"}
OWN_SUBJECT = OFFICE | {"subject"}  # the subject itself, or the credit office on a paper application
BANKS_AUTHORISED = frozenset({"bank", "bank_token"})
OWN_DEPARTMENT = OFFICE | {"department_officer", "department_token"}
AUDITORS = frozenset({"auditor"})


@dataclass(frozen=True)
class Spec:
    """Who may call an operation, and a request the allowed callers would find valid."""

    allowed: frozenset[str]
    params: dict[str, Any] = field(default_factory=dict)
    body: Callable[[Seed], dict[str, Any]] | None = None
    path: dict[str, Callable[[Seed], object]] = field(default_factory=dict)


PINNED_NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)  # as tests/conftest.py
TODAY = date(2026, 11, 27)

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
}


DOCUMENT: dict[str, Any] = create_app().openapi()
OPERATIONS = sorted(
    (method.upper(), path)
    for path, operations in DOCUMENT["paths"].items()
    for method in operations
    if method in {"get", "post", "put", "patch", "delete"}
)


@contextmanager
def seeded(engine: Engine) -> Iterator[tuple[Session, Seed]]:
    """A session on its own connection with ``seed_security`` applied at the pinned time, everything rolled
    back at the end: for module-scoped fixtures (seeding once per database instead of once per test)."""
    conn = engine.connect()
    outer = conn.begin()
    session = Session(bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False)
    clock.set_clock(lambda: PINNED_NOW)  # the function-scoped pinned clock is not active yet
    try:
        yield session, seed_security(Context(session=session, actor="tester", role="system"))
    finally:
        clock.set_clock(None)
        session.close()
        outer.rollback()
        conn.close()


@pytest.fixture(scope="module")
def matrix(engine: Engine) -> Iterator[tuple[TestClient, Seed]]:
    """Seeded once per database for the whole module; every request is isolated in a savepoint, so the
    operations cannot see each other's changes."""
    with seeded(engine) as (session, seed):
        app = create_app()
        app.dependency_overrides[get_session] = isolated_session(session)
        with TestClient(app, raise_server_exceptions=False) as client:
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
