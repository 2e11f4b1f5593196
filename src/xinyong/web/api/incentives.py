"""``/api/v1/incentives``: personal honesty score, scenarios, consent tokens, eligibility (issue #9)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1/incentives", tags=["守信激励"])
