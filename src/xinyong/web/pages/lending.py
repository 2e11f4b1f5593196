"""Pages of 信易贷 (issue #9 item 1) for institutions, enterprises and the credit office."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
