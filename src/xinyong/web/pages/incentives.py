"""Pages of the personal honesty score and incentive scenarios (issue #9 items 2–4)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
