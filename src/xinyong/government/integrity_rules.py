"""The integrity-file rulebook (``rules/integrity.yaml``): record categories (adverse or not), training categories
and the hours required, the departments that keep files and run checks, the purposes of a check and the minimum
length of its reason. Validated at load (pydantic); every rule names its source."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from xinyong.catalog.departments import load_departments
from xinyong.rules.loader import load_rulebook


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Labelled(_Strict):
    """A key with its Chinese label and source."""

    key: str = Field(pattern=r"^[a-z][a-z0-9_]{1,31}$")
    label: str = Field(min_length=2, max_length=32)
    source: str = Field(min_length=4)


class RecordCategory(Labelled):
    """A category of integrity record; ``adverse`` ones in force make a check's conclusion adverse."""

    adverse: bool


class Training(_Strict):
    """Training categories and the hours required within ``period_months`` before a check."""

    categories: tuple[Labelled, ...] = Field(min_length=1)
    hours_required: Decimal = Field(ge=0)
    period_months: int = Field(ge=1, le=60)
    max_hours_per_entry: Decimal = Field(gt=0)
    shortfall_adverse: bool = False
    source: str = Field(min_length=4)


class IntegrityRules(_Strict):
    """``rules/integrity.yaml``."""

    version: int = Field(ge=1)
    source: str = Field(min_length=4)
    categories: tuple[RecordCategory, ...] = Field(min_length=1)
    training: Training
    integrity_departments: tuple[str, ...] = Field(min_length=1)
    integrity_departments_source: str = Field(min_length=4)
    purposes: tuple[Labelled, ...] = Field(min_length=1)
    reason_min_length: int = Field(ge=1, le=100)
    reason_max_length: int = Field(ge=10, le=500)
    reason_source: str = Field(min_length=4)
    sheet_prefix: str = Field(pattern=r"^[A-Z]{2,8}$")

    @field_validator("integrity_departments")
    @classmethod
    def _known_departments(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        codes = {d.code for d in load_departments().departments}
        unknown = [c for c in value if c not in codes]
        if unknown:
            raise ValueError(f"部门目录中没有部门代码 {unknown}")
        return value

    @model_validator(mode="after")
    def _unique(self) -> IntegrityRules:
        for name, keys in (
            ("categories", [c.key for c in self.categories]),
            ("training.categories", [c.key for c in self.training.categories]),
            ("purposes", [p.key for p in self.purposes]),
        ):
            if len(keys) != len(set(keys)):
                raise ValueError(f"{name} 中有重复的 key")
        if {c.key for c in self.categories} & {c.key for c in self.training.categories}:
            raise ValueError("记录类别与培训类别的 key 不得重复")
        if self.reason_min_length >= self.reason_max_length:
            raise ValueError("reason_min_length 应小于 reason_max_length")
        return self

    @property
    def category_labels(self) -> dict[str, str]:
        """Record category key → label."""
        return {c.key: c.label for c in self.categories}

    @property
    def adverse_categories(self) -> frozenset[str]:
        """Keys of the adverse record categories."""
        return frozenset(c.key for c in self.categories if c.adverse)

    @property
    def training_labels(self) -> dict[str, str]:
        """Training category key → label."""
        return {c.key: c.label for c in self.training.categories}

    @property
    def purpose_labels(self) -> dict[str, str]:
        """Purpose key → label (录用, 调任)."""
        return {p.key: p.label for p in self.purposes}


def integrity_rules() -> IntegrityRules:
    """The rulebook, validated (cached by the loader)."""
    return load_rulebook("integrity", IntegrityRules)
