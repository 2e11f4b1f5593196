"""Evaluation models load from YAML; bad files are refused with a message naming the field and the reason."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from xinyong.evaluation.models_yaml import MODELS_DIR, ModelError, load_model, model_names, parse_model, read_model


@pytest.fixture(scope="module")
def general() -> dict[str, Any]:
    return yaml.safe_load((MODELS_DIR / "general.yaml").read_text(encoding="utf-8"))


def refused(data: dict[str, Any]) -> str:
    with pytest.raises(ModelError) as caught:
        parse_model(data)
    return str(caught.value)


def indicator(data: dict[str, Any], code: str) -> dict[str, Any]:
    return next(i for d in data["dimensions"] for i in d["indicators"] if i["code"] == code)


def test_the_shipped_models_load_with_version_and_sources() -> None:
    assert model_names() == ["construction", "fire_safety_service", "general", "off_campus_training"]
    for name in model_names():
        model = load_model(name)
        assert model.version >= 1 and "885号" in model.source and "6号" in model.source
        assert [g.grade for g in model.grades] == ["A", "B", "C", "D"]
        assert all(i.source for i in model.indicators())
    assert load_model("general").grade_label("C") == "较高风险"


def test_unknown_indicator_kind_is_refused(general: dict[str, Any]) -> None:
    data = copy.deepcopy(general)
    indicator(data, "penalty_serious")["kind"] = "median"
    message = refused(data)
    assert "未知的指标类型 'median'" in message and "per_record" in message


def test_unknown_catalogue_item_and_severity_are_refused(general: dict[str, Any]) -> None:
    data = copy.deepcopy(general)
    indicator(data, "penalty_serious")["item"] = "jaywalking"
    assert "目录中没有数据项 'jaywalking'" in refused(data)
    data = copy.deepcopy(general)
    indicator(data, "penalty_serious")["severity"] = ["grave"]
    assert "未知的失信严重程度" in refused(data)


def test_unknown_field_and_undefined_decay_are_refused(general: dict[str, Any]) -> None:
    data = copy.deepcopy(general)
    indicator(data, "penalty_minor")["bonus"] = 3
    assert "bonus" in refused(data)
    data = copy.deepcopy(general)
    indicator(data, "penalty_minor")["decay"] = "halflife"
    assert "未定义的衰减方案 'halflife'" in refused(data)


@pytest.mark.parametrize("weight", ["0,3", "三成", "", True])
def test_weights_that_do_not_parse_are_refused(general: dict[str, Any], weight: object) -> None:
    data = copy.deepcopy(general)
    data["dimensions"][1]["weight"] = weight
    message = refused(data)
    assert "dimensions.1.weight" in message and "无法解析为数字" in message


def test_weights_out_of_range_are_refused(general: dict[str, Any]) -> None:
    data = copy.deepcopy(general)
    indicator(data, "licences_held")["weight"] = "-1"
    assert "权重 weight 应大于 0" in refused(data)
    data = copy.deepcopy(general)
    data["dimensions"][1]["weight"] = "0.5"
    assert parse_model(data).dimensions[1].weight == 0.5  # a quoted decimal parses


def test_overlapping_thresholds_are_refused(general: dict[str, Any]) -> None:
    data = copy.deepcopy(general)
    data["grades"][2]["below"] = 80  # C up to 80 while B starts at 75
    assert "等级阈值重叠：C 级上限 80 高于 B 级下限 75" in refused(data)


def test_gapped_thresholds_are_refused(general: dict[str, Any]) -> None:
    data = copy.deepcopy(general)
    data["grades"][1]["below"] = 85  # B up to 85 while A starts at 90
    assert "等级阈值有缺口：B 级上限 85 与 A 级下限 90" in refused(data)


def test_grades_must_be_a_to_d_open_at_both_ends(general: dict[str, Any]) -> None:
    data = copy.deepcopy(general)
    data["grades"] = data["grades"][:3]
    assert "等级应依次为 A、B、C、D" in refused(data)
    data = copy.deepcopy(general)
    data["grades"][0]["below"] = 200
    assert "A 级不应设上限" in refused(data)
    data = copy.deepcopy(general)
    data["grades"][3]["min"] = 0
    assert "D 级不应设下限" in refused(data)


def test_decay_bands_must_ascend(general: dict[str, Any]) -> None:
    data = copy.deepcopy(general)
    data["decay"]["recency"]["bands"].reverse()
    assert "衰减区间的月数应严格递增" in refused(data)


def test_file_errors_name_the_file(tmp_path: Path, general: dict[str, Any]) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: [unclosed", encoding="utf-8")
    with pytest.raises(ModelError, match=r"broken\.yaml"):
        read_model(broken)
    renamed = tmp_path / "other.yaml"
    renamed.write_text(yaml.safe_dump(general, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ModelError, match="name 应与文件名相同"):
        read_model(renamed)
    with pytest.raises(ModelError, match="没有评价模型 'nonesuch'"):
        load_model("nonesuch")
