"""Reading departments' files into rows of cell text: CSV and Excel (.xlsx), streamed; JSON records.

The format comes from the content, not the name: a zip is read as .xlsx, an OLE2 file is the old .xls
(refused with a hint), an HTML or XML-2003 "Excel" export is refused with a hint, anything else is CSV.

CSV: the encoding is decided from the first 64 KiB: a UTF-8 BOM means ``utf-8-sig``; else strict UTF-8; else
GB18030 (the superset of GBK and GB2312); else the file is refused. Lines are decoded one at a time, so a
bad byte further on is reported with its row, and memory stays bounded. Delimiter: comma, tab or semicolon,
whichever the header line holds most of (ties → comma). Cells are text as sent: nothing is evaluated, so a
cell such as ``=1+2`` is data (formula neutralising happens on output, ``xinyong.auth.audit.csv_safe``).

Excel: openpyxl in read-only (streaming) mode with ``data_only=False``, so a formula cell is reported
rather than its cached value trusted; error values (``#REF!``) are reported too; dates become ISO text,
integral numbers lose the ``.0``; a number of more than 15 digits (Excel keeps 15 significant digits) is
reported as a code that lost digits. The data sheet is ``数据`` (the template's,
``xinyong.intake.templates``) when present, else the first visible sheet that is not an instructions sheet
(``填写说明``). Merged ranges are found by a byte scan of the sheet XML for ``<mergeCell ref=...>``
(bounded memory, no second parse of the cells).

Row numbers: the header is the first non-blank row and ``row_no`` = spreadsheet row (CSV record) − header
row. In the template (header in row 1) data row N is spreadsheet row N + 1, and blank rows still count, so a
user can find any row of the feedback. Fully blank rows are skipped.
"""

from __future__ import annotations

import codecs
import csv
import io
import math
import re
import tempfile
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, BinaryIO

from xinyong.errors import InvalidInput
from xinyong.intake.normalise import PADDING

SAMPLE_BYTES = 64 * 1024
#: Sheet names taken as the data sheet wherever they are (the template's ``templates.DATA_SHEET``).
DATA_SHEET_NAMES = ("数据",)
#: A sheet whose name holds this is an instructions sheet (the template's ``填写说明``), never data.
INSTRUCTIONS_MARK = "说明"
#: Excel stores numbers as doubles and keeps 15 significant digits: a longer integer has lost digits.
EXCEL_DIGITS = 15

ENCODING_UNKNOWN = "文件编码无法识别，请保存为 UTF-8 或 GBK 编码的 CSV"
XLSX_BROKEN = "Excel 文件已损坏或不完整，请重新保存后再上传"
PRECISION_LOST = "代码被 Excel 存为数字，已丢失精度，请将该列设为文本格式后重新填写"

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
_DELIMITERS = (",", "\t", ";")
_MERGE_CELL = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?mergeCell\b[^>]*?\bref=\"([A-Z]{1,3}[0-9]+):([A-Z]{1,3}[0-9]+)\"")
_CELL_REF = re.compile(r"([A-Z]{1,3})([0-9]+)")


class FileProblem(InvalidInput):
    """A problem with the file as a whole (Chinese ``message``; ``field`` is ``None``): nothing can be read."""

    def __init__(self, message: str) -> None:
        super().__init__(message)


@dataclass(frozen=True)
class RawRow:
    """One data row: ``row_no`` (1-based, header excluded, blank rows counted), cell text padded or cut to
    the header's width ('' for empty), and ``problems``: column index → reason (formula cell, error value, ...)."""

    row_no: int
    cells: tuple[str, ...]
    problems: dict[int, str] = field(default_factory=dict)


@dataclass
class Table:
    """A file's header and its rows; ``rows`` is a lazy, single-pass iterator (streaming)."""

    headers: list[str]
    rows: Iterator[RawRow]
    format: str  # 'csv' | 'xlsx' | 'json'
    encoding: str | None = None


# --- entry points ------------------------------------------------------------------------------------------


def open_table(source: BinaryIO, filename: str, *, max_bytes: int | None = None) -> Table:
    """Open an uploaded file (CSV or .xlsx, detected by content). Raises :class:`FileProblem` for a file that
    is empty, too large, undecodable, corrupt or has no usable header row."""
    source, size = _bounded(source, max_bytes)
    start = source.tell()
    head = source.read(SAMPLE_BYTES)
    source.seek(start)
    if size <= len(head) and not head.removeprefix(codecs.BOM_UTF8).strip():
        raise FileProblem("文件为空")
    if head.startswith(_ZIP_MAGICS):
        return _open_xlsx(source)
    if head.startswith(_OLE_MAGIC):
        raise FileProblem("不支持旧版 Excel（.xls）文件，请在 Excel 中另存为 .xlsx 或 CSV（UTF-8）后再上传")
    lead = head[:4096].lstrip(codecs.BOM_UTF8 + b" \t\r\n").lower()
    if lead.startswith(b"<") and (b"<html" in lead or b"<table" in lead or b"urn:schemas-microsoft-com" in lead):
        raise FileProblem("文件是网页或 XML 格式而非真正的 Excel 文件，请用 Excel 打开后另存为 .xlsx 或 CSV 再上传")
    if filename.lower().endswith(".json"):
        raise FileProblem("JSON 数据请通过接口提交；上传文件请使用 CSV 或 Excel（.xlsx）")
    return _open_csv(source, head, complete=size <= len(head))


def table_from_records(records: Sequence[Mapping[str, object]]) -> Table:
    """A table from JSON records (the API): headers = the union of keys in first-seen order; values
    str/int/float/bool/None → text ('' for None). Other values (lists, objects) become cell problems."""
    if not records:
        raise FileProblem("没有提交任何记录")
    names: dict[str, None] = {}
    for number, record in enumerate(records, start=1):
        if not isinstance(record, Mapping):
            raise FileProblem(f'第 {number} 条记录不是对象（应为 {{"字段名": "值", ...}}）')
        for key in record:
            names.setdefault(str(key), None)
    headers = list(names)  # keys as sent (unique by construction); map_columns normalises them for matching
    if any(not name.strip(PADDING) for name in headers):
        raise FileProblem("记录中有空的字段名")
    return Table(headers, _record_rows(records, headers), "json", None)


# --- size and seeking --------------------------------------------------------------------------------------


def _megabytes(n: int) -> str:
    mb = n / (1 << 20)
    return f"{mb:.1f}".rstrip("0").rstrip(".") if mb >= 1 else f"{mb:.3g}"


def _too_big(max_bytes: int) -> FileProblem:
    return FileProblem(f"文件超过大小上限 {_megabytes(max_bytes)} MB，请拆分后分批上传")


def _is_seekable(source: BinaryIO) -> bool:
    try:
        return bool(source.seekable())
    except (AttributeError, OSError, ValueError):
        return False


def _bounded(source: BinaryIO, max_bytes: int | None) -> tuple[BinaryIO, int]:
    """A seekable stream and its size; a non-seekable one is spooled to a temporary file (bounded memory)."""
    if _is_seekable(source):
        start = source.tell()
        size = source.seek(0, io.SEEK_END) - start
        source.seek(start)
        if max_bytes is not None and size > max_bytes:
            raise _too_big(max_bytes)
        return source, size
    spool = tempfile.SpooledTemporaryFile(max_size=8 << 20)  # noqa: SIM115 - returned open to the caller
    size = 0
    while chunk := source.read(1 << 20):
        size += len(chunk)
        if max_bytes is not None and size > max_bytes:
            spool.close()
            raise _too_big(max_bytes)
        spool.write(chunk)
    spool.seek(0)
    return spool, size  # type: ignore[return-value]


# --- headers -----------------------------------------------------------------------------------------------


def _header_names(cells: Sequence[str], column: Callable[[int], str]) -> list[str]:
    """Trimmed header names; trailing blank columns dropped; blank or duplicate names are a FileProblem."""
    names = [c.strip(PADDING) for c in cells]
    while names and not names[-1]:
        names.pop()
    if not names:
        raise FileProblem("文件中没有表头行")
    blank = [column(i) for i, name in enumerate(names, start=1) if not name]
    if blank:
        raise FileProblem(f"表头为空：{'、'.join(blank)}。每列都要有表头，多余的空列请删除")
    first: dict[str, int] = {}
    dupes: list[str] = []
    for i, name in enumerate(names, start=1):
        if name in first:
            dupes.append(f"“{name}”（{column(first[name])}和{column(i)}）")
        else:
            first[name] = i
    if dupes:
        raise FileProblem(f"表头重复：{'；'.join(dupes)}")
    return names


def _blank(cells: Iterable[str]) -> bool:
    return all(not cell or cell.isspace() for cell in cells)


# --- CSV ---------------------------------------------------------------------------------------------------


class _Undecodable(Exception):
    def __init__(self, line_no: int) -> None:
        super().__init__(line_no)
        self.line_no = line_no


def _detect_encoding(sample: bytes, *, complete: bool) -> str:
    """``utf-8-sig`` / ``utf-8`` / ``gb18030`` for a sample of the file's first bytes, else a FileProblem."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if b"\x00" in sample:  # UTF-16/32 text or a binary file: never a GBK or UTF-8 CSV
        raise FileProblem(ENCODING_UNKNOWN)
    for encoding in ("utf-8", "gb18030"):
        try:  # incremental: a multi-byte character cut at the end of the sample is not an error
            codecs.getincrementaldecoder(encoding)("strict").decode(sample, final=complete)
        except UnicodeDecodeError:
            continue
        return encoding
    raise FileProblem(ENCODING_UNKNOWN)


def _cr_lines(source: BinaryIO) -> Iterator[bytes]:
    """Lines of a file that ends its lines with CR only (old Mac "CSV")."""
    pending = b""
    while chunk := source.read(1 << 16):
        parts = (pending + chunk).split(b"\r")
        pending = parts.pop()
        for part in parts:
            yield part + b"\r"
    if pending:
        yield pending


def _decoded_lines(lines: Iterable[bytes], encoding: str) -> Iterator[str]:
    """Each line decoded on its own (so an error names its line); ``_Undecodable`` on a bad byte."""
    for line_no, line in enumerate(lines, start=1):
        try:
            text = line.decode(encoding)
        except UnicodeDecodeError:
            raise _Undecodable(line_no) from None
        yield text


def _delimiter(sample: str) -> str:
    for line in sample.splitlines():
        if line.strip():
            counts = [line.count(d) for d in _DELIMITERS]
            return _DELIMITERS[counts.index(max(counts))] if max(counts) else ","
    return ","


_ENCODING_NAMES = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8", "gb18030": "GBK/GB18030"}


def _csv_error(exc: Exception, where: str, encoding: str) -> FileProblem:
    """A FileProblem for a decoding or CSV syntax error at ``where`` (e.g. ``第 3 行``)."""
    if isinstance(exc, _Undecodable):
        return FileProblem(
            f"{where}（文件第 {exc.line_no} 行）含有无法按 {_ENCODING_NAMES[encoding]} 解码的字符："
            "文件编码不一致，请将整个文件保存为 UTF-8 或 GBK 编码的 CSV"
        )
    if "field larger than field limit" in str(exc):
        return FileProblem(f"{where}起格式错误：某个单元格以英文双引号开头却没有结束引号，请检查后重新保存")
    return FileProblem(f"{where}格式错误，无法按 CSV 读取（{exc}）")


def _open_csv(source: BinaryIO, head: bytes, *, complete: bool) -> Table:
    encoding = _detect_encoding(head, complete=complete)
    if encoding == "utf-8-sig":
        source.seek(len(codecs.BOM_UTF8), io.SEEK_CUR)
    codec = "utf-8" if encoding == "utf-8-sig" else encoding
    sample = codecs.getincrementaldecoder(codec)("replace").decode(head.removeprefix(codecs.BOM_UTF8))
    raw_lines: Iterable[bytes] = source if (b"\n" in head or b"\r" not in head) else _cr_lines(source)
    reader = csv.reader(_decoded_lines(raw_lines, codec), delimiter=_delimiter(sample), strict=False)
    header_no = 0
    try:
        for record in reader:
            header_no += 1
            if not _blank(record):
                break
        else:
            raise FileProblem("文件中没有表头行（所有行都为空）")
    except (_Undecodable, csv.Error) as exc:
        raise _csv_error(exc, "表头行", encoding) from None
    headers = _header_names(record, lambda i: f"第 {i} 列")
    return Table(headers, _csv_rows(reader, header_no, len(headers), encoding), "csv", encoding)


def _csv_rows(reader: Iterator[list[str]], header_no: int, width: int, encoding: str) -> Iterator[RawRow]:
    padding = ("",) * width
    record_no = header_no
    try:
        for record in reader:
            record_no += 1
            for cell in record:  # inline blank-row test (hot loop)
                if cell and not cell.isspace():
                    break
            else:
                continue
            n = len(record)
            if n == width:
                cells = tuple(record)
            elif n > width:
                cells = tuple(record[:width])
            else:
                cells = (*record, *padding[n:])
            yield RawRow(record_no - header_no, cells, {})
    except (_Undecodable, csv.Error) as exc:
        raise _csv_error(exc, f"第 {record_no + 1 - header_no} 行", encoding) from None


# --- Excel -------------------------------------------------------------------------------------------------


def _column_index(letters: str) -> int:
    index = 0
    for ch in letters:
        index = index * 26 + ord(ch) - 64
    return index


def _column_letters(index: int) -> str:
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _merged_ranges(archive: zipfile.ZipFile, path: str) -> list[tuple[int, int, int, int, str]]:
    """(min_col, min_row, max_col, max_row, ref) of every merged range of a sheet, by a streaming byte scan."""
    found: list[tuple[int, int, int, int, str]] = []
    tail = b""
    with archive.open(path.lstrip("/")) as member:
        while chunk := member.read(1 << 20):
            data = tail + chunk
            if b"mergeCell" in data:
                for m in _MERGE_CELL.finditer(data):
                    if m.end() <= len(tail):  # seen in the previous chunk already
                        continue
                    a = _CELL_REF.fullmatch(m[1].decode())
                    b = _CELL_REF.fullmatch(m[2].decode())
                    if a and b:
                        c1, r1, c2, r2 = _column_index(a[1]), int(a[2]), _column_index(b[1]), int(b[2])
                        found.append((min(c1, c2), min(r1, r2), max(c1, c2), max(r1, r2), f"{a[0]}:{b[0]}"))
            tail = data[-1024:]
    return found


def _data_sheet(sheets: Sequence[Any]) -> Any:
    for sheet in sheets:
        if sheet.title.strip() in DATA_SHEET_NAMES:
            return sheet
    candidates = [s for s in sheets if INSTRUCTIONS_MARK not in s.title]
    visible = [s for s in candidates if getattr(s, "sheet_state", "visible") == "visible"]
    return (visible or candidates or list(sheets))[0]


def _number_text(value: float) -> tuple[str, str | None]:
    if isinstance(value, int):
        return str(value), (PRECISION_LOST if abs(value) >= 10**EXCEL_DIGITS else None)
    if not math.isfinite(value):
        return str(value), "单元格数值无效（非有限数），请修正后再上传"
    if value.is_integer():
        return str(int(value)), (PRECISION_LOST if abs(value) >= 10**EXCEL_DIGITS else None)
    text = repr(value)
    if "e" in text or "E" in text:
        text = format(Decimal(text), "f")
    return text, None


def _cell_text(value: Any, data_type: str) -> tuple[str, str | None]:
    """The text of a non-string cell and a problem, if any (read-only openpyxl cell value and type)."""
    if data_type == "n" and isinstance(value, int | float) and not isinstance(value, bool):
        return _number_text(value)
    if data_type == "b" or isinstance(value, bool):
        return ("TRUE" if value else "FALSE"), None
    if isinstance(value, datetime):
        return (value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")), None
    if isinstance(value, date | time):
        return value.isoformat(), None
    if isinstance(value, timedelta):
        return str(value), None
    if data_type == "f":
        formula = value if isinstance(value, str) else str(getattr(value, "text", value))
        shown = formula if len(formula) <= 60 else formula[:57] + "..."
        return formula, f"单元格含公式（{shown}），请复制后“粘贴为数值”再上传"
    if data_type == "e":
        return str(value), f"单元格是错误值 {value}，请修正后再上传"
    return str(value), None


def _open_xlsx(source: BinaryIO) -> Table:
    import openpyxl  # deferred: only Excel uploads need it

    try:
        archive = zipfile.ZipFile(source)
        names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        raise FileProblem(XLSX_BROKEN) from None
    if "[Content_Types].xml" not in names:
        archive.close()
        raise FileProblem("文件是压缩包而不是 Excel（.xlsx）文件，请上传 .xlsx 或 CSV 文件")
    try:
        workbook = openpyxl.load_workbook(source, read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds (KeyError, BadZipFile, ParseError, ...) on a broken file
        archive.close()
        raise FileProblem(XLSX_BROKEN) from None
    try:
        sheets = workbook.worksheets
        if not sheets:
            raise FileProblem("Excel 文件中没有工作表")
        sheet = _data_sheet(sheets)
        merged = _merged_ranges(archive, sheet._worksheet_path)  # openpyxl keeps the sheet's part name here
        sheet.reset_dimensions()  # stated dimensions are often wrong: read what is there
        rows = sheet.iter_rows()
        header_row = 0
        for header_row, cells in enumerate(_guarded(rows, 1), start=1):  # noqa: B007
            texts = [_cell_text(c.value, c.data_type)[0] if c.value is not None else "" for c in cells]
            if not _blank(texts):
                break
        else:
            raise FileProblem("文件中没有表头行（所有行都为空）")
        for _c1, r1, _c2, r2, ref in merged:
            if r1 <= header_row <= r2:
                raise FileProblem(f"表头存在合并单元格（{ref}），请取消合并，每列单独一个表头")
        headers = _header_names(texts, lambda i: f"{_column_letters(i)} 列")
    except FileProblem:
        workbook.close()
        archive.close()
        raise
    except Exception:
        workbook.close()
        archive.close()
        raise FileProblem(XLSX_BROKEN) from None
    return Table(headers, _xlsx_rows(workbook, archive, rows, header_row, len(headers), merged), "xlsx", None)


def _guarded(rows: Iterator[Any], first_row: int) -> Iterator[Any]:
    """openpyxl's rows with any read error of a broken file turned into a FileProblem naming the row."""
    row = first_row
    while True:
        try:
            cells = next(rows)
        except StopIteration:
            return
        except Exception:
            raise FileProblem(f"{XLSX_BROKEN}（读取第 {row} 行时出错）") from None
        yield cells
        row += 1


def _merge_holes(
    merged: list[tuple[int, int, int, int, str]], header_row: int
) -> dict[int, list[tuple[int, int, str]]]:
    """Spreadsheet row → (first col, last col, ref) of the cells a merged range leaves empty below the header."""
    holes: dict[int, list[tuple[int, int, str]]] = {}
    for c1, r1, c2, r2, ref in merged:
        for r in range(max(r1, header_row + 1), r2 + 1):
            lo = c1 + 1 if r == r1 else c1
            if lo <= c2:
                holes.setdefault(r, []).append((lo, c2, ref))
    return holes


def _xlsx_rows(
    workbook: Any,
    archive: zipfile.ZipFile,
    rows: Iterator[Any],
    header_row: int,
    width: int,
    merged: list[tuple[int, int, int, int, str]],
) -> Iterator[RawRow]:
    holes = _merge_holes(merged, header_row)
    padding = ("",) * width
    try:
        for spreadsheet_row, cells in enumerate(_guarded(rows, header_row + 1), start=header_row + 1):
            texts: list[str] = []
            problems: dict[int, str] = {}
            for i, cell in enumerate(cells[:width]):
                value = cell.value
                if value is None:
                    texts.append("")
                elif type(value) is str and cell.data_type == "s":
                    texts.append(value)
                else:
                    text, problem = _cell_text(value, cell.data_type)
                    texts.append(text)
                    if problem:
                        problems[i] = problem
            if spreadsheet_row in holes:
                for lo, hi, ref in holes[spreadsheet_row]:
                    for column in range(lo, min(hi, width) + 1):
                        problems[column - 1] = f"该单元格位于合并单元格 {ref} 中，请取消合并并在每一行分别填写"
            if _blank(texts):
                continue
            if len(texts) < width:
                texts.extend(padding[len(texts) :])
            yield RawRow(spreadsheet_row - header_row, tuple(texts), problems)
    finally:
        workbook.close()
        archive.close()


# --- JSON records ------------------------------------------------------------------------------------------


def _json_text(value: object) -> tuple[str, str | None]:
    if value is None:
        return "", None
    if isinstance(value, str):
        return value, None
    if isinstance(value, bool):
        return ("true" if value else "false"), None
    if isinstance(value, int):
        return str(value), None
    if isinstance(value, float):
        text, problem = _number_text(value)
        return text, ("数值超过15位有效数字已丢失精度，代码请以字符串提交" if problem == PRECISION_LOST else problem)
    return "", "不支持的值类型（应为字符串、数字、布尔值或 null）"


def _record_rows(records: Sequence[Mapping[str, object]], headers: list[str]) -> Iterator[RawRow]:
    for number, record in enumerate(records, start=1):
        by_name = {str(k): v for k, v in record.items()}
        texts: list[str] = []
        problems: dict[int, str] = {}
        for i, name in enumerate(headers):
            text, problem = _json_text(by_name.get(name))
            texts.append(text)
            if problem:
                problems[i] = problem
        if _blank(texts) and not problems:
            continue
        yield RawRow(number, tuple(texts), problems)


# --------------------------------------------------------------------------------------------- columns by header
def header_key(text: str) -> str:
    """A header as the received-list, contract, court-notice and reference-list imports compare it: half-width,
    trimmed, lower-case, without a trailing ``*``, （必填） or （选填）."""
    key = unicodedata.normalize("NFKC", text).strip()
    for suffix in ("(必填)", "(选填)", "*"):
        key = key.removesuffix(suffix).strip()
    return key.lower()


def find_columns(headers: Sequence[str], names: Mapping[str, Sequence[str]]) -> dict[str, int]:
    """For each column key, the index of the first (leftmost) header matching one of its names, in the order the
    names are given (``header_key``); keys with no matching header are left out."""
    index = {header_key(h): i for i, h in reversed(list(enumerate(headers)))}
    found: dict[str, int] = {}
    for key, options in names.items():
        match = next((index[k] for k in map(header_key, options) if k in index), None)
        if match is not None:
            found[key] = match
    return found
