"""JSON API ``/api/v1/campaigns``: 专项治理与屡禁不止、屡罚不改主体 (issue #11)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1/campaigns", tags=["专项治理与屡禁不止、屡罚不改主体"])
