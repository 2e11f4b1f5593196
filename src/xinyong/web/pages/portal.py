"""Pages of the portal's own content (issue #8): articles, innovation cases, honest-enterprise selections."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
