"""Pages of the personal honesty score (issue #9 item 2): a person's own score and reasons; the office's runs."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
