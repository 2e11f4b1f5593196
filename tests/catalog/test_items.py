"""The catalogue loads every data item (双公示 and the arrears items of work plan item 十一) and rejects a
broken item file with a clear ``CatalogError``."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from xinyong.catalog.departments import CatalogError, load_departments
from xinyong.catalog.items import ITEMS_DIR, SUBJECT_CATEGORY_KINDS, load_catalog
from xinyong.catalog.queries import deadline_text, requirement, requirement_text

ARREARS = ("social_insurance_arrears", "housing_fund_arrears", "utility_arrears")
ALL_ITEMS = ("licence", "penalty", *ARREARS)


def test_packaged_catalogue_loads_all_five_items() -> None:
    catalog = load_catalog()
    assert set(ALL_ITEMS) <= set(catalog.items)
    assert catalog.item("social_insurance_arrears").name == "社会保险费欠缴信息"
    assert catalog.item("housing_fund_arrears").name == "住房公积金欠缴信息"
    assert catalog.item("utility_arrears").name == "水、电、燃气欠费信息"


@pytest.mark.parametrize("item_id", ARREARS)
def test_arrears_items_follow_the_work_plan_and_exercise_sharing_levels(item_id: str) -> None:
    item = load_catalog().item(item_id)
    assert "工作要点 （十一）" in item.source
    assert "L, not confirmed, configurable" in item.source
    assert "not confirmed" in item.reporting_deadline_source
    assert item.dual_publicity is False
    assert item.sharing == "conditional"
    levels = {f.key: f.sharing for f in item.fields}
    assert levels["arrears_amount"] == levels["arrears_months"] == "conditional"
    assert levels["contact_phone"] == "restricted"
    phone = item.field("contact_phone")
    assert (phone.type, phone.personal) == ("phone", "phone")
    decided = item.field(item.roles.decided_on)
    assert (decided.label, decided.type, decided.required, decided.not_future) == ("认定日期", "date", True, True)
    assert item.field(item.roles.document).required
    assert item.field("arrears_amount").type == "amount"
    assert item.field("arrears_amount").label.endswith("（万元）")
    assert set(item.field(item.roles.subject_category).values) == set(SUBJECT_CATEGORY_KINDS)
    # Subject fields as in 双公示: USCC and legal representative for organisations, ID for natural persons.
    for key, category in (("uscc", "法人及非法人组织"), ("legal_representative", "法人及非法人组织")):
        assert [c.in_ for c in item.field(key).required_when] == [(category,)]
    for key in ("id_type", "id_number"):
        assert [c.in_ for c in item.field(key).required_when] == [("自然人",)]
    assert item.field("id_number").personal == "id_number"
    assert [(o.start, o.end) for o in item.date_order] == [("period_from", "period_to")]
    known = {d.code for d in load_departments().departments}
    assert set(item.source_departments) <= known


def test_utility_arrears_category_is_an_enum_of_the_three_utilities() -> None:
    item = load_catalog().item("utility_arrears")
    kind = item.field(item.roles.category or "")
    assert (kind.label, kind.type, kind.values) == ("欠费类别", "enum", ("水费", "电费", "燃气费"))
    assert kind.required


def test_social_insurance_is_reported_by_the_human_resources_bureau() -> None:
    item = load_catalog().item("social_insurance_arrears")
    assert item.source_departments == ("rsj",)
    assert "社会保险法" in item.source
    assert deadline_text(item) == "决定（认定）之日起 20 个工作日内"


def test_required_rules_in_words() -> None:
    item = load_catalog().item("penalty")
    assert requirement(item.field("doc_no")) == "required"
    assert requirement_text(item, item.field("doc_no")) == "必填"
    assert requirement_text(item, item.field("id_number")) == "“行政相对人类别”为“自然人”时必填"
    assert requirement_text(item, item.field("reg_no")) == "“统一社会信用代码”填写占位码 00000000000000000X 时必填"
    assert requirement(item.field("remarks")) == "optional"
    assert requirement_text(item, item.field("fine_amount")) == "选填（质量评估计入完整性）"
    assert "区市场监管局 20 个工作日" in deadline_text(item)


# --------------------------------------------------------------------------------------------- broken files
def _utility() -> dict:
    return yaml.safe_load((ITEMS_DIR / "utility_arrears.yaml").read_text(encoding="utf-8"))


def _unknown_key(data: dict) -> None:
    data["fields"][0]["colour"] = "red"


def _enum_without_values(data: dict) -> None:
    spec = next(f for f in data["fields"] if f["key"] == "utility_type")
    del spec["values"]
    del spec["value_codes"]


def _role_to_missing_field(data: dict) -> None:
    data["roles"]["document"] = "no_such_field"


def _duplicate_labels(data: dict) -> None:
    data["fields"][1]["label"] = data["fields"][0]["label"]


def _required_when_missing_field(data: dict) -> None:
    data["fields"][2]["required_when"] = [{"field": "ghost", "in": ["自然人"]}]


def _no_source(data: dict) -> None:
    del data["source"]


@pytest.mark.parametrize(
    ("breaks", "message"),
    [
        (_unknown_key, "colour"),
        (_enum_without_values, "枚举字段 utility_type 缺少 values"),
        (_role_to_missing_field, "引用了不存在的字段: ['no_such_field']"),
        (_duplicate_labels, "字段label重复"),
        (_required_when_missing_field, "引用了不存在的字段: ['ghost']"),
        (_no_source, "source"),
    ],
    ids=["unknown key", "enum without values", "role to missing field", "duplicate labels", "condition", "source"],
)
def test_broken_item_is_rejected_with_a_clear_error(tmp_path: Path, breaks, message: str) -> None:
    data = _utility()
    breaks(data)
    (tmp_path / "utility_arrears.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(CatalogError) as caught:
        load_catalog(tmp_path)
    assert "资源目录文件校验失败" in str(caught.value)
    assert "utility_arrears.yaml" in str(caught.value)
    assert message in str(caught.value)


def test_unbroken_copy_loads(tmp_path: Path) -> None:
    (tmp_path / "utility_arrears.yaml").write_text(yaml.safe_dump(_utility(), allow_unicode=True), encoding="utf-8")
    assert list(load_catalog(tmp_path).items) == ["utility_arrears"]


def test_file_name_must_match_item_id(tmp_path: Path) -> None:
    (tmp_path / "water.yaml").write_text(yaml.safe_dump(_utility(), allow_unicode=True), encoding="utf-8")
    with pytest.raises(CatalogError, match="id 应为 'water'"):
        load_catalog(tmp_path)
