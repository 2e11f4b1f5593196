"""Parsing the 2021 plan text: 18 items, units by role, deadlines and targets; problems line by line."""

from __future__ import annotations

from datetime import date

import pytest

from workplan.plans import PLAN_2021, garbled
from xinyong.workplan.parser import cn_number, cn_numeral, find_deadline, find_targets, parse_plan


def test_the_2021_plan_has_eighteen_items_in_five_chapters() -> None:
    plan = parse_plan(PLAN_2021, 2021)
    assert plan.errors == []
    assert plan.warnings == []
    assert [i.number for i in plan.items] == list(range(1, 19))
    assert plan.items[10].numeral == "十一"
    assert plan.items[10].title == "加强和规范信用信息归集共享"
    assert len({i.chapter for i in plan.items}) == 5
    assert plan.title == "2021年番禺区社会信用体系建设工作要点"
    assert plan.annexes == ["番禺区建立完善信用监管约束机制职责分工表"]


def test_item_eleven_names_the_market_supervision_bureau_as_responsible() -> None:
    item = parse_plan(PLAN_2021, 2021).items[10]
    roles = {(u.role, u.code) for u in item.units}
    assert ("responsible", "scjgj") in roles
    assert ("lead", "fgj") in roles and ("lead", "zwsjj") in roles
    assert ("responsible", "all_departments") in roles  # 各数据责任部门具体落实
    assert len(item.subtasks) == 3
    target = item.targets[0]
    assert (target.metric, target.comparator, target.value, target.unit) == ("重错码率", "<=", "0.005", "%")


def test_arrears_target_and_year_end_deadline_of_item_three() -> None:
    item = parse_plan(PLAN_2021, 2021).items[2]
    zero = [t for t in item.targets if t.value == "0"]
    assert [(t.metric, t.comparator) for t in zero] == [("新增拖欠账款", "=")]
    assert item.deadline(2021) == date(2021, 12, 31)
    assert item.deadline_named
    supporting = [u.code for u in item.units if u.role == "supporting"]
    assert supporting == ["fgj"]  # 区委组织部牵头，区发改局配合


def test_a_role_less_clause_takes_the_next_clauses_role() -> None:
    item = parse_plan(PLAN_2021, 2021).items[12]  # （各镇街，区科工商信局等行业主管部门负责）
    last = item.subtasks[-1]
    assert [(u.role, u.code) for u in last.units] == [
        ("responsible", "all_towns"),
        ("responsible", "kgsxj"),
        ("responsible", "all_departments"),
    ]


def test_garbled_item_and_stray_line_are_reported_by_line() -> None:
    text = garbled()
    plan = parse_plan(text, 2021)
    lines = text.splitlines()
    item_four = next(n for n, line in enumerate(lines, 1) if line.startswith("（四）"))
    stray = next(n for n, line in enumerate(lines, 1) if line.startswith("随便写的一行"))
    assert [p.line for p in plan.errors] == [item_four, stray]
    assert "（区检察院）" not in plan.errors[0].message  # the tail is quoted, not the parenthesis
    assert "没有标明责任单位" in plan.errors[0].message
    assert "无法归入任何条目" in plan.errors[1].message


def test_unknown_units_are_kept_by_name_with_a_warning() -> None:
    text = PLAN_2021.replace("（区总工会负责）", "（区总工会、区气象局负责）")
    plan = parse_plan(
        text.replace("区委统战部、区农业农村局、区总工会负责", "区委统战部、区农业农村局、区气象局负责"), 2021
    )
    assert plan.errors == []
    assert [w.message for w in plan.warnings] == ["条目（十一）的单位“区气象局”未能识别，已按名称保留"]
    assert ("responsible", "区气象局", None) in {(u.role, u.name, u.code) for u in plan.items[10].units}


def test_numbering_gap_and_year_mismatch_are_errors() -> None:
    skipped = PLAN_2021.replace("（十二）建立信用信息", "（十三）建立信用信息", 1)
    assert any("不连续" in p.message for p in parse_plan(skipped, 2021).errors)
    assert any(
        "编号（十十）无法识别" in p.message for p in parse_plan(skipped.replace("（十三）", "（十十）"), 2021).errors
    )
    assert any("年份 2021 与载入年份 2022" in p.message for p in parse_plan(PLAN_2021, 2022).errors)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2021年底前完成", date(2021, 12, 31)),
        ("6月底前完成，年底前总结", date(2021, 6, 30)),
        ("9月30日前报送", date(2021, 9, 30)),
        ("上半年完成", date(2021, 6, 30)),
        ("2022年3月31日前完成", date(2022, 3, 31)),
        ("持续推进", None),
    ],
)
def test_deadlines(text: str, expected: date | None) -> None:
    assert find_deadline(text, 2021) == expected


def test_targets_and_numerals() -> None:
    assert [(t.metric, t.comparator, t.value) for t in find_targets("数据合规率不低于95%")] == [
        ("数据合规率", ">=", "95")
    ]
    assert [cn_number(n) for n in ("一", "十", "十一", "二十", "九十九")] == [1, 10, 11, 20, 99]
    assert [cn_numeral(n) for n in (1, 10, 11, 18, 20)] == ["一", "十", "十一", "十八", "二十"]
    with pytest.raises(ValueError, match="十十"):
        cn_number("十十")
