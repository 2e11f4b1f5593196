"""The incentive scenario catalogue (rules/incentives/scenarios.yaml): the five work-plan categories, bands that
match the personal score model's, and the loader refusing inconsistent files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from xinyong.incentives.model_yaml import load_model
from xinyong.incentives.scenarios import CATALOGUE_PATH, load_catalogue
from xinyong.rules.loader import RulebookError


def _raw() -> dict[str, Any]:
    return yaml.safe_load(CATALOGUE_PATH.read_text(encoding="utf-8"))


def _write(tmp_path: Path, data: dict[str, Any]) -> Path:
    path = tmp_path / "scenarios.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_the_catalogue_covers_the_five_work_plan_categories() -> None:
    cat = load_catalogue()
    assert {s.category for s in cat.scenarios} >= {"医疗", "交通", "家政", "租赁", "旅游"}
    rental = cat.scenario("rental_deposit_waiver")
    assert rental.provider_kind == "rental" and "押金" in rental.benefit
    assert cat.scenario("medical_deposit_free").provider_kind == "hospital"
    assert all(s.source and s.confidence in ("H", "M", "L") for s in cat.scenarios)
    assert cat.consent_days(rental) == 14 and cat.consent_days(cat.scenario("tourism_discount")) == 30
    assert cat.version == 1


def test_band_codes_are_the_personal_score_model_bands() -> None:
    model = load_model()
    assert [b.code for b in load_catalogue().bands.levels] == [b.code for b in model.bands]


def test_unknown_band_is_refused(tmp_path: Path) -> None:
    data = _raw()
    data["scenarios"][0]["bands"] = ["platinum"]
    with pytest.raises(RulebookError, match="platinum"):
        load_catalogue(_write(tmp_path, data))


def test_undeclared_provider_kind_is_refused(tmp_path: Path) -> None:
    data = _raw()
    data["scenarios"][0]["provider_kind"] = "library"
    with pytest.raises(RulebookError, match="library"):
        load_catalogue(_write(tmp_path, data))


def test_duplicate_scenario_and_missing_source_are_refused(tmp_path: Path) -> None:
    data = _raw()
    data["scenarios"].append(dict(data["scenarios"][0]))
    with pytest.raises(RulebookError, match="重复"):
        load_catalogue(_write(tmp_path, data))
    data = _raw()
    del data["scenarios"][1]["source"]
    with pytest.raises(RulebookError, match="source"):
        load_catalogue(_write(tmp_path, data))


def test_consent_validity_over_the_maximum_is_refused(tmp_path: Path) -> None:
    data = _raw()
    data["scenarios"][0]["consent_days"] = data["defaults"]["consent_max_days"] + 1
    with pytest.raises(RulebookError, match="最长有效期"):
        load_catalogue(_write(tmp_path, data))
