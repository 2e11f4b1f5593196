"""JSON API ``/api/v1/arrears``: 清理拖欠民营企业中小企业账款 (issue #11)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1/arrears", tags=["清理拖欠民营企业中小企业账款"])
