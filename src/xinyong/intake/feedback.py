"""The feedback workbook (校验反馈表) of one intake batch: what the department must fix and send again.

Sheet ``汇总`` (first): the batch's counts, its file-level errors and every warning. Sheet ``数据``: the rows
the batch did not load, as the department sent them (the batch's column headers, the stored raw cells), each
erroneous cell filled red with a comment giving the reason, then the original row number and a last column
``错误原因`` joining the row's reasons. Unknown columns are ignored on upload, so the sheet can be corrected in
place and uploaded again. Every value is written as a text cell (never a formula: a cell ``=1+1`` stays the
four characters), and personal ID numbers are already masked in storage.

Reading it needs ``intake.read`` for the batch's department (officers: their own only) and is audited.
"""

from __future__ import annotations

import io
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import select

from xinyong.auth import audit
from xinyong.auth.context import Context
from xinyong.auth.permissions import require_department
from xinyong.catalog.items import DataItem, UnknownItem, load_catalog
from xinyong.errors import NotFound
from xinyong.intake.models import IntakeBatch, IntakeIssue, IntakeRejectedRow
from xinyong.subjects.models import Department

SUMMARY_SHEET = "汇总"
ROWS_SHEET = "数据"  # the name the parser looks for: the corrected sheet can be uploaded again
ROW_NO_HEADER = "原行号"
REASON_HEADER = "错误原因"
ERROR_FILL = PatternFill("solid", fgColor="FFC7CE")
HEADER_FILL = PatternFill("solid", fgColor="F2F2F2")
BOLD = Font(bold=True)
AUTHOR = "番禺区公共信用信息平台"
HELD_REASON = "本行校验通过，但整批按“全部接收或全部退回”处理，因其他行有错误未入库，请与更正后的行一并重新报送"
RESUBMIT_HINT = (
    "在“数据”工作表中按标红单元格的批注更正后，可直接重新上传该表（“原行号”“错误原因”两列自动忽略）；"
    "证件号码、联系电话等个人信息在反馈表中已脱敏，重新报送时请填写完整"
)
STATUS_LABELS = {"loaded": "已入库", "rejected": "已退回"}
CHANNEL_LABELS = {
    "upload": "网页上传",
    "api": "接口推送",
    "cli": "命令行导入",
    "demo": "演示数据",
    "objection": "异议更正",
    "commitment": "违背承诺记录",
    "inspection": "双随机抽查结果",
}
_TRAILING_MARKS = ("（必填）", "(必填)", "*")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # as xinyong.auth.audit.csv_safe
MAX_LISTED = 100_000  # messages per list on the summary sheet
ROW_CHUNK = 1000


def feedback_filename(batch_id: int) -> str:
    """``intake_batch_42_feedback.xlsx`` (ASCII, safe in a Content-Disposition header)."""
    return f"intake_batch_{batch_id}_feedback.xlsx"


@dataclass(frozen=True)
class _Message:
    row_no: int
    field: str
    level: str
    reason: str


def _text(sheet: Worksheet, value: object, *, font: Font | None = None, fill: PatternFill | None = None) -> Cell:
    """A cell holding ``value``: a count as a number, anything else as text (never a formula)."""
    if isinstance(value, int) and not isinstance(value, bool):
        cell = WriteOnlyCell(sheet, value=value)
        if font is not None:
            cell.font = font
        return cell
    text = "" if value is None else str(value)
    cell = WriteOnlyCell(sheet, value=text or None)  # an empty cell stays empty
    cell.data_type = "s"
    if text.startswith(FORMULA_START):
        cell.quotePrefix = True  # Excel shows it as typed text and keeps it so when the cell is edited
    if font is not None:
        cell.font = font
    if fill is not None:
        cell.fill = fill
    return cell


def _normalised(header: str) -> str:
    text = unicodedata.normalize("NFKC", header).strip()
    for mark in _TRAILING_MARKS:
        mark = unicodedata.normalize("NFKC", mark)
        if text.endswith(mark):
            text = text[: -len(mark)].strip()
    return text


def _column_index(headers: Sequence[str], item: DataItem | None) -> dict[str, int]:
    """Issue field (the Chinese label, or the header as sent) -> column index in ``headers``."""
    index: dict[str, int] = {}
    for i, header in enumerate(headers):
        index.setdefault(header, i)
        index.setdefault(_normalised(header), i)
    if item is not None:
        for spec in item.fields:
            for name in (spec.label, spec.key):
                if name in index:
                    index.setdefault(spec.label, index[name])
                    break
    return index


def _item(item_id: str) -> DataItem | None:
    try:
        return load_catalog().item(item_id)
    except UnknownItem:  # an item withdrawn from the catalogue: fall back to header matching
        return None


def _summary_sheet(
    sheet: Worksheet, batch: IntakeBatch, department: str, item_name: str, messages: list[_Message]
) -> None:
    for column, width in (("A", 22), ("B", 40), ("C", 80)):
        sheet.column_dimensions[column].width = width
    facts: list[tuple[str, object]] = [
        ("批次编号", batch.id),
        ("数据项", f"{item_name}（{batch.item_id}，目录第 {batch.item_version} 版）"),
        ("报送部门", department),
        ("报送方式", CHANNEL_LABELS.get(batch.channel, batch.channel)),
        ("文件名", batch.filename),
        ("报送日期", batch.submitted_on.isoformat()),
        ("接收方式", "部分接收（正确行入库）" if batch.partial else "全部接收或全部退回"),
        ("处理结果", STATUS_LABELS.get(batch.status, batch.status)),
        ("数据行数", batch.rows),
        ("入库行数", batch.accepted),
        ("其中更新版本", batch.superseded),
        ("未变化（重复报送）", batch.unchanged),
        ("错误行数", batch.rejected),
        ("警告条数", batch.warnings),
        ("如何更正", RESUBMIT_HINT),
    ]
    for key, value in facts:
        sheet.append([_text(sheet, key, font=BOLD), _text(sheet, value)])
    file_errors = [m for m in messages if m.row_no == 0 and m.level == "error"]
    if batch.file_error and all(m.reason != batch.file_error for m in file_errors):
        file_errors.insert(0, _Message(0, "", "error", batch.file_error))
    warnings = [m for m in messages if m.level == "warning"]
    for title, listed in (("文件级错误", file_errors), ("警告", warnings)):
        sheet.append([])
        sheet.append([_text(sheet, f"{title}（{len(listed)} 条）", font=BOLD)])
        if not listed:
            sheet.append([_text(sheet, "无")])
            continue
        sheet.append([_text(sheet, head, font=BOLD, fill=HEADER_FILL) for head in ("行号", "字段", "原因")])
        for message in listed[:MAX_LISTED]:
            where = message.row_no if message.row_no else "整个文件"
            sheet.append([_text(sheet, where), _text(sheet, message.field or "—"), _text(sheet, message.reason)])
        if len(listed) > MAX_LISTED:
            sheet.append([_text(sheet, f"另有 {len(listed) - MAX_LISTED} 条未列出")])


def _rows_sheet(
    sheet: Worksheet,
    headers: list[str],
    rows: Iterable[IntakeRejectedRow],
    errors: dict[int, list[_Message]],
    item: DataItem | None,
) -> int:
    """Write the returned rows; how many."""
    columns = _column_index(headers, item)
    all_headers = [*headers, ROW_NO_HEADER, REASON_HEADER]
    for column, head in enumerate(all_headers, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = max(12, min(40, len(head) * 2 + 4))
    sheet.column_dimensions[get_column_letter(len(all_headers))].width = 60
    sheet.freeze_panes = "A2"
    sheet.append([_text(sheet, head, font=BOLD, fill=HEADER_FILL) for head in all_headers])
    count = 0
    for stored in rows:
        count += 1
        values = stored.values or {}
        cells = [_text(sheet, values.get(head, "")) for head in headers]
        by_column: dict[int, list[str]] = defaultdict(list)
        reasons: list[str] = []
        for message in errors.get(stored.row_no, ()):
            where = columns.get(message.field, columns.get(_normalised(message.field))) if message.field else None
            reasons.append(f"{message.field}：{message.reason}" if message.field else message.reason)
            if where is not None:
                by_column[where].append(message.reason)
        for where, texts in by_column.items():
            cell = cells[where]
            cell.fill = ERROR_FILL
            comment = Comment("\n".join(texts), AUTHOR)
            comment.width, comment.height = 240, 100
            cell.comment = comment
        if not reasons and stored.valid:
            reasons.append(HELD_REASON)
        sheet.append([*cells, _text(sheet, stored.row_no), _text(sheet, "；".join(reasons))])
    return count


def feedback_workbook(ctx: Context, batch_id: int) -> bytes:
    """The ``.xlsx`` feedback of batch ``batch_id`` (``intake.read`` for its department; audited)."""
    session = ctx.session
    batch = session.get(IntakeBatch, batch_id)
    if batch is None:
        raise NotFound(f"报送批次 {batch_id} 不存在", field="batch_id")
    require_department(ctx, batch.department_id, "intake.read")
    department = session.get(Department, batch.department_id)
    item = _item(batch.item_id)
    found = session.execute(
        select(IntakeIssue.row_no, IntakeIssue.field, IntakeIssue.level, IntakeIssue.reason)
        .where(IntakeIssue.batch_id == batch.id)
        .order_by(IntakeIssue.row_no, IntakeIssue.id)
    )
    messages = [_Message(*row) for row in found]
    errors: dict[int, list[_Message]] = defaultdict(list)
    for message in messages:
        if message.level == "error" and message.row_no > 0:
            errors[message.row_no].append(message)
    workbook = Workbook(write_only=True)
    workbook.properties.title = f"报送批次 {batch.id} 校验反馈"
    workbook.properties.creator = AUTHOR
    _summary_sheet(
        workbook.create_sheet(SUMMARY_SHEET),
        batch,
        department.name if department else str(batch.department_id),
        item.name if item else batch.item_id,
        messages,
    )
    rows = session.scalars(
        select(IntakeRejectedRow)
        .where(IntakeRejectedRow.batch_id == batch.id)
        .order_by(IntakeRejectedRow.row_no, IntakeRejectedRow.id)
        .execution_options(yield_per=ROW_CHUNK)
    )
    returned = _rows_sheet(workbook.create_sheet(ROWS_SHEET), list(batch.headers or ()), rows, errors, item)
    audit.record_read(ctx, "intake_feedback", batch.id, {"rows": returned, "issues": len(messages)})
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
