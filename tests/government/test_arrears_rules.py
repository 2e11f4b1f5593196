"""``rules/arrears.yaml``: loads with a source for every rule, cites the work plan's 清零 wording and the payment
regulation's 第八条, marks the unconfirmed defaults, and a broken rulebook is refused."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from xinyong.government.arrears_rules import ArrearsRules, arrears_rules
from xinyong.rules.loader import RULES_DIR, RulebookError, load_rulebook

SEED = Path(__file__).resolve().parents[3] / "shared" / "seed" / "panyu-2021-credit-workplan.txt"


def test_rulebook_loads_with_sources() -> None:
    rules = arrears_rules()
    assert rules.new_arrears.target_count == 0 and rules.new_arrears.target_amount == 0
    assert "新增拖欠账款清零" in rules.new_arrears.source
    assert rules.term_days("organ") == rules.term_days("institution") == 30
    assert "第八条" in rules.payment_terms[0].source
    for rule in (rules.complaints, rules.overdue_record):
        assert rule.confidence == "L" and "not confirmed" in rule.source
    assert rules.entry_labels()["outstanding"] == "未清偿"
    assert rules.unit == "kgsxj"


@pytest.mark.skipif(not SEED.exists(), reason="the work plan seed is not in this checkout")
def test_the_cited_wording_is_the_work_plans() -> None:
    assert "确保2021年底新增拖欠账款清零" in SEED.read_text(encoding="utf-8")


def test_broken_rulebooks_are_refused(tmp_path: Path) -> None:
    base = yaml.safe_load((RULES_DIR / "arrears.yaml").read_text(encoding="utf-8"))
    for i, change in enumerate(
        (
            {"payment_terms": base["payment_terms"][:2]},
            {"entry_statuses": base["entry_statuses"][:2]},
            {"complaints": {**base["complaints"], "handling_workdays": 0}},
            {"payment_terms": [{**base["payment_terms"][0], "days": 90}, *base["payment_terms"][1:]]},
            {"new_arrears": {**base["new_arrears"], "target_count": -1}},
        )
    ):
        folder = tmp_path / str(i)
        folder.mkdir()
        data = {**base, **change}
        (folder / "arrears.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        with pytest.raises(RulebookError):
            load_rulebook("arrears", ArrearsRules, folder)
