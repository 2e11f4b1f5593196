"""The inspection rulebook loads with versions and sources, and a bad file is refused with a clear message."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from xinyong.rules.loader import RULES_DIR, RulebookError
from xinyong.supervision.rules import inspection_rules
from xinyong.supervision.service import inspection_items


@pytest.fixture
def shipped() -> dict[str, Any]:
    return yaml.safe_load((RULES_DIR / "inspections.yaml").read_text(encoding="utf-8"))


def refused(tmp_path: Path, data: dict[str, Any]) -> str:
    (tmp_path / "inspections.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(RulebookError) as caught:
        inspection_rules(tmp_path)
    return str(caught.value)


def test_shipped_rulebook_is_versioned_and_cited() -> None:
    rules = inspection_rules()
    assert rules.version >= 1 and "58号" in rules.source and "5号" in rules.source
    assert rules.algorithm == "xinyong-draw-1" and rules.assignment.inspectors_per_task == 2
    assert rules.assignment.avoid_same_township is True and "第四十二条" in rules.assignment.inspectors_source
    assert len(rules.items) >= 6 and len({i.department for i in rules.items}) >= 4
    assert all(i.source and i.basis for i in rules.items) and "(M)" in rules.results_source
    assert rules.item("zj_jzsg") is not None and rules.item("zj_jzsg").industries == ("construction",)
    assert [i.code for i in inspection_items()] == [i.code for i in rules.items]


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        (lambda d: d["items"][0].update(department="nonesuch"), "nonesuch"),
        (lambda d: d["items"][0].update(industries=["bakery"]), "bakery"),
        (lambda d: d["items"][0].update(subject_kinds=["robot"]), "robot"),
        (lambda d: d["items"].append(dict(d["items"][0])), "代码重复"),
        (lambda d: d["results"].append({"code": "odd", "label": "奇怪的结果", "problem": True}), "奇怪的结果"),
        (lambda d: d["assignment"].update(inspectors_per_task=3), "检查人员数"),
        (lambda d: d.update(algorithm="xinyong-draw-9"), "未实现"),
        (lambda d: d["assignment"].update(avoid_same_township="sometimes"), "avoid_same_township"),
        (lambda d: d.pop("version"), "version"),
    ],
)
def test_bad_rulebooks_are_refused(tmp_path: Path, shipped: dict[str, Any], change: Any, fragment: str) -> None:
    change(shipped)
    message = refused(tmp_path, shipped)
    assert "inspections.yaml" in message and fragment in message


def test_unparsable_yaml_is_refused(tmp_path: Path) -> None:
    (tmp_path / "inspections.yaml").write_text("items: [unclosed\n", encoding="utf-8")
    with pytest.raises(RulebookError) as caught:
        inspection_rules(tmp_path)
    assert "无法读取" in str(caught.value)
