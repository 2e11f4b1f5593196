"""JSON API ``/api/v1/government-overview``: 政务诚信与专项治理综合看板 (issue #11 item 7).

Staff (``government.read``; campaign sections with ``campaigns.read``) read the figures as of a date and export
them: Excel with one sheet per section, or the CSV of one section. Figures: ``xinyong.government.overview``.
"""

from __future__ import annotations

import io
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from starlette.responses import Response

from xinyong.auth.audit import csv_safe
from xinyong.errors import InvalidInput
from xinyong.government import overview
from xinyong.web import exports
from xinyong.web.downloads import attachment
from xinyong.web.errors import error_responses
from xinyong.web.security import DENIED, SECURED, LoggedIn

router = APIRouter(prefix="/api/v1/government-overview", tags=["政务诚信与专项治理综合看板"], dependencies=SECURED)
AsOf = Annotated[date | None, Query(description="统计基准日（默认今天）")]
STEM = "government-overview"


@router.get(
    "", response_model=overview.Overview, summary="政务诚信与专项治理综合看板", responses=error_responses(*DENIED, 422)
)
def get_overview(ctx: LoggedIn, as_of: AsOf = None) -> overview.Overview:
    """Contracts, arrears, enforcement cases, government-integrity records and campaigns as of ``as_of``."""
    return overview.overview(ctx, as_of)


def _cell(sheet: object, value: object, bold: bool = False) -> WriteOnlyCell:
    if isinstance(value, int | float | date) and not isinstance(value, bool):
        cell = WriteOnlyCell(sheet, value=value)
        if isinstance(value, date):
            cell.number_format = "yyyy-mm-dd"
        return cell
    cell = WriteOnlyCell(sheet, value=csv_safe(str(value)) if value not in (None, "") else None)
    if cell.value is not None:
        cell.data_type = "s"  # text, never a formula
    if bold:
        cell.font = Font(bold=True)
    return cell


def workbook(tables: list[overview.Table]) -> bytes:
    """One sheet per table: header row bold and frozen."""
    book = Workbook(write_only=True)
    for table in tables:
        sheet = book.create_sheet(title=table.title[:31])
        sheet.freeze_panes = "A2"
        sheet.append([_cell(sheet, h, bold=True) for h in table.headings])
        for row in table.rows:
            sheet.append([_cell(sheet, v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@router.get(
    "/export",
    summary="导出综合看板（Excel 每个板块一页；CSV 为单个板块）",
    responses=error_responses(*DENIED, 422),
    response_class=Response,
)
def export(
    ctx: LoggedIn,
    as_of: AsOf = None,
    format: Annotated[Literal["csv", "xlsx"], Query()] = "xlsx",
    section: Annotated[str, Query(max_length=24, description="CSV 的板块：contracts / arrears / cases / …")] = "",
) -> Response:
    """The overview's tables as an .xlsx workbook, or one table as CSV."""
    result = overview.overview(ctx, as_of)
    tables = overview.tables(result)
    stem = f"{STEM}-{result.as_of:%Y%m%d}"
    if format == "xlsx":
        return Response(
            workbook(tables),
            media_type=exports.FORMATS["xlsx"],
            headers={"Content-Disposition": attachment(f"{stem}.xlsx")},
        )
    table = next((t for t in tables if t.key == section), None)
    if table is None:
        keys = "、".join(t.key for t in tables)
        raise InvalidInput(f"请选择要导出的板块：{keys}", field="section")
    columns = [exports.Column(h, lambda row, i=i: row[i]) for i, h in enumerate(table.headings)]
    return exports.export_response("csv", f"{STEM}-{table.key}", columns, len(table.rows), lambda: table.rows)
