"""The commitment rulebook (``rules/commitments.yaml``): types, 告知承诺 refusal rule, verification deadlines,
text templates."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from xinyong.rules.loader import RULES_DIR, load_rulebook

# The kinds the code relies on (the repair flow signs ``repair``); the YAML must define at least these.
REQUIRED_KINDS = ("approval_substitute", "certification", "voluntary", "industry", "repair")


class MatterDeadline(BaseModel):
    """A verification deadline for matters whose name contains ``matter_contains``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    matter_contains: str = Field(min_length=1)
    verify_days: int = Field(ge=1, le=3650)
    source: str = Field(min_length=1)


class CommitmentType(BaseModel):
    """One commitment type (承诺类型)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    label: str = Field(min_length=2)
    description: str = ""
    notice: bool = Field(description="a 告知承诺: the refusal rule applies")
    published: bool = Field(description="shown on the public list (信用承诺公示) by default")
    verify_days: int | None = Field(default=None, ge=1, le=3650, description="calendar days; None: no due date")
    verify_source: str = Field(min_length=1)
    matter_deadlines: tuple[MatterDeadline, ...] = ()
    template: str = Field(min_length=10)
    source: str = Field(min_length=1)

    def verify_due(self, signed_on: date, matter: str) -> date | None:
        """The last day of the verification of a commitment on ``matter`` signed on ``signed_on``."""
        days = self.verify_days
        for override in self.matter_deadlines:
            if override.matter_contains in matter:
                days = override.verify_days
                break
        return signed_on + timedelta(days=days) if days is not None else None

    def render(self, *, subject_name: str, matter: str, department: str) -> str:
        """The template with the placeholders filled (a blank value leaves a visible gap to fill in). The YAML
        folds long lines: whitespace in the template is dropped (Chinese text has none)."""
        values = {"subject_name": subject_name or "", "matter": matter or "____", "department": department or "____"}
        return "".join(self.template.split()).format_map(values)


class RefusalRule(BaseModel):
    """Who may not use 告知承诺 (types with ``notice: true``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    serious_in_force: bool
    false_commitment_unrepaired: bool
    source: str = Field(min_length=1)


class CommitmentRules(BaseModel):
    """``rules/commitments.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int = Field(ge=1)
    source: str = Field(min_length=1)
    matter_max_length: int = Field(ge=1, le=200)
    text_max_length: int = Field(ge=1, le=20000)
    signer_max_length: int = Field(ge=1, le=64)
    reason_max_length: int = Field(ge=1, le=20000)
    refusal: RefusalRule
    types: dict[str, CommitmentType]

    @model_validator(mode="after")
    def _complete(self) -> CommitmentRules:
        missing = [k for k in REQUIRED_KINDS if k not in self.types]
        if missing:
            raise ValueError(f"承诺类型缺失: {missing}")
        for key, spec in self.types.items():
            try:
                spec.render(subject_name="x", matter="x", department="x")
            except (KeyError, IndexError, ValueError) as exc:
                raise ValueError(f"承诺类型 {key} 的文本模板有未知占位符: {exc}") from exc
        return self

    def type(self, kind: str) -> CommitmentType | None:
        """The type ``kind``, or None."""
        return self.types.get(kind)

    @property
    def labels(self) -> dict[str, str]:
        """kind → Chinese label, in the YAML's order."""
        return {k: t.label for k, t in self.types.items()}


def commitment_rules(directory: Path = RULES_DIR) -> CommitmentRules:
    """The commitment rulebook (validated, cached)."""
    return load_rulebook("commitments", CommitmentRules, directory)
