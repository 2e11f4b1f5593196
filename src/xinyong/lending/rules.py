"""The lending rulebook (``rules/lending.yaml``): loan types (信用贷款 flagged), institution kinds, sectors, the
validity of a financing need and the bounds of a product, each with its source and confidence."""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field, model_validator

from xinyong.rules.loader import SourcedRule, StrictRule, load_rulebook


class Labelled(SourcedRule):
    """A key, its Chinese label, its source and confidence."""

    key: str = Field(pattern=r"^[a-z][a-z_]{1,23}$")
    label: str = Field(min_length=2, max_length=40)


class LoanType(Labelled):
    """A loan type; ``credit`` marks 信用贷款 (no collateral, no guarantee)."""

    credit: bool


class NeedRule(SourcedRule):
    """How long a need stays open by default and at most."""

    validity_days_default: int = Field(ge=1, le=3650)
    validity_days_max: int = Field(ge=1, le=3650)

    @model_validator(mode="after")
    def _default_within_max(self) -> NeedRule:
        if self.validity_days_default > self.validity_days_max:
            raise ValueError("validity_days_default 不能大于 validity_days_max")
        return self


class ProductRule(SourcedRule):
    """Bounds of a product's rate (percent a year), maximum amount (万元) and term (months)."""

    rate_ceiling: Decimal = Field(gt=0, le=100)
    amount_ceiling: Decimal = Field(gt=0)
    term_months_ceiling: int = Field(ge=1, le=1200)


class LendingRules(StrictRule):
    """``rules/lending.yaml``."""

    version: int
    source: str
    loan_types: tuple[LoanType, ...] = Field(min_length=1)
    institution_kinds: tuple[Labelled, ...] = Field(min_length=1)
    sectors: tuple[Labelled, ...] = Field(min_length=1)
    needs: NeedRule
    products: ProductRule

    @model_validator(mode="after")
    def _unique_keys(self) -> LendingRules:
        for name in ("loan_types", "institution_kinds", "sectors"):
            keys = [entry.key for entry in getattr(self, name)]
            if len(keys) != len(set(keys)):
                raise ValueError(f"{name} 中有重复的 key")
        if not any(t.credit for t in self.loan_types):
            raise ValueError("loan_types 中至少应有一种信用贷款（credit: true）")
        return self

    def loan_type_labels(self) -> dict[str, str]:
        """key → label of every loan type."""
        return {t.key: t.label for t in self.loan_types}

    def credit_types(self) -> frozenset[str]:
        """Keys of the loan types flagged 信用贷款."""
        return frozenset(t.key for t in self.loan_types if t.credit)

    def kind_labels(self) -> dict[str, str]:
        """key → label of every institution kind."""
        return {k.key: k.label for k in self.institution_kinds}

    def sector_labels(self) -> dict[str, str]:
        """key → label of every sector."""
        return {s.key: s.label for s in self.sectors}


def lending_rules() -> LendingRules:
    """The validated rulebook (cached by the loader)."""
    return load_rulebook("lending", LendingRules)
