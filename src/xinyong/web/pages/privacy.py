"""Pages of privacy-preserving queries (issue #10): compiled sets and exchange logs, the sandbox, federated runs."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
