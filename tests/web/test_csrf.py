"""CSRF protection: the anonymous login form (double-submit cookie), logged-in forms (per-session token),
cookie-authenticated JSON calls (``X-CSRF-Token``), and the bearer-token exemption."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi import Request
from fastapi.testclient import TestClient
from principals import PASSWORD, form_token, https_client, log_in
from sqlalchemy.orm import Session

from xinyong import clock
from xinyong.auth.credentials import SESSION_COOKIE, hash_secret, new_api_token
from xinyong.auth.models import Account, ApiToken
from xinyong.web import csrf

COOKIE = "__Host-xinyong_csrf"
pytestmark = pytest.mark.usefixtures("fast_hasher")  # these tests exercise the rules, not the hash cost


@pytest.fixture
def client(db: Session) -> Iterator[TestClient]:
    with https_client(db) as c:
        yield c


def admin_session_token(client: TestClient) -> str:
    """Log in as admin; return the session's CSRF token (from a logged-in page)."""
    r = log_in(client, "admin", PASSWORD)
    assert r.status_code == 303
    return form_token(client.get("/account").text)


def test_login_form_sets_a_hardened_double_submit_cookie(client: TestClient) -> None:
    r = client.get("/login")
    cookie = next(h for h in r.headers.get_list("set-cookie") if h.startswith(f"{COOKIE}="))
    lowered = cookie.lower()
    for attribute in ("httponly", "secure", "samesite=lax", "path=/"):
        assert attribute in lowered
    assert "domain=" not in lowered  # the __Host- prefix forbids it
    assert form_token(r.text) == client.cookies.get(COOKIE)
    again = client.get("/login")  # the same value while the cookie lives
    assert form_token(again.text) == client.cookies.get(COOKIE)
    assert COOKIE not in again.headers.get("set-cookie", "")


def test_login_post_without_token_is_403(client: TestClient, admin: Account) -> None:
    client.get("/login")
    r = client.post("/login", data={"username": "admin", "password": PASSWORD})
    assert r.status_code == 403
    assert "安全校验" in r.text
    assert SESSION_COOKIE not in r.headers.get("set-cookie", "")


def test_login_post_with_a_wrong_token_is_403(client: TestClient, admin: Account) -> None:
    client.get("/login")
    r = client.post("/login", data={"username": "admin", "password": PASSWORD, "csrf_token": "x" * 43})
    assert r.status_code == 403


def test_login_post_without_the_cookie_is_403(client: TestClient, admin: Account) -> None:
    """A forged cross-site form can copy a token value but not plant the victim's cookie."""
    token = form_token(client.get("/login").text)
    client.cookies.clear()
    r = client.post("/login", data={"username": "admin", "password": PASSWORD, "csrf_token": token})
    assert r.status_code == 403


def test_login_post_with_the_right_token_works(client: TestClient, admin: Account) -> None:
    token = form_token(client.get("/login").text)
    r = client.post("/login", data={"username": "admin", "password": PASSWORD, "csrf_token": token})
    assert r.status_code == 303
    assert client.cookies.get(SESSION_COOKIE)


def test_logged_in_forms_need_the_session_token(client: TestClient, admin: Account, db: Session) -> None:
    anonymous_token = form_token(client.get("/login").text)
    session_token = admin_session_token(client)
    assert session_token != anonymous_token  # the token changes with the login (no fixation)
    data = {"old_password": PASSWORD, "new_password": "Brand-new-pass-2027", "new_password_confirm": "x"}
    assert client.post("/account/password", data=data).status_code == 403
    assert client.post("/account/password", data={**data, "csrf_token": anonymous_token}).status_code == 403
    # One character off (same length and alphabet): its last character changed, so never the real token.
    wrong = session_token[:-1] + ("B" if session_token.endswith("A") else "A")
    assert wrong != session_token
    assert client.post("/account/password", data={**data, "csrf_token": wrong}).status_code == 403
    # Right token: the request reaches the form logic (which then complains about the confirmation).
    ok = client.post("/account/password", data={**data, "csrf_token": session_token})
    assert ok.status_code == 422 and "不一致" in ok.text
    # The htmx way: the header instead of the field.
    assert client.post("/account/password", data=data, headers={"X-CSRF-Token": session_token}).status_code == 422
    # Another session's token is not this session's token.
    with https_client(db) as other:
        other_token = admin_session_token(other)
    assert other_token != session_token
    assert client.post("/account/password", data={**data, "csrf_token": other_token}).status_code == 403


def test_logout_needs_the_token(client: TestClient, admin: Account) -> None:
    session_token = admin_session_token(client)
    assert client.post("/logout").status_code == 403
    assert client.get("/api/v1/me").status_code == 200  # still logged in
    assert client.post("/logout", data={"csrf_token": session_token}).status_code == 303
    assert client.get("/api/v1/me").status_code == 401


def test_admin_forms_need_the_token(client: TestClient, admin: Account) -> None:
    session_token = admin_session_token(client)
    data = {"username": "new.staff", "display_name": "新同事", "password": PASSWORD, "role": "credit_office_staff"}
    assert client.post("/admin/accounts", data=data).status_code == 403
    assert (
        client.post("/admin/accounts", data={**data, "csrf_token": "bogus-token-value-0123456789"}).status_code == 403
    )
    assert client.post(f"/admin/accounts/{admin.id}/unlock").status_code == 403
    assert client.post("/admin/accounts", data={**data, "csrf_token": session_token}).status_code == 303


def test_cookie_authenticated_json_calls_need_the_header(client: TestClient, admin: Account) -> None:
    admin_session_token(client)
    token = client.get("/api/v1/me").json()["csrf_token"]
    r = client.post(f"/api/v1/accounts/{admin.id}/unlock")
    assert r.status_code == 403 and r.json()["error"] == "csrf_failed"
    assert client.post(f"/api/v1/accounts/{admin.id}/unlock", headers={"X-CSRF-Token": "nope"}).status_code == 403
    assert client.post(f"/api/v1/accounts/{admin.id}/unlock", headers={"X-CSRF-Token": token}).status_code == 200


def test_bearer_token_requests_are_exempt(client: TestClient, db: Session) -> None:
    raw, prefix = new_api_token()
    db.add(
        ApiToken(
            name="银行系统",
            prefix=prefix,
            token_hash=hash_secret(raw),
            role="bank",
            institution="番禺农商银行",
            scopes=["bank.query"],
            expires_at=clock.now() + timedelta(days=30),
            revoked_at=None,
            created_by="test",
            created_at=clock.now(),
        )
    )
    db.commit()
    bearer = {"Authorization": f"Bearer {raw}"}
    me = client.get("/api/v1/me", headers=bearer)
    assert me.status_code == 200 and me.json()["kind"] == "token" and me.json()["csrf_token"] is None
    # No CSRF token, yet the answer is the permission check's, not the CSRF check's.
    denied = client.post("/api/v1/accounts/1/unlock", headers=bearer)
    assert denied.status_code == 403 and denied.json()["error"] == "forbidden"
    assert client.post("/logout", headers=bearer).status_code == 303
    # A forged bearer header is refused outright, never downgraded to the cookie or the public.
    assert client.post("/logout", headers={"Authorization": "Bearer xy_forged"}).status_code == 401


def test_anonymous_json_calls_get_401_not_a_csrf_error(client: TestClient) -> None:
    r = client.post("/api/v1/accounts/1/unlock")
    assert r.status_code == 401 and r.json()["error"] == "unauthenticated"


def test_csrf_field_escapes_and_reuses_the_request_token() -> None:
    scope = {"type": "http", "method": "GET", "path": "/", "headers": [], "query_string": b""}
    request = Request(scope)
    field = str(csrf.csrf_field(request))
    value = form_token(field)
    assert field.startswith('<input type="hidden" name="csrf_token" value="')
    assert csrf.csrf_token(request) == value  # one token per request, however many forms
    hostile = Request({**scope, "headers": [(b"cookie", b'__Host-xinyong_csrf="><script>x</script>')]})
    assert "<script>" not in str(csrf.csrf_field(hostile))
