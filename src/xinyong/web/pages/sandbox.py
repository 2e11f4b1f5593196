"""Pages of the data sandbox and the federated model (issue #10)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
