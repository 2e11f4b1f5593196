"""Read side of intake: one batch's summary, lists of batches. Permission ``intake.read``: department officers
see their own department's batches only; every read is audited (batch feedback is not public data)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from xinyong.auth import audit
from xinyong.auth.context import Context
from xinyong.auth.permissions import require, require_department
from xinyong.catalog.items import load_catalog
from xinyong.db.base import fetch
from xinyong.errors import InvalidInput, NotFound
from xinyong.intake.models import IntakeBatch, IntakeIssue
from xinyong.intake.schemas import MAX_MESSAGES, BatchOut, BatchSummary, RowMessage
from xinyong.subjects.models import Department

READ = "intake.read"
MAX_LIMIT = 500
MAX_OFFSET = 1_000_000


def held(batch: IntakeBatch) -> int:
    """Valid rows an all-or-nothing batch did not load because other rows had errors."""
    return max(batch.rows - batch.accepted - batch.unchanged - batch.rejected, 0)


def batch_or_404(ctx: Context, batch_id: int) -> IntakeBatch:
    """The batch, if the actor may read it (``intake.read``, own department for officers); else NotFound /
    PermissionDenied. Not audited: callers record their own read."""
    require(ctx, READ)
    batch = fetch(ctx.session, IntakeBatch, batch_id)
    if batch is None:
        raise NotFound(f"报送批次 {batch_id} 不存在", field="batch_id")
    require_department(ctx, batch.department_id, READ)
    return batch


def _messages(session: Session, batch: IntakeBatch, level: str, total: int, label: str) -> list[RowMessage]:
    rows = session.execute(
        select(IntakeIssue.row_no, IntakeIssue.field, IntakeIssue.reason)
        .where(IntakeIssue.batch_id == batch.id, IntakeIssue.level == level)
        .order_by(IntakeIssue.row_no, IntakeIssue.id)
        .limit(MAX_MESSAGES)
    ).all()
    listed = [RowMessage(row=r.row_no, field=r.field, reason=r.reason) for r in rows]
    if total > len(listed):
        note = f"另有 {total - len(listed)} 条{label}未在此列出，完整清单见该批次的反馈表"
        listed.append(RowMessage(row=0, field="", reason=note))
    return listed


def batch_summary(ctx: Context, batch_id: int) -> BatchSummary:
    """The stored summary of one batch (counts and the first ``MAX_MESSAGES`` errors and warnings). Audited."""
    batch = batch_or_404(ctx, batch_id)
    session = ctx.session
    department = session.get(Department, batch.department_id)
    error_count = session.scalar(
        select(func.count())
        .select_from(IntakeIssue)
        .where(IntakeIssue.batch_id == batch.id, IntakeIssue.level == "error")
    )
    summary = BatchSummary(
        batch_id=batch.id,
        item=batch.item_id,
        department=department.name if department else "",
        status=batch.status,
        rows=batch.rows,
        accepted=batch.accepted,
        rejected=batch.rejected,
        unchanged=batch.unchanged,
        superseded=batch.superseded,
        held=held(batch),
        warnings=_messages(session, batch, "warning", batch.warnings, "警告"),
        errors=_messages(session, batch, "error", error_count or 0, "错误"),
        file_error=batch.file_error,
    )
    audit.record_read(ctx, "intake_batch", batch.id, {"department_id": batch.department_id})
    return summary


def list_batches(ctx: Context, department_id: int | None = None, *, limit: int = 50, offset: int = 0) -> list[BatchOut]:
    """Batches, newest first; a department officer's own department when ``department_id`` is None. Audited."""
    require(ctx, READ)
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"每页条数应在 1 到 {MAX_LIMIT} 之间", field="limit")
    if not 0 <= offset <= MAX_OFFSET:
        raise InvalidInput(f"分页位置应在 0 到 {MAX_OFFSET} 之间", field="offset")
    if department_id is None and ctx.role == "department_officer":
        department_id = ctx.department_id
    if department_id is not None or ctx.role == "department_officer":
        require_department(ctx, department_id, READ)
    stmt = select(IntakeBatch, Department.code, Department.name).join(
        Department, Department.id == IntakeBatch.department_id
    )
    if department_id is not None:
        stmt = stmt.where(IntakeBatch.department_id == department_id)
    rows = ctx.session.execute(stmt.order_by(IntakeBatch.id.desc()).limit(limit).offset(offset)).all()
    items = load_catalog().items
    out = [
        BatchOut(
            id=b.id,
            item_id=b.item_id,
            item_name=items[b.item_id].name if b.item_id in items else b.item_id,
            item_version=b.item_version,
            department_id=b.department_id,
            department_code=code,
            department_name=name,
            channel=b.channel,
            filename=b.filename,
            partial=b.partial,
            status=b.status,
            rows=b.rows,
            accepted=b.accepted,
            rejected=b.rejected,
            unchanged=b.unchanged,
            superseded=b.superseded,
            held=held(b),
            warnings=b.warnings,
            file_error=b.file_error,
            submitted_on=b.submitted_on,
            created_by=b.created_by,
            created_at=b.created_at,
        )
        for b, code, name in rows
    ]
    detail = {"department_id": department_id, "limit": limit, "offset": offset, "returned": len(out)}
    audit.record_read(ctx, "intake_batch", "*", detail)
    return out
