"""``/api/v1/privacy``: PSI and private membership queries against the compiled list sets (issue #10)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1/privacy", tags=["隐私计算"])
