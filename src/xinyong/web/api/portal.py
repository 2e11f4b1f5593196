"""``/api/v1/portal``: the portal's articles and honest-enterprise selections (issue #8)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1/portal", tags=["门户网站"])
