"""``/api/v1/catalog``: the public resource catalogue (公共信用信息资源目录) and each item's Excel template.

Public: no credential needed (permission ``catalog.read``, granted to everyone), so no security is declared.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel, Field
from starlette.responses import Response

from xinyong.auth.context import Context
from xinyong.catalog.items import DataItem, FieldSpec
from xinyong.catalog.queries import (
    allowed_values_text,
    catalog_item,
    catalog_items,
    deadline_text,
    requirement,
    requirement_text,
    sharing_label,
    source_department_names,
    type_label,
)
from xinyong.intake.templates import XLSX_MEDIA_TYPE, template_filename, template_workbook
from xinyong.web.deps import get_public_context
from xinyong.web.errors import error_responses

router = APIRouter(prefix="/api/v1/catalog", tags=["资源目录"])
Public = Annotated[Context, Depends(get_public_context)]
BINARY = {"type": "string", "format": "binary"}
ItemId = Annotated[str, Path(pattern=r"^[a-z][a-z0-9_]{1,39}$", description="数据项 ID，如 penalty")]


class FieldOut(BaseModel):
    """One field (数据项字段) of a data item."""

    key: str = Field(description="英文键名（JSON 推送时亦可用作列名）")
    label: str = Field(description="国家标准中文字段名 = 报送文件列名")
    type: str
    type_label: str
    required: str = Field(description="required（必填）| conditional（条件必填）| optional（选填）")
    rule: str = Field(description="必填规则（中文）")
    values: list[str] = Field(description="枚举取值")
    value_codes: dict[str, str] = Field(description='可代替取值的代码，如 {"1": "有效"}')
    allowed: str = Field(description="可选值说明（中文）")
    max_length: int
    sharing: str = Field(description="public | conditional | restricted")
    sharing_label: str = Field(description="公开 / 有条件共享 / 不予共享")
    personal: str | None = Field(description="个人信息类别（公众可见时脱敏）")
    help: str

    @classmethod
    def of(cls, item: DataItem, spec: FieldSpec) -> FieldOut:
        """From the catalogue field."""
        return cls(
            key=spec.key,
            label=spec.label,
            type=spec.type,
            type_label=type_label(spec),
            required=requirement(spec),
            rule=requirement_text(item, spec),
            values=list(spec.values),
            value_codes=dict(spec.value_codes),
            allowed=allowed_values_text(spec),
            max_length=spec.max_length,
            sharing=spec.sharing,
            sharing_label=sharing_label(spec.sharing),
            personal=spec.personal,
            help=spec.help,
        )


class ItemOut(BaseModel):
    """A data item as the catalogue lists it."""

    id: str
    name: str
    version: int
    description: str
    source: str = Field(description="依据（文件及条款）")
    dual_publicity: bool = Field(description="是否“双公示”数据项")
    sharing: str
    sharing_label: str
    field_count: int
    update_frequency: str
    reporting_deadline_workdays: int
    deadline: str = Field(description="报送时限（中文，含部门特例）")
    source_departments: list[str] = Field(description="应报送部门代码；空表示各部门")
    source_department_names: str
    template_url: str

    @classmethod
    def of(cls, item: DataItem) -> ItemOut:
        """From the catalogue item."""
        return cls(
            id=item.id,
            name=item.name,
            version=item.version,
            description=item.description,
            source=item.source,
            dual_publicity=item.dual_publicity,
            sharing=item.sharing,
            sharing_label=sharing_label(item.sharing),
            field_count=len(item.fields),
            update_frequency=item.update_frequency,
            reporting_deadline_workdays=item.reporting_deadline_workdays,
            deadline=deadline_text(item),
            source_departments=list(item.source_departments),
            source_department_names=source_department_names(item),
            template_url=f"/api/v1/catalog/{item.id}/template.xlsx",
        )


class ItemDetail(ItemOut):
    """A data item with its fields."""

    fields: list[FieldOut]

    @classmethod
    def of(cls, item: DataItem) -> ItemDetail:
        """From the catalogue item."""
        return cls(**ItemOut.of(item).model_dump(), fields=[FieldOut.of(item, f) for f in item.fields])


@router.get("", response_model=list[ItemOut], summary="资源目录：数据项列表")
def list_items(ctx: Public) -> list[ItemOut]:
    """Every data item: sharing level, deadline, update frequency and the template's address."""
    return [ItemOut.of(item) for item in catalog_items(ctx)]


@router.get(
    "/{item_id}", response_model=ItemDetail, summary="资源目录：数据项详情", responses=error_responses(404, 422)
)
def get_item(item_id: ItemId, ctx: Public) -> ItemDetail:
    """One data item and its fields (label, type, required rule, allowed values, sharing level, help)."""
    return ItemDetail.of(catalog_item(ctx, item_id))


@router.get(
    "/{item_id}/template.xlsx",
    summary="下载数据项的 Excel 报送模板",
    response_class=Response,
    responses={
        200: {"content": {XLSX_MEDIA_TYPE: {"schema": BINARY}}, "description": "模板"},
        **error_responses(404, 422),
    },
)
def template(item_id: ItemId, ctx: Public) -> Response:
    """The item's template: sheet 数据 (national column headers, text-formatted code columns, drop-downs) and
    sheet 填写说明 (each field's rule, values and sharing level)."""
    item = catalog_item(ctx, item_id)
    return Response(
        template_workbook(item),
        media_type=XLSX_MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{template_filename(item)}"'},
    )
