"""The indicator model loader: the 2020 model validates; wrong weights, unknown kinds and excluded categories are
refused at load."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from xinyong.errors import NotFound
from xinyong.monitoring.model_yaml import MODELS_DIR, available_versions, load_model
from xinyong.rules.loader import RulebookError


def _copy(tmp_path: Path, change: object) -> Path:
    data = yaml.safe_load((MODELS_DIR / "2020.yaml").read_text(encoding="utf-8"))
    change(data)  # type: ignore[operator]
    (tmp_path / "2020.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return tmp_path


def test_the_2020_model_has_four_groups_summing_to_100() -> None:
    model = load_model()
    assert model.version == 2020 and 2020 in available_versions()
    assert [(g.name, g.weight) for g in model.groups] == [
        ("信用制度和基础建设", 20),
        ("营商环境", 21),
        ("信用监管", 43),
        ("权益保护", 16),
    ]
    assert sum(i.weight for _, _, i in model.indicators()) == 100
    assert {"重错码率", "双公示及时率"} <= {i.name for _, _, i in model.indicators()}
    assert all(i.source and i.confidence in "HML" for _, _, i in model.indicators())


def test_indicator_weights_must_sum_to_their_subgroup(tmp_path: Path) -> None:
    def bump(data: dict) -> None:
        data["groups"][0]["subgroups"][1]["indicators"][0]["weight"] = 4

    with pytest.raises(RulebookError, match="信息公示"):
        load_model(2020, _copy(tmp_path, bump))


def test_groups_must_sum_to_100(tmp_path: Path) -> None:
    def bump(data: dict) -> None:
        data["groups"][0]["weight"] = 21
        data["groups"][0]["subgroups"][0]["weight"] = 6
        data["groups"][0]["subgroups"][0]["indicators"][0]["weight"] = 6

    with pytest.raises(RulebookError, match="合计应为 100"):
        load_model(2020, _copy(tmp_path, bump))


def test_an_unknown_computed_kind_is_refused(tmp_path: Path) -> None:
    def kind(data: dict) -> None:
        data["groups"][0]["subgroups"][1]["indicators"][0]["compute"]["kind"] = "magic"

    with pytest.raises(RulebookError, match="magic"):
        load_model(2020, _copy(tmp_path, kind))


def test_an_indicator_over_an_excluded_category_is_refused(tmp_path: Path) -> None:
    def petition(data: dict) -> None:
        data["groups"][0]["subgroups"][0]["indicators"][0]["name"] = "信访人失信率"

    with pytest.raises(RulebookError, match="负面清单事项“信访”"):
        load_model(2020, _copy(tmp_path, petition))


def test_an_indicator_is_computed_or_manual_not_both(tmp_path: Path) -> None:
    def both(data: dict) -> None:
        data["groups"][0]["subgroups"][1]["indicators"][0]["manual"] = True

    with pytest.raises(RulebookError, match="compute 或 manual"):
        load_model(2020, _copy(tmp_path, both))


def test_an_unknown_version_is_not_found() -> None:
    with pytest.raises(NotFound, match="1999"):
        load_model(1999)


def test_scoring_maps_values_to_a_share_of_the_weight() -> None:
    model = load_model()
    timeliness = model.indicator("gongshi_timeliness")
    assert timeliness.scoring.fraction(90) == pytest.approx(0.5)
    assert timeliness.scoring.fraction(100) == 1 and timeliness.scoring.fraction(50) == 0
    days = model.indicator("repair_days")  # lower is better
    assert days.scoring.fraction(5) == 1 and days.scoring.fraction(12.5) == pytest.approx(0.5)
    assert not days.higher_better and days.worse(15, 14)
    codes = model.indicator("code_error_rate")  # pass or fail: at most 0.005%
    assert codes.scoring.fraction(0.004) == 1 and codes.scoring.fraction(0.01) == 0
    security = model.indicator("security_done")  # pass or fail: at least 100
    assert security.higher_better and security.scoring.fraction(100) == 1 and security.scoring.fraction(99) == 0
