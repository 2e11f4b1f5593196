"""JSON API ``/api/v1/government-overview``: 政务诚信与专项治理综合看板 (issue #11)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1/government-overview", tags=["政务诚信与专项治理综合看板"])
