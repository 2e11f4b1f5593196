"""JSON API ``/api/v1/integrity``: 公务员诚信档案与录用调任核查 (issue #11)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1/integrity", tags=["公务员诚信档案与录用调任核查"])
