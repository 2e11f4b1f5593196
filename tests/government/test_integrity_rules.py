"""rules/integrity.yaml: loads and validates (every rule cited, departments of the catalogue, unique keys); a
broken copy is refused with the reason."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from xinyong.government.integrity_rules import IntegrityRules, integrity_rules
from xinyong.rules.loader import RULES_DIR, RulebookError, load_rulebook


def test_packaged_rulebook() -> None:
    rules = integrity_rules()
    assert set(rules.integrity_departments) == {"zzb", "rsj"}
    assert rules.purpose_labels == {"recruitment": "录用", "transfer": "调任"}
    assert {"discipline", "admonishment", "false_declaration"} <= rules.adverse_categories
    assert "commendation" not in rules.adverse_categories
    assert "not confirmed" in rules.training.source and "not confirmed" in rules.reason_source
    assert all(c.source for c in rules.categories)


def _broken(tmp_path: Path, name: str, change: dict[str, object]) -> None:
    """Load a copy of the packaged rulebook with ``change`` applied (its own directory: the loader caches by path)."""
    directory = tmp_path / name
    directory.mkdir()
    data = yaml.safe_load((RULES_DIR / "integrity.yaml").read_text(encoding="utf-8"))
    data.update(change)
    (directory / "integrity.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    load_rulebook("integrity", IntegrityRules, directory)


def test_broken_rulebooks_are_refused(tmp_path: Path) -> None:
    with pytest.raises(RulebookError, match="部门目录中没有部门代码"):
        _broken(tmp_path, "a", {"integrity_departments": ["nope"]})
    purposes = [{"key": "transfer", "label": "调任", "source": "工作要点"}] * 2
    with pytest.raises(RulebookError, match="重复"):
        _broken(tmp_path, "b", {"purposes": purposes})
    with pytest.raises(RulebookError):
        _broken(tmp_path, "c", {"reason_min_length": 0})
