"""失信案例核查 over the JSON API (issue #7, work-plan item 八): the office registers a case, the department works it
through the six stages with links and evidence, reads, counts and the rulebook; refusals answered in Chinese with
their status (422 bad input and links, 409 wrong stage, stale version, closed case, 403 another department);
SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from fastapi.testclient import TestClient
from principals import add_account, issue_token, login_headers, token_headers
from sqlalchemy import select
from sqlalchemy.orm import Session

from factories import company
from list_factories import published_entry
from records_factories import make_batch, make_record
from xinyong import clock
from xinyong.auth.context import Context
from xinyong.lists.models import ListEntry
from xinyong.records.models import CreditRecord
from xinyong.subjects.models import Department, Subject

CASES = "/api/v1/cases"
PDF = b"%PDF-1.4\n%%EOF\n"
JUNE = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)  # 10:00 in Beijing, a Monday


@dataclass
class Desk:
    """The market regulator's case: its subject with a record and a list entry, another firm's, the callers."""

    market: Department
    justice: Department
    firm: Subject
    record: CreditRecord
    entry: ListEntry
    other_record: CreditRecord
    office: dict[str, str]
    officer: dict[str, str]
    other_officer: dict[str, str]


def desk(db: Session, ctx: Context, departments: tuple[Department, Department], tag: str, base: int) -> Desk:
    market, justice = departments
    firm = company(ctx, f"广州案例核查{tag}有限公司", base)
    other = company(ctx, f"广州案例无关{tag}有限公司", base + 1)
    batch = make_batch(db, market)
    record = make_record(db, batch, doc_no=f"番市监罚〔2026〕{base}号", decided_on=date(2026, 5, 6), subject=firm)
    other_record = make_record(
        db, batch, doc_no=f"番市监罚〔2026〕{base + 1}号", decided_on=date(2026, 5, 6), subject=other, row_no=2
    )
    entry = published_entry(db, firm)
    result = Desk(
        market=market,
        justice=justice,
        firm=firm,
        record=record,
        entry=entry,
        other_record=other_record,
        office=login_headers(db, add_account(db, f"v_office_{tag}", "credit_office_staff")),
        officer=login_headers(db, add_account(db, f"v_dept_{tag}", "department_officer", department_id=market.id)),
        other_officer=login_headers(
            db, add_account(db, f"v_other_{tag}", "department_officer", department_id=justice.id)
        ),
    )
    db.commit()
    return result


def case_body(d: Desk, **change: object) -> dict[str, object]:
    return {
        "title": "拖欠农民工工资被投诉",
        "subject_id": d.firm.id,
        "source": "hotline_12345",
        "source_ref": "GD12345-20260601-0007",
        "summary": "12345 热线反映该企业拖欠 23 名工人 3 个月工资，经多次协调仍未支付。",
        "department_id": d.market.id,
        "owner": "王核查",
    } | change


def opened(api: TestClient, d: Desk, **change: object) -> dict[str, object]:
    made = api.post(CASES, headers=d.office, json=case_body(d, **change))
    assert made.status_code == 201, made.text
    return made.json()


def step(api: TestClient, headers: dict[str, str], case: dict[str, object], **body: object):
    return api.post(
        f"{CASES}/{case['id']}/complete",
        headers=headers,
        json={"stage": case["stage"], "note": "已依规办理", "lock_version": case["lock_version"]} | body,
    )


def test_a_case_is_registered_worked_through_six_stages_and_closed(
    api: TestClient, db: Session, ctx: Context, departments: tuple[Department, Department]
) -> None:
    d = desk(db, ctx, departments, "a", 710)
    case = opened(api, d)
    assert (case["stage"], case["stage_label"], case["stage_due"], case["owner"]) == (
        "verify",
        "核查",
        "2026-12-18",
        "王核查",
    )
    assert (case["subject_name"], case["source_label"], case["lock_version"]) == (
        "广州案例核查a有限公司",
        "12345政务服务便民热线",
        1,
    )

    answer = step(api, d.officer, case, founded=True, note="现场核查属实，工资表显示欠薪 3 个月。", next_owner="赵记录")
    assert answer.status_code == 200, answer.text
    case = answer.json()
    assert (case["stage"], case["owner"], case["stage_due"]) == ("record", "赵记录", "2026-12-08")

    linked_elsewhere = step(api, d.officer, case, record_id=d.other_record.id)
    assert linked_elsewhere.status_code == 422
    assert linked_elsewhere.json()["field"] == "record_id" and "不是本案当事人" in linked_elsewhere.json()["message"]
    case = step(api, d.officer, case, record_id=d.record.id).json()
    assert (case["stage"], case["record_id"]) == ("supervise", d.record.id)

    detail = api.get(f"{CASES}/{case['id']}", headers=d.office).json()
    assert [s["state"] for s in detail["stages"]] == ["done", "done", "current", "pending", "pending", "pending"]
    assert detail["record"]["id"] == d.record.id and "番市监罚〔2026〕710号" in detail["record"]["label"]
    assert detail["actions"] == ["complete", "reassign", "attach", "close"]
    assert [h["action"] for h in detail["history"]] == ["open", "verify", "record"]
    mine = api.get(f"{CASES}/{case['id']}", headers=d.officer).json()
    assert mine["actions"] == ["complete", "reassign", "attach"] and mine["office_outcomes"] == []


def test_the_later_stages_link_an_entry_and_close_with_an_outcome(
    api: TestClient, db: Session, ctx: Context, departments: tuple[Department, Department]
) -> None:
    clock.set_clock(lambda: JUNE)  # 整改's 30 working days from late November would reach 2027 (not in the calendar)
    d = desk(db, ctx, departments, "b", 720)
    case = opened(api, d)
    token = token_headers(issue_token(db, "department_officer", department_id=d.market.id))
    db.commit()
    case = step(api, token, case, founded=True).json()  # the department's system, by API token
    for _ in ("record", "supervise"):
        case = step(api, d.officer, case).json()
    assert case["stage"] == "punish"
    detail = api.get(f"{CASES}/{case['id']}", headers=d.officer).json()
    assert [c["id"] for c in detail["link_choices"]] == [d.entry.id]
    case = step(api, d.officer, case, list_entry_id=d.entry.id, note="已列入拖欠农民工工资失信名单").json()
    assert (case["stage"], case["list_entry_id"]) == ("rectify", d.entry.id)
    case = step(api, d.officer, case, note="已补发全部工资").json()
    missing = step(api, d.officer, case)
    assert missing.status_code == 422 and missing.json()["field"] == "outcome"
    closed = step(api, d.officer, case, outcome="rectified", note="约谈负责人，开展诚信教育")
    assert closed.status_code == 200, closed.text
    case = closed.json()
    assert (case["stage"], case["outcome"], case["outcome_label"], case["closed_on"]) == (
        "closed",
        "rectified",
        "已惩戒，整改到位并完成教育",
        "2026-06-01",
    )
    again = step(api, d.officer, case, outcome="rectified")
    assert again.status_code == 409 and again.json()["error"] == "case_closed"


def test_refusals_carry_their_status_and_chinese_reason(
    api: TestClient, db: Session, ctx: Context, departments: tuple[Department, Department]
) -> None:
    d = desk(db, ctx, departments, "c", 730)
    bad = api.post(CASES, headers=d.office, json=case_body(d, source="rumour"))
    assert bad.status_code == 422 and bad.json()["field"] == "source" and "案件来源无效" in bad.json()["message"]
    assert api.post(CASES, headers=d.officer, json=case_body(d)).status_code == 403
    case = opened(api, d)
    duplicate = api.post(CASES, headers=d.office, json=case_body(d))
    assert duplicate.status_code == 409 and duplicate.json()["error"] == "duplicate_case"

    wrong = step(api, d.officer, case | {"stage": "punish"}, founded=True)
    assert wrong.status_code == 409 and wrong.json()["error"] == "wrong_stage"
    assert "须按核查→记录→监管→惩戒→整改→教育的顺序" in wrong.json()["message"]
    unsaid = step(api, d.officer, case)
    assert unsaid.status_code == 422 and unsaid.json()["field"] == "founded"
    assert step(api, d.other_officer, case, founded=True).status_code == 403

    moved = step(api, d.officer, case, founded=True).json()
    stale = step(api, d.officer, case | {"stage": "record"})  # the version seen before the step
    assert stale.status_code == 409 and stale.json()["error"] == "stale_case"
    stale = api.post(f"{CASES}/{case['id']}/reassign", headers=d.officer, json={"owner": "新人", "lock_version": 1})
    assert stale.status_code == 409

    reassigned = api.post(
        f"{CASES}/{case['id']}/reassign",
        headers=d.officer,
        json={"owner": "孙经办", "lock_version": moved["lock_version"]},
    )
    assert reassigned.status_code == 200 and reassigned.json()["owner"] == "孙经办"
    moved = reassigned.json()
    across = api.post(
        f"{CASES}/{case['id']}/reassign",
        headers=d.officer,
        json={"owner": "周", "department_id": d.justice.id, "lock_version": moved["lock_version"]},
    )
    assert across.status_code == 403
    officer_close = api.post(
        f"{CASES}/{case['id']}/close",
        headers=d.officer,
        json={"outcome": "transferred", "note": "移送", "lock_version": moved["lock_version"]},
    )
    assert officer_close.status_code == 403
    closed = api.post(
        f"{CASES}/{case['id']}/close",
        headers=d.office,
        json={
            "outcome": "transferred",
            "note": "涉嫌拒不支付劳动报酬罪，移送公安",
            "lock_version": moved["lock_version"],
        },
    )
    assert closed.status_code == 200 and closed.json()["outcome_label"] == "移送有关机关处理"
    assert api.get(f"{CASES}/987654", headers=d.office).status_code == 404


def test_not_founded_closes_at_verify(
    api: TestClient, db: Session, ctx: Context, departments: tuple[Department, Department]
) -> None:
    d = desk(db, ctx, departments, "d", 740)
    case = opened(api, d, subject_id=None, subject_name="某不存在的商户", source_ref="")
    closed = step(api, d.officer, case, founded=False, note="现场查无此商户，反映不属实")
    assert closed.status_code == 200
    assert (closed.json()["stage"], closed.json()["outcome"]) == ("closed", "unfounded")


def test_evidence_is_uploaded_and_downloaded(
    api: TestClient, db: Session, ctx: Context, departments: tuple[Department, Department]
) -> None:
    d = desk(db, ctx, departments, "e", 750)
    case = opened(api, d)
    url = f"{CASES}/{case['id']}/files"
    up = api.post(url, headers=d.officer, files=[("files", ("工资表.pdf", PDF, "application/pdf"))])
    assert up.status_code == 201, up.text
    [shown] = up.json()
    assert (shown["filename"], shown["size"]) == ("工资表.pdf", len(PDF))
    bad = api.post(url, headers=d.officer, files=[("files", ("木马.exe", b"MZ", "application/octet-stream"))])
    assert bad.status_code == 422 and "类型不受支持" in bad.json()["message"]
    assert (
        api.post(url, headers=d.other_officer, files=[("files", ("x.pdf", PDF, "application/pdf"))]).status_code == 403
    )
    got = api.get(f"{url}/{shown['id']}", headers=d.office)
    assert got.status_code == 200 and got.content == PDF and "attachment" in got.headers["content-disposition"]
    assert api.get(f"{url}/{shown['id']}", headers=d.other_officer).status_code == 403
    assert [f["filename"] for f in api.get(f"{CASES}/{case['id']}", headers=d.office).json()["files"]] == ["工资表.pdf"]


def test_lists_counts_and_rules(
    api: TestClient, db: Session, ctx: Context, departments: tuple[Department, Department]
) -> None:
    d = desk(db, ctx, departments, "f", 760)
    first = opened(api, d)
    second = opened(api, d, source_ref="other-ref", department_id=d.justice.id)
    step(api, d.officer, first, founded=True)
    listed = api.get(CASES, headers=d.office).json()
    assert {c["id"] for c in listed} == {first["id"], second["id"]}
    assert [c["id"] for c in api.get(CASES, headers=d.office, params={"stage": "record"}).json()] == [first["id"]]
    assert [c["id"] for c in api.get(CASES, headers=d.officer).json()] == [first["id"]]  # own department
    assert api.get(CASES, headers=d.officer, params={"department_id": d.justice.id}).status_code == 403
    late = api.get(CASES, headers=d.office, params={"overdue": True, "as_of": "2026-12-31"}).json()
    assert {c["id"] for c in late} == {first["id"], second["id"]}
    assert api.get(CASES, headers=d.office, params={"stage": "nowhere"}).status_code == 422
    assert api.get(CASES, params={"subject_id": d.firm.id}).status_code == 401
    counts = api.get(f"{CASES}/counts", headers=d.office).json()
    assert (counts["by_stage"]["verify"], counts["by_stage"]["record"], counts["open"]) == (1, 1, 2)
    assert api.get(f"{CASES}/counts", headers=d.other_officer).json()["open"] == 1
    regulator = login_headers(db, add_account(db, "v_regulator", "regulator"))
    db.commit()
    assert api.get(CASES, headers=regulator).status_code == 403
    rules = api.get(f"{CASES}/rules").json()  # public: no credential
    assert [s["label"] for s in rules["stages"]] == ["核查", "记录", "监管", "惩戒", "整改", "教育"]
    assert rules["stages"][0]["workdays"] == 15 and rules["version"] == 1
    assert db.scalar(select(ListEntry.id).where(ListEntry.id == d.entry.id)) == d.entry.id
