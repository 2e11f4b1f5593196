"""The 专用信用报告's domains: which records count as violations in the period (domain departments, decision
dates, list entries in force during the period), how lifecycle states count (revoked not counted, repaired
counted and marked 已修复, expired and unpublished counted, objected marked), and the verdicts."""

from __future__ import annotations

from datetime import date
from typing import Any

from reports.world import World
from xinyong.reports.facts import ReportParams, build_facts

AS_OF = date(2026, 11, 27)
START, END = date(2024, 1, 1), date(2026, 11, 27)


def special(world: World, domains: tuple[str, ...], start: date = START, end: date = END) -> dict[str, Any]:
    params = ReportParams(kind="special", as_of=AS_OF, period_start=start, period_end=end, domains=domains)
    return build_facts(world.db, world.firm, params)


def domain(facts: dict[str, Any], domain_id: str) -> dict[str, Any]:
    return next(s for s in facts["sections"] if s["id"] == f"domain:{domain_id}")


def test_domains_without_violations_say_so(world: World) -> None:
    world.record("番司罚〔2026〕1号", date(2026, 5, 1), department=world.justice)  # 司法局: in no chosen domain
    facts = special(world, ("market_supervision", "tax"))
    assert [s["label"] for s in facts["sections"]] == ["市场监管", "税务"]
    for section in facts["sections"]:
        assert section["summary"] == "未发现违法违规记录" and not section["violations_found"] and section["rows"] == []
    assert facts["conclusion"] == "在所选期间内，所选 2 个领域均未发现违法违规记录。"
    assert facts["period"] == {"start": "2024-01-01", "end": "2026-11-27"}
    assert facts["not_covered"] == ["行政强制信息", "刑事裁判（犯罪记录）信息"]
    assert domain(facts, "tax")["departments"] == ["国家税务总局广州市番禺区税务局"]


def test_penalties_of_the_domain_departments_dated_in_the_period_count(world: World) -> None:
    world.record("番市监罚〔2025〕1号", date(2025, 3, 1))
    world.record("番税罚〔2026〕2号", date(2026, 2, 1), department=world.tax)
    world.record("番市监罚〔2023〕3号", date(2023, 12, 31))  # before the period
    world.record("番市监罚〔2026〕4号", date(2026, 6, 1), subject=world.other)
    facts = special(world, ("market_supervision", "tax", "environment"))
    market = domain(facts, "market_supervision")
    assert market["violations_found"] and market["summary"] == "发现违法违规记录 1 条"
    assert market["rows"][0]["cells"][:2] == ["行政处罚信息", "番市监罚〔2025〕1号"]
    assert domain(facts, "tax")["total"] == 1 and not domain(facts, "environment")["violations_found"]
    assert facts["conclusion"] == "在所选期间内，市场监管、税务领域发现违法违规记录，其余领域未发现违法违规记录。"
    narrow = special(world, ("market_supervision",), start=date(2025, 4, 1))
    assert not domain(narrow, "market_supervision")["violations_found"]


def test_revoked_records_do_not_count_and_repaired_ones_are_marked(world: World) -> None:
    world.effect(world.record("番市监罚〔2025〕5号", date(2025, 5, 1)), "revoked", date(2025, 9, 1))
    world.effect(world.record("番市监罚〔2025〕6号", date(2025, 6, 1)), "repaired", date(2026, 6, 1))
    world.record("番市监罚〔2024〕7号", date(2024, 2, 1), publicity_end=date(2024, 5, 1))  # publicity ended
    world.record("番市监罚〔2026〕8号", date(2026, 1, 5), publishable=False)  # 轻微, not published
    world.effect(world.record("番市监罚〔2026〕9号", date(2026, 2, 5)), "objection", date(2026, 11, 1))
    market = domain(special(world, ("market_supervision",)), "market_supervision")
    statuses = {r["cells"][1]: r["status_label"] for r in market["rows"]}
    assert statuses == {
        "番市监罚〔2025〕6号": "已修复",
        "番市监罚〔2024〕7号": "公示期满",
        "番市监罚〔2026〕8号": "不予公示",
        "番市监罚〔2026〕9号": "异议处理中",
    }
    assert market["summary"] == "发现违法违规记录 4 条（其中已修复 1 条）"


def test_a_repair_after_as_of_is_not_applied(world: World) -> None:
    world.effect(world.record("番市监罚〔2025〕6号", date(2025, 6, 1)), "repaired", date(2026, 11, 28))
    market = domain(special(world, ("market_supervision",)), "market_supervision")
    assert market["rows"][0]["status_label"] == "公示中"


def test_list_entries_in_force_during_the_period_count(world: World) -> None:
    world.entry("wage_arrears", date(2023, 3, 1), removed_on=date(2024, 6, 1), removal_reason="early_removal")
    world.entry("samr_serious_illegal", date(2026, 4, 1))
    world.entry("wage_arrears", date(2022, 1, 1), subject=world.other)
    facts = special(world, ("social_insurance", "market_supervision"))
    social = domain(facts, "social_insurance")
    assert social["total"] == 1 and social["rows"][0]["status_label"] == "已修复（提前移出）"
    assert social["rows"][0]["repaired"] and social["summary"] == "发现违法违规记录 1 条（其中已修复 1 条）"
    market = domain(facts, "market_supervision")
    assert [r["cells"][0] for r in market["rows"]] == ["市场监督管理严重违法失信名单"]
    assert market["rows"][0]["status_label"] == "列入中"


def test_entries_ended_before_the_period_or_revoked_do_not_count(world: World) -> None:
    world.entry("wage_arrears", date(2021, 1, 1), removed_on=date(2023, 6, 1), removal_reason="expiry")
    world.entry("serious_dishonesty", date(2024, 5, 1), removed_on=date(2024, 8, 1), removal_reason="revocation")
    facts = special(world, ("social_insurance", "credit_general"))
    assert not domain(facts, "social_insurance")["violations_found"]
    assert not domain(facts, "credit_general")["violations_found"]
