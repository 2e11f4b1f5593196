"""Login, logout, lockout, password change and account pages over HTTP(S), on SQLite and PostgreSQL.

The client talks to ``https://testserver`` (the session cookie is Secure) and each request runs in a
transaction like production's ``session_scope``: committed when the request succeeds, rolled back when it
raises. Setup data is committed first so that a rolled-back request cannot take it along.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from fastapi.testclient import TestClient
from principals import PASSWORD, form_token, https_client, log_in
from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong import clock
from xinyong.auth import accounts
from xinyong.auth.context import Context
from xinyong.auth.credentials import SESSION_COOKIE
from xinyong.auth.models import Account, AuditEvent
from xinyong.settings import get_settings

WRONG = "Wrong-password-1"
pytestmark = pytest.mark.usefixtures("fast_hasher")  # these tests exercise the rules, not the hash cost


@pytest.fixture
def client(db: Session) -> Iterator[TestClient]:
    with https_client(db) as c:
        yield c


@pytest.fixture
def regulator(db: Session, ctx: Context) -> Account:
    account = accounts.create_account(ctx, "reg1", "执法员乙", PASSWORD, "regulator", must_change_password=False)
    db.commit()
    return account


def me(client: TestClient) -> dict:
    r = client.get("/api/v1/me")
    assert r.status_code == 200, r.text
    return r.json()


def me_status_with_cookie(db: Session, value: str) -> int:
    """``GET /api/v1/me`` from a fresh client presenting ``value`` as the session cookie."""
    with https_client(db) as other:
        other.cookies.set(SESSION_COOKIE, value, domain="testserver.local")
        return other.get("/api/v1/me").status_code


def login_events(db: Session) -> list[AuditEvent]:
    stmt = select(AuditEvent).where(AuditEvent.action == "account.login").order_by(AuditEvent.id)
    return list(db.scalars(stmt))


def test_login_page_is_chinese_with_a_csrf_field(client: TestClient) -> None:
    r = client.get("/login")
    assert r.status_code == 200
    for text in ("登录", "用户名", "密码"):
        assert text in r.text
    assert form_token(r.text)
    assert 'autocomplete="current-password"' in r.text


def test_login_sets_a_secure_session_cookie_and_me_shows_the_role(client: TestClient, admin: Account) -> None:
    assert client.get("/api/v1/me").status_code == 401
    r = log_in(client, "admin", PASSWORD)
    assert r.status_code == 303 and r.headers["location"] == "/account"
    cookie = next(h for h in r.headers.get_list("set-cookie") if h.startswith(f"{SESSION_COOKIE}="))
    attributes = cookie.lower()
    for attribute in ("httponly", "secure", "samesite=lax", "path=/", "max-age="):
        assert attribute in attributes
    body = me(client)
    assert body["kind"] == "account" and body["role"] == "credit_office_admin"
    assert body["role_label"] == "区信用办管理员" and body["username"] == "admin"
    assert body["display_name"] == "管理员甲" and body["csrf_token"]
    page = client.get("/account")
    assert page.status_code == 200
    assert "管理员甲" in page.text and "区信用办管理员" in page.text and "退出" in page.text


def test_me_is_401_for_the_anonymous(client: TestClient) -> None:
    r = client.get("/api/v1/me")
    assert r.status_code == 401
    assert r.json()["error"] == "unauthenticated" and r.json()["message"]


def test_wrong_password_is_401_in_chinese_and_the_failure_is_audited(
    client: TestClient, admin: Account, db: Session
) -> None:
    r = log_in(client, "admin", WRONG)
    assert r.status_code == 401
    assert "用户名或密码错误" in r.text
    assert SESSION_COOKIE not in r.headers.get("set-cookie", "")
    assert client.get("/api/v1/me").status_code == 401
    db.rollback()  # the request's work must have been committed, not just flushed
    event = login_events(db)[-1]
    assert event.outcome == "denied" and event.target_id == str(admin.id) and event.detail["reason"] == "bad_password"
    assert db.get(Account, admin.id).failed_logins == 1


def test_unknown_user_failure_is_audited_too(client: TestClient, db: Session) -> None:
    r = log_in(client, "ghost", WRONG)
    assert r.status_code == 401 and "用户名或密码错误" in r.text
    db.rollback()
    event = login_events(db)[-1]
    assert event.outcome == "denied" and event.target_id == "ghost"


def test_lockout_after_repeated_failures_even_with_the_right_password(
    client: TestClient, admin: Account, db: Session
) -> None:
    limit = get_settings().login_max_failures
    for _ in range(limit):
        assert log_in(client, "admin", WRONG).status_code == 401
    locked = log_in(client, "admin", PASSWORD)
    assert locked.status_code == 401 and "锁定" in locked.text
    assert client.get("/api/v1/me").status_code == 401
    db.rollback()
    reasons = [e.detail["reason"] for e in login_events(db)]
    assert reasons[-2:] == ["locked_now", "locked"]
    assert accounts.is_locked(db.get(Account, admin.id), clock.now())
    # Another admin lifts the lock through the API.
    other = accounts.create_account(
        Context(session=db, actor="t", role="system"),
        "admin2",
        "管理员丙",
        PASSWORD,
        "credit_office_admin",
        must_change_password=False,
    )
    db.commit()
    with https_client(db) as second:
        assert log_in(second, "admin2", PASSWORD).status_code == 303
        headers = {"X-CSRF-Token": me(second)["csrf_token"]}
        r = second.post(f"/api/v1/accounts/{admin.id}/unlock", headers=headers)
        assert r.status_code == 200 and r.json()["locked"] is False
        assert other.id != admin.id
    assert log_in(client, "admin", PASSWORD).status_code == 303
    assert me(client)["username"] == "admin"


def test_logout_revokes_the_session(client: TestClient, admin: Account, db: Session) -> None:
    log_in(client, "admin", PASSWORD)
    stolen = client.cookies.get(SESSION_COOKIE)
    assert me_status_with_cookie(db, stolen) == 200  # the value alone is a credential while the session lives
    token = form_token(client.get("/account").text)
    r = client.post("/logout", data={"csrf_token": token})
    assert r.status_code == 303 and r.headers["location"] == "/"
    assert client.get("/api/v1/me").status_code == 401
    assert me_status_with_cookie(db, stolen) == 401  # the old value is dead server-side


def test_password_change_needs_the_old_one_and_revokes_other_sessions(
    client: TestClient, regulator: Account, db: Session
) -> None:
    log_in(client, "reg1", PASSWORD)
    with https_client(db) as elsewhere:
        log_in(elsewhere, "reg1", PASSWORD)
        assert me(elsewhere)["username"] == "reg1"
        page = client.get("/account/password")
        assert page.status_code == 200 and "修改密码" in page.text
        token = form_token(page.text)
        new = "Brand-new-pass-2027"
        wrong = client.post(
            "/account/password",
            data={"old_password": WRONG, "new_password": new, "new_password_confirm": new, "csrf_token": token},
        )
        assert wrong.status_code == 422 and "原密码不正确" in wrong.text
        mismatch = client.post(
            "/account/password",
            data={
                "old_password": PASSWORD,
                "new_password": new,
                "new_password_confirm": new + "x",
                "csrf_token": token,
            },
        )
        assert mismatch.status_code == 422 and "不一致" in mismatch.text
        weak = client.post(
            "/account/password",
            data={
                "old_password": PASSWORD,
                "new_password": "abcdefghij",
                "new_password_confirm": "abcdefghij",
                "csrf_token": token,
            },
        )
        assert weak.status_code == 422 and "字母和数字" in weak.text
        ok = client.post(
            "/account/password",
            data={"old_password": PASSWORD, "new_password": new, "new_password_confirm": new, "csrf_token": token},
        )
        assert ok.status_code == 303 and ok.headers["location"] == "/account?changed=1"
        assert me(client)["username"] == "reg1"  # this session stays
        assert elsewhere.get("/api/v1/me").status_code == 401  # the other one ended
    assert "密码已修改" in client.get("/account?changed=1").text
    with https_client(db) as fresh:
        assert log_in(fresh, "reg1", PASSWORD).status_code == 401
        assert log_in(fresh, "reg1", new).status_code == 303


def test_initial_password_must_be_changed_first(client: TestClient, db: Session, ctx: Context) -> None:
    accounts.create_account(ctx, "newbie", "新同事", PASSWORD, "credit_office_staff")
    db.commit()
    r = log_in(client, "newbie", PASSWORD, next_url="/search?q=禾丰")
    assert r.status_code == 303
    location = urlsplit(r.headers["location"])
    assert location.path == "/account/password"
    assert parse_qs(location.query)["next"] == ["/search?q=禾丰"]
    page = client.get(r.headers["location"])
    assert "初始密码" in page.text


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/path",
        "/\\evil.example",
        "javascript:alert(1)",
        "http:/evil.example",
        "evil.example",
        "/\t/evil.example",
    ],
)
def test_next_may_not_leave_the_site(client: TestClient, admin: Account, target: str) -> None:
    r = log_in(client, "admin", PASSWORD, next_url=target)
    assert r.status_code == 303 and r.headers["location"] == "/account"
    page = client.get("/login", params={"next": target})  # already logged in: straight on, still local
    assert page.status_code == 303 and page.headers["location"] == "/account"


def test_next_to_a_local_page_is_honoured(client: TestClient, admin: Account) -> None:
    anonymous = client.get("/account")
    assert anonymous.status_code == 303 and anonymous.headers["location"] == "/login?next=/account"
    page = client.get("/login", params={"next": "/search?q=禾丰"})
    assert 'name="next" value="/search?q=禾丰"' in page.text
    r = log_in(client, "admin", PASSWORD, next_url="/search?q=禾丰")
    assert unquote(r.headers["location"]) == "/search?q=禾丰"


def test_login_rotates_the_session_token(client: TestClient, admin: Account, db: Session) -> None:
    planted = "attacker-chosen-session-value-0123456789"
    client.cookies.set(SESSION_COOKIE, planted, domain="testserver.local")
    log_in(client, "admin", PASSWORD)
    first = client.cookies.get(SESSION_COOKIE)
    assert first and first != planted
    token = form_token(client.get("/account").text)
    client.post("/login", data={"username": "admin", "password": PASSWORD, "csrf_token": token})
    second = client.cookies.get(SESSION_COOKIE)
    assert second != first  # logging in again issues a new secret and ends the previous session
    assert me_status_with_cookie(db, second) == 200
    assert me_status_with_cookie(db, first) == 401


@pytest.mark.parametrize(
    ("username", "password"),
    [
        ("<script>alert('x')</script>", "<img src=x onerror=alert(1)>"),
        ("admin' OR '1'='1' --", "' OR '1'='1"),
        ("admin'; DROP TABLE account; --", "x"),
        ('管理员"><svg onload=alert(1)>', "密码' UNION SELECT password_hash FROM account --"),
        ("a" * 300, "b"),
        ("admin", "p" * 2000),
        ("%00admin\\", "\\x00"),
    ],
)
def test_attack_strings_in_the_login_form_are_a_clean_401_or_422(
    client: TestClient, admin: Account, db: Session, username: str, password: str
) -> None:
    token = form_token(client.get("/login").text)
    r = client.post("/login", data={"username": username, "password": password, "csrf_token": token})
    assert r.status_code in (401, 422)
    assert "<script>alert" not in r.text and "<svg onload" not in r.text and "<img src=x" not in r.text
    assert client.get("/api/v1/me").status_code == 401
    db.rollback()
    assert db.get(Account, admin.id) is not None  # nothing dropped


def test_admin_pages_list_and_create_accounts(client: TestClient, admin: Account, regulator: Account) -> None:
    log_in(client, "admin", PASSWORD)
    page = client.get("/admin/accounts")
    assert page.status_code == 200
    assert "账户管理" in page.text and "reg1" in page.text and "执法员乙" in page.text
    token = form_token(page.text)
    bad = client.post(
        "/admin/accounts",
        data={
            "username": "new.staff",
            "display_name": "<b>新同事</b>",
            "password": "short",
            "role": "credit_office_staff",
            "csrf_token": token,
        },
    )
    assert bad.status_code == 422 and "密码不符合要求" in bad.text
    assert "&lt;b&gt;新同事&lt;/b&gt;" in bad.text  # kept, escaped
    ok = client.post(
        "/admin/accounts",
        data={
            "username": "new.staff",
            "display_name": "新同事",
            "password": PASSWORD,
            "role": "credit_office_staff",
            "csrf_token": token,
        },
    )
    assert ok.status_code == 303 and ok.headers["location"] == "/admin/accounts?created=new.staff"
    listing = client.get(ok.headers["location"])
    assert "new.staff" in listing.text and "已创建账户 new.staff" in listing.text
    new_id = next(a["id"] for a in client.get("/api/v1/accounts").json() if a["username"] == "new.staff")
    off = client.post(f"/admin/accounts/{new_id}/deactivate", data={"csrf_token": token})
    assert off.status_code == 303
    assert "已停用" in client.get(off.headers["location"]).text


def test_admin_pages_refuse_other_roles(client: TestClient, regulator: Account) -> None:
    anonymous = client.get("/admin/accounts")
    assert anonymous.status_code == 303 and anonymous.headers["location"] == "/login?next=/admin/accounts"
    log_in(client, "reg1", PASSWORD)
    r = client.get("/admin/accounts")
    assert r.status_code == 403 and "无权" in r.text
    token = form_token(client.get("/account").text)
    post = client.post(
        "/admin/accounts",
        data={
            "username": "sneaky",
            "display_name": "x",
            "password": PASSWORD,
            "role": "credit_office_admin",
            "csrf_token": token,
        },
    )
    assert post.status_code == 403


def test_accounts_api(client: TestClient, admin: Account, regulator: Account, db: Session) -> None:
    body = {
        "username": "bank.officer",
        "display_name": "信贷员",
        "password": PASSWORD,
        "role": "bank",
        "institution": "番禺农商银行",
    }
    assert client.post("/api/v1/accounts", json=body).status_code == 401
    assert client.get("/api/v1/accounts").status_code == 401
    with https_client(db) as reg:
        log_in(reg, "reg1", PASSWORD)
        csrf = {"X-CSRF-Token": me(reg)["csrf_token"]}
        assert reg.post("/api/v1/accounts", json=body, headers=csrf).status_code == 403
        assert reg.get("/api/v1/accounts").status_code == 403
    log_in(client, "admin", PASSWORD)
    csrf = {"X-CSRF-Token": me(client)["csrf_token"]}
    created = client.post("/api/v1/accounts", json=body, headers=csrf)
    assert created.status_code == 201, created.text
    out = created.json()
    assert out["role"] == "bank" and out["institution"] == "番禺农商银行" and out["must_change_password"]
    assert "password" not in out and "password_hash" not in out
    again = client.post("/api/v1/accounts", json=body, headers=csrf)
    assert again.status_code == 409 and again.json()["field"] == "username"
    invalid = client.post("/api/v1/accounts", json={**body, "username": "x2y", "role": "system"}, headers=csrf)
    assert invalid.status_code == 422 and invalid.json()["field"] == "role"
    listing = client.get("/api/v1/accounts").json()
    assert {a["username"] for a in listing} == {"admin", "reg1", "bank.officer"}
    off = client.post(f"/api/v1/accounts/{out['id']}/deactivate", headers=csrf)
    assert off.status_code == 200 and off.json()["active"] is False
    assert client.post("/api/v1/accounts/999999/unlock", headers=csrf).status_code == 404
    assert client.post(f"/api/v1/accounts/{2**64}/unlock", headers=csrf).status_code == 422


def test_openapi_declares_security_on_account_operations(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    schemes = spec["components"]["securitySchemes"]
    assert schemes["bearer"]["scheme"] == "bearer" and schemes["session"]["in"] == "cookie"
    for path, method in [
        ("/api/v1/me", "get"),
        ("/api/v1/accounts", "get"),
        ("/api/v1/accounts", "post"),
        ("/api/v1/accounts/{account_id}/unlock", "post"),
        ("/api/v1/accounts/{account_id}/deactivate", "post"),
    ]:
        security = spec["paths"][path][method]["security"]
        assert {"bearer": []} in security and {"session": []} in security
    assert "/login" not in spec["paths"]
