"""已撤销: a decision revoked by its department (or the credit office on its behalf).

A revocation is one ``revoked`` effect on the record's natural key (``records.effects``), starting on the day
the revocation takes effect: from that day the record's status is 已撤销 (``records.status``) whatever else
holds, so it leaves the public pages, evaluation, lists and reports through the one effect path. It is
written by ``revoke_record`` only: the department that reported the record (``records.revoke`` for its own
department) or the credit office; a second revocation of the same record, a date in the future or before the
decision, and an empty reason or document number are refused.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from xinyong.auth import audit
from xinyong.auth.context import Context
from xinyong.auth.permissions import require, require_department
from xinyong.db.base import MAX_ID
from xinyong.errors import Conflict, InvalidInput, NotFound
from xinyong.records.effects import add_effect, effects_of
from xinyong.records.models import CreditRecord
from xinyong.records.schemas import Revocation
from xinyong.records.status import record_status

REVOKE = "records.revoke"
REASON_MAX = 2000
DOCUMENT_MAX = 64


def _clean(text: str | None, label: str, field: str, limit: int) -> str:
    value = (text or "").strip()
    if not value:
        raise InvalidInput(f"请填写{label}", field=field)
    if len(value) > limit:
        raise InvalidInput(f"{label}过长（最多 {limit} 字）", field=field)
    return value


def revoke_record(ctx: Context, record_id: int, revoked_on: date, reason: str, document: str) -> Revocation:
    """Record that the decision behind ``record_id`` was revoked on ``revoked_on`` (撤销决定 ``document``).

    ``PermissionDenied`` for anyone but the record's department and the credit office; ``NotFound`` for an
    unknown record; ``InvalidInput`` for an empty reason or document number, a future date or a date before
    the decision; ``Conflict`` when the record is already revoked."""
    require(ctx, REVOKE)
    record = None
    if 0 < record_id <= MAX_ID:
        # Locked (PostgreSQL) so two concurrent revocations of one record cannot both pass the check below.
        record = ctx.session.scalar(select(CreditRecord).where(CreditRecord.id == record_id).with_for_update())
    if record is None:
        raise NotFound("未找到该信用记录", field="record_id")
    require_department(ctx, record.department_id, REVOKE)
    text = _clean(reason, "撤销原因", "reason", REASON_MAX)
    doc = _clean(document, "撤销决定文书号", "document", DOCUMENT_MAX)
    if revoked_on > ctx.today:
        raise InvalidInput("撤销日期不能晚于今天", field="revoked_on")
    if revoked_on < record.decided_on:
        raise InvalidInput(f"撤销日期不能早于决定日期（{record.decided_on.isoformat()}）", field="revoked_on")
    earlier = effects_of(ctx, record, "revoked")
    if earlier:
        raise Conflict(f"该记录已于 {earlier[0].starts_on.isoformat()} 撤销，不能重复撤销", field="record_id")
    effect = add_effect(
        ctx,
        record,
        "revoked",
        revoked_on,
        source_type="revocation",
        source_id=None,
        reason=f"撤销决定文书号：{doc}；撤销原因：{text}",
    )
    audit.record(
        ctx,
        "records.revoke",
        "credit_record",
        record.id,
        {
            "item": record.item_id,
            "department_id": record.department_id,
            "doc_no": record.doc_no,
            "revoked_on": revoked_on.isoformat(),
            "document": doc,
            "reason": text,
            "effect_id": effect.id,
        },
    )
    status = record_status(ctx, record, revoked_on)
    return Revocation(
        record_id=record.id,
        effect_id=effect.id,
        revoked_on=revoked_on,
        document=doc,
        reason=text,
        status=status.code,
        status_label=status.label,
    )
