"""The listing procedure over the JSON API (issue #7): the labour bureau lists an employer and its legal
representative for wage arrears with prior notice, the decision waits for the defence period, the entry is
published (public list masked), documents are attached, the employer is removed early six months after paying
with a commitment; stale versions 409; received-list imports (every row error 422, partial, idempotent); the
public reads — on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient
from principals import add_account, login_headers
from sqlalchemy.orm import Session

from factories import company, ric
from list_factories import department
from xinyong.auth.context import Context
from xinyong.subjects.models import Department, Subject
from xinyong.subjects.schemas import SubjectIn
from xinyong.subjects.service import register_subject

BASE = "/api/v1/lists"
NUMBER = ric("19780808", "456")


def officer(db: Session, name: str, department: Department) -> dict[str, str]:
    return login_headers(db, add_account(db, name, "department_officer", department_id=department.id))


def employer(ctx: Context) -> tuple[Subject, Subject]:
    firm = company(ctx, "广州欠薪接口劳务有限公司", 951)
    boss = register_subject(ctx, SubjectIn(kind="natural_person", name="黄大明", ric=NUMBER))
    return firm, boss


def test_the_labour_bureau_lists_an_employer_and_removes_it_early(api: TestClient, db: Session, ctx: Context) -> None:
    rsj = department(db, "rsj")
    me = officer(db, "rsj_officer", rsj)
    firm, boss = employer(ctx)
    body = {
        "list_code": "wage_arrears",
        "subject_id": firm.id,
        "reasons": "拖欠28名农民工工资共计39万元，经责令限期支付逾期仍未支付",
        "case_ref": "番人社限付〔2026〕3号",
        "responsible_person_ids": [boss.id],
    }
    made = api.post(f"{BASE}/entries", headers=me, json=body)
    assert made.status_code == 201, made.text
    entry = made.json()
    assert (entry["status"], entry["lock_version"], entry["department_name"]) == ("proposed", 1, rsj.name)
    again = api.post(f"{BASE}/entries", headers=me, json=body)
    assert again.status_code == 409 and f"已有未结束的条目 {entry['id']}" in again.json()["message"]

    url = f"{BASE}/entries/{entry['id']}"
    early = api.post(
        f"{url}/decision", headers=me, json={"doc_no": "番人社决1号", "decided_on": "2026-10-20", "lock_version": 1}
    )
    assert early.status_code == 409 and early.json()["error"] == "notice_required"
    assert "尚未送达列入前告知书" in early.json()["message"]
    noticed = api.post(
        f"{url}/notice",
        headers=me,
        json={"doc_no": "番人社告〔2026〕3号", "served_on": "2026-09-29", "lock_version": 1},
    )
    assert noticed.status_code == 200, noticed.text
    assert (noticed.json()["defence_due"], noticed.json()["lock_version"]) == ("2026-10-12", 2)
    too_soon = api.post(
        f"{url}/decision", headers=me, json={"doc_no": "番人社决1号", "decided_on": "2026-10-12", "lock_version": 2}
    )
    assert too_soon.status_code == 422 and too_soon.json()["field"] == "decided_on"
    assert "陈述申辩期至 2026-10-12 届满，届满后方可作出列入决定" in too_soon.json()["message"]
    stale = api.post(
        f"{url}/decision", headers=me, json={"doc_no": "番人社决1号", "decided_on": "2026-10-13", "lock_version": 1}
    )
    assert stale.status_code == 409 and stale.json()["error"] == "stale_case"
    decided = api.post(
        f"{url}/decision", headers=me, json={"doc_no": "番人社决1号", "decided_on": "2026-10-13", "lock_version": 2}
    )
    assert decided.status_code == 200 and decided.json()["expires_on"] == "2029-10-13"
    published = api.post(f"{url}/publication", headers=me, json={"published_on": "2026-10-14", "lock_version": 3})
    assert published.status_code == 200 and published.json()["in_force"] is True

    uploaded = api.post(
        f"{url}/files", headers=me, files=[("files", ("送达回证.pdf", b"%PDF-1.4 receipt", "application/pdf"))]
    )
    assert uploaded.status_code == 201, uploaded.text
    [doc] = uploaded.json()
    download = api.get(f"{url}/files/{doc['id']}", headers=me)
    assert download.status_code == 200 and download.content == b"%PDF-1.4 receipt"
    bad = api.post(f"{url}/files", headers=me, files=[("files", ("x.pdf", b"not a pdf", "application/pdf"))])
    assert bad.status_code == 422 and "内容与扩展名不符" in bad.json()["message"]

    shown = api.get(url, headers=me).json()
    assert [h["action"] for h in shown["history"]] == ["propose", "notice", "decide", "publish", "attach"]
    assert shown["responsible_persons"][0]["subject_name"] == "黄大明" and NUMBER not in str(shown)
    assert shown["next_steps"] == ["remove"] and shown["lock_version"] == 4

    public = api.get(f"{BASE}/public/wage_arrears").json()
    assert public["total"] == 1 and public["items"][0]["responsible_persons"] == ["黄**"]
    assert "黄大明" not in str(public) and NUMBER not in str(public)

    removal = {
        "reason": "early_removal",
        "removed_on": "2026-11-27",
        "note": "已全额清偿",
        "corrected_on": "2026-06-01",
        "commitment_text": "承诺按时足额支付工资",
        "lock_version": 4,
    }
    refused = api.post(f"{url}/removal", headers=me, json=removal)
    assert refused.status_code == 422 and "2026-12-01 起方可移出" in refused.json()["message"]
    removed = api.post(f"{url}/removal", headers=me, json=removal | {"corrected_on": "2026-05-20"})
    assert removed.status_code == 200 and (removed.json()["status"], removed.json()["in_force"]) == ("removed", False)
    gone = api.post(f"{url}/removal", headers=me, json=removal | {"reason": "revocation", "lock_version": 5})
    assert gone.status_code == 409 and gone.json()["error"] == "not_listed"
    assert api.get(f"{BASE}/public/wage_arrears").json()["total"] == 0
    listed_before = api.get(f"{BASE}/public/wage_arrears", params={"as_of": "2026-11-26"}).json()
    assert listed_before["total"] == 1


def test_other_departments_and_regulators_may_not_act(
    api: TestClient, db: Session, ctx: Context, departments: tuple[Department, Department]
) -> None:
    rsj = department(db, "rsj")
    firm, _ = employer(ctx)
    made = api.post(
        f"{BASE}/entries",
        headers=officer(db, "rsj_a", rsj),
        json={"list_code": "wage_arrears", "subject_id": firm.id, "reasons": "拖欠工资"},
    )
    url = f"{BASE}/entries/{made.json()['id']}"
    other = officer(db, "sfj_a", departments[1])
    denied = api.post(f"{url}/drop", headers=other, json={"reason": "不予列入", "lock_version": 1})
    assert denied.status_code == 403 and "只能办理本部门负责的名单" in denied.json()["message"]
    assert api.get(url, headers=other).status_code == 403
    regulator = login_headers(db, add_account(db, "reg_a", "regulator"))
    assert api.get(url, headers=regulator).status_code == 200
    assert api.post(f"{url}/drop", headers=regulator, json={"reason": "不予列入", "lock_version": 1}).status_code == 403
    no_csrf = {"Cookie": other["Cookie"]}
    assert api.post(f"{url}/drop", headers=no_csrf, json={"reason": "x", "lock_version": 1}).status_code == 403
    assert api.get(f"{BASE}/entries", headers=other).json()["total"] == 0


def test_received_list_imports(
    api: TestClient, db: Session, ctx: Context, departments: tuple[Department, Department]
) -> None:
    me = officer(db, "scjgj_imp", departments[0])
    firm = company(ctx, "广州接口导入有限公司", 952)
    header = "统一社会信用代码,名称,列入日期,列入原因,作出决定机关,决定文书号,移出日期\n"
    good = f"{firm.uscc},{firm.name},2025-05-06,提交虚假材料,广州市番禺区市场监督管理局,穗番市监严〔2025〕1号,\n"
    bad = "91440113MA00000000,坏码公司,2025-05-06,提交虚假材料,广州市番禺区市场监督管理局,穗番市监严〔2025〕2号,\n"
    form = {"list_code": "samr_serious_illegal", "source_ref": "2026年11月推送"}
    rejected = api.post(
        f"{BASE}/imports", headers=me, data=form, files={"file": ("list.csv", (header + good + bad).encode())}
    )
    assert rejected.status_code == 422
    assert rejected.json()["errors"] == [
        {"row": 2, "column": "统一社会信用代码", "reason": rejected.json()["errors"][0]["reason"]}
    ]
    assert "代码无效" in rejected.json()["errors"][0]["reason"]
    assert api.get(f"{BASE}/public/samr_serious_illegal").json()["total"] == 0  # nothing imported
    partial = api.post(
        f"{BASE}/imports",
        headers=me,
        data=form | {"partial": "true"},
        files={"file": ("list.csv", (header + good + bad).encode())},
    )
    assert partial.status_code == 200 and (partial.json()["added"], partial.json()["rejected"]) == (1, 1)
    again = api.post(f"{BASE}/imports", headers=me, data=form, files={"file": ("list.csv", (header + good).encode())})
    assert again.status_code == 200 and (again.json()["added"], again.json()["unchanged"]) == (0, 1)
    other = officer(db, "sfj_imp", departments[1])
    assert (
        api.post(f"{BASE}/imports", headers=other, data=form, files={"file": ("l.csv", header.encode())}).status_code
        == 403
    )
    listed = api.get(f"{BASE}/public/samr_serious_illegal", params={"q": firm.uscc}).json()
    assert listed["items"][0]["authority"] == "广州市番禺区市场监督管理局"


def test_public_reads(api: TestClient) -> None:
    types = api.get(f"{BASE}/types").json()
    wage = next(t for t in types if t["code"] == "wage_arrears")
    assert (wage["kind_label"], wage["defence"]["workdays"], wage["duration"]["months"]) == ("失信名单", 5, 36)
    assert wage["early_removal"]["after_months"] == 6 and wage["lists_responsible_persons"] is True
    lists = {row["code"]: row["in_force"] for row in api.get(f"{BASE}/public").json()}
    assert lists["wage_arrears"] == 0 and "samr_serious_illegal" in lists
    assert api.get(f"{BASE}/public/no_such_list").status_code == 404
    future = api.get(f"{BASE}/public/wage_arrears", params={"as_of": date(2026, 12, 1).isoformat()})
    assert future.status_code == 422 and "不能晚于今天" in future.json()["message"]
    assert api.get(f"{BASE}/entries").status_code == 401
