"""The portal rulebook (rules/portal.yaml): every entry cited, the work-plan item 十七 campaigns with their dates
(信用记录关爱日 on 6月14日), the next occurrence of each, and what the loader refuses."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from xinyong.portal.rules import PortalRules, portal_rules
from xinyong.rules.loader import RULES_DIR, RulebookError, load_rulebook

WANLI = "全国“诚信建设万里行”"


def test_the_work_plan_campaigns_are_there_with_their_sources() -> None:
    book = portal_rules()
    names = {c.name: c for c in book.campaigns}
    for name in ("诚信宣传月", "信用记录关爱日", "诚信兴商宣传月", "消费者权益日", "开学第一课", WANLI):
        assert name in names and len(names[name].source) > 10
    care = names["信用记录关爱日"]
    assert (care.month, care.day, care.when) == (6, 14, "每年6月14日")
    assert names["诚信兴商宣传月"].when == "每年9月" and names[WANLI].when == "全年"
    assert "（十七）" in book.source and all(s.source for s in book.innovation_scenarios)
    assert book.selections.exclude_list_kinds == ("dishonesty", "received")


@pytest.mark.parametrize(
    ("as_of", "first"),
    [
        (date(2026, 11, 27), ("消费者权益日", date(2027, 3, 15))),
        (date(2026, 6, 20), ("诚信宣传月", date(2026, 6, 1))),  # the month is still running
        (date(2026, 6, 14), ("诚信宣传月", date(2026, 6, 1))),
        (date(2026, 9, 2), ("诚信兴商宣传月", date(2026, 9, 1))),
    ],
)
def test_campaigns_come_in_the_order_they_next_come_round(as_of: date, first: tuple[str, date]) -> None:
    ordered = portal_rules().campaigns_by_next(as_of)
    assert (ordered[0].name, ordered[0].next_start(as_of)) == first
    assert ordered[-1].next_start(as_of) is None  # 全年: last


S = "某某文件第一条"


def _variant(tmp_path: Path, section: str, value: object) -> Path:
    data = yaml.safe_load((RULES_DIR / "portal.yaml").read_text(encoding="utf-8"))
    data[section] = value
    (tmp_path / "portal.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    ("section", "value", "words"),
    [
        ("campaigns", [{"code": "x_day", "name": "某某日", "day": 3, "source": S}], "写了日而没有月"),
        (
            "campaigns",
            [{"code": "x_day", "name": "某某日", "month": 2, "day": 30, "source": S}],
            "out of range",
        ),
        ("campaigns", [{"code": "x_day", "name": "某某日", "month": 3}], "source"),
        (
            "campaigns",
            [
                {"code": "a_day", "name": "同名", "source": S},
                {"code": "b_day", "name": "同名", "source": S},
            ],
            "campaign names 有重复",
        ),
    ],
)
def test_the_loader_refuses_a_bad_calendar(tmp_path: Path, section: str, value: object, words: str) -> None:
    with pytest.raises(RulebookError, match=words):
        load_rulebook("portal", PortalRules, _variant(tmp_path, section, value))


def test_red_lists_cannot_be_excluded_from_their_own_selection(tmp_path: Path) -> None:
    data = yaml.safe_load((RULES_DIR / "portal.yaml").read_text(encoding="utf-8"))
    bad = data["selections"] | {"exclude_list_kinds": ["dishonesty", "red"]}
    with pytest.raises(RulebookError, match="不应排除的名单种类"):
        load_rulebook("portal", PortalRules, _variant(tmp_path, "selections", bad))
