"""Audit log: personal data scrubbed before hashing, reads recorded, search / export / verify for auditors,
through the service, the JSON API and the /audit page."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from principals import add_account, login_session
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from xinyong.auth import audit
from xinyong.auth.context import Context
from xinyong.auth.credentials import SESSION_COOKIE
from xinyong.auth.models import AuditEvent
from xinyong.auth.permissions import PermissionDenied
from xinyong.errors import InvalidInput
from xinyong.web.app import create_app
from xinyong.web.deps import get_session

RIC = "11010519491231002X"
PHONE = "13812345678"


def as_role(ctx: Context, role: str, actor: str | None = None) -> Context:
    return replace(ctx, role=role, actor=actor or f"account:{role}")


def seed(ctx: Context) -> list[AuditEvent]:
    """Five events over three days, two actors, two outcomes."""
    day = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)  # 10:00 Beijing
    rows = [
        (day, "account:zhang", "subject.register", "subject", "1", "ok"),
        (day + timedelta(hours=1), "account:zhang", "subject.rename", "subject", "1", "ok"),
        (day + timedelta(days=1), "account:li", "read.subject", "subject", "2", "ok"),
        (day + timedelta(days=1, hours=1), "account:li", "read_subject_x", "subject", "2", "denied"),
        (day + timedelta(days=2), "token:ab12cd34:bank", "bank.query", "subject", "1", "ok"),
    ]
    return [
        audit.record(replace(ctx, at=at, actor=actor), action, kind, target, {"n": i}, outcome=outcome)
        for i, (at, actor, action, kind, target, outcome) in enumerate(rows)
    ]


# --- scrubbing ------------------------------------------------------------------------------------------


def test_record_masks_personal_identifiers_before_hashing(ctx: Context) -> None:
    event = audit.record(
        ctx,
        "account.create",
        "account",
        RIC,
        {
            "ric": RIC,
            "note": f"身份证{RIC}，电话{PHONE}，座机旁 +86 139-0000-1111",
            "nested": [{"phone": int(PHONE)}, ("11010519491231002x",)],
            "password": "hunter2",
            "token": "xy_ab12cd34_" + "A" * 43,
        },
    )
    stored = json.dumps(event.detail, ensure_ascii=False)
    for secret in (RIC, PHONE, "11010519491231002x", "139-0000-1111", "hunter2", "A" * 43):
        assert secret not in stored
    assert event.detail["ric"] == "1101**********002X"
    assert event.detail["note"] == "身份证1101**********002X，电话138****5678，座机旁 139****1111"
    assert event.detail["nested"] == [{"phone": "138****5678"}, ["1101**********002x"]]
    assert event.detail["password"] == "***"
    assert event.detail["token"] == "xy_ab12cd34_***"
    assert event.target_id == "1101**********002X"
    assert audit.verify_chain(ctx.session).ok  # the hash covers the scrubbed detail


@pytest.mark.parametrize(
    "harmless",
    [
        "91440113MA59HF01X0",  # a USCC with letters
        "440126600123456",  # 15-digit business registration number
        "a" * 64,  # a SHA-256 hex digest
        "20261127",  # a date
        "1381234567",  # ten digits
        "138123456789",  # twelve digits
        "4401130000000000000",  # nineteen digits
        "110105194913310020",  # month 13: not a birth date
    ],
)
def test_scrub_leaves_other_identifiers_alone(harmless: str) -> None:
    assert audit.scrub({"v": harmless}) == {"v": harmless}


def test_scrub_keeps_types_and_does_not_mutate() -> None:
    detail = {"count": 3, "ok": True, "ratio": 0.5, "none": None, "ric": RIC}
    scrubbed = audit.scrub(detail)
    assert scrubbed == {"count": 3, "ok": True, "ratio": 0.5, "none": None, "ric": "1101**********002X"}
    assert detail["ric"] == RIC


def test_target_id_is_made_storable(ctx: Context) -> None:
    event = audit.record(ctx, "subject.lookup", "subject", "禾丰\x00\n" + "9" * 100)
    assert event.target_id == "禾丰??" + "9" * 60
    assert audit.verify_chain(ctx.session).ok


def test_record_read(ctx: Context) -> None:
    event = audit.record_read(ctx, "subject_pii", 42, {"fields": ["ric"]})
    assert (event.action, event.target_type, event.target_id) == ("read.subject_pii", "subject_pii", "42")
    assert event.outcome == "ok"


# --- search ---------------------------------------------------------------------------------------------


def test_search_filters(ctx: Context) -> None:
    events = seed(ctx)
    auditor = as_role(ctx, "auditor", "account:auditor")

    def ids(**filters: object) -> list[int]:
        """Ids of the seeded events found (each search also logs a ``read.audit`` event: left out)."""
        filters.setdefault("target_type", "subject")
        return [e.id for e in audit.search_events(auditor, **filters).items]  # type: ignore[arg-type]

    first, second, third, fourth, fifth = (e.id for e in events)
    assert ids(actor="account:zhang") == [second, first]  # newest first
    assert ids(action="subject.register") == [first]
    assert ids(action="read.*") == [third]  # prefix; "_" and "%" are not wildcards
    assert ids(action="read_*") == [fourth]
    assert ids(action="%") == []
    assert ids(target_id="2") == [fourth, third]
    assert len(ids(action="read.*", target_type=None)) == 1 + 6  # read.subject and the six searches so far
    assert ids(outcome="denied") == [fourth]
    assert ids(since=date(2026, 11, 26), until=date(2026, 11, 26)) == [fourth, third]
    assert ids(since=datetime(2026, 11, 25, 10, 30), until=datetime(2026, 11, 26, 10, 0)) == [third, second]
    assert ids(since=datetime(2026, 11, 27, 2, 0, tzinfo=UTC)) == [fifth]
    assert ids(actor="account:zhang' OR '1'='1") == []


def test_search_pages_and_totals(ctx: Context) -> None:
    seed(ctx)
    auditor = as_role(ctx, "auditor")
    page = audit.search_events(auditor, actor="account:zhang", limit=1)
    assert page.total == 2 and len(page.items) == 1 and page.items[0].action == "subject.rename"
    second = audit.search_events(auditor, actor="account:zhang", limit=1, offset=1)
    assert second.items[0].action == "subject.register"
    assert audit.search_events(auditor, actor="account:zhang", offset=5).items == []


def test_search_is_itself_audited(ctx: Context) -> None:
    seed(ctx)
    auditor = as_role(ctx, "auditor", "account:auditor")
    audit.search_events(auditor, action="read.*", since=date(2026, 11, 1))
    last = ctx.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1)).one()
    assert (last.action, last.actor, last.role) == ("read.audit", "account:auditor", "auditor")
    assert last.detail["filters"] == {"action": "read.*", "since": "2026-11-01"}
    assert last.detail["found"] == 1


@pytest.mark.parametrize("role", ["public", "subject", "department_officer", "credit_office_staff", "bank"])
def test_search_needs_audit_read(ctx: Context, role: str) -> None:
    with pytest.raises(PermissionDenied):
        audit.search_events(as_role(ctx, role))


def test_credit_office_admin_may_verify_but_not_read(ctx: Context) -> None:
    admin = as_role(ctx, "credit_office_admin")
    with pytest.raises(PermissionDenied):
        audit.search_events(admin)
    with pytest.raises(PermissionDenied):
        audit.export_events(admin)
    assert audit.verify(admin).ok


@pytest.mark.parametrize(
    ("filters", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": audit.MAX_PAGE + 1}, "limit"),
        ({"offset": -1}, "offset"),
        ({"since": date(2026, 11, 2), "until": date(2026, 11, 1)}, "since"),
        ({"actor": "account:a\x00"}, "actor"),
        ({"target_id": "1\n2"}, "target_id"),
    ],
)
def test_search_rejects_bad_input(ctx: Context, filters: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidInput) as err:
        audit.search_events(as_role(ctx, "auditor"), **filters)  # type: ignore[arg-type]
    assert err.value.field == field


# --- export ---------------------------------------------------------------------------------------------


def test_export_csv_neutralises_formulas(ctx: Context) -> None:
    seed(ctx)
    audit.record(replace(ctx, actor="=cmd|' /C calc'!A0"), "subject.rename", "subject", "@SUM(1+1)", {"x": "-1"})
    auditor = as_role(ctx, "auditor", "account:auditor")
    text = "".join(audit.export_events(auditor, "csv"))
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text[1:])))
    assert list(rows[0].keys()) == list(audit.EXPORT_COLUMNS)
    evil = next(r for r in rows if r["action"] == "subject.rename" and "cmd" in r["actor"])
    assert evil["actor"] == "'=cmd|' /C calc'!A0"
    assert evil["target_id"] == "'@SUM(1+1)"
    assert json.loads(evil["detail"]) == {"x": "-1"}
    for row in rows:
        for cell in row.values():
            assert not cell.startswith(("=", "+", "-", "@"))
    assert [int(r["id"]) for r in rows] == sorted(int(r["id"]) for r in rows)  # chain order
    assert rows[0]["at"] == "2026-11-25T10:00:00+08:00"


def test_export_jsonl_round_trips_and_is_audited(ctx: Context) -> None:
    events = seed(ctx)
    auditor = as_role(ctx, "auditor", "account:auditor")
    lines = audit.export_events(auditor, "jsonl", actor="account:li")
    # recorded when the export is asked for, before the first line is read
    logged = ctx.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "audit.export").order_by(AuditEvent.id)
    ).one()
    assert logged.detail == {"format": "jsonl", "filters": {"actor": "account:li"}}
    rows = [json.loads(line) for line in lines]
    assert [r["id"] for r in rows] == [events[2].id, events[3].id]
    assert rows[0]["hash"] == events[2].hash and rows[0]["prev_hash"] == events[1].hash
    assert rows[0]["detail"] == {"n": 2}


def test_export_refuses_bad_format_and_filters(ctx: Context) -> None:
    auditor = as_role(ctx, "auditor")
    with pytest.raises(InvalidInput):
        audit.export_events(auditor, "xlsx")  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        audit.export_events(auditor, "csv", colour="red")
    with pytest.raises(PermissionDenied):
        audit.export_events(as_role(ctx, "credit_office_staff"), "csv")


def test_verify_is_audited_and_reports_tampering(ctx: Context) -> None:
    events = seed(ctx)
    auditor = as_role(ctx, "auditor", "account:auditor")
    assert audit.verify(auditor).ok
    ctx.session.execute(update(AuditEvent).where(AuditEvent.id == events[1].id).values(actor="account:wang"))
    ctx.session.expire_all()
    report = audit.verify(auditor)
    assert not report.ok and report.first_bad_id == events[1].id
    checks = ctx.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "audit.verify").order_by(AuditEvent.id)
    ).all()
    assert [c.outcome for c in checks] == ["ok", "failed"]
    assert checks[-1].detail["first_bad_id"] == events[1].id
    with pytest.raises(PermissionDenied):
        audit.verify(as_role(ctx, "regulator"))


# --- web: API and page ----------------------------------------------------------------------------------


def login_as(db: Session, role: str, username: str | None = None) -> str:
    """An account with ``role`` and a live login session; returns the raw cookie value."""
    return login_session(db, add_account(db, username or f"{role}-user", role, display_name="测试审计员"))[0]


@pytest.fixture
def web(db: Session) -> Iterator[TestClient]:
    app = create_app()
    app.dependency_overrides[get_session] = lambda: db
    with TestClient(app, base_url="https://testserver", raise_server_exceptions=False) as c:
        yield c


def test_api_events_for_auditor(web: TestClient, ctx: Context, db: Session) -> None:
    events = seed(ctx)
    web.cookies.set(SESSION_COOKIE, login_as(db, "auditor"))
    r = web.get(
        "/api/v1/audit/events",
        params={"actor": "account:zhang", "limit": 1},
        headers={"X-Request-ID": "req-audit-0001"},
    )
    assert r.status_code == 200
    body = r.json()
    assert body["total"] == 2 and body["limit"] == 1 and body["offset"] == 0
    item = body["items"][0]
    assert item["id"] == events[1].id and item["action"] == "subject.rename" and item["hash"] == events[1].hash
    assert item["at"] == "2026-11-25T11:00:00+08:00"
    assert r.headers["cache-control"] == "no-store"
    logged = db.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1)).one()
    assert (logged.action, logged.actor, logged.request_id) == ("read.audit", "account:auditor-user", "req-audit-0001")


def test_api_events_validates_query(web: TestClient, db: Session) -> None:
    web.cookies.set(SESSION_COOKIE, login_as(db, "auditor"))
    assert (
        web.get(
            "/api/v1/audit/events", params={"since": "2026-11-26", "until": "2026-11-26T23:00:00+08:00"}
        ).status_code
        == 200
    )
    bad = web.get("/api/v1/audit/events", params={"since": "yesterday"})
    assert bad.status_code == 422 and bad.json()["field"] == "since"
    assert web.get("/api/v1/audit/events", params={"limit": 0}).status_code == 422
    backwards = web.get("/api/v1/audit/events", params={"since": "2026-11-26", "until": "2026-11-25"})
    assert backwards.status_code == 422 and backwards.json()["message"] == "起始时间晚于截止时间"


@pytest.mark.parametrize("path", ["/api/v1/audit/events", "/api/v1/audit/export", "/api/v1/audit/verify"])
def test_api_needs_login(web: TestClient, path: str) -> None:
    r = web.get(path)
    assert r.status_code == 401 and r.json()["error"] == "unauthenticated"
    forged = web.get(path, headers={"Authorization": "Bearer xy_00000000_forged"})
    assert forged.status_code == 401


@pytest.mark.parametrize("role", ["credit_office_staff", "department_officer", "subject", "regulator"])
def test_api_refuses_other_roles(web: TestClient, db: Session, role: str) -> None:
    web.cookies.set(SESSION_COOKIE, login_as(db, role))
    for path in ("/api/v1/audit/events", "/api/v1/audit/export", "/api/v1/audit/verify"):
        r = web.get(path)
        assert r.status_code == 403 and r.json()["error"] == "forbidden", path


def test_api_export_streams_csv_and_jsonl(web: TestClient, ctx: Context, db: Session) -> None:
    seed(ctx)
    web.cookies.set(SESSION_COOKIE, login_as(db, "auditor"))
    r = web.get("/api/v1/audit/export", params={"format": "csv", "action": "read.*"})
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/csv; charset=utf-8"
    assert r.headers["content-disposition"].startswith('attachment; filename="audit-20261127-')
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert [row["action"] for row in rows] == ["read.subject"]
    j = web.get("/api/v1/audit/export", params={"format": "jsonl", "actor": "account:li"})
    assert j.headers["content-type"].startswith("application/x-ndjson")
    assert [json.loads(line)["action"] for line in j.text.splitlines()] == ["read.subject", "read_subject_x"]
    assert web.get("/api/v1/audit/export", params={"format": "xml"}).status_code == 422
    exports = db.scalars(select(AuditEvent).where(AuditEvent.action == "audit.export").order_by(AuditEvent.id)).all()
    assert [e.detail["format"] for e in exports] == ["csv", "jsonl"]


def test_api_verify(web: TestClient, ctx: Context, db: Session) -> None:
    events = seed(ctx)
    web.cookies.set(SESSION_COOKIE, login_as(db, "credit_office_admin"))
    ok = web.get("/api/v1/audit/verify").json()
    assert ok["ok"] is True and ok["events"] == 5 and ok["first_bad_id"] is None
    db.execute(update(AuditEvent).where(AuditEvent.id == events[2].id).values(detail={"n": 99}))
    db.expire_all()
    bad = web.get("/api/v1/audit/verify").json()
    assert bad["ok"] is False and bad["first_bad_id"] == events[2].id and "event modified" in bad["reason"]


def test_openapi_declares_security_on_audit_operations(web: TestClient) -> None:
    spec = web.get("/openapi.json").json()
    for path in ("/api/v1/audit/events", "/api/v1/audit/export", "/api/v1/audit/verify"):
        operation = spec["paths"][path]["get"]
        assert {name for requirement in operation["security"] for name in requirement} >= {"bearer"}
        assert {"401", "403"} <= set(operation["responses"])


def test_audit_page(web: TestClient, ctx: Context, db: Session) -> None:
    seed(ctx)
    web.cookies.set(SESSION_COOKIE, login_as(db, "auditor"))
    r = web.get("/audit", params={"actor": "account:zhang"})
    assert r.status_code == 200
    html = r.text
    for text in ("审计日志", "筛选条件", "操作者", "共 2 条", "subject.rename", "2026-11-25 11:00:00", "校验哈希链"):
        assert text in html
    assert 'href="/api/v1/audit/export?actor=account%3Azhang&amp;format=csv"' in html
    assert "bank.query" not in html


def test_audit_page_paging_and_bad_date(web: TestClient, ctx: Context, db: Session) -> None:
    for i in range(55):
        audit.record(ctx, "subject.rename", "subject", i)
    web.cookies.set(SESSION_COOKIE, login_as(db, "auditor"))
    first = web.get("/audit", params={"action": "subject.rename"}).text
    assert "共 55 条，第 1 页" in first and 'href="/audit?action=subject.rename&amp;offset=50" rel="next"' in first
    second = web.get("/audit", params={"action": "subject.rename", "offset": 50}).text
    assert "第 2 页" in second and 'href="/audit?action=subject.rename" rel="prev"' in second
    bad = web.get("/audit", params={"since": "2026-13-01"})
    assert bad.status_code == 422 and "起始日期应为日期" in bad.text


def test_audit_page_verify(web: TestClient, ctx: Context, db: Session) -> None:
    seed(ctx)
    web.cookies.set(SESSION_COOKIE, login_as(db, "auditor"))
    assert "哈希链校验通过：共 5 条事件" in web.get("/audit/verify").text


def test_audit_page_access(web: TestClient, db: Session) -> None:
    anonymous = web.get("/audit", follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login?next=/audit")
    web.cookies.set(SESSION_COOKIE, login_as(db, "credit_office_staff"))
    denied = web.get("/audit")
    assert denied.status_code == 403 and "无权" in denied.text


def test_header_links_the_audit_log_for_auditors(web: TestClient, db: Session) -> None:
    web.cookies.set(SESSION_COOKIE, login_as(db, "auditor"))
    page = web.get("/audit").text
    assert '<a href="/audit" aria-current="page">审计日志</a>' in page
    assert '<a href="/audit">审计日志</a>' in web.get("/account").text
    web.cookies.set(SESSION_COOKIE, login_as(db, "credit_office_admin"))
    account = web.get("/account")
    assert account.status_code == 200 and "测试审计员" in account.text  # logged in, header known
    assert 'href="/audit"' not in account.text
