"""JSON API: bank (being built)."""

from fastapi import APIRouter

router = APIRouter()
