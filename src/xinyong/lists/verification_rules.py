"""The case-verification rulebook (``rules/verification.yaml``): the six stages of 失信案例核查 in order (核查 → 记录 →
监管 → 惩戒 → 整改 → 教育, work-plan item 八), what each must produce and its period in working days, the case
sources and the outcomes, validated at load (cached)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from xinyong.rules.loader import RULES_DIR, load_rulebook

# The work plan fixes the stages and their order (H): the codes are part of the data model (verification_case.stage).
STAGE_CODES: tuple[str, ...] = ("verify", "record", "supervise", "punish", "rectify", "educate")
CLOSED = "closed"  # verification_case.stage of a closed case
Link = Literal["credit_record", "list_entry"]
ClosedBy = Literal["unfounded", "last_stage", "office"]
CODE = r"^[a-z][a-z0-9_]{1,23}$"  # fits verification_case.source / outcome (VARCHAR 24)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Stage(Strict):
    """One stage: its code and label, what it must produce, its period, what it may link to."""

    code: str
    label: str = Field(min_length=2, max_length=20)
    produces: str = Field(min_length=4)
    link: Link | None = None
    workdays: int = Field(ge=1, le=250)
    source: str = Field(min_length=4)


class Source(Strict):
    """Where a reported case comes from (案件来源)."""

    code: str = Field(pattern=CODE)
    label: str = Field(min_length=2, max_length=40)
    source: str = Field(min_length=4)


class Outcome(Strict):
    """How a case ends, and who ends it that way."""

    code: str = Field(pattern=CODE)
    label: str = Field(min_length=2, max_length=40)
    closed_by: ClosedBy
    source: str = Field(min_length=4)


class Limits(Strict):
    """Input limits (characters; files per case)."""

    title_min: int = Field(ge=1, le=50)
    title_max: int = Field(ge=10, le=200)  # verification_case.title is VARCHAR(200)
    summary_min: int = Field(ge=1, le=100)
    summary_max: int = Field(ge=10, le=20000)
    note_min: int = Field(ge=1, le=100)
    note_max: int = Field(ge=10, le=20000)
    owner_max: int = Field(ge=2, le=128)  # verification_case.owner is VARCHAR(128)
    source_ref_max: int = Field(ge=10, le=200)  # verification_case.source_ref is VARCHAR(200)
    files_max: int = Field(ge=0, le=100)
    source: str = Field(min_length=4)


class VerificationRules(Strict):
    """``rules/verification.yaml``."""

    version: int = Field(ge=1)
    source: str = Field(min_length=4)
    deadlines_source: str = Field(min_length=4)
    stages: tuple[Stage, ...]
    sources: tuple[Source, ...] = Field(min_length=1)
    outcomes: tuple[Outcome, ...]
    limits: Limits

    @model_validator(mode="after")
    def _consistent(self) -> VerificationRules:
        codes = tuple(s.code for s in self.stages)
        if codes != STAGE_CODES:
            raise ValueError(
                f"环节应为工作要点（八）规定的六个环节并按顺序排列：{'、'.join(STAGE_CODES)}（收到：{'、'.join(codes)}）"
            )
        links = [s.link for s in self.stages if s.link]
        if len(links) != len(set(links)):
            raise ValueError("同一种关联（credit_record / list_entry）只能出现在一个环节")
        named = (("案件来源", [s.code for s in self.sources]), ("办结结果", [o.code for o in self.outcomes]))
        for what, values in named:
            duplicated = sorted({c for c in values if values.count(c) > 1})
            if duplicated:
                raise ValueError(f"{what}代码重复：{'、'.join(duplicated)}")
        by = [o.closed_by for o in self.outcomes]
        if by.count("unfounded") != 1:
            raise ValueError("办结结果中应有且只有一项 closed_by: unfounded（核查不属实）")
        if "last_stage" not in by or "office" not in by:
            raise ValueError("办结结果中应至少各有一项 closed_by: last_stage 和 closed_by: office")
        limits = self.limits
        for low, high in (("title_min", "title_max"), ("summary_min", "summary_max"), ("note_min", "note_max")):
            if getattr(limits, low) > getattr(limits, high):
                raise ValueError(f"limits.{low} 不能大于 {high}")
        return self

    # ------------------------------------------------------------------------------------------- look-ups
    def stage(self, code: str) -> Stage | None:
        """The stage ``code``, or None."""
        return next((s for s in self.stages if s.code == code), None)

    def next_stage(self, code: str) -> Stage | None:
        """The stage after ``code`` (None after the last)."""
        index = STAGE_CODES.index(code)
        return self.stages[index + 1] if index + 1 < len(self.stages) else None

    @property
    def first(self) -> Stage:
        return self.stages[0]

    @property
    def last(self) -> Stage:
        return self.stages[-1]

    def linked_stage(self, link: Link) -> Stage | None:
        """The stage that may link ``link``."""
        return next((s for s in self.stages if s.link == link), None)

    def source_of(self, code: str) -> Source | None:
        return next((s for s in self.sources if s.code == code), None)

    def outcome(self, code: str) -> Outcome | None:
        return next((o for o in self.outcomes if o.code == code), None)

    def outcomes_by(self, closed_by: ClosedBy) -> tuple[Outcome, ...]:
        """The outcomes a case may be closed with in that way, in the rulebook's order."""
        return tuple(o for o in self.outcomes if o.closed_by == closed_by)

    @property
    def unfounded(self) -> Outcome:
        return self.outcomes_by("unfounded")[0]

    def stage_labels(self) -> dict[str, str]:
        """Stage code → label, and ``closed`` → 已办结."""
        return {s.code: s.label for s in self.stages} | {CLOSED: "已办结"}


def verification_rules(directory: Path = RULES_DIR) -> VerificationRules:
    """The case-verification rulebook in force (``<directory>/verification.yaml``, validated, cached);
    ``RulebookError`` naming the file and the reason when it does not validate."""
    return load_rulebook("verification", VerificationRules, directory)
