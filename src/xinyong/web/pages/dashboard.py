"""Pages of the leadership dashboard (大屏, issue #12 item 3)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
