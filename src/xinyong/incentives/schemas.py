"""Pydantic I/O of the incentive scenarios: the catalogue, providers, consents, the eligibility answer, statistics."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from xinyong.db.base import MAX_ID
from xinyong.incentives.scenarios import Scenario


class ScenarioOut(BaseModel):
    """A scenario of the public catalogue (who provides it, which bands qualify, what the person gets)."""

    code: str
    category: str
    name: str
    provider_kind: str
    provider_kind_label: str
    bands: list[str]
    band_labels: list[str]
    benefit: str
    consent_days: int
    source: str
    confidence: str

    @classmethod
    def of(cls, scenario: Scenario, kind_label: str, band_labels: list[str], consent_days: int) -> ScenarioOut:
        """From the catalogue entry."""
        return cls(
            code=scenario.code,
            category=scenario.category,
            name=scenario.name,
            provider_kind=scenario.provider_kind,
            provider_kind_label=kind_label,
            bands=list(scenario.bands),
            band_labels=band_labels,
            benefit=scenario.benefit,
            consent_days=consent_days,
            source=scenario.source,
            confidence=scenario.confidence,
        )


class CatalogueOut(BaseModel):
    """The catalogue's version and scenarios."""

    version: int
    name: str
    scenarios: list[ScenarioOut]


class ProviderIn(BaseModel):
    """A provider to register."""

    name: str = Field(min_length=1, max_length=64, description="机构名称（其账户和令牌的 institution）")
    uscc: str = Field(min_length=18, max_length=18, description="统一社会信用代码")
    kind: str = Field(min_length=1, max_length=24, description="hospital / transport / housekeeping / rental / tourism")


class ProviderActiveIn(BaseModel):
    """Suspend or resume a provider."""

    active: bool


class ProviderOut(BaseModel):
    """A registered provider and the scenarios it serves."""

    id: int
    name: str
    uscc: str
    kind: str
    kind_label: str
    active: bool
    scenarios: list[str]
    registered_by: str
    registered_at: datetime


class ProviderChoice(BaseModel):
    """A provider a person may consent to (public facts only)."""

    id: int
    name: str
    kind: str
    scenarios: list[str]


class ConsentIn(BaseModel):
    """A consent to issue."""

    provider_id: int = Field(ge=1, le=MAX_ID)
    scenario: str = Field(min_length=1, max_length=40)
    days: int | None = Field(default=None, ge=1, le=3660, description="有效天数（缺省为场景默认值）")


class ConsentOut(BaseModel):
    """One of the person's consents (never the token)."""

    id: int
    provider_id: int
    provider: str
    scenario: str
    scenario_name: str
    issued_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    uses: int
    status: str  # active / expired / revoked


class ConsentIssued(BaseModel):
    """The answer to issuing a consent: the token, shown this once."""

    token: str = Field(description="授权码，仅此一次显示；交给服务提供方")
    info: ConsentOut


class EligibilityIn(BaseModel):
    """A provider's question."""

    model_config = ConfigDict(extra="forbid")

    token: Annotated[str, Field(min_length=1, max_length=64, description="本人出示的授权码")]
    scenario: Annotated[str, Field(min_length=1, max_length=40, description="场景代码")]


class EligibilityOut(BaseModel):
    """The whole answer: eligible or not. No score, band, record or name."""

    model_config = ConfigDict(extra="forbid")

    eligible: bool


class StatsRow(BaseModel):
    """Questions of one scenario by one provider in one month (China time)."""

    scenario: str
    provider_id: int | None
    provider: str
    month: str
    checks: int
    eligible: int
    not_eligible: int
    refused: int
    eligible_share: float | None  # eligible / answered (refusals excluded); None without answers


class ScenarioTotal(BaseModel):
    """All questions of one scenario."""

    scenario: str
    name: str
    checks: int
    eligible: int
    not_eligible: int
    refused: int
    eligible_share: float | None


class StatsOut(BaseModel):
    """Usage statistics per scenario."""

    rows: list[StatsRow]
    scenarios: list[ScenarioTotal]
