"""信用修复 pages (issue #5)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
