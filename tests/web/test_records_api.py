"""Credit records over JSON: the public 双公示 list/detail and the staff reads, on SQLite and PostgreSQL.

Public answers carry 公开 fields only (whoever calls), natural persons masked; staff answers carry the sharing
levels of each reader, every value tagged with its level; bounds answer 422 in Chinese; staff reads are
audited. A test item with 不予共享 fields is added to the catalogue where restricted fields are checked."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from fastapi.testclient import TestClient
from principals import add_account, login_headers
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from webdata import Registry

from factories import uscc
from records_factories import make_batch, make_record
from xinyong.auth import pii
from xinyong.auth.models import Account, AuditEvent
from xinyong.catalog import items as catalog_items
from xinyong.catalog.items import Catalog, DataItem, load_catalog
from xinyong.records.models import CreditRecord
from xinyong.subjects.models import Department

RIC = "11010519491231002X"
RIC_MASKED = "1101**********002X"
FIRM_USCC = uscc(202)
SECRET_ITEM = {
    "id": "test_secret",
    "version": 1,
    "name": "测试欠费信息",
    "source": "tests: an item with 不予共享 fields",
    "sharing": "conditional",
    "update_frequency": "按月",
    "reporting_deadline_workdays": 7,
    "reporting_deadline_source": "tests",
    "roles": {"subject_name": "subject_name", "document": "doc_no", "decided_on": "decided_on"},
    "fields": [
        {"key": "subject_name", "label": "主体名称", "personal": "name"},
        {"key": "doc_no", "label": "文书号"},
        {"key": "decided_on", "label": "认定日期", "type": "date"},
        {"key": "amount", "label": "欠缴金额（万元）", "type": "amount", "sharing": "conditional"},
        {"key": "case_note", "label": "内部备注", "sharing": "restricted"},
    ],
}


@pytest.fixture
def secret_item(monkeypatch: pytest.MonkeyPatch) -> Iterator[DataItem]:
    """The loaded catalogue plus ``test_secret``, an item with a 不予共享 field."""
    real = load_catalog()
    item = DataItem.model_validate(SECRET_ITEM)
    monkeypatch.setattr(catalog_items, "_load", lambda directory: Catalog(items={**real.items, item.id: item}))
    yield item


def headers(db: Session, role: str, **scope: object) -> dict[str, str]:
    """Login headers of a fresh account ``u_<role>_<n>``."""
    n = db.scalar(select(func.count()).select_from(Account)) or 0
    return login_headers(db, add_account(db, f"u_{role}_{n}", role, **scope))  # type: ignore[arg-type]


def firm_penalty(db: Session, dept: Department, **kw: object) -> CreditRecord:
    values = {"penalty_category": "罚款", "authority": "广州市番禺区市场监督管理局", "remarks": "内部备注"}
    return make_record(
        db,
        make_batch(db, dept),
        doc_no=str(kw.pop("doc_no", "番市监罚〔2026〕21号")),
        decided_on=kw.pop("decided_on", date(2026, 11, 2)),  # type: ignore[arg-type]
        subject_uscc=FIRM_USCC,
        data=values,
        **kw,  # type: ignore[arg-type]
    )


def person_penalty(db: Session, dept: Department) -> CreditRecord:
    record = make_record(
        db,
        make_batch(db, dept),
        doc_no="番司罚〔2026〕1号",
        decided_on=date(2026, 11, 3),
        subject_name="王禾丰",
        subject_kind="natural_person",
        data={"remarks": "内部备注"},
    )
    record.id_cipher = pii.encrypt(RIC)
    record.id_masked = RIC_MASKED
    db.flush()
    return record


# --------------------------------------------------------------------------------------------- public
def test_public_list_and_detail(api: TestClient, db: Session, departments: tuple[Department, Department]) -> None:
    dept, _ = departments
    firm = firm_penalty(db, dept)
    person = person_penalty(db, dept)
    page = api.get("/api/v1/gongshi/penalty")
    assert page.status_code == 200
    body = page.json()
    assert body["total"] == 2 and body["as_of"] == "2026-11-27" and body["item_name"] == "行政处罚信息"
    rows = {r["id"]: r for r in body["items"]}
    assert rows[person.id]["subject_name"] == "王**" and rows[person.id]["uscc"] is None
    assert rows[firm.id]["uscc"] == FIRM_USCC and rows[firm.id]["authority"] == "广州市番禺区市场监督管理局"
    assert rows[firm.id]["doc_no"] == "番市监罚〔2026〕21号" and rows[firm.id]["category"] == "罚款"
    detail = api.get(f"/api/v1/gongshi/penalty/{person.id}").json()
    assert detail["subject_name"] == "王**"
    assert all(set(f) == {"key", "label", "value", "sharing"} for f in detail["fields"])
    assert {f["sharing"] for f in detail["fields"]} == {"public"}
    keys = {f["key"] for f in detail["fields"]}
    assert "remarks" not in keys and "id_number" not in keys
    for text in (page.text, api.get(f"/api/v1/gongshi/penalty/{person.id}").text):
        assert "王禾丰" not in text and "内部备注" not in text and "002X" not in text


def test_public_answers_ignore_credentials(
    api: TestClient, db: Session, departments: tuple[Department, Department]
) -> None:
    dept, _ = departments
    person = person_penalty(db, dept)
    office = headers(db, "credit_office_staff")
    detail = api.get(f"/api/v1/gongshi/penalty/{person.id}", headers=office).json()
    assert detail["subject_name"] == "王**" and {f["sharing"] for f in detail["fields"]} == {"public"}


def test_public_time_travel_and_404s(api: TestClient, db: Session, departments: tuple[Department, Department]) -> None:
    dept, _ = departments
    old = firm_penalty(db, dept, decided_on=date(2026, 3, 1), publicity_end=date(2026, 6, 1))
    v1 = firm_penalty(db, dept, doc_no="罚〔2026〕5号")
    v2 = firm_penalty(db, dept, doc_no="罚〔2026〕5号", supersedes=v1)
    listed = api.get("/api/v1/gongshi/penalty", params={"as_of": "2026-04-01"}).json()
    assert [r["id"] for r in listed["items"]] == [old.id]
    assert api.get(f"/api/v1/gongshi/penalty/{old.id}", params={"as_of": "2026-04-01"}).status_code == 200
    for url in (
        f"/api/v1/gongshi/penalty/{old.id}",  # publicity ended
        f"/api/v1/gongshi/penalty/{v1.id}",  # superseded by a correction
        f"/api/v1/gongshi/licence/{v2.id}",  # another item
        f"/api/v1/gongshi/utility_arrears/{v2.id}",  # not a 双公示 item (or unknown)
        "/api/v1/gongshi/no_such_item",
    ):
        r = api.get(url)
        assert r.status_code == 404 and r.json()["error"] == "not_found", url
    assert api.get(f"/api/v1/gongshi/penalty/{v2.id}").status_code == 200


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"limit": 101}, "不能大于 100"),
        ({"limit": 0}, "不能小于 1"),
        ({"offset": 10_001}, "不能大于 10000"),
        ({"q": "禾" * 51}, "过长"),
        ({"q": "禾丰\x00' OR 1=1 --"}, "控制字符"),
        ({"as_of": "2026-13-01"}, "格式不正确"),
        ({"as_of": "1900-01-01"}, "查询日期"),
    ],
)
def test_public_bounds_answer_422_in_chinese(api: TestClient, params: dict[str, object], message: str) -> None:
    r = api.get("/api/v1/gongshi/penalty", params=params)
    assert r.status_code == 422
    assert message in r.json()["message"]


def test_public_search_over_http(api: TestClient, db: Session, departments: tuple[Department, Department]) -> None:
    dept, _ = departments
    firm = firm_penalty(db, dept)
    person_penalty(db, dept)
    for q in (FIRM_USCC, "番市监罚〔2026〕21号", "禾丰贸易"):
        assert [r["id"] for r in api.get("/api/v1/gongshi/penalty", params={"q": q}).json()["items"]] == [firm.id]
    assert api.get("/api/v1/gongshi/penalty", params={"q": "王禾丰"}).json()["total"] == 0
    for attack in ("' OR '1'='1", "%", "禾丰'; DROP TABLE credit_record;--"):
        r = api.get("/api/v1/gongshi/penalty", params={"q": attack})
        assert r.status_code == 200 and r.json()["total"] == 0
    assert api.get("/api/v1/gongshi/penalty").json()["total"] == 2


# --------------------------------------------------------------------------------------------- staff
def test_staff_reads_need_a_credential_and_the_right(
    api: TestClient, db: Session, departments: tuple[Department, Department], registry: Registry
) -> None:
    dept, _ = departments
    record = firm_penalty(db, dept)
    own = {"subject_id": registry.hefeng.id}
    for url in ("/api/v1/staff/records", f"/api/v1/staff/records/{record.id}"):
        assert api.get(url).status_code == 401
        for role, scope in (("bank", {"institution": "某银行"}), ("auditor", {}), ("subject", own)):
            assert api.get(url, headers=headers(db, role, **scope)).status_code == 403, (url, role)
        assert api.get(url, headers=headers(db, "regulator")).status_code == 200


def test_staff_sharing_levels_over_http(
    api: TestClient, db: Session, departments: tuple[Department, Department], secret_item: DataItem
) -> None:
    own, other = departments
    record = make_record(
        db,
        make_batch(db, own, item_id="test_secret"),
        doc_no="欠〔2026〕1号",
        decided_on=date(2026, 11, 1),
        data={"amount": "0.500000", "case_note": "正在协商分期"},
    )
    expect = {
        "regulator": ({}, {"public", "conditional"}),
        "department_officer": ({"department_id": other.id}, {"public", "conditional"}),
        "credit_office_staff": ({}, {"public", "conditional", "restricted"}),
    }
    for role, (scope, levels) in expect.items():
        body = api.get(f"/api/v1/staff/records/{record.id}", headers=headers(db, role, **scope)).json()
        assert {f["sharing"] for f in body["fields"]} == levels, role
        assert ("正在协商分期" in str(body)) == ("restricted" in levels), role
    own_officer = headers(db, "department_officer", department_id=own.id)
    body = api.get(f"/api/v1/staff/records/{record.id}", headers=own_officer).json()
    assert body["levels"] == ["public", "conditional", "restricted"]
    assert {f["key"]: f["sharing"] for f in body["fields"]}["case_note"] == "restricted"
    assert api.get(f"/api/v1/gongshi/test_secret/{record.id}").status_code == 404  # not a 双公示 item


def test_staff_list_history_and_reveal(
    api: TestClient, db: Session, departments: tuple[Department, Department]
) -> None:
    dept, _ = departments
    v1 = person_penalty(db, dept)
    v2 = make_record(
        db,
        make_batch(db, dept),
        doc_no=v1.doc_no,
        decided_on=v1.decided_on,
        subject_name="王禾丰",
        subject_kind="natural_person",
        supersedes=v1,
    )
    v2.id_cipher, v2.id_masked = v1.id_cipher, v1.id_masked
    regulator = headers(db, "regulator")
    current = api.get("/api/v1/staff/records", headers=regulator).json()
    assert [r["id"] for r in current["items"]] == [v2.id] and current["items"][0]["subject_name"] == "王禾丰"
    history = api.get("/api/v1/staff/records", params={"include_history": "true"}, headers=regulator).json()
    links = {r["id"]: (r["supersedes_id"], r["superseded_by_id"]) for r in history["items"]}
    assert links == {v1.id: (None, v2.id), v2.id: (v1.id, None)}
    detail = api.get(f"/api/v1/staff/records/{v1.id}", headers=regulator).json()
    assert [v["id"] for v in detail["versions"]] == [v1.id, v2.id] and detail["current"] is False
    assert {f["key"]: f["value"] for f in detail["fields"]}["id_number"] == RIC_MASKED
    denied = api.get(f"/api/v1/staff/records/{v2.id}", params={"reveal_identifiers": "true"}, headers=regulator)
    assert denied.status_code == 403
    office = headers(db, "credit_office_staff")
    clear = api.get(f"/api/v1/staff/records/{v2.id}", params={"reveal_identifiers": "true"}, headers=office).json()
    assert {f["key"]: f["value"] for f in clear["fields"]}["id_number"] == RIC and clear["identifiers_revealed"]
    events = list(
        db.scalars(select(AuditEvent).where(AuditEvent.action == "read.credit_record").order_by(AuditEvent.id))
    )
    assert len(events) == 4  # two lists, two detail reads (the refused reveal wrote nothing)
    assert (
        sorted(e.actor.rsplit("_", 1)[0] for e in events)
        == ["account:u_credit_office_staff"] + ["account:u_regulator"] * 3
    )
    assert all(RIC not in str(e.detail) for e in events)


def test_staff_bounds(api: TestClient, db: Session) -> None:
    staff = headers(db, "regulator")
    for params in ({"limit": 101}, {"item_id": "no_such_item"}, {"subject_id": 0}, {"offset": -1}):
        r = api.get("/api/v1/staff/records", params=params, headers=staff)
        assert r.status_code == 422, params
    assert api.get("/api/v1/staff/records/0", headers=staff).status_code == 422
    assert api.get("/api/v1/staff/records/999999", headers=staff).status_code == 404
