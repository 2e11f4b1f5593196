"""HTTP hardening middleware (being built)."""

from fastapi import FastAPI


def install(app: FastAPI) -> None:
    """Add the middleware to ``app``."""
