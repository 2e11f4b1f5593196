"""JSON API: staff (being built)."""

from fastapi import APIRouter

router = APIRouter()
