"""The registry's rulebook (rules/registry.yaml)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from xinyong.rules.loader import load_rulebook


class CodeQualityRule(BaseModel):
    """Target for the duplicate/erroneous code rate."""

    target_rate: float = Field(gt=0, lt=1)
    source: str = Field(min_length=1)
    definition_source: str = Field(min_length=1)


class RegistryRules(BaseModel):
    """rules/registry.yaml."""

    version: int
    code_quality: CodeQualityRule


def registry_rules() -> RegistryRules:
    """The registry rulebook in force."""
    return load_rulebook("registry", RegistryRules)
