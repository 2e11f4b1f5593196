"""The enforcement-case rulebook (``rules/enforcement.yaml``): the court notice's columns, the rectification
deadline, the closure outcomes and the grace before an unclosed case becomes a government-integrity record."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from xinyong.intake.parse import header_key
from xinyong.rules.loader import StrictRule, load_rulebook

ColumnKey = Literal["case_no", "court", "body_name", "body_uscc", "applicant", "amount", "filed_on", "cause"]
KEYS: tuple[str, ...] = ("case_no", "court", "body_name", "body_uscc", "applicant", "amount", "filed_on", "cause")


class NoticeColumn(StrictRule):
    """One column of the court's notice: its header, accepted other headers, whether every row needs a value."""

    key: ColumnKey
    header: str = Field(min_length=1)
    aliases: tuple[str, ...] = ()
    required: bool
    source: str = Field(min_length=1)


class Rectification(StrictRule):
    """Working days from assignment to the rectification deadline."""

    workdays: int = Field(ge=1, le=250)
    source: str = Field(min_length=1)


class Outcome(StrictRule):
    """A closure outcome (结案方式)."""

    code: str = Field(pattern=r"^[a-z_]{2,24}$")
    label: str = Field(min_length=2, max_length=32)
    source: str = Field(min_length=1)


class RecordRule(StrictRule):
    """Calendar days after ``due_on`` before an unclosed case becomes a government-integrity record."""

    grace_days: int = Field(ge=0, le=365)
    source: str = Field(min_length=1)


class EnforcementRules(StrictRule):
    """``rules/enforcement.yaml``."""

    version: int
    source: str
    columns: tuple[NoticeColumn, ...]
    rectification: Rectification
    outcomes: tuple[Outcome, ...] = Field(min_length=1)
    integrity_record: RecordRule

    @model_validator(mode="after")
    def _complete(self) -> EnforcementRules:
        keys = [c.key for c in self.columns]
        if sorted(keys) != sorted(KEYS):
            raise ValueError(f"通报列应恰好为 {', '.join(KEYS)} 各一列")
        seen: dict[str, str] = {}
        for column in self.columns:
            for name in (column.header, *column.aliases):
                key = header_key(name)
                if key in seen and seen[key] != column.key:
                    raise ValueError(f"表头“{name}”同时属于 {seen[key]} 和 {column.key}")
                seen[key] = column.key
        if len({o.code for o in self.outcomes}) != len(self.outcomes):
            raise ValueError("结案方式代码重复")
        return self

    def outcome_labels(self) -> dict[str, str]:
        """Outcome code → label, in the rulebook's order."""
        return {o.code: o.label for o in self.outcomes}

    def column(self, key: str) -> NoticeColumn:
        """The column of ``key``."""
        return next(c for c in self.columns if c.key == key)


def enforcement_rules() -> EnforcementRules:
    """The validated rulebook (cached by the loader)."""
    return load_rulebook("enforcement", EnforcementRules)
