"""``/api/v1/lending``: 信易贷 (issue #9 item 1): institutions, products, registrations, needs, outcomes."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1/lending", tags=["信易贷"])
