"""HTML pages for quality (issue #4). Routes are added by the module's owner."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
