"""``rules/workplan.yaml`` validates (aliases point at catalogue units) and unit names resolve in the stated order."""

from __future__ import annotations

import pytest
import yaml
from pydantic import ValidationError

from xinyong.rules.loader import RULES_DIR
from xinyong.workplan.units import WorkplanRules, group_kind, resolve, unit_kind, unit_label, workplan_rules


def test_the_rulebook_loads_with_its_thresholds() -> None:
    rules = workplan_rules()
    assert rules.version >= 1 and rules.source
    assert (rules.status.at_risk_workdays, rules.status.at_risk_percent) == (20, 80)
    assert {r.phrase: r.role for r in rules.roles}["配合"] == "supporting"


def test_an_alias_to_an_unknown_code_is_refused() -> None:
    data = yaml.safe_load((RULES_DIR / "workplan.yaml").read_text(encoding="utf-8"))
    data["aliases"].append({"name": "区不存在局", "code": "nope", "source": "test"})
    with pytest.raises(ValidationError, match="未登记的单位代码"):
        WorkplanRules.model_validate(data)


@pytest.mark.parametrize(
    ("name", "code", "kind"),
    [
        ("区发展改革局", "fgj", "department"),  # rulebook alias
        ("区信用办", "fgj", "department"),  # catalogue alias
        ("区市场监管局", "scjgj", "department"),  # catalogue short name
        ("市桥街道", "440113007", "town"),
        ("各镇街", "all_towns", "group"),
        ("各数据源单位", "all_departments", "group"),
        ("区气象局", None, "unknown"),
    ],
)
def test_resolution(name: str, code: str | None, kind: str) -> None:
    unit = resolve(name)
    assert (unit.code, unit.kind) == (code, kind)


def test_labels_and_kinds() -> None:
    assert [unit_label(c) for c in ("scjgj", "440113102", "all_towns", "zzz")] == [
        "区市场监管局",
        "南村镇",
        "各镇街",
        "zzz",
    ]
    assert [unit_kind(c) for c in ("scjgj", "440113102", "all_departments", "zzz")] == [
        "department",
        "town",
        "group",
        "unknown",
    ]
    assert (group_kind("all_towns"), group_kind("scjgj")) == ("town", None)
