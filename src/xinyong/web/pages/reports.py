"""Pages of credit reports (issue #8): issue and download, and the public verification page."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
