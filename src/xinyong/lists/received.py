"""Received lists (接收名单): lists kept by another authority (e.g. market supervision's 严重违法失信名单 and
经营异常名录), imported with their source from a CSV (UTF-8, UTF-8 with BOM, GBK) or .xlsx file.

Columns (Chinese headers, ``intake.parse`` reads the file): 统一社会信用代码 or 身份证号码 (one per row), 名称,
列入日期, 列入原因, 作出决定机关, 决定文书号, and optionally 移出日期. Each row's code is checked
(``lists.active.normal_code`` rules), its subject found by code (an ID number by its keyed hash) or created
unverified (待核实) through the subjects service; the entry is ``published`` from 列入日期 with the source
authority and the batch reference. A row with 移出日期 removes the matching entry (reason ``source_removed``),
or records a closed entry when the platform never had it.

All or nothing unless ``partial``: every rejected row is reported (row, column, reason in Chinese) and nothing
is written; with ``partial`` the good rows are imported and the others reported. Re-importing the same file
changes nothing: a row whose entry (same list, subject and 列入日期) exists is ``unchanged``.
"""

from __future__ import annotations

import hashlib
import io
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from xinyong.auth import audit, pii
from xinyong.auth.context import Context
from xinyong.auth.permissions import require
from xinyong.codes.check import check_code
from xinyong.codes.result import MESSAGES
from xinyong.codes.uscc import PLACEHOLDER
from xinyong.errors import Conflict, InvalidInput
from xinyong.intake import normalise
from xinyong.intake.load import xact_lock
from xinyong.intake.parse import RawRow, find_columns, open_table
from xinyong.intake.verify import SUBJECT_ID_LOCK
from xinyong.lists import entries
from xinyong.lists.entry_schemas import ImportResult, ImportRowError
from xinyong.lists.models import CLOSED_STATUSES, ListEntry
from xinyong.lists.types import ListType
from xinyong.records import cases
from xinyong.records.regimes import add_months
from xinyong.settings import get_settings
from xinyong.subjects.bulk import insert_subjects, next_subject_id
from xinyong.subjects.models import SUBJECT_KIND_LABELS, Subject
from xinyong.subjects.schemas import SubjectIn
from xinyong.subjects.service import prepare_subject_row

IMPORT = "lists.import"
MAX_ROWS = 100_000
CHUNK = 500
SHOWN_ERRORS = 5
NAME_MAX = 200
REASONS_MAX = 2000
AUTHORITY_MAX = 100  # list_entry.source_authority
DOC_NO_MAX = 64  # list_entry.decision_doc_no
SOURCE_REF_MAX = 200  # list_entry.source_ref

USCC, RIC, NAME, LISTED, REASONS, AUTHORITY, DOC_NO, REMOVED = (
    "统一社会信用代码",
    "身份证号码",
    "名称",
    "列入日期",
    "列入原因",
    "作出决定机关",
    "决定文书号",
    "移出日期",
)
# Header → column: each column's accepted header texts (compared trimmed, half-width, without a trailing *).
HEADERS: dict[str, tuple[str, ...]] = {
    USCC: (USCC, "统一代码"),
    RIC: (RIC, "公民身份号码", "身份证号", "证件号码"),
    NAME: (NAME, "主体名称", "企业名称", "当事人名称", "姓名"),
    LISTED: (LISTED, "列入时间"),
    REASONS: (REASONS, "列入事由"),
    AUTHORITY: (AUTHORITY, "决定机关", "作出列入决定机关"),
    DOC_NO: (DOC_NO, "文书号", "决定书文号"),
    REMOVED: (REMOVED, "移出时间"),
}
REQUIRED = (NAME, LISTED, REASONS, AUTHORITY, DOC_NO)


class ImportRowsInvalid(InvalidInput):
    """The file has errors; nothing was imported. ``errors`` lists every one (``extra`` carries them as JSON)."""

    def __init__(self, errors: list[ImportRowError]) -> None:
        shown = "；".join(
            (f"第 {e.row} 行 " if e.row else "") + (f"{e.column}：" if e.column else "") + e.reason
            for e in errors[:SHOWN_ERRORS]
        )
        more = f"（另有 {len(errors) - SHOWN_ERRORS} 处）" if len(errors) > SHOWN_ERRORS else ""
        super().__init__(f"名单文件有 {len(errors)} 处错误，未导入任何数据：{shown}{more}", field="file")
        self.errors = errors
        self.extra = {"errors": [e.model_dump() for e in errors]}


@dataclass
class _Row:
    row_no: int
    code: str
    kind: str  # uscc / ric
    name: str
    listed_on: date
    reasons: str
    authority: str
    doc_no: str
    removed_on: date | None
    subject_id: int | None = None
    subject_kind: str = ""


def _columns(headers: Sequence[str]) -> dict[str, int]:
    found = find_columns(headers, HEADERS)
    missing = [c for c in REQUIRED if c not in found]
    if USCC not in found and RIC not in found:
        missing.insert(0, f"{USCC}（或{RIC}）")
    if missing:
        raise InvalidInput(
            f"名单文件缺少列：{'、'.join(missing)}（应有 {USCC} 或 {RIC}、{NAME}、{LISTED}、{REASONS}、{AUTHORITY}、"
            f"{DOC_NO}，可选 {REMOVED}）",
            field="file",
        )
    return found


def _code_reason(raw: str, column: str, today: date) -> tuple[str, str] | str:
    """(normal form, kind) of the cell, or the reason it is refused (the value itself is never echoed: an ID
    number must not reach a report in clear)."""
    result = check_code(raw, "ric" if column == RIC else "auto", today)
    if not result.valid or result.kind == "unknown":
        return "代码无效：" + ("；".join(MESSAGES.get(p, p) for p in result.problems) or "无法识别的代码")
    code = result.converted or result.normalized
    if code == PLACEHOLDER:
        return "占位代码 00000000000000000X 不能用于名单，请填写主体的统一社会信用代码"
    if column == USCC and result.kind == "ric":
        return f"该列应填写统一社会信用代码；自然人请填写在“{RIC}”列"
    return code, result.kind


def _check_row(
    raw: RawRow, cols: dict[str, int], kind: ListType, today: date, errors: list[ImportRowError]
) -> _Row | None:
    before = len(errors)

    def error(column: str, reason: str) -> None:
        errors.append(ImportRowError(row=raw.row_no, column=column, reason=reason))

    def cell(column: str) -> str | None:
        index = cols.get(column)
        if index is None:
            return None
        if index in raw.problems:
            error(column, raw.problems[index])
            return None
        return normalise.text(raw.cells[index])

    def day(column: str, required: bool) -> date | None:
        index = cols.get(column)
        if index is None:
            return None
        if index in raw.problems:
            error(column, raw.problems[index])
            return None
        try:
            text = normalise.iso_date(raw.cells[index])
        except normalise.NormaliseError as exc:
            error(column, exc.reason)
            return None
        if text is None:
            if required:
                error(column, "不能为空")
            return None
        value = date.fromisoformat(text)
        if value > today:
            error(column, f"晚于今天（{today.isoformat()}），不能是将来的日期")
            return None
        return value

    def text(column: str, limit: int) -> str:
        value = cell(column)
        if value is None:
            if cols.get(column) is not None and cols[column] not in raw.problems:
                error(column, "不能为空")
            return ""
        if len(value) > limit:
            error(column, f"过长（最多 {limit} 个字符）")
        elif any(unicodedata.category(ch) in ("Cc", "Cs") and ch not in "\n\r\t" for ch in value):
            error(column, "含有不可见的控制字符（导出数据可能已损坏）")
        return value

    uscc, ric = cell(USCC), cell(RIC)
    code: tuple[str, str] | None = None
    if uscc and ric:
        error(USCC, f"{USCC}和{RIC}只能填写一个")
    elif not uscc and not ric:
        if not any(c in raw.problems for c in (cols.get(USCC), cols.get(RIC)) if c is not None):
            error(USCC if USCC in cols else RIC, f"请填写{USCC}（组织）或{RIC}（自然人）")
    else:
        column = USCC if uscc else RIC
        checked = _code_reason(uscc or ric or "", column, today)
        if isinstance(checked, str):
            error(column, checked)
        elif checked[1] == "ric" and "natural_person" not in kind.subject_kinds:
            error(column, f"“{kind.name}”不列入自然人")
        else:
            code = checked
    name = text(NAME, NAME_MAX)
    listed_on = day(LISTED, True)
    reasons = text(REASONS, REASONS_MAX)
    authority = text(AUTHORITY, AUTHORITY_MAX)
    doc_no = text(DOC_NO, DOC_NO_MAX)
    removed_on = day(REMOVED, False)
    if listed_on and removed_on and removed_on < listed_on:
        error(REMOVED, f"移出日期（{removed_on.isoformat()}）早于列入日期（{listed_on.isoformat()}）")
    if len(errors) > before or code is None or listed_on is None:
        return None
    return _Row(raw.row_no, code[0], code[1], name, listed_on, reasons, authority, doc_no, removed_on)


def _subject_kind(row: _Row) -> str:
    """The kind of a subject created from a row: GB 32100 authority 9 type 2 is an individual business."""
    if row.kind == "ric":
        return "natural_person"
    return "individual_business" if row.code[:2] == "92" else "legal_person"


def _find_subjects(ctx: Context, rows: Sequence[_Row], kind: ListType, errors: list[ImportRowError]) -> list[_Row]:
    """Link each row to the one subject its code names; a code held by several subjects (重码) or a subject of a
    kind the list does not take is a row error."""
    session = ctx.session
    by_uscc: dict[str, list[tuple[int, str]]] = {}
    by_hash: dict[str, list[tuple[int, str]]] = {}
    usccs = sorted({r.code for r in rows if r.kind == "uscc"})
    hashes = {r.code: pii.lookup_hash(r.code) for r in rows if r.kind == "ric"}
    for start in range(0, len(usccs), CHUNK):
        stmt = select(Subject.id, Subject.kind, Subject.uscc).where(Subject.uscc.in_(usccs[start : start + CHUNK]))
        for sid, skind, code in session.execute(stmt.order_by(Subject.id)):
            by_uscc.setdefault(code, []).append((int(sid), skind))
    wanted = sorted(set(hashes.values()))
    for start in range(0, len(wanted), CHUNK):
        stmt = select(Subject.id, Subject.kind, Subject.ric_hash).where(
            Subject.ric_hash.in_(wanted[start : start + CHUNK])
        )
        for sid, skind, digest in session.execute(stmt.order_by(Subject.id)):
            by_hash.setdefault(digest, []).append((int(sid), skind))
    kept: list[_Row] = []
    for row in rows:
        column = USCC if row.kind == "uscc" else RIC
        holders = by_uscc.get(row.code, []) if row.kind == "uscc" else by_hash.get(hashes[row.code], [])
        if len(holders) > 1:
            ids = "、".join(str(h[0]) for h in holders)
            errors.append(
                ImportRowError(
                    row=row.row_no, column=column, reason=f"该代码对应多个主体（重码：{ids}），请先纠错后再导入"
                )
            )
            continue
        if holders:
            row.subject_id, row.subject_kind = holders[0]
        else:
            row.subject_kind = _subject_kind(row)
        if row.subject_kind not in kind.subject_kinds:
            label = SUBJECT_KIND_LABELS.get(row.subject_kind, row.subject_kind)
            allowed = "、".join(SUBJECT_KIND_LABELS.get(k, k) for k in kind.subject_kinds)
            errors.append(
                ImportRowError(row=row.row_no, column=column, reason=f"该主体是{label}，“{kind.name}”只列入{allowed}")
            )
            continue
        kept.append(row)
    return kept


def _new_subject_rows(
    ctx: Context, rows: Sequence[_Row], source: str, errors: list[ImportRowError]
) -> list[dict[str, Any]]:
    """Validated registry rows for the rows' subjects not yet in the registry (one per code), ids unassigned."""
    made: dict[str, dict[str, Any]] = {}
    for row in rows:
        if row.subject_id is not None or row.code in made:
            continue
        data = SubjectIn(
            kind=row.subject_kind,
            name=row.name or "（名称未提供）",
            uscc=row.code if row.kind == "uscc" else None,
            ric=row.code if row.kind == "ric" else None,
            source=source[:64],
        )
        try:
            made[row.code] = prepare_subject_row(data, 0, ctx)
        except InvalidInput as exc:
            column = USCC if row.kind == "uscc" else RIC
            errors.append(ImportRowError(row=row.row_no, column=column, reason=exc.message))
    return list(made.values())


def _create_subjects(ctx: Context, new: list[dict[str, Any]]) -> dict[str, int]:
    """Insert the new subjects, marked unverified (待核实); code (USCC, or the ID number's hash) → id."""
    if not new:
        return {}
    session = ctx.session
    xact_lock(session, SUBJECT_ID_LOCK, "其他批次正在向主体库新增主体，请稍后重试")
    first = next_subject_id(session)
    for offset, row in enumerate(new):
        row["id"] = first + offset
        row["verified"] = False
    insert_subjects(session, new)
    return {(r["uscc"] or r["ric_hash"]): r["id"] for r in new}


def _existing(ctx: Context, list_code: str, subject_ids: Sequence[int]) -> dict[int, list[ListEntry]]:
    found: dict[int, list[ListEntry]] = {}
    ids = sorted(set(subject_ids))
    for start in range(0, len(ids), CHUNK):
        stmt = (
            select(ListEntry)
            .where(ListEntry.list_code == list_code, ListEntry.subject_id.in_(ids[start : start + CHUNK]))
            .order_by(ListEntry.id)
        )
        for entry in ctx.session.scalars(stmt):
            found.setdefault(entry.subject_id, []).append(entry)
    return found


@dataclass
class _Plan:
    """What each row will do: ``add`` (a new entry, closed when the row has 移出日期), ``remove`` an open entry,
    or nothing (already imported)."""

    add: list[_Row]
    remove: list[tuple[_Row, ListEntry]]
    unchanged: int


def _plan(
    kind: ListType, rows: Sequence[_Row], existing: dict[int, list[ListEntry]], errors: list[ImportRowError]
) -> _Plan:
    plan = _Plan([], [], 0)
    for row in rows:
        mine = existing.get(row.subject_id or 0, [])
        open_entry = next((e for e in mine if e.status not in CLOSED_STATUSES), None)
        same = next((e for e in mine if e.published_on == row.listed_on and e.status == "removed"), None)
        if open_entry is not None:
            if open_entry.status != "published" or open_entry.published_on != row.listed_on:
                shown = open_entry.published_on.isoformat() if open_entry.published_on else "未公示"
                errors.append(
                    ImportRowError(
                        row=row.row_no,
                        column=LISTED,
                        reason=f"该主体已在“{kind.name}”上（条目 {open_entry.id}，列入日期 {shown}），与本行列入日期"
                        f" {row.listed_on.isoformat()} 不一致；来源机关已移出原条目的，请在原条目的行填写移出日期",
                    )
                )
            elif row.removed_on is None:
                plan.unchanged += 1
            else:
                plan.remove.append((row, open_entry))
        elif same is not None:
            if row.removed_on is not None and same.removed_on != row.removed_on:
                errors.append(
                    ImportRowError(
                        row=row.row_no,
                        column=REMOVED,
                        reason=f"条目 {same.id} 已于 {same.removed_on.isoformat() if same.removed_on else '—'} 移出，"
                        f"与本行移出日期 {row.removed_on.isoformat()} 不一致",
                    )
                )
            else:
                plan.unchanged += 1  # imported and removed before: a re-import adds nothing
        else:
            plan.add.append(row)
    return plan


def import_received(
    ctx: Context, list_code: str, filename: str, content: bytes, source_ref: str, partial: bool = False
) -> ImportResult:
    """Import a received list's file (see the module docstring). ``ImportRowsInvalid`` (422, every row error)
    when a row is refused and not ``partial``; nothing is written then."""
    kind = entries.list_type(list_code)
    department = entries.require_list(ctx, kind, IMPORT)
    if kind.kind != "received":
        raise InvalidInput(
            f"“{kind.name}”是{kind.kind_label}，由本区依程序列入，不能导入；只有接收名单可导入", field="list_code"
        )
    source_ref = entries.clean(source_ref, "来源批次或文号", "source_ref", max_len=SOURCE_REF_MAX)
    name = entries.clean(filename, "文件名", "file", max_len=255)
    if not content:
        raise InvalidInput("文件为空", field="file")
    table = open_table(io.BytesIO(content), name, max_bytes=get_settings().intake_max_file_bytes)
    cols = _columns(table.headers)
    today = ctx.today
    errors: list[ImportRowError] = []
    rows: list[_Row] = []
    first_row: dict[str, int] = {}
    count = 0
    for raw in table.rows:
        if not any(c.strip() for c in raw.cells) and not raw.problems:
            continue
        count += 1
        if count > MAX_ROWS:
            errors.append(ImportRowError(row=0, column="", reason=f"行数超过上限 {MAX_ROWS}，请分批导入"))
            break
        checked = _check_row(raw, cols, kind, today, errors)
        if checked is None:
            continue
        if checked.code in first_row:
            column = USCC if checked.kind == "uscc" else RIC
            errors.append(
                ImportRowError(row=raw.row_no, column=column, reason=f"与第 {first_row[checked.code]} 行是同一主体")
            )
            continue
        first_row[checked.code] = raw.row_no
        rows.append(checked)
    if count == 0:
        raise ImportRowsInvalid([ImportRowError(row=0, column="", reason="文件没有数据行")])
    rows = _find_subjects(ctx, rows, kind, errors)
    existing = _existing(ctx, kind.code, [r.subject_id for r in rows if r.subject_id is not None])
    plan = _plan(kind, rows, existing, errors)
    new_subjects = _new_subject_rows(ctx, plan.add, f"名单导入:{kind.code}", errors)
    if errors and not partial:
        raise ImportRowsInvalid(sorted(errors, key=lambda e: e.row))
    rejected = {e.row for e in errors}
    plan.add = [r for r in plan.add if r.row_no not in rejected]
    wanted = {_key(r) for r in plan.add if r.subject_id is None}
    new_subjects = [s for s in new_subjects if (s["uscc"] or s["ric_hash"]) in wanted]
    session = ctx.session
    savepoint = session.begin_nested()
    try:
        created = _create_subjects(ctx, new_subjects)
        for row in plan.add:
            if row.subject_id is None:
                row.subject_id = created[_key(row)]
        added = _write(ctx, kind, department.id, plan, source_ref)
    except IntegrityError:
        savepoint.rollback()
        raise Conflict("导入期间该名单被他人修改（重复条目），未导入任何数据，请重试", code="duplicate_entry") from None
    except BaseException:
        if savepoint.is_active:
            savepoint.rollback()
        raise
    savepoint.commit()
    digest = hashlib.sha256(content).hexdigest()
    result = ImportResult(
        list_code=kind.code,
        source_ref=source_ref,
        filename=name,
        sha256=digest,
        rows=count,
        added=len(added),
        removed=len(plan.remove),
        unchanged=plan.unchanged,
        subjects_created=len(created),
        rejected=len(rejected),
        errors=sorted(errors, key=lambda e: e.row),
    )
    audit.record(
        ctx,
        "lists.import",
        "list_import",
        kind.code,
        {
            "source_ref": source_ref,
            "filename": name,
            "sha256": digest,
            "rows": count,
            "added": [e.id for e in added],
            "removed": [e.id for _, e in plan.remove],
            "unchanged": plan.unchanged,
            "subjects_created": sorted(created.values()),
            "rejected": sorted(rejected),
            "partial": partial,
        },
    )
    return result


def _key(row: _Row) -> str:
    return row.code if row.kind == "uscc" else pii.lookup_hash(row.code)


def _write(ctx: Context, kind: ListType, department_id: int, plan: _Plan, source_ref: str) -> list[ListEntry]:
    session = ctx.session
    months = kind.duration.months
    added: list[ListEntry] = []
    for row in plan.add:
        assert row.subject_id is not None
        expires = add_months(row.listed_on, months) if months else None
        removed = row.removed_on is not None
        entry = ListEntry(
            list_code=kind.code,
            list_version=kind.version,
            kind=kind.kind,
            subject_id=row.subject_id,
            parent_id=None,
            role="subject",
            department_id=department_id,
            status="removed" if removed else "published",
            reasons=row.reasons,
            basis="；".join(f"{b.document}{b.article}" for b in kind.legal_basis),
            case_ref="",
            defence_text="",
            decision_on=row.listed_on,
            decision_doc_no=row.doc_no,
            published_on=row.listed_on,
            expires_on=expires,
            commitment_text="",
            removal_reason="source_removed" if removed else None,
            removed_on=row.removed_on,
            removal_note=f"来源机关移出（{source_ref}）" if removed else "",
            source_authority=row.authority,
            source_ref=source_ref,
            created_by=ctx.actor,
            created_at=ctx.at,
        )
        session.add(entry)
        added.append(entry)
    session.flush()
    for row, entry in zip(plan.add, added, strict=True):
        note = f"来源：{row.authority}，{row.doc_no}，列入日期 {row.listed_on.isoformat()}；批次 {source_ref}"
        cases.log_event(ctx, entries.CASE, entry.id, "import", None, "published", note)
        if row.removed_on is not None:
            cases.log_event(
                ctx, entries.CASE, entry.id, "source_removed", "published", "removed", row.removed_on.isoformat()
            )
    for row, entry in plan.remove:
        assert row.removed_on is not None
        entry.status = "removed"
        entry.removal_reason = "source_removed"
        entry.removed_on = row.removed_on
        entry.removal_note = f"来源机关移出（{source_ref}）"
        cases.log_event(
            ctx,
            entries.CASE,
            entry.id,
            "source_removed",
            "published",
            "removed",
            f"{row.removed_on}；批次 {source_ref}",
        )
    cases.flush_locked(ctx, entries.LABEL)
    return added


# --------------------------------------------------------------------------------------------- one subject
def find_subject(ctx: Context, raw_code: str, field: str = "code") -> Subject | None:
    """The one subject a USCC or ID number names (an ID number by its keyed hash), None when the registry lacks
    it; ``InvalidInput`` for a bad code or a code held by several subjects (重码)."""
    checked = _code_reason(raw_code or "", "", ctx.today)
    if isinstance(checked, str):
        raise InvalidInput(checked, field=field)
    code, kind = checked
    column = Subject.uscc if kind == "uscc" else Subject.ric_hash
    value = code if kind == "uscc" else pii.lookup_hash(code)
    holders = list(ctx.session.scalars(select(Subject).where(column == value).order_by(Subject.id).limit(2)))
    if len(holders) > 1:
        raise InvalidInput("该代码对应多个主体（重码），请先纠错或按主体编号填写", field=field)
    return holders[0] if holders else None


def ensure_subject(ctx: Context, raw_code: str, name: str, field: str = "code") -> Subject:
    """The subject a USCC or ID number names, created unverified (待核实) when the registry lacks it — e.g. a
    responsible person entered with a listing proposal (``lists.manage``; the creation is audited)."""
    require(ctx, entries.MANAGE)
    found = find_subject(ctx, raw_code, field)
    if found is not None:
        return found
    checked = _code_reason(raw_code or "", "", ctx.today)
    assert not isinstance(checked, str)
    code, kind = checked
    shown = entries.clean(name, "姓名或名称（主体库中没有该代码，将按此新建）", field, max_len=NAME_MAX)
    row = _Row(0, code, kind, shown, ctx.today, "", "", "", None)
    data = SubjectIn(
        kind=_subject_kind(row),
        name=shown,
        uscc=code if kind == "uscc" else None,
        ric=code if kind == "ric" else None,
        source="名单列入",
    )
    prepared = prepare_subject_row(data, 0, ctx)
    new_id = _create_subjects(ctx, [prepared])[_key(row)]
    audit.record(ctx, "lists.register_subject", "subject", new_id, {"kind": prepared["kind"], "uscc": prepared["uscc"]})
    subject = ctx.session.get(Subject, new_id)
    assert subject is not None
    return subject
