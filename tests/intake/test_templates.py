"""The Excel template of each catalogue item: headers, text formats, drop-downs, the 填写说明 sheet, and a
round trip through the intake parser and checker (filled in the way a user fills it)."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.workbook.workbook import Workbook

from factories import uscc
from xinyong.catalog.items import DataItem, load_catalog
from xinyong.catalog.queries import allowed_values_text, requirement, requirement_text, sharing_label
from xinyong.intake import check, parse
from xinyong.intake.templates import (
    DATA_SHEET,
    GUIDE_SHEET,
    OPTIONS_SHEET,
    template_filename,
    template_workbook,
)

TODAY = date(2026, 11, 27)
ITEMS = ("licence", "penalty", "social_insurance_arrears", "housing_fund_arrears", "utility_arrears")
DEPARTMENT_USCC = uscc(901, authority="1", org_type="1")
AUTHORITY_USCC = uscc(902)
FIRM_USCC = uscc(903)


def _item(item_id: str) -> DataItem:
    return load_catalog().item(item_id)


def _open(data: bytes) -> Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def _column(item: DataItem, key: str) -> int:
    return [f.key for f in item.fields].index(key) + 1


@pytest.mark.parametrize("item_id", ITEMS)
def test_data_sheet_has_the_national_labels_marked_by_requirement(item_id: str) -> None:
    item = _item(item_id)
    book = _open(template_workbook(item))
    assert book.sheetnames[:2] == [DATA_SHEET, GUIDE_SHEET]
    assert book.active.title == DATA_SHEET
    sheet = book[DATA_SHEET]
    assert [c.value for c in sheet[1]] == [f.label for f in item.fields]
    assert sheet.freeze_panes == "A2"
    for cell, spec in zip(sheet[1], item.fields, strict=True):
        kind = requirement(spec)
        assert cell.font.bold
        assert cell.font.color.rgb == {"required": "00C00000", "conditional": "00C65911"}.get(kind, "00000000")
        assert cell.comment is not None
        assert cell.comment.text.startswith(requirement_text(item, spec))
        assert f"共享级别：{sharing_label(spec.sharing)}" in cell.comment.text
        assert sheet.column_dimensions[cell.column_letter].width >= 12


@pytest.mark.parametrize("item_id", ITEMS)
def test_code_number_and_date_columns_are_text_formatted(item_id: str) -> None:
    item = _item(item_id)
    sheet = _open(template_workbook(item))[DATA_SHEET]
    for cell, spec in zip(sheet[1], item.fields, strict=True):
        expected = "General" if spec.type in ("amount", "integer") else "@"
        assert sheet.column_dimensions[cell.column_letter].number_format == expected, spec.label


@pytest.mark.parametrize("item_id", ITEMS)
def test_enumerations_have_drop_downs_from_the_hidden_options_sheet(item_id: str) -> None:
    item = _item(item_id)
    book = _open(template_workbook(item))
    options = book[OPTIONS_SHEET]
    assert options.sheet_state == "hidden"
    lists = {
        range_boundaries(str(dv.sqref))[0]: dv
        for dv in book[DATA_SHEET].data_validations.dataValidation
        if dv.type == "list"
    }
    enums = [f for f in item.fields if f.type == "enum"]
    assert set(lists) == {_column(item, f.key) for f in enums}
    for spec in enums:
        validation = lists[_column(item, spec.key)]
        letter = get_column_letter(_column(item, spec.key))
        assert str(validation.sqref) == f"{letter}2:{letter}100001"
        assert validation.formula1.startswith(f"'{OPTIONS_SHEET}'!$")
        column = next(c for c in options[1] if c.value == spec.label).column_letter
        values = [options[f"{column}{row}"].value for row in range(2, len(spec.values) + 2)]
        assert tuple(values) == spec.values


def test_guide_sheet_explains_every_field() -> None:
    item = _item("utility_arrears")
    sheet = _open(template_workbook(item))[GUIDE_SHEET]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    top = next(i for i, row in enumerate(rows) if row[0] == "序号")
    assert rows[top] == [
        "序号",
        "字段名称（表头）",
        "英文键名",
        "类型",
        "是否必填",
        "必填规则",
        "可选值",
        "共享级别",
        "说明",
    ]
    body = rows[top + 1 : top + 1 + len(item.fields)]
    assert [r[1] for r in body] == [f.label for f in item.fields]
    by_key = {r[2]: r for r in body}
    assert by_key["utility_type"][4:8] == ["是", "必填", allowed_values_text(item.field("utility_type")), "公开"]
    assert by_key["uscc"][4:6] == ["条件必填", "“主体类别”为“法人及非法人组织”时必填"]
    assert by_key["contact_phone"][7] == "不予共享"
    assert by_key["arrears_amount"][7] == "有条件共享"
    assert by_key["arrears_amount"][3] == "金额（万元）"
    facts = {r[0]: r[1] for r in rows[:top]}
    assert facts["数据项"] == "水、电、燃气欠费信息（utility_arrears）"
    assert facts["目录版本"] == "第 1 版"


def test_workbook_properties_carry_the_item_version() -> None:
    item = _item("penalty")
    props = _open(template_workbook(item)).properties
    assert (props.subject, props.version, props.identifier) == ("penalty", "2", "xinyong:penalty:v2")
    assert template_filename(item) == "penalty_v2_template.xlsx"


# --------------------------------------------------------------------------------------------- round trip
UTILITY_ROW: dict[str, object] = {
    "subject_name": "广州禾丰贸易有限公司",
    "subject_category": "法人及非法人组织",
    "uscc": FIRM_USCC,
    "legal_representative": "张三",
    "utility_type": "电费",
    "account_no": "000123456789",  # leading zeros survive in a text cell
    "doc_no": "穗番电催〔2026〕0001号",
    "service_address": "番禺区市桥街道繁华路1号",
    "period_from": datetime(2026, 1, 1),  # a real Excel date in a date column
    "period_to": "2026/03/31",  # typed as text in the text-formatted date column
    "arrears_months": 3,
    "arrears_amount": 0.052,
    "decided_on": datetime(2026, 11, 20),
    "authority": "广东电网有限责任公司广州番禺供电局",
    "authority_uscc": AUTHORITY_USCC,
    "contact_phone": "13800138000",
    "source_department": "广州市番禺区政务服务数据管理局",
    "source_department_uscc": DEPARTMENT_USCC,
    "remarks": "=1+1",  # typed into a text cell: text, not a formula
}
UTILITY_EXPECTED = {
    **{k: v for k, v in UTILITY_ROW.items() if isinstance(v, str)},
    "period_from": "2026-01-01",
    "period_to": "2026-03-31",
    "arrears_months": "3",
    "arrears_amount": "0.052000",
    "decided_on": "2026-11-20",
}
PERSON_ROW: dict[str, object] = {
    "subject_name": "王禾丰",
    "subject_category": "自然人",
    "id_type": "身份证",
    "id_number": "11010519491231002X",
    "utility_type": "水费",
    "account_no": "0099",
    "doc_no": "番水催2026-7",
    "period_from": "2026-05-01",
    "period_to": datetime(2026, 6, 30),
    "arrears_months": "2",
    "arrears_amount": "0.0123",
    "decided_on": "2026/11/2",
    "authority": "广州市番禺区水务有限公司",
    "authority_uscc": AUTHORITY_USCC,
    "source_department": "广州市番禺区政务服务数据管理局",
    "source_department_uscc": DEPARTMENT_USCC,
}


def _fill(item: DataItem, rows: list[dict[str, object]], template: bytes | None = None) -> bytes:
    """Fill the template the way a user does: into the 数据 sheet under the header, then save."""
    book = _open(template or template_workbook(item))
    sheet = book[DATA_SHEET]
    for offset, row in enumerate(rows, start=2):
        for key, value in row.items():
            cell = sheet.cell(row=offset, column=_column(item, key), value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # typed into a text-formatted cell: Excel keeps it as text
            elif isinstance(value, datetime):
                cell.number_format = "yyyy/m/d"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _read_back(item: DataItem, data: bytes, filename: str = "filled.xlsx") -> list[check.CheckedRow]:
    table = parse.open_table(io.BytesIO(data), filename)
    columns = check.map_columns(item, table.headers)
    checker = check.RowChecker(item, columns, today=TODAY)
    return [checker.check(row) for row in table.rows]


def test_filled_template_round_trips_through_parser_and_checker() -> None:
    item = _item("utility_arrears")
    checked = _read_back(item, _fill(item, [UTILITY_ROW, PERSON_ROW]))
    assert [r.row_no for r in checked] == [1, 2]
    first, second = checked
    assert first.errors == []
    assert {k: v for k, v in first.values.items() if v is not None} == UTILITY_EXPECTED
    assert second.errors == []
    assert second.values["account_no"] == "0099"
    assert second.values["id_number"] == "11010519491231002X"
    assert second.values["period_to"] == "2026-06-30"
    assert second.values["decided_on"] == "2026-11-02"
    assert second.values["arrears_amount"] == "0.012300"
    assert second.values["uscc"] is None


def test_filled_penalty_template_round_trips() -> None:
    item = _item("penalty")
    row: dict[str, object] = {
        "subject_name": "广州禾丰贸易有限公司",
        "subject_category": "法人及非法人组织",
        "uscc": FIRM_USCC,
        "legal_representative": "张三",
        "doc_no": "番市监罚〔2026〕0012号",
        "violation_type": "销售不合格商品",
        "violation_facts": "经查，当事人销售不合格商品。",
        "legal_basis": "《中华人民共和国产品质量法》第四十九条",
        "penalty_category": "罚款",
        "content": "罚款人民币伍仟元",
        "fine_amount": 0.5,
        "decided_on": datetime(2026, 11, 20),
        "valid_until": "2027/11/19",
        "authority": "广州市番禺区市场监督管理局",
        "authority_uscc": AUTHORITY_USCC,
        "source_department": "广州市番禺区市场监督管理局",
        "source_department_uscc": DEPARTMENT_USCC,
    }
    (checked,) = _read_back(item, _fill(item, [row]))
    assert checked.errors == []
    assert checked.values["fine_amount"] == "0.500000"
    assert checked.values["uscc"] == FIRM_USCC
    assert checked.values["valid_until"] == "2027-11-19"


def test_errors_in_a_filled_template_name_the_column() -> None:
    item = _item("utility_arrears")
    bad = {**UTILITY_ROW, "utility_type": "电话费", "decided_on": datetime(2026, 12, 1)}
    (checked,) = _read_back(item, _fill(item, [bad]))
    fields = {issue.field for issue in checked.errors}
    assert {"欠费类别", "认定日期"} <= fields


def _libreoffice_save(soffice: str, data: bytes, work: Path, name: str) -> bytes:
    """``data`` opened and saved again as .xlsx by LibreOffice (its own throw-away profile)."""
    source = work / "in" / name
    source.parent.mkdir(parents=True, exist_ok=True)
    source.write_bytes(data)
    out = work / "out"
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(out),
            str(source),
        ],
        check=True,
        timeout=180,
        capture_output=True,
    )
    return (out / name).read_bytes()


def test_template_survives_a_libreoffice_save(tmp_path: Path) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed on this machine: the LibreOffice round trip is not run")
    item = _item("utility_arrears")
    saved = _libreoffice_save(soffice, template_workbook(item), tmp_path, "template.xlsx")
    book = _open(saved)
    sheet = book[DATA_SHEET]
    assert [c.value for c in sheet[1]] == [f.label for f in item.fields]
    assert sheet.column_dimensions[get_column_letter(_column(item, "account_no"))].number_format == "@"
    lists = {range_boundaries(str(dv.sqref))[0] for dv in sheet.data_validations.dataValidation if dv.type == "list"}
    assert lists == {_column(item, f.key) for f in item.fields if f.type == "enum"}
    assert book[OPTIONS_SHEET].sheet_state == "hidden"
    assert book.properties.version == "1"
    # Filled after LibreOffice saved the template, then saved by LibreOffice once more: the values come back.
    (checked,) = _read_back(item, _fill(item, [UTILITY_ROW], template=saved))
    assert {k: v for k, v in checked.values.items() if v is not None} == UTILITY_EXPECTED
    resaved = _libreoffice_save(soffice, _fill(item, [UTILITY_ROW, PERSON_ROW]), tmp_path, "filled.xlsx")
    first, second = _read_back(item, resaved)
    assert first.errors == [] and second.errors == []
    assert {k: v for k, v in first.values.items() if v is not None} == UTILITY_EXPECTED
    assert (second.values["account_no"], second.values["id_number"]) == ("0099", "11010519491231002X")
