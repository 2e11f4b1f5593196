"""Pages: 政务诚信与专项治理综合看板 (issue #11)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
