"""``/api/v1/lists``: (issue #7)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1/lists", tags=["失信名单与红名单"])
