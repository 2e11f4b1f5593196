"""``/api/v1/lifecycle`` on SQLite and PostgreSQL: a record's status for any ``as_of`` (staff and the record's
own subject), revocation by the record's department (CSRF, 409 on a second one, Chinese 422s), and a subject's
own records with what it may do. The clock is pinned at 2026-11-27."""

from __future__ import annotations

import itertools
from datetime import date

from fastapi.testclient import TestClient
from principals import add_account, login_headers
from sqlalchemy.orm import Session
from webdata import Registry

from records_factories import make_batch, make_record
from regime_records import effect, regime_record
from xinyong.auth.context import Context
from xinyong.subjects.models import Department

_USERS = itertools.count(1)


def _headers(db: Session, role: str, **scope: object) -> dict[str, str]:
    """A fresh logged-in account of ``role`` (cookie and CSRF header)."""
    return login_headers(db, add_account(db, f"lifecycle_{next(_USERS)}", role, **scope))  # type: ignore[arg-type]


def test_status_for_any_date_to_staff_and_the_own_subject(
    api: TestClient, db: Session, ctx: Context, departments: tuple[Department, Department], registry: Registry
) -> None:
    dept = departments[0]
    record = regime_record(db, dept, date(2025, 8, 31), subject=registry.hefeng)  # Order 58, straddles Order 36
    effect(ctx, record, "objection", date(2026, 9, 1))
    url = f"/api/v1/lifecycle/records/{record.id}/status"
    firm = _headers(db, "subject", subject_id=registry.hefeng.id)
    body = api.get(url, params={"as_of": "2026-03-31"}, headers=firm).json()
    assert body == {
        "code": "published",
        "label": "公示中",
        "as_of": "2026-03-31",
        "regime": "ndrc_order_58",
        "severity": "general",
        "min_end": "2025-11-30",
        "effective_end": "2028-08-31",
        "min_period_passed": True,
        "objection_open": False,
        "repaired_on": None,
        "revoked_on": None,
    }
    staff = _headers(db, "department_officer", department_id=departments[1].id)  # any department reads
    assert api.get(url, params={"as_of": "2026-08-31"}, headers=staff).json()["effective_end"] == "2026-08-31"
    assert api.get(url, params={"as_of": "2026-09-01"}, headers=staff).json()["label"] == "公示期满"
    other = _headers(db, "subject", subject_id=registry.shop.id)
    refused = api.get(url, headers=other)
    assert refused.status_code == 403 and refused.json()["message"] == "只能访问本主体的信息"
    assert api.get("/api/v1/lifecycle/records/999999/status", headers=staff).status_code == 404
    bad = api.get(url, params={"as_of": "1800-01-01"}, headers=staff)
    assert bad.status_code == 422 and "查询日期" in bad.json()["message"]


def test_objected_status_shows_through_the_api(
    api: TestClient, db: Session, ctx: Context, departments: tuple[Department, Department], registry: Registry
) -> None:
    record = regime_record(db, departments[0], date(2026, 5, 6), subject=registry.hefeng)
    effect(ctx, record, "objection", date(2026, 11, 20))
    firm = _headers(db, "subject", subject_id=registry.hefeng.id)
    body = api.get(f"/api/v1/lifecycle/records/{record.id}/status", headers=firm).json()
    assert (body["code"], body["label"], body["objection_open"], body["as_of"]) == (
        "objected",
        "异议中",
        True,
        "2026-11-27",
    )


def test_revoke_by_the_department(
    api: TestClient, db: Session, departments: tuple[Department, Department], registry: Registry
) -> None:
    dept, other = departments
    record = regime_record(db, dept, date(2026, 5, 6), subject=registry.hefeng)
    url = f"/api/v1/lifecycle/records/{record.id}/revoke"
    body = {"revoked_on": "2026-11-20", "reason": "行政复议决定撤销", "document": "番复决〔2026〕7号"}
    officer = _headers(db, "department_officer", department_id=dept.id)
    no_csrf = {k: v for k, v in officer.items() if k != "X-CSRF-Token"}
    assert api.post(url, json=body, headers=no_csrf).status_code == 403
    outsider = api.post(url, json=body, headers=_headers(db, "department_officer", department_id=other.id))
    assert outsider.status_code == 403 and outsider.json()["message"] == "只能访问本部门的数据"
    future = api.post(url, json=body | {"revoked_on": "2026-12-01"}, headers=officer)
    assert future.status_code == 422 and future.json()["message"] == "撤销日期不能晚于今天"
    empty = api.post(url, json=body | {"reason": " "}, headers=officer)
    assert empty.status_code == 422 and empty.json()["message"] == "请填写撤销原因"
    done = api.post(url, json=body, headers=officer)
    assert done.status_code == 200, done.text
    assert (done.json()["status"], done.json()["status_label"], done.json()["revoked_on"]) == (
        "revoked",
        "已撤销",
        "2026-11-20",
    )
    again = api.post(url, json=body, headers=officer)
    assert again.status_code == 409 and again.json()["message"] == "该记录已于 2026-11-20 撤销，不能重复撤销"
    status = api.get(f"/api/v1/lifecycle/records/{record.id}/status", headers=officer).json()
    assert (status["code"], status["revoked_on"]) == ("revoked", "2026-11-20")
    public = api.get(f"/api/v1/gongshi/penalty/{record.id}")
    assert public.status_code == 404
    assert api.get(f"/api/v1/gongshi/penalty/{record.id}", params={"as_of": "2026-11-19"}).status_code == 200


def test_my_records_with_what_the_subject_may_do(
    api: TestClient, db: Session, ctx: Context, departments: tuple[Department, Department], registry: Registry
) -> None:
    dept = departments[0]
    firm = registry.hefeng
    repairable = regime_record(db, dept, date(2026, 5, 6), subject=firm)  # min period ended 2026-08-06
    young = regime_record(db, dept, date(2026, 10, 9), subject=firm)  # min period until 2027-01-09
    objected = regime_record(db, dept, date(2026, 4, 20), subject=firm)
    effect(ctx, objected, "objection", date(2026, 11, 2))
    warning = regime_record(db, dept, date(2026, 6, 1), subject=firm, category="警告")  # 不予公示
    arrears = make_record(
        db,
        make_batch(db, dept, item_id="utility_arrears"),
        doc_no="欠〔2026〕9号",
        decided_on=date(2026, 9, 1),
        subject=firm,
    )
    regime_record(db, dept, date(2026, 5, 6), subject=registry.shop)  # someone else's
    headers = _headers(db, "subject", subject_id=firm.id)
    body = api.get("/api/v1/lifecycle/my/records", headers=headers).json()
    assert (body["subject_id"], body["subject_name"], body["as_of"], body["total"]) == (
        firm.id,
        firm.name,
        "2026-11-27",
        5,
    )
    rows = {r["id"]: r for r in body["items"]}
    assert set(rows) == {repairable.id, young.id, objected.id, warning.id, arrears.id}
    summary = {i: (r["status_label"], r["can_object"], r["can_repair"]) for i, r in rows.items()}
    assert summary == {
        repairable.id: ("公示中", True, True),
        young.id: ("公示中", True, False),
        objected.id: ("异议中", False, False),
        warning.id: ("不予公示", False, False),
        arrears.id: ("公示中", True, True),  # negative, no minimum period
    }
    assert rows[repairable.id]["severity_label"] == "一般" and rows[repairable.id]["min_end"] == "2026-08-06"
    assert rows[young.id]["min_end"] == "2027-01-09"
    assert {f["key"] for f in rows[repairable.id]["fields"]} >= {"doc_no", "decided_on"}
    past = api.get("/api/v1/lifecycle/my/records", params={"as_of": "2026-07-01"}, headers=headers).json()
    past_rows = {r["id"]: r for r in past["items"]}
    assert past_rows[young.id]["status"] == "pending" and not past_rows[repairable.id]["can_repair"]
    office = _headers(db, "credit_office_staff")
    missing = api.get("/api/v1/lifecycle/my/records", headers=office)
    assert missing.status_code == 422 and missing.json()["message"] == "请指定信用主体（subject_id）"
    assert api.get("/api/v1/lifecycle/my/records", params={"subject_id": firm.id}, headers=office).json()["total"] == 5
    other = api.get(
        "/api/v1/lifecycle/my/records",
        params={"subject_id": firm.id},
        headers=_headers(db, "subject", subject_id=registry.shop.id),
    )
    assert other.status_code == 403
