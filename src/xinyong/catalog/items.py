"""The public credit information resource catalogue (公共信用信息资源目录): data items and their fields.

One YAML file per data item in ``catalog/items/`` (``licence.yaml``, ``penalty.yaml``, ...), validated at load
by the models below. A field has an English ``key`` (used in code, JSON and storage), the national Chinese
``label`` (the column header departments use), a type, required flags (``required: true`` or a
``required_when`` condition on another field), enumerations, a sharing level (公开 / 有条件共享 / 不予共享)
and, for personal data, how it is masked. ``roles`` tell the intake pipeline which field plays which part
(subject name, code, document number, decision date, ...), so no code hard-codes a field list.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from xinyong.catalog.departments import CatalogError
from xinyong.errors import NotFound

ITEMS_DIR = Path(__file__).with_name("items")

FieldType = Literal["text", "enum", "uscc", "id_number", "reg_code", "date", "amount", "integer", "phone"]
SharingLevel = Literal["public", "conditional", "restricted"]
SHARING_LABELS: dict[str, str] = {"public": "公开", "conditional": "有条件共享", "restricted": "不予共享"}
TYPE_LABELS: dict[str, str] = {
    "text": "文本",
    "enum": "枚举",
    "uscc": "统一社会信用代码",
    "id_number": "证件号码",
    "reg_code": "登记编号",
    "date": "日期",
    "amount": "金额（万元）",
    "integer": "整数",
    "phone": "电话号码",
}
# How a personal field is masked for readers without the right (xinyong.auth.pii):
# name -> mask_name only when the subject is a natural person; id_number -> mask_id; phone -> mask_phone.
PersonalKind = Literal["name", "id_number", "phone"]

# Subject kinds as the national templates write them (行政相对人类别) -> subject.kind in the registry.
SUBJECT_CATEGORY_KINDS: dict[str, str] = {
    "法人及非法人组织": "legal_person",
    "自然人": "natural_person",
    "个体工商户": "individual_business",
}


class Condition(BaseModel):
    """``field`` has one of ``in_`` (written ``in`` in YAML), or (``filled: true``) is not blank."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    field: str
    in_: tuple[str, ...] = Field(default=(), alias="in")
    equals_placeholder: bool = Field(default=False, description="the field holds the USCC placeholder code")


class FieldSpec(BaseModel):
    """One field (数据项) of a data item."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str = Field(pattern=r"^[a-z][a-z0-9_]{1,39}$")
    label: str = Field(min_length=2, max_length=40, description="national Chinese field name = column header")
    type: FieldType = "text"
    required: bool = False
    # Required only when any of the conditions holds (e.g. USCC for 法人及非法人组织).
    required_when: tuple[Condition, ...] = ()
    # Optional, but the quality scorecard's completeness counts it as expected.
    expected: bool = False
    values: tuple[str, ...] = Field(default=(), description="enumeration (type enum)")
    # Code values accepted for an enum and mapped to its label, e.g. {"1": "有效"}.
    value_codes: dict[str, str] = Field(default_factory=dict)
    max_length: int = Field(default=200, ge=1, le=20000)
    sharing: SharingLevel = "public"
    personal: PersonalKind | None = None
    not_future: bool = Field(default=False, description="a date that may not lie after the loading day")
    help: str = Field(default="", description="explanation shown in the template and the catalogue page")

    @model_validator(mode="after")
    def _enum_has_values(self) -> FieldSpec:
        if self.type == "enum" and not self.values:
            raise ValueError(f"枚举字段 {self.key} 缺少 values")
        if self.type != "enum" and (self.values or self.value_codes):
            raise ValueError(f"非枚举字段 {self.key} 不应有 values")
        unknown = set(self.value_codes.values()) - set(self.values)
        if unknown:
            raise ValueError(f"字段 {self.key} 的 value_codes 指向未知取值 {sorted(unknown)}")
        return self


class Roles(BaseModel):
    """Which field plays which part in the pipeline. Only ``document`` and ``decided_on`` are mandatory."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    subject_name: str
    subject_category: str | None = None
    uscc: str | None = None
    reg_no: str | None = None
    id_type: str | None = None
    id_number: str | None = None
    legal_representative: str | None = None
    document: str
    decided_on: str
    category: str | None = None
    content: str | None = None
    publicity_end: str | None = None
    valid_to: str | None = None  # end of a licence's validity (public while valid when no 公示截止期)
    authority: str | None = None
    source_department: str | None = None
    source_department_uscc: str | None = None
    severity: str | None = None  # 失信严重程度 (轻微 / 一般 / 严重) when the data states it
    legal_basis: str | None = None  # 处罚依据: matched by the publicity regimes' special cases


class DateOrder(BaseModel):
    """``end`` may not lie before ``start`` (validity end ≥ start)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    start: str
    end: str


class DataItem(BaseModel):
    """One data item (信息资源) of the catalogue: e.g. 行政许可 (``licence``), 行政处罚 (``penalty``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9_]{1,39}$")
    version: int = Field(ge=1)
    name: str
    short_code: str = Field(default="", description="national short code, e.g. XK / CF")
    description: str = ""
    source: str = Field(min_length=1, description="document (and article) the field list comes from")
    dual_publicity: bool = Field(default=False, description="a 双公示 item, shown on the public 双公示 pages")
    sharing: SharingLevel = Field(description="sharing level of the item as a whole (the strictest field wins)")
    source_departments: tuple[str, ...] = Field(
        default=(), description="department codes (departments.yaml) expected to report; empty = every department"
    )
    update_frequency: str
    reporting_deadline_workdays: int = Field(ge=0, le=365)
    reporting_deadline_source: str
    # Per-department deadline overrides, e.g. market supervision 20 working days (SAMR Order 45).
    deadline_overrides: dict[str, int] = Field(default_factory=dict)
    default_publicity_days: int | None = Field(
        default=None, ge=1, description="publicity from the decision date when the record states no end"
    )
    default_publicity_source: str = ""
    publicity_rule: Literal["stated", "regime"] = Field(
        default="stated",
        description="stated: publicity ends at the stated 公示截止期 or the default period; regime: the publicity "
        "regimes of rules/publicity.yaml decide (severity, minimum and maximum periods)",
    )
    negative: bool = Field(
        default=False, description="失信/负面信息: the subject may apply for credit repair (信用修复) of its records"
    )
    roles: Roles
    date_order: tuple[DateOrder, ...] = ()
    fields: tuple[FieldSpec, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> DataItem:
        keys = [f.key for f in self.fields]
        labels = [f.label for f in self.fields]
        for name, seen in (("key", keys), ("label", labels)):
            dupes = sorted({x for x in seen if seen.count(x) > 1})
            if dupes:
                raise ValueError(f"数据项 {self.id} 字段{name}重复: {dupes}")
        known = set(keys)
        referenced = [v for v in self.roles.model_dump().values() if v]
        referenced += [c.field for f in self.fields for c in f.required_when]
        referenced += [k for o in self.date_order for k in (o.start, o.end)]
        missing = sorted(set(referenced) - known)
        if missing:
            raise ValueError(f"数据项 {self.id} 引用了不存在的字段: {missing}")
        by_key = {f.key: f for f in self.fields}
        if by_key[self.roles.decided_on].type != "date":
            raise ValueError(f"数据项 {self.id} 的决定日期字段必须是日期类型")
        return self

    def field(self, key: str) -> FieldSpec:
        """The field with English ``key``; KeyError if none."""
        for spec in self.fields:
            if spec.key == key:
                return spec
        raise KeyError(key)

    def deadline_for(self, department_code: str) -> int:
        """Reporting deadline in working days after the decision date for one department."""
        return self.deadline_overrides.get(department_code, self.reporting_deadline_workdays)

    def visible_fields(self, levels: frozenset[str]) -> tuple[FieldSpec, ...]:
        """Fields whose sharing level is in ``levels`` (see ``xinyong.records.visibility``)."""
        return tuple(f for f in self.fields if f.sharing in levels)


class Catalog(BaseModel):
    """Every data item, by id."""

    items: dict[str, DataItem]

    def item(self, item_id: str) -> DataItem:
        """The item ``item_id``, or ``UnknownItem`` (a 404 with a Chinese message)."""
        try:
            return self.items[item_id]
        except KeyError:
            raise UnknownItem(item_id, tuple(self.items)) from None


class UnknownItem(NotFound, LookupError):
    """No data item with that id (a 404 wherever it surfaces: API, page or CLI)."""

    def __init__(self, item_id: str, known: tuple[str, ...]) -> None:
        super().__init__(f"资源目录中没有数据项 {item_id[:40]!r}（可用: {', '.join(known)}）", field="item")
        self.item_id = item_id


def load_catalog(directory: Path = ITEMS_DIR) -> Catalog:
    """Read and validate every ``*.yaml`` in ``directory`` (cached per directory)."""
    return _load(directory)


@cache
def _load(directory: Path) -> Catalog:
    items: dict[str, DataItem] = {}
    paths = sorted(directory.glob("*.yaml"))
    if not paths:
        raise CatalogError(f"资源目录为空 (no catalogue items in) {directory}")
    for path in paths:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            item = DataItem.model_validate(data)
        except (OSError, yaml.YAMLError, ValidationError) as exc:
            raise CatalogError(f"资源目录文件校验失败 (catalogue item invalid) {path.name}: {exc}") from exc
        if item.id != path.stem:
            raise CatalogError(f"资源目录文件 {path.name} 的 id 应为 {path.stem!r}，实为 {item.id!r}")
        items[item.id] = item
    return Catalog(items=items)
