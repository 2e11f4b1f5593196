"""The read side of notifications (``records.models.Notification``): what the caller was told, and marking it read.

A notification reaches the caller when it names the caller's account, the caller's subject (a subject's
account), the caller's department (its officers and API tokens), or the credit office (``to_office``: the
office's staff and the console operator). Queued by the case services through ``cases.notify``.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, func, or_, select

from xinyong.auth import audit
from xinyong.auth.context import Context
from xinyong.auth.permissions import require
from xinyong.db.base import fetch
from xinyong.errors import NotFound
from xinyong.records.cases import in_china
from xinyong.records.models import Notification
from xinyong.records.objection_schemas import NOTIFICATION_KINDS, NotificationOut

READ = "notifications.read"
LIMIT = 200
OFFICE_ROLES = frozenset({"credit_office_staff", "credit_office_admin", "system"})
CASE_PAGES = {"objection": "/objections", "repair": "/repairs", "commitment": "/commitments"}


def addressed_to(ctx: Context) -> ColumnElement[bool]:
    """SQL: the ``Notification`` is addressed to the caller."""
    terms: list[ColumnElement[bool]] = []
    if ctx.account_id is not None:
        terms.append(Notification.account_id == ctx.account_id)
    if ctx.role == "subject" and ctx.subject_id is not None:
        terms.append(Notification.subject_id == ctx.subject_id)
    if ctx.role == "department_officer" and ctx.department_id is not None:
        terms.append(Notification.department_id == ctx.department_id)
    if ctx.role in OFFICE_ROLES:
        terms.append(Notification.to_office.is_(True))
    return or_(*terms) if terms else false()


def _out(note: Notification) -> NotificationOut:
    return NotificationOut(
        id=note.id,
        case_type=note.case_type,
        case_id=note.case_id,
        kind=note.kind,
        kind_label=NOTIFICATION_KINDS.get(note.kind, note.kind),
        message=note.message,
        created_at=in_china(note.created_at),
        read_at=in_china(note.read_at) if note.read_at else None,
        link=f"{CASE_PAGES.get(note.case_type, '/' + note.case_type)}/{note.case_id}",
    )


def my_notifications(ctx: Context, unread_only: bool = False, limit: int = LIMIT) -> list[NotificationOut]:
    """The caller's notifications, newest first (at most ``limit``)."""
    require(ctx, READ)
    stmt = select(Notification).where(addressed_to(ctx))
    if unread_only:
        stmt = stmt.where(Notification.read_at.is_(None))
    rows = ctx.session.scalars(stmt.order_by(Notification.id.desc()).limit(max(1, min(limit, LIMIT))))
    return [_out(n) for n in rows]


def unread_count(ctx: Context) -> int:
    """How many of the caller's notifications are unread (0 for callers without notifications)."""
    require(ctx, READ)
    stmt = select(func.count()).select_from(Notification).where(addressed_to(ctx), Notification.read_at.is_(None))
    return ctx.session.scalar(stmt) or 0


def mark_read(ctx: Context, notification_id: int) -> NotificationOut:
    """Mark one of the caller's notifications read (audited; idempotent). Another's is ``NotFound``."""
    require(ctx, READ)
    note = fetch(ctx.session, Notification, notification_id)
    mine = select(Notification.id).where(Notification.id == notification_id, addressed_to(ctx))
    if note is None or ctx.session.scalar(mine) is None:
        raise NotFound(f"没有编号为 {notification_id} 的消息", field="notification_id")
    first = note.read_at is None
    if first:
        note.read_at = ctx.at
        ctx.session.flush()
    audit.record(ctx, "notifications.mark_read", "notification", note.id, {"first": first})
    return _out(note)
