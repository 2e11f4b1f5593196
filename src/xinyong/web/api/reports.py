"""``/api/v1/reports``: credit reports (issue #8) — issue, list, download, verify."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1/reports", tags=["信用报告"])
