"""Batch import of government contracts from a CSV (UTF-8 or GBK) or Excel (.xlsx) file: one row per term, the
contract's columns repeated on each of its rows, rows grouped by 合同编号 (the intake parsers read the file).

Every problem is reported as ``{row, field, reason}`` in Chinese (row 1 = first data row): an unknown government
body (never guessed: by code, else by exact name), a body the importing department does not answer for, contract
columns differing between the rows of one contract (reported on the differing row), terms not adding up to the
contract amount (on the contract's first row, naming the difference), a contract number already registered, bad
dates, amounts or codes. All or nothing: a file with any problem stores nothing."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy import select

from xinyong.auth import audit
from xinyong.auth.context import Context
from xinyong.auth.permissions import PermissionDenied, require
from xinyong.errors import InvalidInput
from xinyong.government import contracts
from xinyong.government.bodies import body_index
from xinyong.government.contract_schemas import ContractIn, ImportResult, ImportRowError, TermIn
from xinyong.government.models import GovContract, PublicBody
from xinyong.intake import normalise
from xinyong.intake.parse import find_columns, open_table
from xinyong.settings import get_settings
from xinyong.subjects.names import normalize_name

MAX_ROWS = 5000
SHOWN_ERRORS = 5
NO, TITLE, GOV_NAME, GOV_CODE, PARTY_NAME, PARTY_CODE, AMOUNT, SIGNED, ENDS, SEQ, KIND, DESC, DUE, TERM_AMOUNT = (
    "合同编号",
    "合同名称",
    "政府方名称",
    "政府方统一社会信用代码",
    "相对方名称",
    "相对方统一社会信用代码",
    "合同金额（元）",
    "签订日期",
    "履行期限届满日",
    "节点序号",
    "节点类型",
    "节点说明",
    "应履行日期",
    "节点金额（元）",
)
COLUMNS = (
    NO,
    TITLE,
    GOV_NAME,
    GOV_CODE,
    PARTY_NAME,
    PARTY_CODE,
    AMOUNT,
    SIGNED,
    ENDS,
    SEQ,
    KIND,
    DESC,
    DUE,
    TERM_AMOUNT,
)
REQUIRED = (NO, TITLE, GOV_NAME, PARTY_NAME, AMOUNT, SIGNED, SEQ, KIND, DESC, DUE)
CONTRACT_COLUMNS = (TITLE, GOV_NAME, GOV_CODE, PARTY_NAME, PARTY_CODE, AMOUNT, SIGNED, ENDS)
KIND_WORDS = {"milestone": "milestone", "履约节点": "milestone", "履约": "milestone", "里程碑": "milestone"} | {
    "payment": "payment",
    "付款节点": "payment",
    "付款": "payment",
    "支付": "payment",
}
TERM_FIELDS = {"seq": SEQ, "kind": KIND, "due_on": DUE, "amount": TERM_AMOUNT, "description": DESC}
CONTRACT_FIELDS = {"amount": AMOUNT, "ends_on": ENDS, "signed_on": SIGNED}


class ContractImportInvalid(InvalidInput):
    """The file has problems; nothing was stored. ``errors`` lists every one (``extra`` carries them as JSON)."""

    def __init__(self, errors: list[ImportRowError]) -> None:
        shown = "；".join(
            (f"第 {e.row} 行 " if e.row else "") + (f"{e.field}：" if e.field else "") + e.reason
            for e in errors[:SHOWN_ERRORS]
        )
        more = f"（另有 {len(errors) - SHOWN_ERRORS} 处）" if len(errors) > SHOWN_ERRORS else ""
        super().__init__(f"合同文件有 {len(errors)} 处错误，未导入任何数据：{shown}{more}", field="file")
        self.errors = errors
        self.extra = {"errors": [e.model_dump() for e in errors]}


@dataclass
class _Row:
    row_no: int
    values: dict[str, object]  # contract columns as parsed (for the consistency check)
    term: TermIn


@dataclass
class _Contract:
    number: str
    first_row: int
    header: dict[str, object]
    body: PublicBody | None
    rows: list[_Row] = field(default_factory=list)


def _columns(headers: Sequence[str]) -> dict[str, int]:
    found = find_columns(headers, {c: (c,) for c in COLUMNS})
    missing = [c for c in REQUIRED if c not in found]
    if missing:
        raise InvalidInput(f"合同文件缺少列：{'、'.join(missing)}（应有 {'、'.join(COLUMNS)}）", field="file")
    return found


def parse_yuan(value: str) -> Decimal | None:
    """An amount in 元 (``1,234.50``, ``1234.5元``, full-width digits) → Decimal with ≤ 2 decimals, ≥ 0."""
    s = normalise.half_width(normalise.clean(value)).replace(",", "").replace("，", "")
    s = s.removesuffix("元").removeprefix("¥").removeprefix("￥").strip()
    if not s:
        return None
    if s.endswith("万") or s.endswith("万元"):
        raise normalise.NormaliseError(f"金额单位应为元：“{value.strip()}”请换算为元后只填写数字")
    try:
        number = Decimal(s)
    except InvalidOperation:
        raise normalise.NormaliseError(f"金额格式不正确：“{value.strip()}”，应为数字（单位元，如 12500.00）") from None
    if not number.is_finite():
        raise normalise.NormaliseError(f"金额格式不正确：“{value.strip()}”")
    if number < 0:
        raise normalise.NormaliseError(f"金额不能为负数：“{value.strip()}”")
    if number != number.quantize(contracts.CENT):
        raise normalise.NormaliseError(f"金额最多保留2位小数（元）：“{value.strip()}”")
    return number.quantize(contracts.CENT)


def _check_row(
    ctx: Context, raw_cells: Sequence[str], problems: dict[int, str], row_no: int, cols: dict[str, int], index: dict
) -> tuple[str, dict[str, object], TermIn | None, PublicBody | None, list[ImportRowError]]:
    errors: list[ImportRowError] = []

    def error(column: str, reason: str) -> None:
        errors.append(ImportRowError(row=row_no, field=column, reason=reason))

    def cell(column: str) -> str:
        i = cols.get(column)
        if i is None:
            return ""
        if i in problems:
            error(column, problems[i])
            return ""
        return normalise.clean(raw_cells[i])

    def required(column: str, limit: int) -> str:
        value = cell(column)
        if not value:
            if not any(e.field == column for e in errors):
                error(column, f"请填写{column}")
        elif len(value) > limit:
            error(column, f"{column}过长（最多 {limit} 个字符）")
        return value

    def day(column: str, need: bool) -> date | None:
        value = cell(column)
        if not value:
            if need and not any(e.field == column for e in errors):
                error(column, f"请填写{column}")
            return None
        try:
            text = normalise.iso_date(value)
        except normalise.NormaliseError as exc:
            error(column, exc.reason)
            return None
        return date.fromisoformat(text) if text else None

    def money(column: str, need: bool) -> Decimal | None:
        value = cell(column)
        try:
            number = parse_yuan(value)
        except normalise.NormaliseError as exc:
            error(column, exc.reason)
            return None
        if number is None and need and not any(e.field == column for e in errors):
            error(column, f"请填写{column}")
        return number

    number = required(NO, 64)
    values: dict[str, object] = {
        TITLE: required(TITLE, 200),
        GOV_NAME: required(GOV_NAME, 200),
        GOV_CODE: "",
        PARTY_NAME: required(PARTY_NAME, 200),
        PARTY_CODE: "",
        AMOUNT: money(AMOUNT, True),
        SIGNED: day(SIGNED, True),
        ENDS: day(ENDS, False),
    }
    try:
        values[GOV_CODE] = normalise.uscc(cell(GOV_CODE)) or ""
    except normalise.NormaliseError as exc:
        error(GOV_CODE, exc.reason)
    try:
        values[PARTY_CODE] = normalise.uscc(cell(PARTY_CODE)) or ""
    except normalise.NormaliseError as exc:
        error(PARTY_CODE, exc.reason)
    party = str(values[PARTY_CODE])
    if party and not any(e.field == PARTY_CODE for e in errors):
        try:
            contracts.counterparty_subject(ctx, party)
        except InvalidInput as exc:
            error(PARTY_CODE, exc.message)
    body = None
    gov_code, gov_name = str(values[GOV_CODE]), str(values[GOV_NAME])
    if gov_code:
        body = index.get(gov_code)
        if body is not None and gov_name and normalize_name(gov_name) != normalize_name(body.name):
            error(GOV_NAME, f"政府方名称“{gov_name}”与代码 {gov_code} 登记的“{body.name}”不一致")
    elif gov_name:
        body = index.get(normalize_name(gov_name))
    if body is None and (gov_code or gov_name) and not any(e.field in (GOV_NAME, GOV_CODE) for e in errors):
        shown = gov_name or gov_code
        error(GOV_NAME if gov_name else GOV_CODE, f"公共机构名录中没有“{shown}”，请先登记该政府方")
    elif body is not None:
        try:
            contracts.check_body_scope(ctx, body)
        except PermissionDenied as exc:  # a department importing a contract of a body it does not answer for
            error(GOV_NAME, exc.message)
    seq_text = cell(SEQ)
    seq = None
    try:
        seq_value = normalise.integer(seq_text)
        seq = int(seq_value) if seq_value is not None else None
    except normalise.NormaliseError as exc:
        error(SEQ, exc.reason)
    if seq is None and not any(e.field == SEQ for e in errors):
        error(SEQ, f"请填写{SEQ}")
    elif seq is not None and not 1 <= seq <= 999:
        error(SEQ, "节点序号应为 1 至 999 的整数")
    kind_text = cell(KIND)
    kind = KIND_WORDS.get(kind_text.lower()) if kind_text else None
    if kind is None and not any(e.field == KIND for e in errors):
        error(KIND, f"节点类型“{kind_text[:16]}”无效，应为 履约节点 或 付款节点" if kind_text else f"请填写{KIND}")
    description = required(DESC, 200)
    due = day(DUE, True)
    term_amount = money(TERM_AMOUNT, False)
    term = None
    if not errors:
        assert seq is not None and kind is not None and due is not None
        term = TermIn(seq=seq, kind=kind, description=description, due_on=due, amount=term_amount)
    return number, values, term, body, errors


def _group(ctx: Context, table_rows: object, cols: dict[str, int], errors: list[ImportRowError]) -> list[_Contract]:
    index = body_index(ctx)
    groups: dict[str, _Contract] = {}
    count = 0
    for raw in table_rows:  # type: ignore[attr-defined]
        if not any(c.strip() for c in raw.cells) and not raw.problems:
            continue
        count += 1
        if count > MAX_ROWS:
            errors.append(ImportRowError(row=0, field="", reason=f"行数超过上限 {MAX_ROWS}，请分批导入"))
            break
        number, values, term, body, row_errors = _check_row(ctx, raw.cells, raw.problems, raw.row_no, cols, index)
        errors.extend(row_errors)
        if not number:
            continue
        group = groups.get(number)
        if group is None:
            group = groups[number] = _Contract(number, raw.row_no, values, body)
        else:
            for column in CONTRACT_COLUMNS:
                if values[column] != group.header[column] and values[column] not in ("", None):
                    errors.append(
                        ImportRowError(
                            row=raw.row_no,
                            field=column,
                            reason=f"合同 {number} 的{column}“{values[column]}”与第 {group.first_row} 行"
                            f"“{group.header[column] or '（空）'}”不一致",
                        )
                    )
        if term is not None and not row_errors:
            group.rows.append(_Row(raw.row_no, values, term))
    if count == 0:
        errors.append(ImportRowError(row=0, field="", reason="文件没有数据行"))
    return list(groups.values())


def _check_contracts(ctx: Context, groups: list[_Contract], errors: list[ImportRowError]) -> list[ContractIn]:
    bad_rows = {e.row for e in errors}
    numbers = [g.number for g in groups]
    taken = set()
    for start in range(0, len(numbers), 500):
        chunk = numbers[start : start + 500]
        taken |= set(ctx.session.scalars(select(GovContract.contract_no).where(GovContract.contract_no.in_(chunk))))
    ready: list[ContractIn] = []
    for group in groups:
        if group.number in taken:
            errors.append(ImportRowError(row=group.first_row, field=NO, reason=f"合同编号“{group.number}”已登记"))
            continue
        if group.body is None or any(r.row_no in bad_rows for r in group.rows):
            continue
        amount, signed, ends = group.header[AMOUNT], group.header[SIGNED], group.header[ENDS]
        if not isinstance(amount, Decimal) or not isinstance(signed, date) or len(group.rows) == 0:
            continue
        terms = [r.term for r in group.rows]
        row_of = {r.term.seq: r.row_no for r in group.rows}  # a repeated seq: its later row
        problems = contracts.schedule_problems(amount, signed, ends if isinstance(ends, date) else None, terms)
        if signed > ctx.today:
            problems.append(contracts.Problem("signed_on", None, f"签订日期 {signed} 晚于今天"))
        mismatch = contracts.sum_problem(amount, contracts.payments_total(terms))
        problems += [mismatch] if mismatch else []
        for p in problems:
            if p.seq is None:
                errors.append(ImportRowError(row=group.first_row, field=CONTRACT_FIELDS[p.field], reason=p.reason))
            else:
                reason = f"合同 {group.number}：{p.reason}"
                errors.append(ImportRowError(row=row_of[p.seq], field=TERM_FIELDS[p.field], reason=reason))
        if problems:
            continue
        ready.append(
            ContractIn(
                contract_no=group.number,
                title=str(group.header[TITLE]),
                body_id=group.body.id,
                counterparty_name=str(group.header[PARTY_NAME]),
                counterparty_uscc=str(group.header[PARTY_CODE]),
                amount=amount,
                signed_on=signed,
                ends_on=ends if isinstance(ends, date) else None,
                terms=terms,
            )
        )
    return ready


def import_contracts(ctx: Context, filename: str, content: bytes) -> ImportResult:
    """Import every contract of the file, or nothing (``ContractImportInvalid`` with every row problem)."""
    require(ctx, contracts.MANAGE)
    name = (filename or "").strip()[:255] or "contracts.csv"
    if not content:
        raise InvalidInput("文件为空", field="file")
    table = open_table(io.BytesIO(content), name, max_bytes=get_settings().intake_max_file_bytes)
    cols = _columns(table.headers)
    errors: list[ImportRowError] = []
    groups = _group(ctx, table.rows, cols, errors)
    ready = _check_contracts(ctx, groups, errors)
    if errors:
        raise ContractImportInvalid(
            sorted(errors, key=lambda e: (e.row, COLUMNS.index(e.field) if e.field in COLUMNS else 0))
        )
    stored = [contracts.register_contract(ctx, data) for data in ready]
    terms = sum(len(d.terms) for d in ready)
    audit.record(
        ctx,
        "government.contract_import",
        "gov_contract",
        "import",
        {"file": name, "contracts": len(stored), "terms": terms},
    )
    return ImportResult(contracts=len(stored), terms=terms, contract_ids=[c.id for c in stored])
