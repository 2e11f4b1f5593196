"""JSON API: audit (being built)."""

from fastapi import APIRouter

router = APIRouter()
