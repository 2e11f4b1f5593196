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
    report_key_file: Path = Field(
        default=PROJECT_ROOT / "var" / "keys" / "report-ed25519.pem",
        description="Ed25519 private key (PEM) signing credit reports; created with mode 0600 on first use.",
    )
    report_font_dir: Path = Field(
        default=PROJECT_ROOT / "var" / "fonts",
        description="Cache directory of the CJK font subset embedded in report PDFs (rebuilt when missing).",
    )
    public_base_url: str = Field(
        default="http://127.0.0.1:8000",
        description="Public address of the platform, printed in each report's QR code (verification page).",
    )
    portal_figures_ttl_seconds: int = Field(
        default=60, ge=0, le=3600, description="Seconds each process keeps the home page's live figures (0: no cache)."
    )
    warm_figures_on_start: bool = Field(
        default=True,
        description="Compute the dashboard's and the home page's figures in a background thread when the web server "
        "starts, so the first reader finds them cached (see xinyong/dashboard/warmup.py).",
    )
    export_max_rows: int = Field(
        default=50_000, ge=1, le=1_000_000, description="Most rows one CSV/Excel export of a public list page holds."
    )
    check_token_memo_seconds: float = Field(
        default=60.0,
        ge=0,
        le=3600,
        description="How long the joint check's lane remembers an API token's row instead of reading it per "
        "check (0: read every time). Safe at any value: a token is never edited, its expiry is checked on every "
        "request, and a revoked token is refused by the check's own write at once (docs/checks.md).",
    )
    db_pool_size: int = Field(
        default=15,
        ge=1,
        le=200,
        description="Requests one process serves at a time (the rest wait their turn); the connection pool holds "
        "twice as many connections.",
    )
    host: str = "127.0.0.1"
    port: int = 8000
    search_page_size: int = Field(default=20, description="Rows per page of subject search.")
    search_candidate_cap: int = Field(
        default=5000,
        ge=1,
        le=20000,  # the ids of a shorter list are bound as parameters: stay well inside SQLite's limit
        description="Posting-list size above which a name fragment counts as too common.",
    )

    # --- security (issue #3) ---
    pii_old_keys: str = Field(
        default="", description="Comma-separated retired Fernet keys still accepted for decryption (key rotation)."
    )
    cookie_secure: bool = Field(default=True, description="Send the login cookie only over HTTPS (and localhost).")
    session_hours: int = Field(default=8, ge=1, le=24 * 30, description="Lifetime of a login session.")
    login_max_failures: int = Field(default=5, ge=1, description="Failed logins before the account is locked.")
    login_lockout_minutes: int = Field(default=15, ge=1, description="How long a locked account stays locked.")
    rate_search_per_minute: int = Field(default=60, ge=1, description="Public searches per client IP per minute.")
    rate_login_per_minute: int = Field(default=10, ge=1, description="Login attempts per client IP per minute.")
    max_request_bytes: int = Field(
        default=120 * 1024 * 1024, ge=1024, description="Largest accepted request body (uploads included)."
    )
    rate_eligibility_per_minute: int = Field(
        default=0,
        ge=0,
        description="Incentive eligibility questions per provider credential per minute (0: the scenario catalogue's "
        "defaults.rate_per_minute, 600).",
    )
    eligibility_async_commit: bool = Field(
        default=True,
        description="PostgreSQL: commit an answered eligibility question (eligible / not eligible) without waiting "
        "for its WAL flush (SET LOCAL synchronous_commit = off); refusals always wait. See docs/incentives.md.",
    )
    token_max_days: int = Field(default=366, ge=1, description="Longest validity of an API token.")
    intake_max_file_mb: int = Field(
        default=100, ge=1, le=2048, description="Largest data file (CSV/xlsx) one intake batch accepts, in MiB."
    )
    intake_max_api_rows: int = Field(default=10_000, ge=1, description="Most rows one JSON intake push may carry.")

    # --- record lifecycle (issue #5) ---
    objection_hides_record: bool = Field(
        default=False, description="Hide a record from the public pages while it is under objection (异议中)."
    )
    objection_open_to_public: bool = Field(
        default=False,
        description="Let anyone object to public (双公示) data, not only the subject of the record.",
    )
    case_file_max_mb: int = Field(
        default=10, ge=1, le=100, description="Largest evidence or material file attached to a case, in MiB."
    )

    @property
    def intake_max_file_bytes(self) -> int:
        """``intake_max_file_mb`` in bytes."""
        return self.intake_max_file_mb * 1024 * 1024

    @property
    def case_file_max_bytes(self) -> int:
        """``case_file_max_mb`` in bytes."""
        return self.case_file_max_mb * 1024 * 1024


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings (cached; tests clear the cache)."""
    return Settings()
