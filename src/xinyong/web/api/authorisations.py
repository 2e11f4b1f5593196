"""JSON API: authorisations (being built)."""

from fastapi import APIRouter

router = APIRouter()
