"""Government-integrity records (政务失信记录, issue #11 item 2): the one function that turns a default of a public
body (a contract default, an overdue arrears entry, an enforcement case) into a record, and the read side.

One record per source (``source_kind``, ``source_id``): calling again for the same source returns the stored
record unchanged, so a daily job may call it every day. Records are never updated or deleted.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from xinyong.auth import audit
from xinyong.auth.context import Context
from xinyong.auth.permissions import require
from xinyong.errors import InvalidInput
from xinyong.government.models import GovIntegrityRecord

SOURCE_KINDS: dict[str, str] = {
    "contract_default": "政府合同违约",
    "arrears_overdue": "拖欠民营企业中小企业账款逾期未清偿",
    "enforcement_case": "作为被执行人的执行案件",
}
READ = "government.read"


def record_default(
    ctx: Context,
    body_id: int,
    source_kind: str,
    source_id: int,
    summary: str,
    occurred_on: date,
    amount: Decimal | None = None,
) -> tuple[GovIntegrityRecord, bool]:
    """The record of ``source`` (created now if there is none: audited). Returns (record, created). The caller's
    service has checked its own permission; this is part of that action."""
    if source_kind not in SOURCE_KINDS:
        raise InvalidInput(f"政务失信记录来源“{source_kind}”无效", field="source_kind")
    found = ctx.session.scalar(
        select(GovIntegrityRecord).where(
            GovIntegrityRecord.source_kind == source_kind, GovIntegrityRecord.source_id == source_id
        )
    )
    if found is not None:
        return found, False
    record = GovIntegrityRecord(
        body_id=body_id,
        source_kind=source_kind,
        source_id=source_id,
        summary=summary[:500],
        amount=amount,
        occurred_on=occurred_on,
        recorded_by=ctx.actor[:128],
        recorded_at=ctx.at,
    )
    ctx.session.add(record)
    ctx.session.flush()
    audit.record(
        ctx,
        "government.integrity_record",
        "gov_integrity_record",
        record.id,
        {"body": body_id, "source": source_kind, "source_id": source_id},
    )
    return record, True


def records_of(ctx: Context, body_id: int | None = None, since: date | None = None) -> list[GovIntegrityRecord]:
    """Government-integrity records, newest first, optionally of one body and from ``since``."""
    require(ctx, READ)
    query = select(GovIntegrityRecord).order_by(GovIntegrityRecord.occurred_on.desc(), GovIntegrityRecord.id.desc())
    if body_id is not None:
        query = query.where(GovIntegrityRecord.body_id == body_id)
    if since is not None:
        query = query.where(GovIntegrityRecord.occurred_on >= since)
    return list(ctx.session.scalars(query))
