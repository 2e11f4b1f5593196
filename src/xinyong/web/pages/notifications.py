"""Page ``/notifications``: the caller's notifications (decisions, progress, tasks, reminders, overdue flags),
newest first, with a mark-read button per unread one (posts the CSRF token). Login required."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from xinyong.auth.context import Context
from xinyong.db.base import MAX_ID
from xinyong.records import notices
from xinyong.web import csrf
from xinyong.web.deps import require_login
from xinyong.web.templating import render

router = APIRouter(include_in_schema=False)
Login = Annotated[Context, Depends(require_login)]
Csrf = Depends(csrf.csrf_protect)


@router.get("/notifications")
def notification_page(request: Request, ctx: Login, unread: Annotated[str, Query(max_length=8)] = "") -> Response:
    """The caller's notifications (``?unread=1``: unread only)."""
    unread_only = unread in ("1", "on", "true")
    rows = notices.my_notifications(ctx, unread_only)
    context = {
        "nav": "notifications",
        "rows": rows,
        "unread_only": unread_only,
        "unread": notices.unread_count(ctx),
    }
    return render(request, "notifications.html", context)


@router.post("/notifications/{notification_id}/read", dependencies=[Csrf])
def mark_read(notification_id: Annotated[int, Path(ge=1, le=MAX_ID)], ctx: Login) -> Response:
    """Mark one notification read and go back to the list."""
    notices.mark_read(ctx, notification_id)
    return RedirectResponse("/notifications", status_code=303)
