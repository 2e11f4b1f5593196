"""The report rulebook: every domain cites its source and names known departments and list types; a rulebook that
names an unknown department, list type or column is refused at load."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from xinyong.catalog.departments import load_departments
from xinyong.reports.rules import RULEBOOK, report_rules
from xinyong.rules.loader import RULES_DIR, RulebookError


def test_the_rulebook_loads_with_sources() -> None:
    rules = report_rules()
    assert rules.version >= 1 and "565号" in rules.source
    domains = {d.id: d for d in rules.special.domains}
    assert {
        "market_supervision",
        "tax",
        "social_insurance",
        "environment",
        "work_safety",
        "housing_construction",
    } <= set(domains)
    assert all(d.source for d in domains.values())
    assert domains["social_insurance"].lists == ("wage_arrears",)
    codes = {d.code for d in load_departments().departments}
    assert all(set(d.departments) <= codes for d in domains.values())
    assert rules.special.counting.revoked == "excluded" and rules.special.counting.repaired == "marked"


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda d: d["special"]["domains"][0].update(departments=["nope"]), "部门代码未在 departments.yaml 中"),
        (lambda d: d["special"]["domains"][0].update(lists=["no_such_list"]), "名单类型不存在"),
        (lambda d: d["public"]["columns"].update(penalty=["doc_no", "no_field"]), "没有字段"),
        (lambda d: d["special"].update(items=["licence"]), "不是失信信息"),
        (lambda d: d["special"]["domains"].append(dict(d["special"]["domains"][0])), "领域代码重复"),
    ],
)
def test_bad_references_are_refused(tmp_path: Path, change: object, words: str) -> None:
    data = yaml.safe_load((RULES_DIR / f"{RULEBOOK}.yaml").read_text(encoding="utf-8"))
    change(data)  # type: ignore[operator]
    (tmp_path / f"{RULEBOOK}.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(RulebookError, match=words):
        report_rules(tmp_path)
