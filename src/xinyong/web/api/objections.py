"""`/api/v1/objections`: 异议 (issue #5)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1/objections", tags=["异议"])
