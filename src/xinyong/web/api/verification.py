"""``/api/v1/cases``: (issue #7)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1/cases", tags=["失信案例核查"])
