"""``/api/v1/notifications``: the caller's notifications (issue #5)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1/notifications", tags=["消息通知"])
