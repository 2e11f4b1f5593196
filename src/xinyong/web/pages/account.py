"""Pages: account (being built)."""

from fastapi import APIRouter

router = APIRouter()
