"""The government-contract rulebook (``rules/contracts.yaml``): the alert window before a due date (working days),
the grace after it before a term counts as a default (calendar days), how long after the end date a term may fall
due, the term kinds and the contract statuses, each with its source and confidence."""

from __future__ import annotations

from pydantic import Field, model_validator

from xinyong.rules.loader import SourcedRule, StrictRule, load_rulebook

TERM_KINDS = ("milestone", "payment")
STATUSES = ("performing", "completed", "defaulted", "terminated")


class Labelled(SourcedRule):
    """A key, its Chinese label, its source and confidence."""

    key: str = Field(pattern=r"^[a-z][a-z_]{1,23}$")
    label: str = Field(min_length=2, max_length=40)


class AlertRule(SourcedRule):
    """Terms due within ``window_workdays`` working days are due soon."""

    window_workdays: int = Field(ge=1, le=60)


class DefaultRule(SourcedRule):
    """A term not done ``grace_days`` calendar days after its due date is a default."""

    grace_days: int = Field(ge=0, le=365)


class ScheduleRule(SourcedRule):
    """A term may fall due at most ``max_days_after_end`` days after the contract's end date."""

    max_days_after_end: int = Field(ge=0, le=3650)


class ContractRules(StrictRule):
    """``rules/contracts.yaml``."""

    version: int
    source: str
    alerts: AlertRule
    defaults: DefaultRule
    schedule: ScheduleRule
    term_kinds: tuple[Labelled, ...]
    statuses: tuple[Labelled, ...]

    @model_validator(mode="after")
    def _known_keys(self) -> ContractRules:
        if tuple(k.key for k in self.term_kinds) != TERM_KINDS:
            raise ValueError(f"term_kinds 应依次为 {TERM_KINDS}")
        if tuple(s.key for s in self.statuses) != STATUSES:
            raise ValueError(f"statuses 应依次为 {STATUSES}")
        return self

    def term_kind_labels(self) -> dict[str, str]:
        """key → label of every term kind."""
        return {k.key: k.label for k in self.term_kinds}

    def status_labels(self) -> dict[str, str]:
        """key → label of every status."""
        return {s.key: s.label for s in self.statuses}


def contract_rules() -> ContractRules:
    """The validated rulebook (cached by the loader)."""
    return load_rulebook("contracts", ContractRules)
