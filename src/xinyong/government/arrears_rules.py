"""The arrears rulebook (``rules/arrears.yaml``): the zero target of new arrears, statutory payment terms per debtor
kind, the complaint handling deadline, the grace before an overdue entry becomes a government-integrity record and
the status labels, each with its source (validated at load)."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import Field, model_validator

from xinyong.rules.loader import SourcedRule, StrictRule, load_rulebook

ENTRY_STATUSES = ("outstanding", "cleared", "disputed")
COMPLAINT_STATUSES = ("received", "accepted", "rejected")
DEBTOR_KINDS = ("organ", "institution", "soe")


class NewArrears(SourcedRule):
    """The target of new arrears of a year (count and amount at year end)."""

    target_count: int = Field(ge=0)
    target_amount: Decimal = Field(ge=0)


class PaymentTerm(SourcedRule):
    """Days from delivery (or acceptance) within which a debtor of ``kind`` pays."""

    kind: Literal["organ", "institution", "soe"]
    days: int = Field(ge=1, le=366)
    max_agreed_days: int = Field(ge=1, le=366)


class ComplaintRule(SourcedRule):
    """Working days the office has to accept or reject a complaint."""

    handling_workdays: int = Field(ge=1, le=60)


class OverdueRule(SourcedRule):
    """Calendar days past the due day before an outstanding entry becomes a government-integrity record."""

    grace_days: int = Field(ge=0, le=366)


class Label(StrictRule):
    key: str
    label: str = Field(min_length=2, max_length=20)


class ArrearsRules(StrictRule):
    """``rules/arrears.yaml``."""

    version: int
    source: str
    unit: str
    unit_source: str
    new_arrears: NewArrears
    payment_terms: tuple[PaymentTerm, ...]
    complaints: ComplaintRule
    overdue_record: OverdueRule
    entry_statuses: tuple[Label, ...]
    complaint_statuses: tuple[Label, ...]

    @model_validator(mode="after")
    def _complete(self) -> ArrearsRules:
        if sorted(t.kind for t in self.payment_terms) != sorted(DEBTOR_KINDS):
            raise ValueError("payment_terms 应为 organ、institution、soe 各一条")
        if tuple(s.key for s in self.entry_statuses) != ENTRY_STATUSES:
            raise ValueError(f"entry_statuses 应依次为 {'、'.join(ENTRY_STATUSES)}")
        if tuple(s.key for s in self.complaint_statuses) != COMPLAINT_STATUSES:
            raise ValueError(f"complaint_statuses 应依次为 {'、'.join(COMPLAINT_STATUSES)}")
        for term in self.payment_terms:
            if term.days > term.max_agreed_days:
                raise ValueError(f"payment_terms {term.kind}: days 不能大于 max_agreed_days")
        return self

    def term_days(self, kind: str) -> int:
        """The payment term (days) of a debtor of ``kind``."""
        return next(t.days for t in self.payment_terms if t.kind == kind)

    def entry_labels(self) -> dict[str, str]:
        return {s.key: s.label for s in self.entry_statuses}

    def complaint_labels(self) -> dict[str, str]:
        return {s.key: s.label for s in self.complaint_statuses}


def arrears_rules() -> ArrearsRules:
    """The validated rulebook (cached by the loader)."""
    return load_rulebook("arrears", ArrearsRules)
