"""``/api/v1/personal-scores``: the personal honesty score (issue #9 item 2): runs, a person's own score."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1/personal-scores", tags=["个人诚信分"])
