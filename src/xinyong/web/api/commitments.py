"""`/api/v1/commitments`: 信用承诺 (issue #5)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1/commitments", tags=["信用承诺"])
