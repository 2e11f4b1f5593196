"""Append to and verify the hash-chained audit log."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from xinyong.auth.context import Context
from xinyong.auth.models import AuditEvent

GENESIS = "0" * 64


def _canonical(event: AuditEvent) -> bytes:
    at = event.at if event.at.tzinfo else event.at.replace(tzinfo=UTC)
    body = {
        "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor": event.actor,
        "role": event.role,
        "action": event.action,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "outcome": event.outcome,
        "request_id": event.request_id,
        "detail": event.detail,
        "prev_hash": event.prev_hash,
    }
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def _digest(event: AuditEvent) -> str:
    return hashlib.sha256(_canonical(event)).hexdigest()


def record(
    ctx: Context,
    action: str,
    target_type: str,
    target_id: str | int,
    detail: dict[str, Any] | None = None,
    outcome: str = "ok",
) -> AuditEvent:
    """Append one event to the chain inside the caller's transaction."""
    session = ctx.session
    if session.get_bind().dialect.name == "postgresql":
        # Serialise appenders so the chain never forks (released at commit).
        session.execute(text("SELECT pg_advisory_xact_lock(7355608)"))
    prev = session.scalar(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1))
    event = AuditEvent(
        at=ctx.at.astimezone(UTC),
        actor=ctx.actor,
        role=ctx.role,
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        outcome=outcome,
        request_id=ctx.request_id,
        detail=detail or {},
        prev_hash=prev or GENESIS,
    )
    event.hash = _digest(event)
    session.add(event)
    session.flush()
    return event


@dataclass(frozen=True)
class ChainReport:
    """Outcome of ``verify_chain``."""

    events: int
    ok: bool
    first_bad_id: int | None = None
    reason: str = ""


def verify_chain(session: Session) -> ChainReport:
    """Recompute every hash in order; report the first event that does not match."""
    prev = GENESIS
    count = 0
    for event in session.scalars(select(AuditEvent).order_by(AuditEvent.id)).yield_per(1000):
        count += 1
        if event.prev_hash != prev:
            return ChainReport(count, False, event.id, "prev_hash 不连续 (chain broken)")
        if _digest(event) != event.hash:
            return ChainReport(count, False, event.id, "内容与哈希不符 (event modified)")
        prev = event.hash
    return ChainReport(count, True)
