"""Typed settings read from the environment (prefix ``XINYONG_``); documented in docs/settings.md."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[2]


class Settings(BaseSettings):
    """All run-time configuration of the platform."""

    model_config = SettingsConfigDict(env_prefix="XINYONG_", env_file=".env", extra="ignore")

    database_url: str = Field(
        default=f"sqlite:///{PROJECT_ROOT / 'var' / 'xinyong.db'}",
        description="SQLAlchemy URL; SQLite file by default, postgresql+psycopg://... in production.",
    )
    today: date | None = Field(
        default=None, description="Pin the platform's 'today' (demos, tests); unset in production."
    )
    calendar_fallback: Literal["strict", "weekends_only"] = Field(
        default="strict",
        description="What to do for a year neither chinesecalendar nor the override table covers.",
    )
    pii_key: str = Field(
        default="",
        description="Fernet key (urlsafe base64, 32 bytes) encrypting personal identifiers at rest.",
    )
    pii_hash_key: str = Field(
        default="",
        description="Secret for the keyed hash (HMAC-SHA256) used to look up personal identifiers.",
    )
    dev_keys: bool = Field(
        default=True,
        description="Derive throw-away PII keys when none are set (development only; refused when false).",
    )
    host: str = "127.0.0.1"
    port: int = 8000
    search_page_size: int = Field(default=20, description="Rows per page of subject search.")
    search_candidate_cap: int = Field(
        default=5000, description="Posting-list size above which a name fragment counts as too common."
    )


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings (cached; tests clear the cache)."""
    return Settings()
