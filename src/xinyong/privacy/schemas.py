"""API shapes of the PSI sets and the exchange log (sizes only: never a code)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field


class SetOut(BaseModel):
    """A scope, its policy and its current version."""

    scope: str
    label: str
    description: str
    mode: str = Field(description="intersection（返回交集明细）或 cardinality（仅返回交集数量）")
    reveal_intersection: bool
    allow_membership: bool
    data_structure: str
    fpr: float
    max_client_elements: int
    version: int | None = Field(description="当前版本（尚未编制时为空）")
    built_at: datetime | None
    elements: int | None = Field(None, description="集合元素数（仅区信用办可见）")
    source: str


class VersionOut(BaseModel):
    """One compiled version of a scope."""

    version: int
    current: bool
    elements: int
    data_structure: str
    fpr: float
    reveal_intersection: bool
    setup_bytes: int
    digest: str
    reason: str
    built_by: str
    built_at: datetime


class RebuildIn(BaseModel):
    """Rebuild a scope as of a day (default today); ``force`` builds even when nothing changed (key rotation)."""

    as_of: date | None = None
    force: bool = False
    reason: str = Field("", max_length=200)


class RebuildOut(BaseModel):
    """What a rebuild did."""

    scope: str
    version: int
    previous_version: int | None
    elements: int
    built: bool


class ExchangeOut(BaseModel):
    """One exchange as the platform saw it: who, when, against which version, how many client elements."""

    id: int
    at: datetime
    institution: str
    scope: str | None
    version: int | None
    kind: str
    client_elements: int | None
    outcome: str
    reason: str
