"""Import of the court's monthly notice of enforcement cases against public bodies (issue #11 item 4).

The file is a CSV (UTF-8 with or without BOM, GBK) or .xlsx read by ``intake.parse.open_table``; its columns are
those of ``rules/enforcement.yaml`` (Chinese headers and aliases). The importer names the notice's period
(YYYY-MM) and court. Every row is checked: required values, the amount in 元 (≥ 0, two decimals), 立案日期 (dates
as ``intake.normalise.iso_date`` reads them: 2021-03-05, 2021年3月5日, Excel serials) not in the future, the
body on the public-body register (by its code, else by its exact normalised name; an unknown body is a row error
naming it, never guessed), a case number not repeated in the file (every row of a repeat is reported) and not
imported before. The same file (same SHA-256) imported twice is a ``Conflict``.

All or nothing: any row error → ``NoticeRowsInvalid`` listing every ``{row, field, reason}`` (row = data row,
1-based) and nothing is stored; ``rejected_workbook`` gives the rejected rows as .xlsx with their reasons. On
success the notice and its cases are stored and each case is assigned to its body's answerable unit
(``public_body.unit_code``), due ``calendar.add_workdays(today, rectification.workdays)``, with an ``assign``
step; one audit event per notice with the counts.
"""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from sqlalchemy import select

from xinyong.auth import audit
from xinyong.auth.context import Context
from xinyong.auth.permissions import require
from xinyong.auth.tokens import clean_text
from xinyong.calendar import load_calendar
from xinyong.errors import Conflict, InvalidInput
from xinyong.government.bodies import body_index
from xinyong.government.enforcement_rules import EnforcementRules, enforcement_rules
from xinyong.government.enforcement_schemas import ImportOut, NoticeOut, RowError
from xinyong.government.models import EnforcementCase, EnforcementNotice, EnforcementStep, PublicBody
from xinyong.intake import normalise
from xinyong.intake.feedback import (
    BOLD,
    ERROR_FILL,
    FORMULA_START,
    HEADER_FILL,
    REASON_HEADER,
    ROW_NO_HEADER,
    ROWS_SHEET,
)
from xinyong.intake.parse import RawRow, find_columns, header_key, open_table
from xinyong.settings import get_settings
from xinyong.subjects.names import normalize_name

IMPORT = "enforcement.import"
MAX_ROWS = 5000
CASE_NO_MAX = 64
COURT_MAX = 100
NAME_MAX = 200
CAUSE_MAX = 200
FILE_NAME_MAX = 200
AMOUNT_LIMIT = Decimal("1e16")  # Numeric(18, 2)
PERIOD = re.compile(r"^(\d{4})-(\d{2})$")
_SPACES = re.compile(r"\s+")
_AMOUNT = re.compile(r"^\d+(\.\d+)?$")
_GROUPED = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$")
AUTO_NOTE = "按公共机构名录自动交办责任单位"


class NoticeRowsInvalid(InvalidInput):
    """The notice has row errors; nothing was stored. ``errors`` lists every one (``extra`` carries them)."""

    def __init__(self, errors: list[RowError], workbook: bytes = b"") -> None:
        shown = "；".join((f"第 {e.row} 行 " if e.row else "") + f"{e.field}：{e.reason}" for e in errors[:5])
        more = f"（另有 {len(errors) - 5} 处）" if len(errors) > 5 else ""
        super().__init__(f"通报文件有 {len(errors)} 处错误，未导入任何案件：{shown}{more}", field="file")
        self.errors = errors
        self.workbook = workbook
        self.extra = {"errors": [e.model_dump() for e in errors]}


def check_period(value: str) -> str:
    """``YYYY-MM`` of a month not after the current one, else ``InvalidInput``."""
    text = (value or "").strip()
    match = PERIOD.match(text)
    if match is None or not 1 <= int(match[2]) <= 12 or int(match[1]) < 2000:
        raise InvalidInput("通报期次应为 YYYY-MM（如 2026-10）", field="period")
    return text


def month_bounds(period: str) -> tuple[date, date]:
    """The first and last day of ``period``."""
    year, month = int(period[:4]), int(period[5:])
    first = date(year, month, 1)
    following = date(year + (month == 12), month % 12 + 1, 1)
    return first, date.fromordinal(following.toordinal() - 1)


def case_key(value: str) -> str:
    """A case number as stored and compared: half-width letters and digits, no spaces, full-width parentheses
    (the form of 最高人民法院关于人民法院案件案号的若干规定: （2026）粤0113执1234号)."""
    text = _SPACES.sub("", unicodedata.normalize("NFKC", value))
    return text.replace("(", "（").replace(")", "）").replace("〔", "（").replace("〕", "）")


def parse_yuan(value: str) -> Decimal:
    """An amount in 元 (``1,234.50``, ``1234.5元``, full-width digits) → Decimal with 2 decimals; ≥ 0."""
    text = normalise.half_width(value.strip()).replace(" ", "")
    if text.endswith("万元"):
        raise ValueError(f"金额单位应为元：“{value}”请换算为元后填写")
    text = text.removesuffix("元").removeprefix("¥").removeprefix("￥")
    if text.startswith("-"):
        raise ValueError(f"金额不能为负数：“{value}”")
    if "," in text:
        if not _GROUPED.match(text):
            raise ValueError(f"金额格式不正确：“{value}”的千位分隔符位置不对")
        text = text.replace(",", "")
    if not _AMOUNT.match(text):
        raise ValueError(f"金额格式不正确：“{value}”，应为数字（单位元）")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"金额格式不正确：“{value}”") from None
    if amount != amount.quantize(Decimal("0.01")):
        raise ValueError(f"金额最多两位小数（单位元）：“{value}”")
    if amount >= AMOUNT_LIMIT:
        raise ValueError(f"金额过大：“{value}”")
    return amount.quantize(Decimal("0.01"))


@dataclass
class CheckedRow:
    """A row that passed its own checks."""

    row_no: int
    case_no: str
    court: str
    body: PublicBody
    applicant: str
    amount: Decimal
    filed_on: date
    cause: str


@dataclass
class CheckedNotice:
    """A notice file as read: its header, every data row as sent, the rows that passed and every error."""

    headers: list[str]
    raw: list[RawRow] = field(default_factory=list)
    rows: list[CheckedRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def _columns(headers: Sequence[str], rules: EnforcementRules) -> dict[str, int]:
    found = find_columns(headers, {c.key: (c.header, *c.aliases) for c in rules.columns})
    missing = [c.header for c in rules.columns if c.required and c.key not in found]
    if missing:
        expected = "、".join(c.header for c in rules.columns)
        raise InvalidInput(f"通报文件缺少列：{'、'.join(missing)}（表头应为：{expected}）", field="file")
    return found


def _check_row(
    raw: RawRow,
    cols: dict[str, int],
    rules: EnforcementRules,
    bodies: dict[str, PublicBody],
    court: str,
    today: date,
    errors: list[RowError],
) -> CheckedRow | None:
    before = len(errors)

    def error(key: str, reason: str) -> None:
        errors.append(RowError(row=raw.row_no, field=rules.column(key).header, reason=reason))

    def cell(key: str, limit: int = NAME_MAX) -> str:
        index = cols.get(key)
        if index is None:
            return ""
        if index in raw.problems:
            error(key, raw.problems[index])
            return ""
        value = normalise.clean(raw.cells[index])
        if not value and rules.column(key).required:
            error(key, "不能为空")
        elif len(value) > limit:
            error(key, f"过长（最多 {limit} 个字符）")
        elif any(unicodedata.category(ch) in ("Cc", "Cs") for ch in value):
            error(key, "含有不可见的控制字符")
        return value

    case_no = case_key(cell("case_no", CASE_NO_MAX))
    row_court = cell("court", COURT_MAX) or court
    name = cell("body_name")
    code_text = cell("body_uscc", 18 * 2)
    applicant = cell("applicant")
    amount_text = cell("amount", 40)
    date_text = cell("filed_on", 40)
    cause = cell("cause", CAUSE_MAX)
    amount = filed_on = body = None
    if amount_text:
        try:
            amount = parse_yuan(amount_text)
        except ValueError as exc:
            error("amount", str(exc))
    if date_text:
        try:
            iso = normalise.iso_date(date_text)
        except normalise.NormaliseError as exc:
            error("filed_on", exc.reason)
        else:
            filed_on = date.fromisoformat(iso) if iso else None
            if filed_on is not None and filed_on > today:
                error("filed_on", f"晚于今天（{today.isoformat()}），不能是将来的日期")
                filed_on = None
    code = ""
    if code_text:
        try:
            code = normalise.uscc(code_text) or ""
        except normalise.NormaliseError as exc:
            error("body_uscc", exc.reason)
    if name or code:
        by_code = bodies.get(code) if code else None
        by_name = bodies.get(normalize_name(name)) if name else None
        if by_code is not None:
            body = by_code
        elif code and by_name is not None:
            error("body_uscc", f"代码 {code} 与公共机构名录中“{by_name.name}”的代码 {by_name.uscc} 不一致")
        elif by_name is not None:
            body = by_name
        else:
            shown = f"“{name}”" if name else ""
            shown += f"（{code}）" if code else ""
            error("body_name" if name else "body_uscc", f"被执行人{shown}不在公共机构名录中，请先登记或核对名称、代码")
    if len(errors) > before or body is None or amount is None or filed_on is None or not case_no:
        return None
    return CheckedRow(raw.row_no, case_no, row_court, body, applicant, amount, filed_on, cause)


def read_notice(ctx: Context, file_name: str, content: bytes, court: str) -> CheckedNotice:
    """Read and check every row of a notice file (nothing is written)."""
    rules = enforcement_rules()
    if not content:
        raise InvalidInput("文件为空", field="file")
    table = open_table(io.BytesIO(content), file_name, max_bytes=get_settings().intake_max_file_bytes)
    cols = _columns(table.headers, rules)
    bodies = body_index(ctx)
    checked = CheckedNotice(headers=list(table.headers))
    for raw in table.rows:
        if not any(c.strip() for c in raw.cells) and not raw.problems:
            continue
        if len(checked.raw) >= MAX_ROWS:
            checked.errors.append(RowError(row=0, field="文件", reason=f"行数超过上限 {MAX_ROWS}，请分批导入"))
            break
        checked.raw.append(raw)
        row = _check_row(raw, cols, rules, bodies, court, ctx.today, checked.errors)
        if row is not None:
            checked.rows.append(row)
    if not checked.raw:
        checked.errors.append(RowError(row=0, field="文件", reason="文件没有数据行"))
    _check_case_numbers(ctx, checked, rules.column("case_no").header)
    checked.errors.sort(key=lambda e: e.row)
    return checked


def _check_case_numbers(ctx: Context, checked: CheckedNotice, header: str) -> None:
    """Every row of a case number repeated in the file, and every case number imported before, is an error."""
    counts = Counter(r.case_no for r in checked.rows)
    rows_of: dict[str, list[int]] = {}
    for row in checked.rows:
        rows_of.setdefault(row.case_no, []).append(row.row_no)
    for row in checked.rows:
        if counts[row.case_no] > 1:
            others = "、".join(str(n) for n in rows_of[row.case_no] if n != row.row_no)
            checked.errors.append(
                RowError(row=row.row_no, field=header, reason=f"案号 {row.case_no} 在文件中重复（另见第 {others} 行）")
            )
    numbers = sorted(counts)
    stored: dict[str, str] = {}
    for start in range(0, len(numbers), 500):
        stmt = (
            select(EnforcementCase.case_no, EnforcementNotice.period, EnforcementNotice.court)
            .join(EnforcementNotice, EnforcementNotice.id == EnforcementCase.notice_id)
            .where(EnforcementCase.case_no.in_(numbers[start : start + 500]))
        )
        for case_no, period, court in ctx.session.execute(stmt):
            stored[case_no] = f"{period} 期{court}通报"
    for row in checked.rows:
        if row.case_no in stored:
            checked.errors.append(
                RowError(row=row.row_no, field=header, reason=f"案号 {row.case_no} 已在{stored[row.case_no]}中导入")
            )


def rejected_workbook(checked: CheckedNotice) -> bytes:
    """The rejected rows as sent (sheet ``数据``, the file's headers), each erroneous cell filled red, then
    ``原行号`` and ``错误原因``; the file-level errors on top. Every value is a text cell, never a formula."""
    reasons: dict[int, list[RowError]] = {}
    for e in checked.errors:
        reasons.setdefault(e.row, []).append(e)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=ROWS_SHEET)
    sheet.freeze_panes = "A2"

    def text(value: str, *, bold: bool = False, fill: bool = False, header: bool = False) -> WriteOnlyCell:
        cell = WriteOnlyCell(sheet, value=value or None)
        cell.data_type = "s"
        if value.startswith(FORMULA_START):
            cell.quotePrefix = True
        if bold:
            cell.font = BOLD
        if header:
            cell.fill = HEADER_FILL
        if fill:
            cell.fill = ERROR_FILL
        return cell

    sheet.append([text(h, bold=True, header=True) for h in [*checked.headers, ROW_NO_HEADER, REASON_HEADER]])
    keys = {header_key(h): i for i, h in enumerate(checked.headers)}
    for raw in checked.raw:
        mine = reasons.get(raw.row_no)
        if not mine:
            continue
        bad = {keys.get(header_key(e.field)) for e in mine}
        cells = [text(v, fill=i in bad) for i, v in enumerate(raw.cells)]
        joined = "；".join(f"{e.field}：{e.reason}" for e in mine)
        sheet.append([*cells, text(str(raw.row_no)), text(joined)])
    for e in reasons.get(0, []):
        sheet.append([text("") for _ in checked.headers] + [text("文件"), text(e.reason)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _file_name(value: str) -> str:
    name = (value or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    return clean_text(name or "通报文件", "file", "文件名", FILE_NAME_MAX)


def check_notice(ctx: Context, court: str, file_name: str, content: bytes) -> CheckedNotice:
    """Check a notice without storing anything (for the rejected-rows workbook)."""
    require(ctx, IMPORT)
    court = clean_text(court, "court", "通报法院", COURT_MAX)
    return read_notice(ctx, _file_name(file_name), content, court)


def import_notice(ctx: Context, period: str, court: str, file_name: str, content: bytes) -> ImportOut:
    """Import a notice file (rules in the module docstring). ``NoticeRowsInvalid`` (422) with every row error,
    ``Conflict`` (409) for a file imported before; nothing is stored then."""
    require(ctx, IMPORT)
    period = check_period(period)
    if period > f"{ctx.today:%Y-%m}":
        raise InvalidInput(f"通报期次 {period} 晚于本月，不能导入将来的通报", field="period")
    court = clean_text(court, "court", "通报法院", COURT_MAX)
    name = _file_name(file_name)
    digest = hashlib.sha256(content).hexdigest()
    before = ctx.session.scalar(select(EnforcementNotice).where(EnforcementNotice.digest == digest))
    if before is not None:
        raise Conflict(
            f"该通报文件已于 {before.imported_at:%Y-%m-%d} 导入（{before.period} 期，{before.court}，"
            f"{before.cases} 件案件），不能重复导入",
            field="file",
            code="duplicate_notice",
        )
    checked = read_notice(ctx, name, content, court)
    if checked.errors:
        raise NoticeRowsInvalid(checked.errors, rejected_workbook(checked))
    rules = enforcement_rules()
    today = ctx.today
    due = load_calendar(ctx.session).add_workdays(today, rules.rectification.workdays)
    notice = EnforcementNotice(
        period=period,
        court=court,
        file_name=name,
        digest=digest,
        cases=len(checked.rows),
        imported_by=ctx.actor[:128],
        imported_at=ctx.at,
    )
    ctx.session.add(notice)
    ctx.session.flush()
    cases: list[EnforcementCase] = []
    for row in checked.rows:
        case = EnforcementCase(
            notice_id=notice.id,
            case_no=row.case_no,
            court=row.court,
            body_id=row.body.id,
            applicant=row.applicant,
            amount=row.amount,
            filed_on=row.filed_on,
            cause=row.cause,
            status="assigned",
            unit_code=row.body.unit_code,
            assigned_on=today,
            due_on=due,
            closed_on=None,
            outcome="",
        )
        ctx.session.add(case)
        cases.append(case)
    ctx.session.flush()
    for case in cases:
        ctx.session.add(
            EnforcementStep(
                case_id=case.id,
                kind="assign",
                unit_code=case.unit_code,
                note=AUTO_NOTE,
                evidence=f"{period} 期{court}通报",
                on=today,
                actor=ctx.actor[:128],
                at=ctx.at,
            )
        )
    ctx.session.flush()
    by_unit = dict(Counter(c.unit_code or "" for c in cases))
    audit.record(
        ctx,
        "enforcement.import",
        "enforcement_notice",
        notice.id,
        {
            "period": period,
            "court": court,
            "file": name,
            "sha256": digest,
            "cases": len(cases),
            "amount": str(sum((c.amount for c in cases), Decimal("0"))),
            "by_unit": by_unit,
            "due_on": due.isoformat(),
        },
    )
    return ImportOut(notice=NoticeOut.model_validate(notice), case_ids=[c.id for c in cases], by_unit=by_unit)
