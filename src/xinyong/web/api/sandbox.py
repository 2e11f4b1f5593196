"""``/api/v1/sandbox``: the data sandbox (数据安全屋) and the federated model (issue #10)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1/sandbox", tags=["数据安全屋"])
