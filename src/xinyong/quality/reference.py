"""Reference lists: decisions the credit office knows of from another source (a department's case list, a
court or press list), uploaded to find omissions (瞒报/漏报, rules.md §3).

A list has the columns 文书号, 决定日期 and optionally 行政相对人名称 (the item's own labels, e.g.
行政处罚决定书文号 / 处罚决定日期, and the English keys ``doc_no`` / ``decided_on`` / ``subject_name`` are
accepted too). Loading is all-or-nothing with a Chinese reason per row, and idempotent on (item, department,
document number): a decision already registered with the same date is left as it is; one registered with
another date is an error, because stored reference data is never changed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, BinaryIO

from sqlalchemy import select

from xinyong.auth import audit
from xinyong.auth.context import Context
from xinyong.auth.permissions import require
from xinyong.catalog.items import DataItem
from xinyong.errors import InvalidInput, NotFound
from xinyong.intake import normalise
from xinyong.intake.parse import RawRow, Table, find_columns, open_table, table_from_records
from xinyong.quality.models import ReferenceDecision
from xinyong.quality.schemas import ReferenceLoadResult, ReferenceRowError
from xinyong.quality.scorecard import catalogue_item
from xinyong.subjects.models import Department

DOC_NO_MAX = 64  # reference_decision.doc_no
SUBJECT_MAX = 200  # reference_decision.subject_name
LIST_NAME_MAX = 200  # reference_decision.list_name
MAX_ROWS = 200_000
CHUNK = 500
SHOWN_ERRORS = 5

DOC_LABEL, DATE_LABEL, SUBJECT_LABEL = "文书号", "决定日期", "行政相对人名称"


class ReferenceRowsInvalid(InvalidInput):
    """The list has errors; nothing was stored. ``errors`` lists every one (``extra`` carries them as JSON)."""

    def __init__(self, errors: list[ReferenceRowError]) -> None:
        shown = "；".join(
            (f"第 {e.row} 行 " if e.row else "") + (f"{e.field}：" if e.field else "") + e.reason
            for e in errors[:SHOWN_ERRORS]
        )
        more = f"（另有 {len(errors) - SHOWN_ERRORS} 处）" if len(errors) > SHOWN_ERRORS else ""
        super().__init__(f"参照清单有 {len(errors)} 处错误，未登记任何数据：{shown}{more}", field="rows")
        self.errors = errors
        self.extra = {"errors": [e.model_dump() for e in errors]}


@dataclass(frozen=True)
class _Columns:
    doc: int
    decided: int
    subject: int | None


def _columns(item: DataItem, headers: Sequence[str]) -> _Columns:
    roles = item.roles
    wanted = {
        "doc": (DOC_LABEL, item.field(roles.document).label, "doc_no"),
        "decided": (DATE_LABEL, item.field(roles.decided_on).label, "decided_on"),
        "subject": (SUBJECT_LABEL, item.field(roles.subject_name).label, "subject_name"),
    }
    found = find_columns(headers, wanted)
    missing = [wanted[p][0] for p in ("doc", "decided") if p not in found]
    if missing:
        raise InvalidInput(
            f"参照清单缺少列：{'、'.join(missing)}（应有 {DOC_LABEL}、{DATE_LABEL}，可选 {SUBJECT_LABEL}）",
            field="rows",
        )
    return _Columns(found["doc"], found["decided"], found.get("subject"))


@dataclass(frozen=True)
class _Row:
    row_no: int
    doc_no: str
    decided_on: date
    subject_name: str


def _check_row(raw: RawRow, cols: _Columns, today: date, errors: list[ReferenceRowError]) -> _Row | None:
    before = len(errors)

    def problem(label: str, index: int | None) -> bool:
        if index is not None and index in raw.problems:
            errors.append(ReferenceRowError(row=raw.row_no, field=label, reason=raw.problems[index]))
            return True
        return False

    doc_no: str | None = None
    if not problem(DOC_LABEL, cols.doc):
        doc_no = normalise.text(raw.cells[cols.doc])
        if doc_no is None:
            errors.append(ReferenceRowError(row=raw.row_no, field=DOC_LABEL, reason="不能为空"))
        elif len(doc_no) > DOC_NO_MAX:
            errors.append(
                ReferenceRowError(row=raw.row_no, field=DOC_LABEL, reason=f"过长（最多 {DOC_NO_MAX} 个字符）")
            )
    decided: date | None = None
    if not problem(DATE_LABEL, cols.decided):
        try:
            text = normalise.iso_date(raw.cells[cols.decided])
        except normalise.NormaliseError as exc:
            errors.append(ReferenceRowError(row=raw.row_no, field=DATE_LABEL, reason=exc.reason))
        else:
            if text is None:
                errors.append(ReferenceRowError(row=raw.row_no, field=DATE_LABEL, reason="不能为空"))
            else:
                decided = date.fromisoformat(text)
                if decided > today:
                    reason = f"晚于今天（{today.isoformat()}），决定日期不能是将来的日期"
                    errors.append(ReferenceRowError(row=raw.row_no, field=DATE_LABEL, reason=reason))
    subject = ""
    if cols.subject is not None and not problem(SUBJECT_LABEL, cols.subject):
        subject = normalise.text(raw.cells[cols.subject]) or ""
        if len(subject) > SUBJECT_MAX:
            reason = f"过长（最多 {SUBJECT_MAX} 个字符）"
            errors.append(ReferenceRowError(row=raw.row_no, field=SUBJECT_LABEL, reason=reason))
    if len(errors) > before or doc_no is None or decided is None:
        return None
    return _Row(raw.row_no, doc_no, decided, subject)


def _existing(ctx: Context, item_id: str, department_id: int, doc_nos: list[str]) -> dict[str, ReferenceDecision]:
    found: dict[str, ReferenceDecision] = {}
    for start in range(0, len(doc_nos), CHUNK):
        part = doc_nos[start : start + CHUNK]
        query = select(ReferenceDecision).where(
            ReferenceDecision.item_id == item_id,
            ReferenceDecision.department_id == department_id,
            ReferenceDecision.doc_no.in_(part),
        )
        found.update((r.doc_no, r) for r in ctx.session.scalars(query))
    return found


def _load_table(ctx: Context, item_id: str, department_id: int, table: Table, list_name: str) -> ReferenceLoadResult:
    require(ctx, "quality.reference_upload")
    item = catalogue_item(item_id)
    department = ctx.session.get(Department, department_id)
    if department is None:
        raise NotFound(f"部门 {department_id} 未登记，请先运行 xinyong departments add 登记该部门", field="department")
    name = normalise.text(list_name or "")
    if name is None:
        raise InvalidInput("请填写清单名称（如“2026年第三季度案件台账”）", field="list_name")
    if len(name) > LIST_NAME_MAX:
        raise InvalidInput(f"清单名称过长（最多 {LIST_NAME_MAX} 个字符）", field="list_name")
    cols = _columns(item, table.headers)
    errors: list[ReferenceRowError] = []
    rows: list[_Row] = []
    first_row: dict[str, int] = {}
    for raw in table.rows:
        if not any(c.strip() for c in raw.cells) and not raw.problems:
            continue  # a blank line
        if len(rows) + len(errors) >= MAX_ROWS:
            errors.append(ReferenceRowError(row=0, field="", reason=f"行数超过上限 {MAX_ROWS}，请分批上传"))
            break
        checked = _check_row(raw, cols, ctx.today, errors)
        if checked is None:
            continue
        if checked.doc_no in first_row:
            reason = f"与第 {first_row[checked.doc_no]} 行重复"
            errors.append(ReferenceRowError(row=raw.row_no, field=DOC_LABEL, reason=reason))
            continue
        first_row[checked.doc_no] = raw.row_no
        rows.append(checked)
    if not rows and not errors:
        errors.append(ReferenceRowError(row=0, field="", reason="清单没有数据行"))
    existing = _existing(ctx, item.id, department.id, [r.doc_no for r in rows])
    for r in rows:
        old = existing.get(r.doc_no)
        if old is not None and old.decided_on != r.decided_on:
            reason = (
                f"{r.doc_no} 已登记（清单“{old.list_name}”），决定日期为 {old.decided_on.isoformat()}，"
                f"与本次的 {r.decided_on.isoformat()} 不一致；已登记的参照数据不作修改，请核实"
            )
            errors.append(ReferenceRowError(row=r.row_no, field=DATE_LABEL, reason=reason))
    if errors:
        raise ReferenceRowsInvalid(sorted(errors, key=lambda e: e.row))
    new = [r for r in rows if r.doc_no not in existing]
    ctx.session.add_all(
        ReferenceDecision(
            item_id=item.id,
            department_id=department.id,
            doc_no=r.doc_no,
            decided_on=r.decided_on,
            subject_name=r.subject_name,
            list_name=name,
            uploaded_by=ctx.actor,
            uploaded_at=ctx.at,
        )
        for r in new
    )
    ctx.session.flush()
    result = ReferenceLoadResult(
        item=item.id,
        department=department.code,
        list_name=name,
        rows=len(rows),
        added=len(new),
        unchanged=len(rows) - len(new),
    )
    if new:
        detail: dict[str, Any] = result.model_dump() | {"format": table.format}
        audit.record(ctx, "quality.reference_upload", "reference_decision", f"{item.id}:{department.code}", detail)
    return result


def load_reference(
    ctx: Context, item_id: str, department_id: int, rows: Sequence[Mapping[str, object]], *, list_name: str
) -> ReferenceLoadResult:
    """Register the decisions of a reference list given as rows keyed by column header
    (``quality.reference_upload``, audited, all or nothing, idempotent on the document number)."""
    require(ctx, "quality.reference_upload")
    return _load_table(ctx, item_id, department_id, table_from_records(rows), list_name)


def load_reference_file(
    ctx: Context,
    item_id: str,
    department_id: int,
    source: BinaryIO,
    filename: str,
    *,
    list_name: str,
    max_bytes: int | None = None,
) -> ReferenceLoadResult:
    """``load_reference`` for a CSV (UTF-8 or GBK) or .xlsx file, read by ``xinyong.intake.parse.open_table``."""
    require(ctx, "quality.reference_upload")
    return _load_table(ctx, item_id, department_id, open_table(source, filename, max_bytes=max_bytes), list_name)
