"""The result sheet of a record check (核查结果单) as an .xlsx workbook: the header facts, then one table per
source (integrity records, trainings, credit records, list entries). Text cells go through ``audit.csv_safe``
(never a formula); the ID number is the masked one the sheet stores."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from xinyong.auth.audit import csv_safe
from xinyong.government.integrity_schemas import CheckOut

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BOLD = Font(bold=True)


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    return csv_safe(str(value))


def _table(sheet: Any, title: str, headings: list[str], rows: list[list[Any]]) -> None:
    sheet.append([])
    sheet.append([title])
    sheet.cell(row=sheet.max_row, column=1).font = BOLD
    if not rows:
        sheet.append(["（无）"])
        return
    sheet.append(headings)
    for col in range(1, len(headings) + 1):
        sheet.cell(row=sheet.max_row, column=col).font = BOLD
    for row in rows:
        sheet.append([_cell(v) for v in row])


def sheet_xlsx(check: CheckOut) -> bytes:
    """The workbook of one check's stored sheet."""
    data = check.sheet
    person = data.get("person", {})
    book = Workbook()
    sheet = book.active
    sheet.title = "核查结果单"
    sheet.append(["公务员录用、调任社会信用记录核查结果单"])
    sheet.cell(row=1, column=1).font = Font(bold=True, size=14)
    facts = [
        ("结果单编号", check.sheet_no),
        ("核查用途", check.purpose_label),
        ("核查事由", check.reason),
        ("核查基准日", check.as_of.isoformat()),
        ("姓名", person.get("name")),
        ("公民身份号码", person.get("ric_masked")),
        ("工作单位", (data.get("file") or {}).get("body") or "—"),
        ("职务", (data.get("file") or {}).get("position") or "—"),
        ("核查结论", check.conclusion_label),
        ("不良记录数", data.get("adverse_count", 0)),
        ("核查人", check.checked_by),
        ("核查时间", check.checked_at.isoformat(timespec="seconds")),
    ]
    for label, value in facts:
        sheet.append([label, _cell(value)])
        sheet.cell(row=sheet.max_row, column=1).font = BOLD
    _table(
        sheet,
        "一、诚信档案记录（有效）",
        ["类别", "标题", "发生日期", "来源", "不良"],
        [
            [e["category_label"], e["title"], e["occurred_on"], e["source"], e["adverse"]]
            for e in data.get("entries", [])
        ],
    )
    training = data.get("training")
    if training:
        sheet.append([])
        sheet.append(
            [
                "二、诚信教育培训",
                f"{training['from']} 至 {training['to']}：{training['hours']} 学时，要求 {training['required']} 学时，"
                + ("已达到" if training["met"] else "未达到"),
            ]
        )
        sheet.cell(row=sheet.max_row, column=1).font = BOLD
    _table(
        sheet,
        "三、信用记录",
        ["信息类别", "文书号", "部门", "决定日期", "状态", "不良"],
        [
            [r["item"], r["doc_no"], r["department"], r["decided_on"], r["status_label"], r["adverse"]]
            for r in data.get("credit_records", [])
        ],
    )
    _table(
        sheet,
        "四、名单",
        ["名单", "列入日期", "届满日期", "决定文号", "不良"],
        [
            [e["list"], e["published_on"], e["expires_on"] or "—", e["decision_doc_no"], e["adverse"]]
            for e in data.get("list_entries", [])
        ],
    )
    sheet.column_dimensions["A"].width = 22
    for column in "BCDEF":
        sheet.column_dimensions[column].width = 24
    for row in sheet.iter_rows():
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def sheet_filename(check: CheckOut) -> str:
    """``核查结果单-ZWCX-2026-000001.xlsx``."""
    return f"核查结果单-{check.sheet_no}.xlsx"
