"""Pages: 涉党政机关和国有企业执行案件 (issue #11)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
