"""Pages: 公务员诚信档案与录用调任核查 (issue #11)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
