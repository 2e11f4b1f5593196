"""The dashboard's configuration (``dashboard.yaml`` beside this module), validated at load."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

CONFIG_FILE = Path(__file__).with_name("dashboard.yaml")


class DashboardConfig(BaseModel):
    """Poll interval (seconds) and the "due soon" horizon (working days) of the dashboard."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int = Field(ge=1)
    refresh_seconds: int = Field(ge=1, le=86_400)
    refresh_min_seconds: int = Field(ge=1, le=86_400)
    refresh_max_seconds: int = Field(ge=1, le=86_400)
    due_soon_workdays: int = Field(ge=0, le=60)
    due_soon_max_workdays: int = Field(ge=0, le=60)
    workplan_items_shown: int = Field(ge=0, le=100)
    source: str = Field(min_length=4)

    @model_validator(mode="after")
    def _ordered(self) -> DashboardConfig:
        if not self.refresh_min_seconds <= self.refresh_seconds <= self.refresh_max_seconds:
            raise ValueError("refresh_seconds 应在 refresh_min_seconds 与 refresh_max_seconds 之间")
        if self.due_soon_workdays > self.due_soon_max_workdays:
            raise ValueError("due_soon_workdays 不能大于 due_soon_max_workdays")
        return self

    def refresh(self, asked: int | None) -> int:
        """The poll interval for a page asked with ``?refresh=asked`` (clamped; the default when None)."""
        if asked is None:
            return self.refresh_seconds
        return max(self.refresh_min_seconds, min(self.refresh_max_seconds, asked))


@lru_cache(maxsize=1)
def dashboard_config() -> DashboardConfig:
    """``dashboard.yaml``, validated (a broken file fails loudly at first use)."""
    return DashboardConfig.model_validate(yaml.safe_load(CONFIG_FILE.read_text(encoding="utf-8")))
