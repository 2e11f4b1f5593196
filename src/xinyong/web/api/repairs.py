"""`/api/v1/repairs`: 信用修复 (issue #5)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1/repairs", tags=["信用修复"])
