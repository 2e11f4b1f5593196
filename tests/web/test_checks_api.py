"""一键查询, 惩戒反馈 and the measures ledger over the JSON API (issue #7): a department's API token checks, checks a
batch and records feedback; bad input is answered 422 in Chinese; the office reads rates and tracks the ledger;
SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient
from principals import add_account, issue_token, login_headers, token_headers
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from factories import company, departments, ric, uscc
from list_factories import department, published_entry
from xinyong.auth.context import Context
from xinyong.lists.models import ListCheck
from xinyong.subjects.models import Subject
from xinyong.subjects.schemas import SubjectIn
from xinyong.subjects.service import register_subject

CHECKS = "/api/v1/checks"
MEASURES = "/api/v1/measures"
PERSON_RIC = ric("19790505", "321")


@pytest.fixture
def debtor(db: Session, ctx: Context) -> Subject:
    """An employer on the wage-arrears list (区人社局), committed."""
    departments(db)
    firm = company(ctx, "广州接口欠薪有限公司", 31)
    published_entry(db, firm, "wage_arrears", published_on=date(2026, 3, 2))
    db.commit()
    return firm


@pytest.fixture
def finance_token(db: Session, debtor: Subject) -> dict[str, str]:
    """区财政局's procurement system: a token scoped to check and feed back only."""
    czj = department(db, "czj")
    raw = issue_token(db, "department_officer", department_id=czj.id, scopes=["checks.run", "checks.feedback"])
    db.commit()
    return token_headers(raw)


def test_a_department_token_checks_and_records_feedback(
    api: TestClient, db: Session, debtor: Subject, finance_token: dict[str, str]
) -> None:
    answer = api.get(CHECKS, params={"code": debtor.uscc, "scenario": "procurement"}, headers=finance_token)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["hit"] and body["scenario_label"] == "政府采购" and body["department_name"] == "广州市番禺区财政局"
    assert [e["list_code"] for e in body["entries"]] == ["wage_arrears"]
    assert body["entries"][0]["published_on"] == "2026-03-02"
    assert [(m["id"], m["status_label"]) for m in body["measures"]] == [("wage_procurement", "保留")]
    assert body["measures"][0]["legal_basis"]
    check_id = body["check_id"]
    sent = api.post(
        f"{CHECKS}/{check_id}/feedback",
        headers=finance_token,
        json={"measure_id": "wage_procurement", "applied": False, "reason": "采购项目已于列入前签约"},
    )
    assert sent.status_code == 201, sent.text
    assert sent.json()["reason"] == "采购项目已于列入前签约"
    again = api.post(
        f"{CHECKS}/{check_id}/feedback", headers=finance_token, json={"measure_id": "wage_procurement", "applied": True}
    )
    assert again.status_code == 409 and again.json()["error"] == "conflict"
    # the token has no checks.read scope beyond run/feedback, but reading its own check needs only checks.run
    shown = api.get(f"{CHECKS}/{check_id}", headers=finance_token)
    assert shown.status_code == 200 and [f["applied"] for f in shown.json()["feedback"]] == [False]
    # past day: before publication, no hit
    before = api.get(
        CHECKS, params={"code": debtor.uscc, "scenario": "procurement", "as_of": "2026-03-01"}, headers=finance_token
    )
    assert before.status_code == 200 and not before.json()["hit"]


def test_bad_checks_are_answered_in_chinese(
    api: TestClient, db: Session, debtor: Subject, finance_token: dict[str, str]
) -> None:
    bad = uscc(32)[:-1] + ("0" if uscc(32)[-1] != "0" else "1")
    malformed = api.get(CHECKS, params={"code": bad, "scenario": "procurement"}, headers=finance_token)
    assert (
        malformed.status_code == 422 and malformed.json()["field"] == "code" and "无效" in malformed.json()["message"]
    )
    unknown = api.get(CHECKS, params={"code": debtor.uscc, "scenario": "lottery"}, headers=finance_token)
    assert unknown.status_code == 422 and unknown.json()["field"] == "scenario"
    assert "procurement（政府采购）" in unknown.json()["message"]
    future = api.get(
        CHECKS, params={"code": debtor.uscc, "scenario": "procurement", "as_of": "2027-01-04"}, headers=finance_token
    )
    assert future.status_code == 422 and future.json()["field"] == "as_of"
    missing = api.get(CHECKS, params={"code": debtor.uscc}, headers=finance_token)
    assert missing.status_code == 422
    reasonless = api.post(
        f"{CHECKS}/1/feedback", headers=finance_token, json={"measure_id": "wage_procurement", "applied": False}
    )
    assert reasonless.status_code == 404  # no such check yet
    assert db.scalar(select(func.count()).select_from(ListCheck)) == 0
    narrow = token_headers(
        issue_token(db, "department_officer", department_id=department(db, "rsj").id, scopes=["subjects.read"])
    )
    db.commit()
    denied = api.get(CHECKS, params={"code": debtor.uscc, "scenario": "procurement"}, headers=narrow)
    assert denied.status_code == 403 and "令牌" in denied.json()["message"]
    assert api.get(CHECKS, params={"code": debtor.uscc, "scenario": "procurement"}).status_code == 401


def test_a_batch_over_the_api(api: TestClient, db: Session, ctx: Context, debtor: Subject, finance_token: dict) -> None:
    register_subject(ctx, SubjectIn(kind="natural_person", name="赵某", ric=PERSON_RIC))
    db.commit()
    codes = [debtor.uscc, "91440113MA000000", debtor.uscc, PERSON_RIC, uscc(33)]
    out = api.post(f"{CHECKS}/batch", headers=finance_token, json={"scenario": "procurement", "codes": codes})
    assert out.status_code == 200, out.text
    body = out.json()
    assert (body["total"], body["checked"], body["hits"], body["invalid"]) == (5, 3, 2, 1)
    items = body["items"]
    assert items[0]["hit"] and items[0]["measure_ids"] == ["wage_procurement"]
    assert items[1]["error"] and items[1]["check_id"] is None
    assert items[2]["duplicate_of"] == 1 and items[2]["check_id"] == items[0]["check_id"]
    assert items[3]["found"] and PERSON_RIC not in out.text
    assert [m["id"] for m in body["measures"]] == ["wage_procurement"]
    too_many = api.post(
        f"{CHECKS}/batch", headers=finance_token, json={"scenario": "procurement", "codes": [debtor.uscc] * 10_001}
    )
    assert too_many.status_code == 422 and "最多查询 10,000 个代码" in too_many.json()["message"]
    wrong_shape = api.post(f"{CHECKS}/batch", headers=finance_token, json={"scenario": "procurement", "codes": "x"})
    assert wrong_shape.status_code == 422


def test_the_office_reads_rates_and_tracks_the_ledger(
    api: TestClient, db: Session, debtor: Subject, finance_token: dict[str, str]
) -> None:
    checked = api.get(CHECKS, params={"code": debtor.uscc, "scenario": "procurement"}, headers=finance_token).json()
    api.post(
        f"{CHECKS}/{checked['check_id']}/feedback",
        headers=finance_token,
        json={"measure_id": "wage_procurement", "applied": True},
    )
    staff = login_headers(db, add_account(db, "office_api", "credit_office_staff"))
    officer = login_headers(
        db, add_account(db, "rsj_api", "department_officer", department_id=department(db, "rsj").id)
    )
    db.commit()
    rates = api.get(f"{CHECKS}/rates", headers=staff, params={"date_from": "2026-11-01"})
    assert rates.status_code == 200, rates.text
    body = rates.json()
    assert body["scope"] == "all" and body["total"]["feedback_rate"] == 1.0
    assert [(r["department_name"], r["checks"], r["feedback"]) for r in body["rows"]] == [("广州市番禺区财政局", 1, 1)]
    own = api.get(f"{CHECKS}/rates", headers=officer).json()
    assert own["scope"] == "own" and [(r["department_name"], r["checks"]) for r in own["rows"]] == [
        ("广州市番禺区人力资源和社会保障局", 0)
    ]
    assert api.get(f"{CHECKS}/{checked['check_id']}", headers=officer).status_code == 403

    ledger = api.get(MEASURES, headers=officer)
    assert ledger.status_code == 200 and ledger.json()["overdue"] == []
    assert api.get(MEASURES, headers=officer, params={"as_of": "2027-01-01", "overdue": "true"}).json()["overdue"] == [
        "serious_financing"
    ]
    denied = api.post(f"{MEASURES}/serious_financing/progress", headers=officer, json={"note": "部门无权登记"})
    assert denied.status_code == 403
    noted = api.post(
        f"{MEASURES}/serious_financing/progress",
        headers=staff,
        json={"note": "修订稿已印发", "done": True, "reported_on": "2026-11-26"},
    )
    assert noted.status_code == 201, noted.text
    after = api.get(MEASURES, headers=staff, params={"as_of": "2027-01-01"}).json()
    row = next(r for r in after["measures"] if r["id"] == "serious_financing")
    assert row["done"] and row["progress_note"] == "修订稿已印发" and after["overdue"] == []
    history = api.get(f"{MEASURES}/serious_financing/progress", headers=officer)
    assert [p["note"] for p in history.json()] == ["修订稿已印发"]
    unknown = api.post(f"{MEASURES}/no_such/progress", headers=staff, json={"note": "x"})
    assert unknown.status_code == 404
    no_csrf = {"Cookie": staff["Cookie"]}
    assert api.post(f"{MEASURES}/serious_financing/progress", headers=no_csrf, json={"note": "x"}).status_code == 403
