"""``/api/v1/checks``: (issue #7)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1/checks", tags=["联合奖惩一键查询"])
