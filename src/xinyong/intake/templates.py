"""The Excel template (报送模板) of a catalogue data item, built from its YAML (nothing hard-coded here).

Sheet ``数据``: one header row with the national Chinese labels exactly as the catalogue has them (the text is
not altered: required columns are shown in red bold with a comment, conditionally required ones in orange
with a comment giving the condition), every column but the numeric ones formatted as text (``@``) so Excel
keeps leading zeros, 18-character codes and typed dates as written, drop-down lists for enumerations (from
the hidden sheet ``选项``), sensible widths and a frozen header. Sheet ``填写说明``: each field's label, key,
type, required rule in words, allowed values, sharing level and help. The item id and version are in the
workbook's document properties so an uploaded file says which catalogue version it was made from.
"""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from xinyong import clock
from xinyong.catalog.items import DataItem, FieldSpec
from xinyong.catalog.queries import (
    allowed_values_text,
    deadline_text,
    requirement,
    requirement_text,
    sharing_label,
    type_label,
)

DATA_SHEET = "数据"
GUIDE_SHEET = "填写说明"
OPTIONS_SHEET = "选项"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Rows of the data sheet covered by drop-downs and number checks (Excel's own limit is 1,048,576).
TEMPLATE_ROWS = 100_000
TEXT_FORMAT = "@"
NUMERIC_TYPES = frozenset({"amount", "integer"})
REQUIRED_FONT = Font(bold=True, color="C00000")
CONDITIONAL_FONT = Font(bold=True, color="C65911")
OPTIONAL_FONT = Font(bold=True, color="000000")
HEADER_FILL = PatternFill("solid", fgColor="F2F2F2")
WIDTHS = {"uscc": 24, "id_number": 24, "reg_code": 22, "date": 14, "amount": 16, "integer": 12, "phone": 16}
WIDE_TEXT = 40  # free text of more than 500 characters (content, facts)
AUTHOR = "番禺区公共信用信息平台"


def template_filename(item: DataItem) -> str:
    """``penalty_v1_template.xlsx`` (ASCII, safe in a Content-Disposition header)."""
    return f"{item.id}_v{item.version}_template.xlsx"


def _width(spec: FieldSpec) -> float:
    by_label = len(spec.label) * 2 + 4
    if spec.type in WIDTHS:
        return max(WIDTHS[spec.type], by_label)
    if spec.type == "text" and spec.max_length > 500:
        return max(WIDE_TEXT, by_label)
    return max(16, by_label)


def _header_comment(item: DataItem, spec: FieldSpec) -> str:
    lines = [requirement_text(item, spec), f"类型：{type_label(spec)}"]
    if spec.values:
        lines.append(f"可选值：{allowed_values_text(spec)}")
    if spec.type == "date":
        lines.append("格式：2026-01-31 或 2026/1/31")
    if spec.type == "amount":
        lines.append("单位：万元，最多6位小数")
    lines.append(f"共享级别：{sharing_label(spec.sharing)}")
    if spec.help:
        lines.append(spec.help)
    return "\n".join(lines)


def _options(workbook: Workbook, item: DataItem) -> dict[str, str]:
    """The hidden sheet of enumeration values; field key -> the range formula of its values."""
    enums = [f for f in item.fields if f.values]
    if not enums:
        return {}
    sheet = workbook.create_sheet(OPTIONS_SHEET)
    sheet.sheet_state = "hidden"
    ranges: dict[str, str] = {}
    for column, spec in enumerate(enums, start=1):
        letter = get_column_letter(column)
        sheet.cell(row=1, column=column, value=spec.label)
        for row, value in enumerate(spec.values, start=2):
            sheet.cell(row=row, column=column, value=value)
        ranges[spec.key] = f"{quote_sheetname(OPTIONS_SHEET)}!${letter}$2:${letter}${len(spec.values) + 1}"
    return ranges


def _data_sheet(sheet: Worksheet, item: DataItem, option_ranges: dict[str, str]) -> None:
    sheet.title = DATA_SHEET
    last_row = TEMPLATE_ROWS + 1
    for column, spec in enumerate(item.fields, start=1):
        letter = get_column_letter(column)
        cell = sheet.cell(row=1, column=column, value=spec.label)
        kind = requirement(spec)
        cell.font = {"required": REQUIRED_FONT, "conditional": CONDITIONAL_FONT}.get(kind, OPTIONAL_FONT)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.number_format = TEXT_FORMAT
        comment = Comment(_header_comment(item, spec), AUTHOR)
        comment.width, comment.height = 260, 160
        cell.comment = comment
        dimension = sheet.column_dimensions[letter]
        dimension.width = _width(spec)
        if spec.type not in NUMERIC_TYPES:
            dimension.number_format = TEXT_FORMAT  # codes, numbers-as-text and typed dates stay as written
        cells = f"{letter}2:{letter}{last_row}"
        if spec.key in option_ranges:
            check = DataValidation(
                type="list",
                formula1=option_ranges[spec.key],  # OOXML formulas carry no leading "="
                allow_blank=True,
                showErrorMessage=True,
                errorStyle="warning",  # a pasted code such as "1" may still be kept; the platform maps it
                errorTitle=spec.label,
                error=f"请从下拉列表中选择：{allowed_values_text(spec)}",
                promptTitle=spec.label,
                prompt="请从下拉列表中选择",
                showInputMessage=True,
            )
        elif spec.type in NUMERIC_TYPES:
            check = DataValidation(
                type="decimal" if spec.type == "amount" else "whole",
                operator="greaterThanOrEqual",
                formula1="0",
                allow_blank=True,
                showErrorMessage=True,
                errorStyle="warning",
                errorTitle=spec.label,
                error="请填写不小于0的数字（金额单位为万元）" if spec.type == "amount" else "请填写不小于0的整数",
            )
        else:
            continue
        check.add(cells)
        sheet.add_data_validation(check)
    sheet.freeze_panes = "A2"
    sheet.row_dimensions[1].height = 32
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(item.fields))}1"


GUIDE_HEADERS = ("序号", "字段名称（表头）", "英文键名", "类型", "是否必填", "必填规则", "可选值", "共享级别", "说明")
GUIDE_WIDTHS = (6, 30, 24, 16, 10, 40, 40, 12, 50)


def _guide_sheet(sheet: Worksheet, item: DataItem) -> None:
    sheet.title = GUIDE_SHEET
    facts = (
        ("数据项", f"{item.name}（{item.id}）"),
        ("目录版本", f"第 {item.version} 版"),
        ("更新频率", item.update_frequency),
        ("报送时限", deadline_text(item)),
        ("整体共享级别", sharing_label(item.sharing)),
        ("依据", item.source),
        ("填写要求", "请在“数据”工作表第2行起逐行填写，不要修改、合并或删除表头；红色表头为必填，橙色表头为条件必填。"),
    )
    for row, (key, value) in enumerate(facts, start=1):
        sheet.cell(row=row, column=1, value=key).font = Font(bold=True)
        sheet.cell(row=row, column=2, value=value)
        sheet.merge_cells(start_row=row, start_column=2, end_row=row, end_column=len(GUIDE_HEADERS))
    top = len(facts) + 2
    for column, (title, width) in enumerate(zip(GUIDE_HEADERS, GUIDE_WIDTHS, strict=True), start=1):
        cell = sheet.cell(row=top, column=column, value=title)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        sheet.column_dimensions[get_column_letter(column)].width = width
    for n, spec in enumerate(item.fields, start=1):
        values = (
            n,
            spec.label,
            spec.key,
            type_label(spec),
            {"required": "是", "conditional": "条件必填", "optional": "否"}[requirement(spec)],
            requirement_text(item, spec),
            allowed_values_text(spec),
            sharing_label(spec.sharing),
            spec.help,
        )
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=top + n, column=column, value=value)
            cell.alignment = Alignment(vertical="top", wrap_text=True)
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula, whatever the YAML says
    sheet.freeze_panes = sheet.cell(row=top + 1, column=1)


def template_workbook(item: DataItem) -> bytes:
    """The ``.xlsx`` template of ``item``: sheets ``数据`` (first and active), ``填写说明`` and the hidden ``选项``."""
    workbook = Workbook()
    option_ranges = _options(workbook, item)
    _data_sheet(workbook.worksheets[0], item, option_ranges)
    _guide_sheet(workbook.create_sheet(GUIDE_SHEET, 1), item)
    workbook.active = 0
    props = workbook.properties
    props.title = f"{item.name}报送模板"
    props.subject = item.id
    props.version = str(item.version)
    props.identifier = f"xinyong:{item.id}:v{item.version}"
    props.keywords = f"{item.id} v{item.version}"
    props.creator = AUTHOR
    props.description = f"{item.name}（资源目录第 {item.version} 版）"
    now = clock.now().replace(tzinfo=None, microsecond=0)
    props.created = props.modified = now
    workbook.custom_doc_props.append(StringProperty(name="xinyong_item", value=item.id))
    workbook.custom_doc_props.append(StringProperty(name="xinyong_item_version", value=str(item.version)))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
