"""The public credit report's facts, section by section, built from stored data on ``as_of``: 双公示 records with
their publicity status (公示中 / 异议处理中; expired, repaired, revoked, unpublished and later records left out),
repairs shown only as such, public commitments with their state that day, list entries in force, the latest
grade; basic information without personal data."""

from __future__ import annotations

from datetime import date
from typing import Any

from reports.world import World
from xinyong.evaluation.service import run_evaluation
from xinyong.records.commitments import sign_commitment
from xinyong.reports.canonical import digest
from xinyong.reports.facts import ReportParams, basic_info, build_facts

AS_OF = date(2026, 11, 27)


def sections(world: World, as_of: date = AS_OF) -> dict[str, dict[str, Any]]:
    facts = build_facts(world.db, world.firm, ReportParams(kind="public", as_of=as_of))
    return {s["id"]: s for s in facts["sections"]}


def titles(section: dict[str, Any]) -> list[str]:
    return [r["title"] for r in section["rows"]]


def test_penalties_show_what_the_public_sees_with_its_status(world: World) -> None:
    shown = world.record("番市监罚〔2026〕1号", date(2026, 5, 1))
    objected = world.record("番市监罚〔2026〕2号", date(2026, 6, 1))
    world.effect(objected, "objection", date(2026, 11, 20))
    world.record("番市监罚〔2024〕3号", date(2024, 1, 5), publicity_end=date(2024, 4, 5))  # publicity ended
    world.effect(world.record("番市监罚〔2026〕4号", date(2026, 3, 1)), "revoked", date(2026, 9, 1))
    world.record("番市监罚〔2026〕5号", date(2026, 7, 1), publishable=False)  # 不予公示
    world.record("番市监罚〔2026〕6号", date(2026, 7, 2), subject=world.other)
    penalties = sections(world)["penalty"]
    assert titles(penalties) == [
        "行政处罚信息 番市监罚〔2026〕2号（2026-06-01）",
        "行政处罚信息 番市监罚〔2026〕1号（2026-05-01）",
    ]
    assert [r["status_label"] for r in penalties["rows"]] == ["异议处理中", "公示中"]
    assert penalties["summary"] == "共 2 条，其中异议处理中 1 条"
    assert penalties["columns"][-1] == "公示状态" and "处罚机关" in penalties["columns"]
    row = penalties["rows"][1]
    assert row["key"] == f"penalty:{world.market.id}:番市监罚〔2026〕1号" and shown.doc_no in row["cells"]
    assert "罚款5000元" in row["cells"]


def test_a_past_as_of_shows_what_was_published_that_day(world: World) -> None:
    world.record("番市监罚〔2026〕1号", date(2026, 5, 1))
    world.record("番市监罚〔2026〕7号", date(2026, 8, 1))
    assert titles(sections(world, date(2026, 6, 30))["penalty"]) == ["行政处罚信息 番市监罚〔2026〕1号（2026-05-01）"]


def test_licences_have_their_own_section(world: World) -> None:
    world.record(
        "番市监许〔2026〕9号",
        date(2026, 2, 1),
        item_id="licence",
        data={"content": "食品经营许可", "valid_to": "2031-01-31", "status": "有效"},
    )
    licences = sections(world)["licence"]
    assert licences["label"] == "行政许可信息" and licences["total"] == 1
    assert "食品经营许可" in licences["rows"][0]["cells"] and "有效" in licences["rows"][0]["cells"]
    assert sections(world)["penalty"]["summary"] == "无"


def test_repairs_are_shown_as_such_without_republishing_the_record(world: World) -> None:
    repaired = world.record("番市监罚〔2025〕8号", date(2025, 10, 1))
    world.effect(repaired, "repaired", date(2026, 10, 15))
    old = world.record("番市监罚〔2023〕9号", date(2023, 1, 1), publicity_end=date(2023, 12, 31))
    world.effect(old, "repaired", date(2023, 6, 1))  # publicity would have ended anyway: not listed
    found = sections(world)
    assert found["penalty"]["rows"] == []
    rows = found["repairs"]["rows"]
    assert [r["cells"] for r in rows] == [["行政处罚信息", world.market.name, "2026-10-15", "已信用修复，不再公示"]]
    assert "番市监罚" not in str(rows)
    assert sections(world, date(2026, 10, 1))["repairs"]["rows"] == []  # not yet repaired that day
    assert len(sections(world, date(2026, 10, 1))["penalty"]["rows"]) == 1


def test_commitments_show_their_state_on_the_day(world: World) -> None:
    signed = sign_commitment(
        world.ctx,
        subject_id=world.firm.id,
        kind="voluntary",
        department_id=world.market.id,
        matter="食品安全主动承诺",
        text="本企业承诺依法经营。",
        signer_name="李经理",
    )
    signed.signed_on, signed.status, signed.outcome_on = date(2026, 11, 2), "kept", date(2026, 11, 27)
    world.db.flush()
    rows = sections(world)["commitments"]["rows"]
    assert len(rows) == 1 and rows[0]["status_label"] == "已履约" and "食品安全主动承诺" in rows[0]["cells"]
    assert sections(world, date(2026, 11, 26))["commitments"]["rows"][0]["status_label"] == "待核查"
    signed.published = False
    world.db.flush()
    assert sections(world)["commitments"]["rows"] == []


def test_list_entries_in_force_are_split_into_dishonesty_and_red_lists(world: World) -> None:
    world.entry("wage_arrears", date(2026, 3, 2))
    world.entry("contract_honouring", date(2026, 1, 10))
    world.entry("serious_dishonesty", date(2025, 1, 1), removed_on=date(2026, 1, 1), removal_reason="repair")
    found = sections(world)
    assert [r["cells"][0] for r in found["lists_dishonesty"]["rows"]] == ["拖欠农民工工资失信联合惩戒对象名单"]
    assert [r["cells"][0] for r in found["lists_red"]["rows"]] == ["守合同重信用企业"]
    assert len(sections(world, date(2025, 6, 1))["lists_dishonesty"]["rows"]) == 1  # the removed one, then


def test_the_latest_grade_names_its_model_and_day(world: World) -> None:
    assert sections(world)["evaluation"]["summary"] == "暂无评价结果"
    run_evaluation(world.ctx, date(2026, 10, 31))
    evaluation = sections(world)["evaluation"]
    cells = evaluation["rows"][0]["cells"]
    assert cells[0] == "企业公共信用综合评价（通用模型）" and cells[2] == "2026-10-31" and cells[3] in "ABCD"
    assert sections(world, date(2026, 10, 30))["evaluation"]["rows"] == []  # the run is dated later


def test_basic_information_shows_no_personal_data(world: World) -> None:
    firm = dict(basic_info(world.firm))
    assert firm["名称"] == "广州禾丰贸易有限公司" and firm["统一社会信用代码"] == world.firm.uscc
    person = dict(basic_info(world.person))
    assert person["姓名"] == "王堃喆" and "*" in person["公民身份号码"]
    facts = build_facts(world.db, world.person, ReportParams(kind="public", as_of=AS_OF))
    assert "evaluation" not in {s["id"] for s in facts["sections"]}


def test_facts_are_deterministic(world: World) -> None:
    world.record("番市监罚〔2026〕1号", date(2026, 5, 1))
    params = ReportParams(kind="public", as_of=AS_OF)
    assert digest(build_facts(world.db, world.firm, params)) == digest(build_facts(world.db, world.firm, params))
