"""``/api/v1/dashboard``: the leadership dashboard's live figures (大屏, issue #12 item 3)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1/dashboard", tags=["领导驾驶舱"])
