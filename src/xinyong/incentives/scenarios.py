"""The incentive scenario catalogue (``rules/incentives/scenarios.yaml``): loader and validator.

Validated at load: band codes unique and ordered best first, every scenario's bands among them, every scenario's
provider kind declared, codes unique, each scenario with a source and a confidence, consent validity within the
allowed maximum. The catalogue is cached per file; tests and the bench may load another file.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from xinyong.errors import NotFound
from xinyong.rules.loader import RULES_DIR, RulebookError

CATALOGUE_PATH = RULES_DIR / "incentives" / "scenarios.yaml"
CODE = r"^[a-z][a-z0-9_]{1,39}$"
Confidence = Literal["H", "M", "L"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Band(_Strict):
    """One band of the personal honesty score (``min`` ≤ score < ``below``)."""

    code: str = Field(pattern=r"^[A-Za-z0-9_]{1,16}$")
    label: str = Field(min_length=1)
    min: int | None = None
    below: int | None = None


class Bands(_Strict):
    """The bands, best first, with their source."""

    levels: tuple[Band, ...] = Field(min_length=2)
    source: str = Field(min_length=1)
    confidence: Confidence


class Defaults(_Strict):
    """Configuration with documented defaults (L)."""

    consent_days: int = Field(default=30, ge=1)
    consent_max_days: int = Field(default=365, ge=1)
    rate_per_minute: int = Field(default=600, ge=1)
    source: str = Field(min_length=1)
    confidence: Confidence


class Scenario(_Strict):
    """One incentive scenario: who provides it, which bands qualify, what the person gets."""

    code: str = Field(pattern=CODE)
    category: str = Field(min_length=1)
    name: str = Field(min_length=1)
    provider_kind: str = Field(pattern=CODE)
    bands: tuple[str, ...] = Field(min_length=1)
    benefit: str = Field(min_length=1)
    consent_days: int | None = Field(default=None, ge=1)
    source: str = Field(min_length=1)
    confidence: Confidence


class Catalogue(_Strict):
    """The whole catalogue (a version of it)."""

    version: int = Field(ge=1)
    name: str = Field(min_length=1)
    source: str = Field(min_length=1)
    bands: Bands
    defaults: Defaults
    provider_kinds: dict[str, str] = Field(min_length=1)
    scenarios: tuple[Scenario, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> Catalogue:
        codes = [b.code for b in self.bands.levels]
        if len(set(codes)) != len(codes):
            raise ValueError("分档代码重复")
        if self.defaults.consent_days > self.defaults.consent_max_days:
            raise ValueError("默认授权有效期超过最长有效期")
        seen: set[str] = set()
        for s in self.scenarios:
            if s.code in seen:
                raise ValueError(f"场景代码重复: {s.code}")
            seen.add(s.code)
            unknown = sorted(set(s.bands) - set(codes))
            if unknown:
                raise ValueError(f"场景 {s.code} 的分档 {unknown} 不在分档表中")
            if s.provider_kind not in self.provider_kinds:
                raise ValueError(f"场景 {s.code} 的服务方类型 {s.provider_kind} 未声明")
            if s.consent_days is not None and s.consent_days > self.defaults.consent_max_days:
                raise ValueError(f"场景 {s.code} 的授权有效期超过最长有效期")
        return self

    # ----------------------------------------------------------------------------------------- look-ups
    def scenario(self, code: str) -> Scenario:
        """The scenario ``code``; ``NotFound`` otherwise."""
        for s in self.scenarios:
            if s.code == code:
                return s
        raise NotFound(f"未找到守信激励场景 {code[:40]!r}", field="scenario")

    def find(self, code: str) -> Scenario | None:
        """The scenario ``code`` or None."""
        return next((s for s in self.scenarios if s.code == code), None)

    def for_kind(self, kind: str) -> list[Scenario]:
        """The scenarios a provider of ``kind`` may serve."""
        return [s for s in self.scenarios if s.provider_kind == kind]

    def band_label(self, code: str | None) -> str:
        """The band's label (the code itself when unknown, "未评分" when None)."""
        if code is None:
            return "未评分"
        return next((b.label for b in self.bands.levels if b.code == code), code)

    def consent_days(self, scenario: Scenario) -> int:
        """The scenario's default consent validity in days."""
        return scenario.consent_days or self.defaults.consent_days


def load_catalogue(path: Path | None = None) -> Catalogue:
    """The catalogue at ``path`` (default: the platform's), validated; ``RulebookError`` if invalid."""
    return _load(path or CATALOGUE_PATH)


@cache
def _load(path: Path) -> Catalogue:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise RulebookError(f"规则文件无法读取 (cannot read rulebook) {path.name}: {exc}") from exc
    try:
        return Catalogue.model_validate(data)
    except ValidationError as exc:
        raise RulebookError(f"规则文件校验失败 (rulebook invalid) {path.name}: {exc}") from exc


def rate_per_minute() -> int:
    """Eligibility questions allowed per provider credential per minute."""
    return load_catalogue().defaults.rate_per_minute
