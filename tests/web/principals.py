"""Who calls, for the web and security tests: accounts, login sessions and API tokens of each role, TestClients
whose requests run on the test's session the way production's ``session_scope`` does, and the security seed
(one caller per column of the authorisation matrix) for module-scoped fixtures.

Setup only: account, session and token rules are tested on their services (tests/auth).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from webdata import HEFENG, HEFENG_USCC, register

from factories import departments, uscc
from xinyong import clock
from xinyong.auth import tokens
from xinyong.auth.authorisations import grant_authorisation
from xinyong.auth.context import Context
from xinyong.auth.credentials import SESSION_COOKIE, hash_secret, new_secret
from xinyong.auth.models import Account, LoginSession
from xinyong.auth.permissions import ROLE_PERMISSIONS
from xinyong.subjects.models import Department, Subject
from xinyong.web.app import create_app
from xinyong.web.deps import get_session

PASSWORD = "Xinyong-admin-2026"  # satisfies the password policy
BANK = "广州农商银行番禺支行"
OTHER_BANK = "某未获授权银行"
PROVIDER = "番禺安居房屋租赁有限公司"  # a registered incentive provider (rental)
PROVIDER_USCC_N = 515151
PINNED_NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)  # as tests/conftest.py
CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


# --------------------------------------------------------------------------------------------- sessions
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


def committing_session(db: Session) -> Callable[[], Iterator[Session]]:
    """A ``get_session`` override like ``session_scope``: ``db`` is committed when the request succeeds and
    rolled back when it raises (setup data must be committed first, or a failed request takes it along)."""

    def dependency() -> Iterator[Session]:
        try:
            yield db
            db.commit()
        except BaseException:
            db.rollback()
            raise

    return dependency


def savepoint_client(db: Session, *, keep: bool = False) -> TestClient:
    """A client of a fresh app whose requests run in savepoints on ``db`` (see ``isolated_session``)."""
    app = create_app()
    app.dependency_overrides[get_session] = isolated_session(db, keep=keep)
    return TestClient(app, raise_server_exceptions=False)


def https_client(db: Session) -> TestClient:
    """A browser-like client of ``https://testserver`` (the session cookie is Secure) that does not follow
    redirects, its requests committed or rolled back on ``db`` (see ``committing_session``)."""
    app = create_app()
    app.dependency_overrides[get_session] = committing_session(db)
    return TestClient(app, base_url="https://testserver", raise_server_exceptions=False, follow_redirects=False)


# --------------------------------------------------------------------------------------------- people
def add_account(
    db: Session,
    username: str,
    role: str,
    *,
    display_name: str | None = None,
    department_id: int | None = None,
    subject_id: int | None = None,
    institution: str | None = None,
) -> Account:
    """An active account inserted directly (setup only; account rules are tested on the accounts service)."""
    now = clock.now()
    account = Account(
        username=username,
        display_name=display_name or username,
        password_hash="!",  # no password can match: these accounts only log in through ``login_session``
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


def login_session(db: Session, account: Account, *, hours: int = 8) -> tuple[str, str]:
    """A fresh login session of ``account``: the raw session-cookie value and the session's CSRF token."""
    raw, csrf = new_secret(), new_secret()
    now = clock.now()
    db.add(
        LoginSession(
            token_hash=hash_secret(raw),
            account_id=account.id,
            csrf_token=csrf,
            created_at=now,
            expires_at=now + timedelta(hours=hours),
            revoked_at=None,
            ip="",
        )
    )
    db.flush()
    return raw, csrf


def login_headers(db: Session, account: Account) -> dict[str, str]:
    """Headers of a logged-in browser: a fresh login-session cookie and its CSRF token."""
    raw, csrf = login_session(db, account)
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


# --------------------------------------------------------------------------------------------- forms
def form_token(html: str) -> str:
    """The CSRF token of the page's form."""
    found = CSRF_FIELD.search(html)
    assert found, "no csrf field in the page"
    return found.group(1)


def log_in(client: TestClient, username: str, password: str, next_url: str = "") -> Response:
    """Submit the login form as a browser would (the form's CSRF token first); the answer."""
    token = form_token(client.get("/login").text)
    return client.post(
        "/login", data={"username": username, "password": password, "next": next_url, "csrf_token": token}
    )


# --------------------------------------------------------------------------------------------- the security seed
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
    # The incentive provider, and a consent of ``person`` for it (its raw token): issue #9 item 3.
    provider_id: int = 0
    consent_id: int = 0
    consent_token: str = ""
    # The seeding session: a path parameter's maker may create what it points at (rolled back at the end).
    session: Session | None = None

    def path_values(self) -> dict[str, object]:
        """Default value of each path parameter name."""
        return {
            "uscc": HEFENG_USCC,
            "subject_id": self.firm.id,
            "department_id": self.department.id,
            "token_id": self.token_id,
            "authorisation_id": self.authorisation_id,
            "account_id": self.spare_account_id,
            "provider_id": self.provider_id,
            "consent_id": self.consent_id,
        }


def seed_security(ctx: Context) -> Seed:
    """Two subjects and a natural person, two departments, one account per column, a token, an authorisation."""
    db = ctx.session
    firm = register(ctx, kind="legal_person", name=HEFENG, uscc=HEFENG_USCC, township_code="440113007")
    other_firm = register(ctx, kind="legal_person", name="广州另一家贸易有限公司", uscc=uscc(424242))
    person = register(ctx, kind="natural_person", name="王禾丰", ric="11010519491231002X")
    department, other_department = departments(db)
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
        session=db,
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
        "provider": ("provider", {"institution": PROVIDER}),
    }
    seed_incentives(seed)
    seed.headers["public"] = {}
    for column, (role, scope) in people.items():
        seed.headers[column] = login_headers(db, add_account(db, f"m_{column}", role, **scope))
    seed.headers["department_token"] = token_headers(issue_token(db, "department_officer", department_id=department.id))
    seed.headers["bank_token"] = token_headers(issue_token(db, "bank", institution=BANK))
    seed.headers["provider_token"] = token_headers(issue_token(db, "provider", institution=PROVIDER))
    return seed


def seed_incentives(seed: Seed) -> None:
    """A registered rental provider (the ``provider`` columns' institution) and the person's consent for it."""
    from xinyong.incentives import service as incentives

    db = seed.session
    assert db is not None
    provider = incentives.register_provider(admin_context(db), PROVIDER, uscc(PROVIDER_USCC_N), "rental")
    person = Context(session=db, actor="test:person", role="subject", subject_id=seed.person.id)
    raw, consent = incentives.issue_consent(person, provider.id, "rental_deposit_waiver")
    seed.provider_id, seed.consent_id, seed.consent_token = provider.id, consent.id, raw


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
