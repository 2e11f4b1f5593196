"""Read side of the resource catalogue (公共信用信息资源目录): items for the pages, API and CLI, and each
field's required rule in words (the same sentence on the catalogue page, in the template's 填写说明 and in
``xinyong catalog show``). The catalogue is public (``catalog.read``)."""

from __future__ import annotations

from typing import Literal

from xinyong.auth.context import Context
from xinyong.auth.permissions import require
from xinyong.catalog.departments import DepartmentCatalog, load_departments
from xinyong.catalog.items import SHARING_LABELS, TYPE_LABELS, Condition, DataItem, FieldSpec, UnknownItem, load_catalog
from xinyong.codes.uscc import PLACEHOLDER
from xinyong.errors import NotFound

Requirement = Literal["required", "conditional", "optional"]
REQUIREMENT_LABELS: dict[str, str] = {"required": "必填", "conditional": "条件必填", "optional": "选填"}


def catalog_items(ctx: Context) -> list[DataItem]:
    """Every data item, 双公示 items first, then by id."""
    require(ctx, "catalog.read")
    return sorted(load_catalog().items.values(), key=lambda item: (not item.dual_publicity, item.id))


def catalog_item(ctx: Context, item_id: str) -> DataItem:
    """One data item; ``NotFound`` (404, Chinese message listing the known ids) when there is none."""
    require(ctx, "catalog.read")
    return find_item(item_id)


def find_item(item_id: str) -> DataItem:
    """The item ``item_id`` or ``NotFound`` (for callers that checked their own permission)."""
    try:
        return load_catalog().item(item_id)
    except UnknownItem as exc:
        raise NotFound(str(exc), field="item_id") from None


def requirement(spec: FieldSpec) -> Requirement:
    """``required``, ``conditional`` (``required_when``) or ``optional``."""
    if spec.required:
        return "required"
    return "conditional" if spec.required_when else "optional"


def _condition_text(item: DataItem, condition: Condition) -> str:
    try:
        label = item.field(condition.field).label
    except KeyError:  # the catalogue loader rejects this; kept total for safety
        label = condition.field
    if condition.equals_placeholder:
        return f"“{label}”填写占位码 {PLACEHOLDER} 时"
    if condition.in_:
        values = "、".join(f"“{v}”" for v in condition.in_)
        return f"“{label}”为{values}时"
    return f"填写了“{label}”时"


def requirement_text(item: DataItem, spec: FieldSpec) -> str:
    """The required rule in words, e.g. ``必填`` or ``“行政相对人类别”为“自然人”时必填``."""
    kind = requirement(spec)
    if kind == "required":
        return "必填"
    if kind == "optional":
        return "选填（质量评估计入完整性）" if spec.expected else "选填"
    return "或".join(_condition_text(item, c) for c in spec.required_when) + "必填"


def sharing_label(level: str) -> str:
    """公开 / 有条件共享 / 不予共享."""
    return SHARING_LABELS.get(level, level)


def type_label(spec: FieldSpec) -> str:
    """The field type in Chinese, e.g. ``日期``."""
    return TYPE_LABELS.get(spec.type, spec.type)


def allowed_values_text(spec: FieldSpec) -> str:
    """An enum's values, with the accepted codes, e.g. ``有效（1）、无效（2）``; '' for other types."""
    if not spec.values:
        return ""
    codes: dict[str, list[str]] = {}
    for code, label in spec.value_codes.items():
        codes.setdefault(label, []).append(code)
    return "、".join(f"{v}（{'/'.join(codes[v])}）" if v in codes else v for v in spec.values)


def deadline_text(item: DataItem) -> str:
    """The reporting deadline in words, with the per-department overrides."""
    text = f"决定（认定）之日起 {item.reporting_deadline_workdays} 个工作日内"
    if item.deadline_overrides:
        names = load_departments()
        extra = "；".join(
            f"{_department_name(names, code)} {days} 个工作日" for code, days in sorted(item.deadline_overrides.items())
        )
        text += f"（{extra}）"
    return text


def _department_name(names: DepartmentCatalog, code: str) -> str:
    entry = names.by_code(code)
    return entry.short_name if entry else code


def source_department_names(item: DataItem) -> str:
    """The departments expected to report the item (short names), or 各部门 when every one is."""
    if not item.source_departments:
        return "各部门"
    names = load_departments()
    return "、".join(_department_name(names, code) for code in item.source_departments)
