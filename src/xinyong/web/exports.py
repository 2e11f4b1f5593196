"""The one export answer of the public list pages: CSV (streamed) or Excel (.xlsx) of the rows a page shows.

* CSV: UTF-8 with a byte-order mark (Excel opens it as UTF-8), CRLF lines, streamed in chunks while the rows are
  read.
* Excel: an openpyxl write-only workbook (rows spooled to disk, not held as objects), a bold frozen header row;
  identifiers (USCC, document numbers) are text cells formatted ``@`` so Excel never turns them into numbers,
  dates are date cells.
* Every text cell goes through ``auth.audit.csv_safe`` (a leading ``= + - @`` gets a ``'``) and is stored as a
  string, never as a formula.
* At most ``export_max_rows`` rows (default 50,000): a larger result is refused before anything is sent, with
  the count and what to do (``InvalidInput``, 422 — the error page in Chinese).

The pages pass their own columns (heading + how to read the value from the row shape the page renders), so an
export holds the page's columns with the page's masking.
"""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Generic, Literal, TypeVar

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from starlette.responses import Response, StreamingResponse

from xinyong import clock
from xinyong.auth.audit import csv_safe
from xinyong.errors import InvalidInput
from xinyong.settings import get_settings
from xinyong.web.downloads import attachment

T = TypeVar("T")
ExportFormat = Literal["csv", "xlsx"]
FORMATS: dict[str, str] = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
BOM = "\ufeff"
LINES_PER_CHUNK = 200
SHEET_TITLE_MAX = 31  # Excel's limit


@dataclass(frozen=True)
class Column(Generic[T]):
    """One exported column: its heading, how to read it from a row, whether it is an identifier (text in Excel)."""

    heading: str
    value: Callable[[T], Any]
    text: bool = False


def max_rows() -> int:
    """``Settings.export_max_rows`` (default 50,000)."""
    return get_settings().export_max_rows


def check_size(total: int) -> None:
    """``InvalidInput`` when ``total`` rows exceed the export cap."""
    cap = max_rows()
    if total > cap:
        raise InvalidInput(
            f"符合条件的记录共 {total:,} 条，超过单次导出上限 {cap:,} 条：请增加查询条件（如名称、代码或日期）"
            "缩小范围后再导出",
            field="export",
        )


def _text(value: Any) -> str:
    """A value as the text of a cell (dates ISO, lists joined with 、, blanks empty), formula-safe."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime):
        return value.astimezone(clock.CHINA_TZ).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return csv_safe("、".join(str(v) for v in value))
    if isinstance(value, int | float):
        return str(value)
    return csv_safe(str(value))


def _line(values: Sequence[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(values)
    return buffer.getvalue()


def csv_chunks(columns: Sequence[Column[T]], rows: Iterable[T]) -> Iterator[bytes]:
    """The CSV file in chunks: BOM and header first, then ``LINES_PER_CHUNK`` rows at a time."""
    yield (BOM + _line([c.heading for c in columns])).encode("utf-8")
    iterator = iter(rows)
    while True:
        batch = list(itertools.islice(iterator, LINES_PER_CHUNK))
        if not batch:
            return
        yield "".join(_line([_text(c.value(row)) for c in columns]) for row in batch).encode("utf-8")


def _cell(sheet: Any, value: Any, text: bool) -> WriteOnlyCell:
    if isinstance(value, date) and not isinstance(value, datetime) and not text:
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "yyyy-mm-dd"
        return cell
    if isinstance(value, int | float) and not isinstance(value, bool) and not text:
        return WriteOnlyCell(sheet, value=value)
    shown = _text(value)
    cell = WriteOnlyCell(sheet, value=shown or None)
    if shown:
        cell.data_type = "s"  # a string, never a formula, whatever it starts with
    if text:
        cell.number_format = "@"
    return cell


def xlsx_bytes(columns: Sequence[Column[T]], rows: Iterable[T], sheet_title: str) -> bytes:
    """The rows as an .xlsx workbook of one sheet (header row bold and frozen)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=_sheet_title(sheet_title))
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = 24 if column.text else 18
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column.heading)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in rows:
        sheet.append([_cell(sheet, c.value(row), c.text) for c in columns])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet_title(title: str) -> str:
    cleaned = "".join(" " if ch in "[]:*?/\\" else ch for ch in title).strip() or "导出"
    return cleaned[:SHEET_TITLE_MAX]


def filename(stem: str, fmt: ExportFormat) -> str:
    """``stem-YYYYMMDD.fmt`` (the day in China)."""
    return f"{stem}-{clock.now().astimezone(clock.CHINA_TZ):%Y%m%d}.{fmt}"


def export_response(
    fmt: ExportFormat,
    stem: str,
    columns: Sequence[Column[T]],
    total: int,
    read: Callable[[], Iterable[T]],
) -> Response:
    """The export of ``total`` rows read by ``read()``: streamed CSV or an .xlsx file named ``stem-date``.

    ``InvalidInput`` (before anything is read) when ``total`` exceeds the cap; rows beyond the cap that appear
    between the count and the read are left out."""
    if fmt not in FORMATS:
        raise InvalidInput("导出格式应为 csv 或 xlsx", field="format")
    check_size(total)
    limit = max_rows()
    headers = {"Content-Disposition": attachment(filename(stem, fmt))}
    if fmt == "csv":

        def body() -> Iterator[bytes]:
            yield from csv_chunks(columns, itertools.islice(read(), limit))

        return StreamingResponse(body(), media_type=FORMATS["csv"], headers=headers)
    content = xlsx_bytes(columns, itertools.islice(read(), limit), stem)
    return Response(content, media_type=FORMATS["xlsx"], headers=headers)
