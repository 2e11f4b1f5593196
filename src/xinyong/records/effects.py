"""The one effect path (design principle 5): how a case changes what the platform shows.

An objection opened or closed, a repair granted, a decision revoked, a period expired: each is one
``RecordEffect`` row on the record's natural key, written only through ``add_effect`` / ``close_effect``.
Everything downstream reads the effects rather than being told separately:

* publicity status (``records.status``) is computed from the record's dates and its effects for any ``as_of``,
  and the 双公示 pages, staff views, evaluation and reports filter by it;
* parts that keep state of their own (list entries resting on a record, issue #7) register a listener with
  ``on_effect``; every listener is called inside the same transaction as the effect it reacts to.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Literal

from sqlalchemy import func, select

from xinyong.auth.context import Context
from xinyong.records.models import CreditRecord, RecordEffect

EffectKind = Literal["objection", "repaired", "revoked", "expired"]
SourceType = Literal["objection", "repair", "revocation", "job"]
Listener = Callable[[Context, RecordEffect, Literal["added", "closed"]], None]

_LISTENERS: list[Listener] = []


def on_effect(listener: Listener) -> Listener:
    """Register ``listener(ctx, effect, "added" | "closed")`` (usable as a decorator; idempotent)."""
    if listener not in _LISTENERS:
        _LISTENERS.append(listener)
    return listener


def _fire(ctx: Context, effect: RecordEffect, change: Literal["added", "closed"]) -> None:
    for listener in list(_LISTENERS):
        listener(ctx, effect, change)


def announce_added_after(ctx: Context, last_id: int, kind: EffectKind) -> int:
    """Call the listeners for the ``kind`` effects with ids above ``last_id``: effects written set-based (the
    daily job's ``expired``) are heard like the ones ``add_effect`` writes. Loads nothing without listeners;
    returns how many effects were announced."""
    if not _LISTENERS:
        return 0
    rows = ctx.session.scalars(
        select(RecordEffect).where(RecordEffect.id > last_id, RecordEffect.kind == kind).order_by(RecordEffect.id)
    ).all()
    for effect in rows:
        _fire(ctx, effect, "added")
    return len(rows)


def last_effect_id(ctx: Context) -> int:
    """The highest effect id so far (0 when there is none): the mark ``announce_added_after`` starts from."""
    return ctx.session.scalar(select(func.max(RecordEffect.id))) or 0


def add_effect(
    ctx: Context,
    record: CreditRecord,
    kind: EffectKind,
    starts_on: date,
    *,
    source_type: SourceType,
    source_id: int | None,
    reason: str = "",
    ends_on: date | None = None,
) -> RecordEffect:
    """Attach an effect to ``record``'s natural key (it holds for every version). Called by the services
    that own the case, which check permission and write the audit event."""
    effect = RecordEffect(
        item_id=record.item_id,
        department_id=record.department_id,
        doc_no=record.doc_no,
        record_id=record.id,
        kind=kind,
        starts_on=starts_on,
        ends_on=ends_on,
        source_type=source_type,
        source_id=source_id,
        reason=reason,
        created_by=ctx.actor,
        created_at=ctx.at,
    )
    ctx.session.add(effect)
    ctx.session.flush()
    _fire(ctx, effect, "added")
    return effect


def close_effect(ctx: Context, effect: RecordEffect, ends_on: date) -> RecordEffect:
    """End an open interval effect (an objection's 异议中) on ``ends_on``: it no longer holds from that day."""
    if effect.ends_on is not None:
        return effect
    effect.ends_on = ends_on
    ctx.session.flush()
    _fire(ctx, effect, "closed")
    return effect


def effects_of(ctx: Context, record: CreditRecord, kind: EffectKind | None = None) -> list[RecordEffect]:
    """Effects on ``record``'s natural key, oldest first (optionally of one kind)."""
    stmt = select(RecordEffect).where(
        RecordEffect.item_id == record.item_id,
        RecordEffect.department_id == record.department_id,
        RecordEffect.doc_no == record.doc_no,
    )
    if kind:
        stmt = stmt.where(RecordEffect.kind == kind)
    return list(ctx.session.scalars(stmt.order_by(RecordEffect.id)))
