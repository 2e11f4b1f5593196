"""双随机、一公开 over the JSON API (issue #6): the pool, a plan from creation to published results, the checks
a colleague runs (candidate CSV hash, verify), bad input answered 422 in Chinese, stale versions 409, and the
public seeing published plans only; SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

from fastapi.testclient import TestClient
from principals import add_account, login_headers
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from factories import company
from records_factories import make_batch, make_record
from xinyong.auth.context import Context
from xinyong.records.models import CreditRecord
from xinyong.subjects.models import Department, Subject
from xinyong.supervision.models import InspectionCandidate, InspectionTask

TODAY = date(2026, 11, 27)
RATIOS = {"A": "0.02", "B": "0.05", "C": "1", "D": "1"}
OTHER_TOWN = "440113102"  # 南村镇: the firms are in 市桥街道, so no same-town conflict
PLANS = "/api/v1/inspections/plans"


@dataclass
class District:
    """Four clean firms (grade A) and one with a serious penalty (grade C) in 市桥街道, the market regulator."""

    clean: list[Subject]
    penalised: Subject
    market: Department
    other: Department


def district(ctx: Context, departments: tuple[Department, Department], *, base: int = 960) -> District:
    clean = [company(ctx, f"广州抽查清白{n}有限公司", base + n) for n in range(4)]
    penalised = company(ctx, "广州抽查处罚有限公司", base + 9)
    record = make_record(
        ctx.session,
        make_batch(ctx.session, departments[0]),
        doc_no=f"番市监罚〔2026〕{base}号",
        decided_on=date(2026, 6, 1),
        subject=penalised,
    )
    record.severity = "serious"
    ctx.session.commit()
    return District(clean=clean, penalised=penalised, market=departments[0], other=departments[1])


def evaluate(api: TestClient, headers: dict[str, str]) -> dict[str, object]:
    ran = api.post("/api/v1/evaluation/runs", headers=headers, json={"as_of": TODAY.isoformat()})
    assert ran.status_code == 200, ran.text
    return ran.json()


def add_inspectors(api: TestClient, headers: dict[str, str], department: Department, n: int = 3) -> list[int]:
    ids = []
    for i in range(n):
        body = {"name": f"检查员{'甲乙丙丁'[i]}", "department_id": department.id, "badge_no": f"44011300{i}"}
        added = api.post("/api/v1/inspections/inspectors", headers=headers, json=body | {"township_code": OTHER_TOWN})
        assert added.status_code == 201, added.text
        ids.append(added.json()["id"])
    return ids


def plan_body(department: Department, **changes: object) -> dict[str, object]:
    return {
        "title": "2026年12月食品经营双随机抽查",
        "department_id": department.id,
        "item_code": "scjg_spjy",
        "as_of": TODAY.isoformat(),
        "ratios": RATIOS,
        "seed": "panyu-2026-12",
    } | changes


def create(api: TestClient, headers: dict[str, str], department: Department, **changes: object) -> dict[str, object]:
    made = api.post(PLANS, headers=headers, json=plan_body(department, **changes))
    assert made.status_code == 201, made.text
    return made.json()


def accounts(db: Session, market: Department, tag: str) -> tuple[dict[str, str], dict[str, str]]:
    """Login headers of a credit office clerk and of a regulator of the market regulator."""
    office = login_headers(db, add_account(db, f"i_office_{tag}", "credit_office_staff"))
    regulator = login_headers(db, add_account(db, f"i_reg_{tag}", "regulator", department_id=market.id))
    db.commit()
    return office, regulator


def test_plan_is_drawn_published_and_results_entered_and_verified(
    api: TestClient, db: Session, ctx: Context, departments: tuple[Department, Department]
) -> None:
    town = district(ctx, departments)
    office, regulator = accounts(db, town.market, "a")
    evaluate(api, office)
    inspectors = add_inspectors(api, regulator, town.market)

    plan = create(api, regulator, town.market)
    assert (plan["status"], plan["ratios"], plan["seed"], plan["algorithm"]) == (
        "draft",
        RATIOS,
        "panyu-2026-12",
        "xinyong-draw-1",
    )
    assert plan["candidates_hash"] is None and plan["lock_version"] == 1

    drawn = api.post(f"{PLANS}/{plan['id']}/draw", headers=regulator, json={"lock_version": 1})
    assert drawn.status_code == 200, drawn.text
    shown = drawn.json()
    assert shown["status"] == "drawn"
    assert shown["candidates_by_grade"] == {"A": 4, "B": 0, "C": 1, "D": 0}
    # ceil(0.02 × 4) = 1 of grade A, every grade-C firm
    assert shown["drawn_by_grade"] == {"A": 1, "B": 0, "C": 1, "D": 0}

    tasks = api.get(f"{PLANS}/{plan['id']}/tasks", headers=regulator).json()
    assert [t["grade"] for t in tasks] == ["A", "C"]
    assert tasks[1]["subject_id"] == town.penalised.id
    for t in tasks:
        assert t["inspector_a_id"] in inspectors and t["inspector_b_id"] in inspectors
        assert t["inspector_a_id"] != t["inspector_b_id"]

    # a colleague checks the published hash against the frozen list and re-runs the draw
    csv = api.get(f"{PLANS}/{plan['id']}/candidates.csv", headers=office)
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert hashlib.sha256(csv.content).hexdigest() == shown["candidates_hash"]
    assert csv.text.splitlines()[-1] == f"{town.penalised.id},C"
    verified = api.get(f"{PLANS}/{plan['id']}/verify", headers=office).json()
    assert verified == {
        "plan_id": plan["id"],
        "candidates_hash": shown["candidates_hash"],
        "hash_matches": True,
        "tasks_match": True,
        "drawn": 2,
        "mismatches": [],
    }

    # results wait for publication (一公开 first)
    early = {"result": "corrected", "inspected_on": TODAY.isoformat(), "lock_version": tasks[1]["lock_version"]}
    refused = api.put(f"/api/v1/inspections/tasks/{tasks[1]['id']}/result", headers=regulator, json=early)
    assert refused.status_code == 409 and "公示" in refused.json()["message"]
    published = api.post(
        f"{PLANS}/{plan['id']}/publish", headers=regulator, json={"lock_version": shown["lock_version"]}
    )
    assert published.status_code == 200 and published.json()["status"] == "published"

    entered = api.put(
        f"/api/v1/inspections/tasks/{tasks[1]['id']}/result",
        headers=regulator,
        json=early | {"note": "食品贮存不符合要求，已责令改正"},
    )
    assert entered.status_code == 200, entered.text
    result = entered.json()
    assert (result["result"], result["result_label"]) == ("corrected", "发现问题已责令改正")
    record = db.get(CreditRecord, result["record_id"])
    assert record is not None and record.subject_id == town.penalised.id

    # stale version: someone else entered the result first
    stale = api.put(f"/api/v1/inspections/tasks/{tasks[1]['id']}/result", headers=office, json=early)
    assert stale.status_code == 409

    public = api.get(f"/api/v1/inspections/public/plans/{plan['id']}/tasks").json()
    assert [(t["subject_id"], t["result_label"]) for t in public] == [
        (tasks[0]["subject_id"], None),
        (town.penalised.id, "发现问题已责令改正"),
    ]
    assert all(t["inspector_a_id"] is None and t["inspector_b_id"] is None and t["inspector_a"] == "" for t in public)
    assert all(t["result_note"] == "" for t in public)
    anyone = api.get(f"/api/v1/inspections/public/plans/{plan['id']}/verify").json()
    assert anyone["hash_matches"] and anyone["tasks_match"]


def test_bad_plans_are_refused_in_chinese(
    api: TestClient, db: Session, ctx: Context, departments: tuple[Department, Department]
) -> None:
    town = district(ctx, departments, base=970)
    _, regulator = accounts(db, town.market, "b")
    cases = [
        ({"ratios": {"A": "1.5", "B": "0.05", "C": "1", "D": "1"}}, "ratios", "0 到 1"),
        ({"ratios": {"A": "-0.1", "B": "0.05", "C": "1", "D": "1"}}, "ratios", "0 到 1"),
        ({"ratios": {"A": "两成", "B": "0.05", "C": "1", "D": "1"}}, "ratios", "无法解析"),
        ({"ratios": {"A": "0.02", "B": "0.05", "C": "1"}}, "ratios", "缺少等级 D"),
        ({"ratios": {"A": "0.02", "B": "0.05", "C": "1", "D": "1", "E": "1"}}, "ratios", "未知的信用等级"),
        ({"item_code": "nope"}, "item_code", "抽查事项代码无效"),
        ({"item_code": "zj_jzsg"}, "item_code", "不能列入"),
        ({"seed": "a|b"}, "seed", "随机种子"),
        ({"title": "x"}, "title", "至少 2 个字符"),
        ({"as_of": "2026-12-31"}, "as_of", "不能晚于今天"),
    ]
    for change, field, words in cases:
        answer = api.post(PLANS, headers=regulator, json=plan_body(town.market, **change))
        assert answer.status_code == 422, (change, answer.text)
        body = answer.json()
        assert body["field"] == field and words in body["message"], (change, body)
    assert api.get(PLANS, headers=regulator).json() == []


def test_empty_pool_or_no_evaluation_draws_nothing(
    api: TestClient, db: Session, ctx: Context, departments: tuple[Department, Department]
) -> None:
    town = district(ctx, departments, base=980)
    office, regulator = accounts(db, town.market, "c")
    plan = create(api, regulator, town.market)
    unevaluated = api.post(f"{PLANS}/{plan['id']}/draw", headers=regulator, json={"lock_version": 1})
    assert unevaluated.status_code == 422 and "请先运行信用评价" in unevaluated.json()["message"]
    evaluate(api, office)
    empty = api.post(f"{PLANS}/{plan['id']}/draw", headers=regulator, json={"lock_version": 1})
    assert empty.status_code == 422
    assert "检查人员名录库为空" in empty.json()["message"] and empty.json()["field"] == "inspectors"
    add_inspectors(api, regulator, town.market, n=1)
    short = api.post(f"{PLANS}/{plan['id']}/draw", headers=regulator, json={"lock_version": 1})
    assert short.status_code == 422 and "仅 1 名" in short.json()["message"]
    after = api.get(f"{PLANS}/{plan['id']}", headers=regulator).json()
    assert (after["status"], after["candidates_hash"], after["lock_version"]) == ("draft", None, 1)
    assert db.scalar(select(func.count()).select_from(InspectionTask)) == 0
    assert db.scalar(select(func.count()).select_from(InspectionCandidate)) == 0
    no_tasks = api.get(f"{PLANS}/{plan['id']}/candidates.csv", headers=regulator)
    assert no_tasks.status_code == 422 and "尚未抽取" in no_tasks.json()["message"]


def test_stale_and_repeated_actions_are_conflicts(
    api: TestClient, db: Session, ctx: Context, departments: tuple[Department, Department]
) -> None:
    town = district(ctx, departments, base=990)
    office, regulator = accounts(db, town.market, "d")
    evaluate(api, office)
    add_inspectors(api, regulator, town.market)
    plan = create(api, regulator, town.market)
    stale = api.post(f"{PLANS}/{plan['id']}/draw", headers=regulator, json={"lock_version": 7})
    assert stale.status_code == 409 and stale.json()["message"]
    not_drawn = api.post(f"{PLANS}/{plan['id']}/publish", headers=regulator, json={"lock_version": 1})
    assert not_drawn.status_code == 409 and "尚未抽取" in not_drawn.json()["message"]
    drawn = api.post(f"{PLANS}/{plan['id']}/draw", headers=office, json={"lock_version": 1}).json()
    again = api.post(f"{PLANS}/{plan['id']}/draw", headers=regulator, json={"lock_version": 1})
    assert again.status_code == 409  # the regulator's page still showed version 1
    assert api.post(f"{PLANS}/{plan['id']}/draw", headers=regulator, json={"lock_version": 0}).status_code == 422
    published = api.post(
        f"{PLANS}/{plan['id']}/publish", headers=regulator, json={"lock_version": drawn["lock_version"]}
    )
    assert published.status_code == 200
    twice = api.post(
        f"{PLANS}/{plan['id']}/publish", headers=regulator, json={"lock_version": published.json()["lock_version"]}
    )
    assert twice.status_code == 409 and "已公示" in twice.json()["message"]


def test_public_sees_published_plans_only_and_others_are_kept_out(
    api: TestClient, db: Session, ctx: Context, departments: tuple[Department, Department]
) -> None:
    town = district(ctx, departments, base=900)
    office, regulator = accounts(db, town.market, "e")
    evaluate(api, office)
    add_inspectors(api, regulator, town.market)
    draft = create(api, regulator, town.market, title="草稿计划")
    drawn = create(api, regulator, town.market, title="已抽取未公开")
    api.post(f"{PLANS}/{drawn['id']}/draw", headers=regulator, json={"lock_version": 1})
    shown = create(api, regulator, town.market, title="已公开计划")
    version = api.post(f"{PLANS}/{shown['id']}/draw", headers=regulator, json={"lock_version": 1}).json()[
        "lock_version"
    ]
    api.post(f"{PLANS}/{shown['id']}/publish", headers=regulator, json={"lock_version": version})

    listed = api.get("/api/v1/inspections/public/plans")
    assert listed.status_code == 200 and [p["title"] for p in listed.json()] == ["已公开计划"]
    for hidden in (draft, drawn):
        for suffix in ("", "/tasks", "/verify"):
            answer = api.get(f"/api/v1/inspections/public/plans/{hidden['id']}{suffix}")
            assert answer.status_code == 404 and "尚未公示" in answer.json()["message"], (hidden["title"], suffix)
    assert api.get(PLANS).status_code == 401
    officer = login_headers(db, add_account(db, "i_officer", "department_officer", department_id=town.market.id))
    assert api.get(PLANS, headers=officer).status_code == 403
    assert api.post(PLANS, headers=officer, json=plan_body(town.market)).status_code == 403
    # a regulator of another department neither reads nor plans for the market regulator
    elsewhere = login_headers(db, add_account(db, "i_reg_sfj", "regulator", department_id=town.other.id))
    assert api.get(f"{PLANS}/{draft['id']}", headers=elsewhere).status_code == 403
    assert api.post(PLANS, headers=elsewhere, json=plan_body(town.market)).status_code == 403
    # a cookie caller without the CSRF header is refused
    no_csrf = {"Cookie": regulator["Cookie"]}
    assert api.post(PLANS, headers=no_csrf, json=plan_body(town.market)).status_code == 403


def test_inspector_pool_and_conflicts(
    api: TestClient, db: Session, ctx: Context, departments: tuple[Department, Department]
) -> None:
    town = district(ctx, departments, base=910)
    office, _ = accounts(db, town.market, "f")
    first, second = add_inspectors(api, office, town.market, n=2)
    pool = "/api/v1/inspections/inspectors"
    dup = {"name": "检查员戊", "department_id": town.market.id, "badge_no": "440113000"}
    assert api.post(pool, headers=office, json=dup).status_code == 409
    bad_town = api.post(pool, headers=office, json=dup | {"badge_no": "X1", "township_code": "440113999"})
    assert bad_town.status_code == 422 and "镇街" in bad_town.json()["message"]
    short = api.post(pool, headers=office, json=dup | {"badge_no": "X2", "name": "甲"})
    assert short.status_code == 422 and short.json()["field"] == "name"
    off = api.post(f"{pool}/{first}/deactivate", headers=office)
    assert off.status_code == 200 and off.json()["active"] is False
    assert api.post(f"{pool}/999999/deactivate", headers=office).status_code == 404
    listed = {i["id"]: i for i in api.get(pool, headers=office, params={"department_id": town.market.id}).json()}
    assert (listed[first]["active"], listed[second]["active"]) == (False, True)
    assert listed[second]["township_name"] == "南村镇"

    conflict = {"inspector_id": second, "subject_id": town.penalised.id, "reason": "近亲属在该单位任职"}
    made = api.post("/api/v1/inspections/conflicts", headers=office, json=conflict)
    assert made.status_code == 201 and made.json()["subject_name"] == "广州抽查处罚有限公司"
    assert api.post("/api/v1/inspections/conflicts", headers=office, json=conflict).status_code == 409
    listed_conflicts = api.get("/api/v1/inspections/conflicts", headers=office, params={"inspector_id": second}).json()
    assert [c["reason"] for c in listed_conflicts] == ["近亲属在该单位任职"]
    unknown = api.post("/api/v1/inspections/conflicts", headers=office, json=conflict | {"subject_id": 999999})
    assert unknown.status_code == 404


def test_item_library_and_result_codes_are_public(api: TestClient) -> None:
    items = api.get("/api/v1/inspections/items")
    assert items.status_code == 200
    food = next(i for i in items.json() if i["code"] == "scjg_spjy")
    assert (food["label"], food["department"]) == ("食品经营抽查", "scjgj")
    codes = api.get("/api/v1/inspections/result-codes").json()
    assert {"code": "no_problem", "label": "未发现问题", "problem": False} in codes
