"""The personal score model loader: the shipped model validates, and indicators over excluded categories
(rules.md §7), non-public data, lists not covering natural persons or without a legal basis are refused."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from xinyong.incentives.model_yaml import (
    MODELS_DIR,
    ModelError,
    load_model,
    model_names,
    negative_keywords,
    parse_model,
    read_model,
)
from xinyong.monitoring.model_yaml import load_model as load_monitoring_model


@pytest.fixture
def data() -> dict[str, Any]:
    return yaml.safe_load((MODELS_DIR / "honesty.yaml").read_text(encoding="utf-8"))


def with_indicator(data: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """``data`` plus a copy of its first indicator (code ``extra``) changed by ``changes`` (None removes a key)."""
    out = copy.deepcopy(data)
    extra = copy.deepcopy(out["indicators"][0]) | {"code": "extra"}
    for key, value in changes.items():
        if value is None:
            extra.pop(key, None)
        else:
            extra[key] = value
    out["indicators"].append(extra)
    return out


def test_shipped_model_loads() -> None:
    assert "honesty" in model_names()
    model = load_model("honesty")
    assert model.base_score == 650 and model.bands[0].code == "excellent"
    for indicator in model.indicators:
        assert indicator.source and indicator.confidence in ("H", "M", "L") and indicator.legal_basis
    assert [b.min for b in model.bands] == [750, 700, 600, 550, None]  # rules.md §9 钱江分 (M)


def test_bands() -> None:
    model = load_model()
    assert [model.band_of(s) for s in (350, 549, 550, 599, 600, 699, 700, 749, 750, 950)] == [
        "poor",
        "poor",
        "fair",
        "fair",
        "good",
        "good",
        "very_good",
        "very_good",
        "excellent",
        "excellent",
    ]
    assert model.at_least("very_good", "good") and model.at_least("good", "good")
    assert not model.at_least("fair", "good") and not model.at_least("good", "unknown")
    assert model.band_label("fair") == "信用一般"


def test_negative_list_is_the_monitoring_models() -> None:
    assert negative_keywords() == load_monitoring_model(2020).negative_check.keywords()


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"label": "拖欠物业费"}, "物业费"),
        ({"explain": "近一年内的信访记录"}, "信访"),
        ({"categories": ["闯红灯"]}, "闯红灯"),
        ({"legal_basis": "小区文明养犬公约（遛狗不拴绳）"}, "遛狗"),
        ({"label": "拆迁不配合"}, "拆迁"),
    ],
)
def test_excluded_categories_are_refused(data: dict[str, Any], changes: dict[str, Any], words: str) -> None:
    with pytest.raises(ModelError) as exc:
        parse_model(with_indicator(data, **changes), "honesty")
    assert words in str(exc.value) and "负面清单" in str(exc.value)


def test_non_public_items_are_refused(data: dict[str, Any]) -> None:
    with pytest.raises(ModelError) as exc:
        parse_model(with_indicator(data, item="utility_arrears", severity=[], label="欠缴水电气费"))
    assert "不是公开的公共信用信息" in str(exc.value)


def test_unknown_item_refused(data: dict[str, Any]) -> None:
    with pytest.raises(ModelError) as exc:
        parse_model(with_indicator(data, item="dog_walking"))
    assert "目录中没有数据项" in str(exc.value)


def test_indicator_without_legal_basis_is_refused(data: dict[str, Any]) -> None:
    with pytest.raises(ModelError) as exc:
        parse_model(with_indicator(data, legal_basis=None))
    assert "legal_basis" in str(exc.value)
    with pytest.raises(ModelError):
        parse_model(with_indicator(data, legal_basis=" "))


def test_list_not_covering_natural_persons_is_refused(data: dict[str, Any]) -> None:
    bad = with_indicator(
        data, kind="list_entries", item=None, severity=None, window_months=None, lists=["abnormal_operation"]
    )
    with pytest.raises(ModelError) as exc:
        parse_model(bad)
    assert "不适用于自然人" in str(exc.value)
    with pytest.raises(ModelError) as exc:
        parse_model({**bad, "indicators": [*data["indicators"], {**bad["indicators"][-1], "lists": ["no_such"]}]})
    assert "没有名单类型" in str(exc.value)


def test_shape_errors(data: dict[str, Any]) -> None:
    with pytest.raises(ModelError, match="指标代码重复"):
        parse_model({**data, "indicators": [*data["indicators"], data["indicators"][0]]})
    gap = copy.deepcopy(data)
    gap["bands"][1]["below"] = 740
    with pytest.raises(ModelError, match="不重叠、无缺口"):
        parse_model(gap)
    with pytest.raises(ModelError, match="base_score"):
        parse_model({**data, "base_score": 1000})
    with pytest.raises(ModelError, match="仅适用于信用记录类指标"):
        parse_model(with_indicator(data, kind="commitments_kept"))
    with pytest.raises(ModelError, match="Extra inputs"):
        parse_model(with_indicator(data, weight=2))


def test_file_name_must_match(tmp_path: Path, data: dict[str, Any]) -> None:
    path = tmp_path / "other.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ModelError, match="文件名"):
        read_model(path)
    with pytest.raises(ModelError, match="没有个人诚信分模型"):
        load_model("nonexistent")
