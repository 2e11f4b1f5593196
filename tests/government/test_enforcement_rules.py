"""The enforcement rulebook (``rules/enforcement.yaml``): every column once with its source, the documented
defaults marked not confirmed, and a broken rulebook refused at load."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from xinyong.government.enforcement_rules import KEYS, EnforcementRules, enforcement_rules, header_key


def test_rulebook_columns_outcomes_and_defaults_are_cited() -> None:
    rules = enforcement_rules()
    assert sorted(c.key for c in rules.columns) == sorted(KEYS)
    required = {c.header for c in rules.columns if c.required}
    assert required == {"案号", "被执行人名称", "申请执行人", "执行标的金额（元）", "立案日期"}
    assert {"执行完毕", "和解履行完毕", "终结本次执行程序", "不予执行"} <= set(rules.outcome_labels().values())
    assert "not confirmed" in rules.rectification.source and "not confirmed" in rules.integrity_record.source
    assert "工作要点" in rules.source and all(c.source for c in rules.columns)
    assert header_key(" 执行标的金额（元）* ") == header_key("执行标的金额(元)")


def test_a_header_claimed_by_two_columns_is_refused() -> None:
    data = enforcement_rules().model_dump()
    data["columns"][1]["aliases"] = ["案号"]
    with pytest.raises(ValidationError, match="同时属于"):
        EnforcementRules.model_validate(data)
    data = enforcement_rules().model_dump()
    data["columns"] = data["columns"][1:]
    with pytest.raises(ValidationError, match="各一列"):
        EnforcementRules.model_validate(data)
