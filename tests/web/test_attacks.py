"""Attack strings (Chinese and ASCII) in every search and form field, path traversal on static files, oversized
bodies: never a 5xx, never a stack trace or database error text, always escaped, no file content leaked."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response
from principals import add_account, login_session
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.types import Message
from webdata import HEFENG, Registry

from xinyong.auth.credentials import SESSION_COOKIE
from xinyong.settings import get_settings
from xinyong.subjects.models import Subject
from xinyong.web.app import create_app
from xinyong.web.deps import get_session

ATTACKS = [
    "' OR '1'='1",
    "' OR 1=1 --",
    "禾丰'; DROP TABLE subject;--",
    '禾丰"; DELETE FROM audit_event; --',
    "1; SELECT pg_sleep(5)--",
    "%' UNION SELECT ric_cipher, ric_hash FROM subject --",
    "<script>alert('信用')</script>",
    '"><img src=x onerror=alert(1)>',
    "禾丰<svg/onload=alert(`信用`)>",
    "javascript:alert(document.cookie)",
    "{{ 7*7 }}{% raw %}",
    "％' ＯＲ １＝１",  # full-width
    "\\x00\\u0000禾丰",
    "禾丰\x00' OR 1=1 --",  # a real NUL: PostgreSQL refuses it in text parameters
    "禾" * 300,
]
# Internals an error answer must never show (the attack string itself is echoed, escaped, by design).
LEAKS = re.compile(
    r"Traceback|File \"/|sqlalchemy|psycopg|sqlite3|OperationalError|ProgrammingError|IntegrityError|"
    r"RuntimeError|KeyError|ValueError|TypeError|\[SQL: |Background on this error|/work/|site-packages",
    re.I,
)
RAW_MARKUP = ("<script>alert", "<img src=x", "<svg/onload", "onerror=alert(1)>")
LIMIT = 64 * 1024


@pytest.fixture
def client(db: Session, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    """HTTPS client (Secure cookies) with generous rate limits and a small body limit."""
    monkeypatch.setenv("XINYONG_RATE_SEARCH_PER_MINUTE", "100000")
    monkeypatch.setenv("XINYONG_RATE_LOGIN_PER_MINUTE", "100000")
    monkeypatch.setenv("XINYONG_MAX_REQUEST_BYTES", str(LIMIT))
    get_settings.cache_clear()
    app = create_app()
    app.dependency_overrides[get_session] = lambda: db
    with TestClient(app, base_url="https://testserver", raise_server_exceptions=False) as c:
        yield c


def assert_safe(r: Response, *, html_escaped: bool = True) -> None:
    """No server error, no internals, no unescaped markup from the attack."""
    assert r.status_code < 500, (r.status_code, r.text[:300])
    assert not LEAKS.search(r.text), LEAKS.search(r.text)
    if html_escaped and r.headers.get("content-type", "").startswith("text/html"):
        for raw in RAW_MARKUP:
            assert raw not in r.text
    if r.headers.get("content-type", "").startswith("application/json") and r.status_code >= 400:
        assert {"error", "message", "field"} <= set(r.json())


def registry_intact(db: Session, registry: Registry) -> None:
    assert db.scalar(select(func.count()).select_from(Subject)) == 5
    assert db.get(Subject, registry.hefeng.id) is not None


@pytest.mark.parametrize("attack", ATTACKS)
def test_public_search_api(client: TestClient, db: Session, registry: Registry, attack: str) -> None:
    r = client.get("/api/v1/subjects", params={"q": attack})
    assert_safe(r)
    assert r.status_code in (200, 422)
    if r.status_code == 200:
        names = [item["name"] for item in r.json()["items"]]
        assert "王禾丰" not in names  # natural persons never leak through a crafted query
        assert len(names) <= 1
    registry_intact(db, registry)


@pytest.mark.parametrize("attack", ATTACKS)
def test_search_page_and_fragment(client: TestClient, db: Session, registry: Registry, attack: str) -> None:
    for headers in ({}, {"HX-Request": "true"}):
        r = client.get("/search", params={"q": attack}, headers=headers)
        assert_safe(r)
        assert r.status_code in (200, 422)
        assert "王禾丰" not in r.text
    registry_intact(db, registry)


@pytest.mark.parametrize("attack", ATTACKS)
def test_code_paths(client: TestClient, db: Session, registry: Registry, attack: str) -> None:
    segment = quote(attack, safe="")
    for path in (f"/s/{segment}", f"/api/v1/subjects/{segment}", f"/subjects/{segment}"):
        r = client.get(path, follow_redirects=False)
        assert_safe(r)
        assert r.status_code in (404, 409, 422), (path, r.status_code)
    registry_intact(db, registry)


@pytest.mark.parametrize("subject_id", ["0", "-1", "9223372036854775807"])
def test_subject_ids_at_the_edges(client: TestClient, subject_id: str) -> None:
    r = client.get(f"/subjects/{subject_id}")
    assert_safe(r)
    assert r.status_code in (404, 422)


@pytest.mark.parametrize("subject_id", ["9223372036854775808", "99999999999999999999"])
def test_subject_id_beyond_bigint_is_not_a_server_error(client: TestClient, subject_id: str) -> None:
    r = client.get(f"/subjects/{subject_id}")
    assert r.status_code in (404, 422)


def test_sql_injection_does_not_widen_results(client: TestClient, registry: Registry) -> None:
    normal = client.get("/api/v1/subjects", params={"q": "禾丰"}).json()
    injected = client.get("/api/v1/subjects", params={"q": "禾丰' OR '1'='1"}).json()
    assert normal["total"] == 1 and normal["items"][0]["name"] == HEFENG
    assert injected["total"] == 0


def _login_form(client: TestClient) -> str:
    page = client.get("/login")
    assert page.status_code == 200
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match, "login form carries a CSRF token"
    return match.group(1)


@pytest.mark.parametrize("attack", ATTACKS)
def test_login_form_fields(client: TestClient, attack: str) -> None:
    token = _login_form(client)
    r = client.post(
        "/login",
        data={"csrf_token": token, "username": attack, "password": attack, "next": attack},
        follow_redirects=False,
    )
    assert_safe(r)
    assert r.status_code in (401, 422)
    assert SESSION_COOKIE not in r.cookies
    location = r.headers.get("location", "")
    assert not location.startswith(("javascript:", "//", "http"))


def test_login_next_is_never_an_open_redirect(client: TestClient) -> None:
    for target in ("https://evil.example/", "//evil.example/", "javascript:alert(1)", "/\\evil.example"):
        r = client.get("/login", params={"next": target})
        assert_safe(r)
        assert "evil.example" not in r.text or 'value="/account"' in r.text


def _auditor(db: Session) -> str:
    return login_session(db, add_account(db, "attack-auditor", "auditor", display_name="审计员"), hours=1)[0]


@pytest.mark.parametrize("attack", ATTACKS)
def test_audit_search_fields(client: TestClient, db: Session, attack: str) -> None:
    client.cookies.set(SESSION_COOKIE, _auditor(db))
    short = attack[:60]
    fields = {"actor": short, "action": short, "target_type": attack[:30], "target_id": short, "outcome": attack[:16]}
    refused = 422 if "\x00" in attack else 200  # control characters are refused, not sent to the database
    page = client.get("/audit", params=fields)
    assert_safe(page)
    assert page.status_code == refused
    api = client.get("/api/v1/audit/events", params=fields)
    assert_safe(api)
    assert api.status_code == refused
    if refused == 200:
        assert api.json()["total"] == 0
    for bad_date in ({"since": attack[:40]}, {"until": attack[:40]}):
        assert_safe(client.get("/audit", params=bad_date))
        assert_safe(client.get("/api/v1/audit/events", params=bad_date))
    export = client.get("/api/v1/audit/export", params={"format": "csv", **fields})
    assert_safe(export, html_escaped=False)
    assert export.status_code == refused


def test_attack_logged_in_audit_is_escaped_on_the_audit_page(client: TestClient, db: Session) -> None:
    client.cookies.set(SESSION_COOKIE, _auditor(db))
    client.get("/audit", params={"actor": "<script>alert('信用')</script>"})  # logged in the read.audit event
    page = client.get("/audit", params={"action": "read.audit"})
    assert page.status_code == 200 and "&lt;script&gt;" in page.text
    assert_safe(page)


# --- static files ---------------------------------------------------------------------------------------

TRAVERSALS = [
    "/static/../../etc/passwd",
    "/static/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/static/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/static/..%2f..%2f..%2f..%2fetc%2fpasswd",
    "/static/%252e%252e/%252e%252e/etc/passwd",
    "/static/....//....//etc/passwd",
    "/static/..%5c..%5c..%5cetc%5cpasswd",
    "/static/vendor/../../app.py",
    "/static/%2e%2e/app.py",
    "/static/%2e%2e/templates/base.html",
    "/static/css/app.css%00.png",
    "/static//etc/passwd",
]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_static_path_traversal_over_http(client: TestClient, path: str) -> None:
    r = client.get(path)
    assert r.status_code in (400, 404), (path, r.status_code)
    assert "root:" not in r.text and "create_app" not in r.text and "{% block" not in r.text
    assert_safe(r)


async def _raw_get(app: FastAPI, path: str) -> tuple[int, bytes]:
    """Send ``path`` to the app exactly as given: an HTTP client would normalise the dot segments."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "https",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 5000),
        "server": ("testserver", 443),
    }
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    await app(scope, receive, send)
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    return status, b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")


@pytest.mark.parametrize(
    "path",
    [
        "/static/../../etc/passwd",
        "/static/../../../../../../etc/passwd",
        "/static/vendor/../../app.py",
        "/static/../templates/base.html",
        "/static/..\\..\\etc\\passwd",
        "/static/css/../../app.py",
    ],
)
def test_static_path_traversal_raw(path: str) -> None:
    status, body = asyncio.run(_raw_get(create_app(), path))
    assert status == 404
    assert b"root:" not in body and b"create_app" not in body and b"{% block" not in body


def test_static_files_still_served(client: TestClient) -> None:
    r = client.get("/static/css/app.css")
    assert r.status_code == 200 and "--red" in r.text


# --- oversized bodies -----------------------------------------------------------------------------------


def test_oversized_form_is_413(client: TestClient) -> None:
    token = _login_form(client)
    r = client.post("/login", data={"csrf_token": token, "username": "a" * (LIMIT + 1), "password": "x"})
    assert r.status_code == 413 and "请求内容过大" in r.text
    assert_safe(r)


def test_oversized_upload_is_413(client: TestClient) -> None:
    r = client.post("/api/v1/subjects", files={"file": ("名单.xlsx", b"PK\x03\x04" + b"\0" * LIMIT)})
    assert r.status_code == 413
    assert r.json()["error"] == "too_large"


def test_oversized_json_is_413(client: TestClient) -> None:
    r = client.post("/api/v1/tokens", json={"name": "x" * LIMIT}, headers={"Authorization": "Bearer xy_00_forged"})
    assert r.status_code == 413 and r.json()["message"].startswith("请求内容过大")


@pytest.mark.parametrize("attack", ATTACKS)
def test_dual_publicity_search(client: TestClient, db: Session, registry: Registry, attack: str) -> None:
    for item in ("penalty", "licence"):
        for path, headers in (
            (f"/api/v1/gongshi/{item}", {}),
            (f"/gongshi/{item}", {}),
            (f"/gongshi/{item}", {"HX-Request": "true"}),
        ):
            r = client.get(path, params={"q": attack}, headers=headers)
            assert_safe(r)
            assert r.status_code in (200, 422), (path, r.status_code)
            assert "王禾丰" not in r.text
    registry_intact(db, registry)


@pytest.mark.parametrize("attack", ATTACKS)
def test_dual_publicity_paths(client: TestClient, attack: str) -> None:
    segment = quote(attack, safe="")
    for path in (f"/gongshi/{segment}", f"/api/v1/gongshi/{segment}", f"/gongshi/penalty/{segment}"):
        r = client.get(path, follow_redirects=False)
        assert_safe(r)
        assert r.status_code in (404, 422), (path, r.status_code)
