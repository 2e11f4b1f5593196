"""``/api/v1/notifications``: the caller's notifications (issue #5): case decisions and progress for applicants,
tasks, reminders and overdue flags for handlers (``records.notices``). Any logged-in caller reads its own;
another's notification is 404. Marking one read changes state: cookie calls send ``X-CSRF-Token``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from xinyong.db.base import MAX_ID
from xinyong.records import notices
from xinyong.records.objection_schemas import NotificationOut
from xinyong.web.errors import error_responses
from xinyong.web.security import CSRF, DENIED, SECURED, LoggedIn

router = APIRouter(prefix="/api/v1/notifications", tags=["消息通知"], dependencies=SECURED)


@router.get("", response_model=list[NotificationOut], summary="我的消息", responses=error_responses(*DENIED, 422))
def my_notifications(
    ctx: LoggedIn, unread_only: Annotated[bool, Query(description="只看未读")] = False
) -> list[NotificationOut]:
    """The caller's notifications, newest first (at most 200)."""
    return notices.my_notifications(ctx, unread_only)


@router.post(
    "/{notification_id}/read",
    response_model=NotificationOut,
    summary="标记为已读",
    responses=error_responses(*DENIED, 404, 422),
    dependencies=CSRF,
)
def mark_read(
    notification_id: Annotated[int, Path(ge=1, le=MAX_ID, description="消息编号")], ctx: LoggedIn
) -> NotificationOut:
    """Mark one of the caller's notifications read (idempotent)."""
    return notices.mark_read(ctx, notification_id)
