"""``/api/v1/portal`` (issue #8): the office's articles over JSON (cleaning warnings, drafts hidden, stale edits 409,
withdrawn 404, CSRF on cookie writes), the campaigns, and a selection from opening to the red list with a
department's API token nominating (ineligible 422, duplicate 409, late 409) — on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from fastapi.testclient import TestClient
from principals import add_account, issue_token, login_headers, token_headers
from sqlalchemy.orm import Session

from factories import company
from list_factories import published_entry
from xinyong import clock
from xinyong.auth.context import Context
from xinyong.subjects.models import Department, Subject

PORTAL = "/api/v1/portal"
LATER = datetime(2026, 12, 11, 2, 0, tzinfo=UTC)  # 10:00 in Beijing, the day after the closing day
NASTY = (
    '<h2>通知</h2><p onmouseover="steal()">诚信宣传月<script>alert(1)</script></p>'
    '<a href="javascript:alert(2)">点此</a><img src="/static/favicon.svg" onerror="alert(3)">'
)


@dataclass
class Callers:
    office: dict[str, str]
    officer: dict[str, str]
    token: dict[str, str]
    market: Department
    firms: list[Subject]


def callers(db: Session, ctx: Context, departments: tuple[Department, Department]) -> Callers:
    market, _ = departments
    firms = [company(ctx, f"广州接口评选{n}有限公司", 8300 + n) for n in range(3)]
    result = Callers(
        office=login_headers(db, add_account(db, "p_office", "credit_office_staff")),
        officer=login_headers(db, add_account(db, "p_officer", "department_officer", department_id=market.id)),
        token=token_headers(issue_token(db, "department_officer", department_id=market.id)),
        market=market,
        firms=firms,
    )
    db.commit()
    return result


def test_the_office_manages_articles_and_the_public_sees_only_published_ones(
    api: TestClient, db: Session, ctx: Context, departments: tuple[Department, Department]
) -> None:
    c = callers(db, ctx, departments)
    made = api.post(
        f"{PORTAL}/admin/articles",
        headers=c.office,
        json={"kind": "campaign", "title": "诚信宣传月启动", "body_html": NASTY, "campaign": "integrity_month"},
    )
    assert made.status_code == 201, made.text
    saved = made.json()
    article = saved["article"]
    assert article["status"] == "draft" and article["campaign"] == "诚信宣传月" and article["lock_version"] == 1
    for bad in ("<script", "onmouseover", "onerror", "javascript:", "alert("):
        assert bad not in article["body_html"]
    warned = "\n".join(saved["warnings"])
    assert "onmouseover" in warned and "<script>" in warned and "javascript:alert(2)" in warned
    assert "alt" in warned  # the image has no alternative text

    path = f"{PORTAL}/articles/{article['id']}"
    assert api.get(path).status_code == 404
    assert api.get(f"{PORTAL}/articles").json()["total"] == 0
    drafts = api.get(f"{PORTAL}/admin/articles", headers=c.office, params={"status": "draft"}).json()
    assert [a["id"] for a in drafts["items"]] == [article["id"]]

    published = api.post(
        f"{path.replace('/articles/', '/admin/articles/')}/publish", headers=c.office, json={"lock_version": 1}
    )
    assert published.status_code == 200 and published.json()["status"] == "published"
    shown = api.get(path)
    assert shown.status_code == 200 and "<h2>通知</h2>" in shown.json()["body_html"]
    listed = api.get(f"{PORTAL}/articles", params={"kind": "campaign", "campaign": "诚信宣传月"}).json()
    assert listed["total"] == 1 and listed["items"][0]["url"] == f"/news/{article['id']}"
    assert api.get(f"{PORTAL}/articles", params={"kind": "blog"}).status_code == 422

    edit = {"kind": "campaign", "title": "诚信宣传月启动仪式", "body_html": "<p>已更新</p>", "lock_version": 1}
    stale = api.put(f"{PORTAL}/admin/articles/{article['id']}", headers=c.office, json=edit)
    assert stale.status_code == 409 and stale.json()["error"] == "stale_case"
    fresh = api.put(f"{PORTAL}/admin/articles/{article['id']}", headers=c.office, json=edit | {"lock_version": 2})
    assert fresh.status_code == 200 and fresh.json()["warnings"] == [] and fresh.json()["article"]["lock_version"] == 3

    no_csrf = {"Cookie": c.office["Cookie"]}
    refused = api.post(
        f"{PORTAL}/admin/articles/{article['id']}/withdraw", headers=no_csrf, json={"lock_version": 3, "reason": "x"}
    )
    assert refused.status_code == 403 and refused.json()["error"] == "csrf_failed"
    gone = api.post(
        f"{PORTAL}/admin/articles/{article['id']}/withdraw",
        headers=c.office,
        json={"lock_version": 3, "reason": "时间调整"},
    )
    assert gone.status_code == 200 and gone.json()["status"] == "withdrawn"
    assert api.get(path).status_code == 404
    assert api.get(f"{PORTAL}/admin/articles/{article['id']}", headers=c.office).json()["withdraw_reason"] == "时间调整"
    assert api.post(f"{PORTAL}/admin/articles", headers=c.officer, json=edit).status_code == 403

    calendar = api.get(f"{PORTAL}/campaigns").json()
    assert {"code": "credit_record_day", "name": "信用记录关爱日", "when": "每年6月14日"}.items() <= calendar[2].items()
    assert [s["name"] for s in api.get(f"{PORTAL}/scenarios").json()][:2] == ["信用+医疗", "信用+交通"]


def test_a_selection_from_opening_to_the_red_list(
    api: TestClient, db: Session, ctx: Context, departments: tuple[Department, Department]
) -> None:
    c = callers(db, ctx, departments)
    ok, listed, late = c.firms
    published_entry(db, listed, "wage_arrears", published_on=date(2026, 3, 2))
    db.commit()
    body = {
        "list_code": "contract_honouring",
        "year": 2026,
        "title": "2026年度“守合同重信用”企业评选",
        "closes_on": "2026-12-10",
    }
    assert api.post(f"{PORTAL}/admin/selections", headers=c.officer, json=body).status_code == 403
    opened = api.post(f"{PORTAL}/admin/selections", headers=c.office, json=body)
    assert opened.status_code == 201, opened.text
    round_ = opened.json()
    assert round_["accepting"] and round_["status_label"] == "推荐中" and round_["nominations_list"] == []
    nominations = f"{PORTAL}/selections/{round_['id']}/nominations"
    reason = "合同管理制度健全，近三年无合同违法失信记录。"

    made = api.post(nominations, headers=c.token, json={"subject_id": ok.id, "reason": reason})
    assert made.status_code == 201, made.text
    assert made.json()["department_name"] == c.market.name and made.json()["problems"] == []
    twice = api.post(nominations, headers=c.officer, json={"subject_id": ok.id, "reason": reason})
    assert twice.status_code == 409 and twice.json()["error"] == "duplicate_nomination"
    refused = api.post(nominations, headers=c.officer, json={"subject_id": listed.id, "reason": reason})
    assert refused.status_code == 422 and "拖欠农民工工资失信联合惩戒对象名单" in refused.json()["message"]
    assert api.post(nominations, json={"subject_id": ok.id, "reason": reason}).status_code == 401

    public = api.get(f"{PORTAL}/selections/{round_['id']}").json()
    assert public["nominations"] == 1 and public["winners_list"] == [] and "nominations_list" not in public

    clock.set_clock(lambda: LATER)
    office = login_headers(db, add_account(db, "p_office_later", "credit_office_staff"))
    db.commit()
    assert api.post(nominations, headers=office, json={"subject_id": late.id, "reason": reason}).status_code == 409
    nomination = made.json()
    reviewed = api.post(
        f"{PORTAL}/admin/nominations/{nomination['id']}/review",
        headers=office,
        json={"decision": "approve", "note": "符合条件", "lock_version": nomination["lock_version"]},
    )
    assert reviewed.status_code == 200 and reviewed.json()["status"] == "approved"
    detail = api.get(f"{PORTAL}/admin/selections/{round_['id']}", headers=office).json()
    announced = api.post(
        f"{PORTAL}/admin/selections/{round_['id']}/publish",
        headers=office,
        json={"doc_no": "番发改〔2026〕88号", "lock_version": detail["lock_version"]},
    )
    assert announced.status_code == 200, announced.text
    result = announced.json()
    assert result["status"] == "published" and result["nominations_list"][0]["list_entry_id"] is not None
    winners = api.get(f"{PORTAL}/selections/{round_['id']}").json()["winners_list"]
    assert [(w["subject_name"], w["uscc"], str(w["expires_on"])) for w in winners] == [(ok.name, ok.uscc, "2028-12-11")]
    on_list = api.get("/api/v1/lists/public/contract_honouring").json()
    assert [i["subject_name"] for i in on_list["items"]] == [ok.name]
    again = api.post(
        f"{PORTAL}/admin/selections/{round_['id']}/publish",
        headers=office,
        json={"doc_no": "番发改〔2026〕88号", "lock_version": result["lock_version"]},
    )
    assert again.status_code == 409 and again.json()["error"] == "selection_published"
