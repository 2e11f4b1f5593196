"""The Excel export: one sheet per month with the numbers, percentage formats, grade colours, no formulas."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest
from sqlalchemy.orm import Session

from quality.quality_data import Batches, reference, timeliness_data
from xinyong.auth.context import Context
from xinyong.auth.permissions import PermissionDenied
from xinyong.errors import InvalidInput
from xinyong.quality.export import COLUMNS, export_scorecards
from xinyong.subjects.models import Department

HEADERS = [header for _, header, _, _ in COLUMNS]


def column(name: str) -> int:
    return [field for field, _, _, _ in COLUMNS].index(name) + 1


def test_workbook_holds_the_numbers(ctx: Context, db: Session, departments: tuple[Department, Department]) -> None:
    scjgj, sfj = departments
    sfj.name = '=HYPERLINK("http://evil")司法局'  # a hostile name must stay text
    timeliness_data(Batches(db), sfj, scjgj)
    reference(db, sfj, "R4", date(2026, 9, 1))
    data = export_scorecards(ctx, ["2026-10", "2026-09", "2026-10"])
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["2026-10", "2026-09", "说明"]
    sheet = book["2026-10"]
    assert "2026年10月" in sheet["A1"].value and "非官方" in sheet["A2"].value
    assert [c.value for c in sheet[3]] == HEADERS
    rows = {sheet.cell(row=r, column=column("code")).value: r for r in range(4, sheet.max_row + 1)}
    first, second = rows["scjgj"], rows["sfj"]
    assert first < second  # ranked order
    assert sheet.cell(row=second, column=column("rank")).value == 2
    assert sheet.cell(row=second, column=column("timeliness_rate")).value == 0.7
    assert sheet.cell(row=second, column=column("timeliness_rate")).number_format == "0.00%"
    assert sheet.cell(row=second, column=column("late_rate")).value == 0.3
    assert sheet.cell(row=second, column=column("omissions")).value == 1
    assert sheet.cell(row=second, column=column("score")).value == 79.5
    assert sheet.cell(row=second, column=column("grade")).value == "一般"
    assert sheet.cell(row=first, column=column("grade")).value == "优秀"
    assert sheet.cell(row=first, column=column("omission_rate")).value is None  # nothing to measure: blank
    name = sheet.cell(row=second, column=column("department"))
    assert name.value.startswith("'=") and name.data_type == "s"
    rules = [rule for ranges in sheet.conditional_formatting for rule in ranges.rules]
    assert {rule.formula[0] for rule in rules} == {'"优秀"', '"良好"', '"一般"', '"较差"'}
    notes = [row[0].value for row in book["说明"].iter_rows(min_row=2)]
    assert "权重：合规率" in notes and "等级：优秀" in notes


def test_export_checks_months_and_permission(db: Session, ctx: Context) -> None:
    with pytest.raises(InvalidInput):
        export_scorecards(ctx, [])
    with pytest.raises(InvalidInput):
        export_scorecards(ctx, ["2026-1"])
    with pytest.raises(InvalidInput):
        export_scorecards(ctx, [f"{y}-{m:02d}" for y in (2024, 2025) for m in range(1, 13)] + ["2026-01"])
    with pytest.raises(PermissionDenied):
        export_scorecards(Context(session=db, actor="public", role="public"), ["2026-10"])
