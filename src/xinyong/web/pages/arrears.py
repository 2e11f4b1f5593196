"""Pages: 清理拖欠民营企业中小企业账款 (issue #11)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
