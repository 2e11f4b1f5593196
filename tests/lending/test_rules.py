"""``rules/lending.yaml``: loads with sources and confidences, flags 信用贷款, and a broken rulebook is refused."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from xinyong.lending.rules import LendingRules, lending_rules
from xinyong.rules.loader import RULES_DIR, RulebookError, load_rulebook


def test_rulebook_loads_with_sources() -> None:
    rules = lending_rules()
    assert rules.credit_types() == {"credit"}
    assert rules.loan_type_labels()["credit"] == "信用贷款"
    assert {"bank", "guarantee"} <= set(rules.kind_labels())
    assert rules.needs.validity_days_default <= rules.needs.validity_days_max
    for entry in (*rules.loan_types, *rules.institution_kinds, *rules.sectors):
        assert entry.source and entry.confidence in {"H", "M", "L"}


def _broken(tmp_path: Path, change: dict[str, object]) -> None:
    data = yaml.safe_load((RULES_DIR / "lending.yaml").read_text(encoding="utf-8"))
    data.update(change)
    (tmp_path / "lending.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    load_rulebook("lending", LendingRules, tmp_path)


def test_broken_rulebooks_are_refused(tmp_path: Path) -> None:
    base = yaml.safe_load((RULES_DIR / "lending.yaml").read_text(encoding="utf-8"))
    no_credit = [{**t, "credit": False} for t in base["loan_types"]]
    duplicate = base["sectors"] + base["sectors"][:1]
    for i, change in enumerate(
        (
            {"loan_types": no_credit},
            {"sectors": duplicate},
            {"needs": {**base["needs"], "validity_days_default": 999, "validity_days_max": 30}},
            {"products": {**base["products"], "rate_ceiling": -1}},
        )
    ):
        folder = tmp_path / str(i)
        folder.mkdir()
        with pytest.raises(RulebookError):
            _broken(folder, change)
