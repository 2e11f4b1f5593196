"""`/api/v1/lifecycle`: 公示状态 (issue #5)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1/lifecycle", tags=["公示状态"])
