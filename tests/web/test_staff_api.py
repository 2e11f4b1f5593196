"""Staff reads and API tokens over HTTP: masking, audited ID-number reads, token issue/list/revoke, scopes,
department scoping, and forged, expired or revoked tokens (on SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from principals import add_account, issue_token, login_headers, token_headers
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from webdata import HEFENG, Registry

from xinyong import clock
from xinyong.auth import tokens
from xinyong.auth.credentials import hash_secret
from xinyong.auth.models import Account, ApiToken, AuditEvent
from xinyong.subjects.models import Department

RIC = "11010519491231002X"
MASKED = "1101**********002X"


def person_of(role: str, db: Session, **scope: object) -> dict[str, str]:
    """Login headers of a fresh account ``u_<role>`` (``u_<role>_<n>`` for the n-th more)."""
    taken = db.scalar(select(func.count()).select_from(Account).where(Account.username.startswith(f"u_{role}")))
    name = f"u_{role}" + (f"_{taken}" if taken else "")
    return login_headers(db, add_account(db, name, role, **scope))  # type: ignore[arg-type]


def events(db: Session, action: str) -> list[AuditEvent]:
    return list(db.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


# --------------------------------------------------------------------------------------------- staff reads
def test_staff_search_includes_natural_persons_masked(api: TestClient, db: Session, registry: Registry) -> None:
    public = api.get("/api/v1/subjects", params={"q": "禾丰"}).json()
    assert [i["name"] for i in public["items"]] == [HEFENG]
    staff = api.get("/api/v1/staff/subjects", params={"q": "禾丰"}, headers=person_of("credit_office_staff", db))
    assert staff.status_code == 200
    items = {i["name"]: i for i in staff.json()["items"]}
    assert set(items) == {HEFENG, "王禾丰"}
    assert items["王禾丰"]["ric_masked"] == MASKED
    assert RIC not in staff.text
    [event] = events(db, "subjects.staff_search")
    assert event.actor == "account:u_credit_office_staff" and event.detail["q"] == "禾丰"


def test_staff_search_roles(api: TestClient, db: Session, registry: Registry) -> None:
    dept = Department(code="scjgj", name="广州市番禺区市场监督管理局", uscc="11440113MB0000001X")
    db.add(dept)
    db.flush()
    for role, scope, status in [
        ("regulator", {}, 200),
        ("department_officer", {"department_id": dept.id}, 200),
        ("auditor", {}, 403),
        ("bank", {"institution": "某银行"}, 403),
        ("subject", {"subject_id": registry.hefeng.id}, 403),
    ]:
        r = api.get("/api/v1/staff/subjects", params={"q": "禾丰"}, headers=person_of(role, db, **scope))
        assert r.status_code == status, (role, r.text)
    assert api.get("/api/v1/staff/subjects", params={"q": "禾丰"}).status_code == 401


def test_code_like_queries_are_masked_in_the_audit_log(api: TestClient, db: Session, registry: Registry) -> None:
    r = api.get("/api/v1/staff/subjects", params={"q": RIC}, headers=person_of("regulator", db))
    assert r.status_code == 200
    [event] = events(db, "subjects.staff_search")
    assert event.detail["q"] == MASKED


def test_identity_read_is_audited_and_needs_read_pii(api: TestClient, db: Session, registry: Registry) -> None:
    url = f"/api/v1/staff/subjects/{registry.person.id}/identity"
    assert api.get(url).status_code == 401
    for role in ("regulator", "auditor"):
        assert api.get(url, headers=person_of(role, db)).status_code == 403
    assert events(db, "subjects.read_pii") == []
    r = api.get(url, headers=person_of("credit_office_staff", db))
    assert r.status_code == 200
    assert r.json() == {"subject_id": registry.person.id, "name": "王禾丰", "ric": RIC}
    [event] = events(db, "subjects.read_pii")
    assert (event.actor, event.target_id, event.outcome) == (
        "account:u_credit_office_staff",
        str(registry.person.id),
        "ok",
    )
    assert RIC not in str(event.detail) and "11010519491231" not in str(event.detail)
    company = api.get(
        f"/api/v1/staff/subjects/{registry.hefeng.id}/identity", headers=person_of("credit_office_admin", db)
    )
    assert company.status_code == 404
    big = api.get(f"/api/v1/staff/subjects/{2**63}/identity", headers=person_of("credit_office_admin", db))
    assert big.status_code == 422


# --------------------------------------------------------------------------------------------- tokens
def test_token_is_returned_once_and_never_listed(
    api: TestClient, db: Session, departments: tuple[Department, Department]
) -> None:
    admin = person_of("credit_office_admin", db)
    body = {
        "name": "市场监管局报送系统",
        "role": "department_officer",
        "department_id": departments[0].id,
        "scopes": ["subjects.read", "tokens.read"],
        "expires_on": "2027-11-27",
    }
    r = api.post("/api/v1/tokens", json=body, headers=admin)
    assert r.status_code == 201, r.text
    raw = r.json()["token"]
    info = r.json()["info"]
    assert raw.startswith("xy_") and info["prefix"] in raw and "token_hash" not in info
    stored = db.get(ApiToken, info["id"])
    assert stored is not None and stored.token_hash == hash_secret(raw)
    listing = api.get("/api/v1/tokens", headers=admin)
    assert listing.status_code == 200
    assert raw not in listing.text and stored.token_hash not in listing.text
    assert [t["id"] for t in listing.json()] == [info["id"]]
    # the token works, and its listing never reveals it either
    me = api.get(f"/api/v1/departments/{departments[0].id}/tokens", headers=token_headers(raw))
    assert me.status_code == 200 and raw not in me.text
    # CSRF: a cookie-authenticated POST without the session's token is refused
    no_csrf = {"Cookie": admin["Cookie"]}
    assert api.post("/api/v1/tokens", json=body, headers=no_csrf).status_code == 403


def test_token_creation_is_validated_and_admin_only(
    api: TestClient, db: Session, departments: tuple[Department, Department]
) -> None:
    body = {
        "name": "x",
        "role": "department_officer",
        "department_id": departments[0].id,
        "scopes": ["tokens.manage"],
        "expires_on": "2027-01-01",
    }
    r = api.post("/api/v1/tokens", json=body, headers=person_of("credit_office_admin", db))
    assert r.status_code == 422 and r.json()["field"] == "scopes"
    r = api.post(
        "/api/v1/tokens", json={**body, "role": "credit_office_admin"}, headers=person_of("credit_office_admin", db)
    )
    assert r.status_code == 422  # not a token role (schema)
    staff = person_of("credit_office_staff", db)
    assert api.post("/api/v1/tokens", json={**body, "scopes": ["subjects.read"]}, headers=staff).status_code == 403
    assert api.post("/api/v1/tokens", json=body).status_code == 401


def test_department_token_cannot_read_another_departments_tokens(
    api: TestClient, db: Session, departments: tuple[Department, Department]
) -> None:
    own, other = departments
    raw = issue_token(db, "department_officer", department_id=own.id, scopes=["tokens.read"])
    issue_token(db, "department_officer", department_id=other.id)
    headers = token_headers(raw)
    mine = api.get(f"/api/v1/departments/{own.id}/tokens", headers=headers)
    assert mine.status_code == 200 and {t["department_id"] for t in mine.json()} == {own.id}
    assert api.get(f"/api/v1/departments/{other.id}/tokens", headers=headers).status_code == 403
    assert api.get("/api/v1/tokens", headers=headers).status_code == 403
    officer = person_of("department_officer", db, department_id=own.id)
    assert api.get(f"/api/v1/departments/{other.id}/tokens", headers=officer).status_code == 403
    assert (
        api.get(f"/api/v1/departments/{other.id}/tokens", headers=person_of("credit_office_staff", db)).status_code
        == 200
    )
    assert api.get("/api/v1/departments/999999/tokens", headers=person_of("credit_office_admin", db)).status_code == 404


def test_scopes_narrow_the_role(api: TestClient, db: Session, departments: tuple[Department, Department]) -> None:
    own = departments[0]
    narrow = token_headers(issue_token(db, "department_officer", department_id=own.id, scopes=["tokens.read"]))
    wide = token_headers(issue_token(db, "department_officer", department_id=own.id, scopes=["subjects.read"]))
    r = api.get("/api/v1/staff/subjects", params={"q": "禾丰"}, headers=narrow)
    assert r.status_code == 403 and "令牌" in r.json()["message"]
    assert api.get("/api/v1/staff/subjects", params={"q": "禾丰"}, headers=wide).status_code == 200
    assert api.get(f"/api/v1/departments/{own.id}/tokens", headers=wide).status_code == 403


@pytest.mark.parametrize(
    "authorization",
    [
        "Bearer xy_00000000_forgedforgedforgedforgedforgedforgedforge",
        "Bearer not-even-our-format",
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        "Bearer " + "x" * 500,
    ],
)
def test_forged_tokens_are_401(api: TestClient, db: Session, registry: Registry, authorization: str) -> None:
    r = api.get("/api/v1/staff/subjects", params={"q": "禾丰"}, headers={"Authorization": authorization})
    assert r.status_code == 401 and r.json()["error"] == "unauthenticated"
    # never downgraded to the public: an invalid credential is refused wherever credentials are read
    assert api.get("/api/v1/tokens", headers={"Authorization": authorization}).status_code == 401


def test_expired_and_revoked_tokens_are_401(
    api: TestClient, db: Session, registry: Registry, departments: tuple[Department, Department]
) -> None:
    own = departments[0]
    raw = issue_token(db, "department_officer", department_id=own.id, scopes=["subjects.read"], days=2)
    headers = token_headers(raw)
    assert api.get("/api/v1/staff/subjects", params={"q": "禾丰"}, headers=headers).status_code == 200
    expiry = tokens.expiry_instant(clock.today() + timedelta(days=2))
    clock.set_clock(lambda: expiry)
    assert api.get("/api/v1/staff/subjects", params={"q": "禾丰"}, headers=headers).status_code == 401
    clock.set_clock(lambda: expiry - timedelta(seconds=1))
    assert api.get("/api/v1/staff/subjects", params={"q": "禾丰"}, headers=headers).status_code == 200
    token_id = db.scalars(select(ApiToken.id).where(ApiToken.token_hash == hash_secret(raw))).one()
    admin = person_of("credit_office_admin", db)
    r = api.post(f"/api/v1/tokens/{token_id}/revoke", json={"reason": "系统下线"}, headers=admin)
    assert r.status_code == 200 and r.json()["revoked_at"]
    assert api.get("/api/v1/staff/subjects", params={"q": "禾丰"}, headers=headers).status_code == 401
    again = api.post(f"/api/v1/tokens/{token_id}/revoke", json={"reason": "再次"}, headers=admin)
    assert again.status_code == 409
    assert api.post(f"/api/v1/tokens/{token_id}/revoke", json={"reason": " "}, headers=admin).status_code == 422
