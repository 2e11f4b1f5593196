"""The objection rulebook (``rules/objections.yaml``): deadlines per handling step, reminders, input limits."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from xinyong.rules.loader import RULES_DIR, load_rulebook

Step = Literal["accept", "self_check", "verify"]
STEPS: tuple[Step, ...] = ("accept", "self_check", "verify")


class Deadline(BaseModel):
    """A handling step's period in working days, counted from the day of its starting event."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    workdays: int = Field(ge=0, le=60)
    starts_from: Literal["submitted", "accepted", "handed_over"]
    source: str = Field(min_length=1)


class Reminder(BaseModel):
    """When the handler is reminded of a coming due date."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    workdays_before: int = Field(ge=0, le=10)
    source: str = Field(min_length=1)


class Limits(BaseModel):
    """Input limits of an objection (characters; files per application)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    reasons_min: int = Field(ge=1, le=100)
    reasons_max: int = Field(ge=10, le=20000)
    requested_correction_max: int = Field(ge=10, le=20000)
    contact_max: int = Field(ge=10, le=500)
    note_max: int = Field(ge=10, le=20000)
    files_max: int = Field(ge=0, le=50)
    source: str = Field(min_length=1)


class ObjectionRules(BaseModel):
    """``rules/objections.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int = Field(ge=1)
    source: str = Field(min_length=1)
    deadlines: dict[Step, Deadline]
    reminder: Reminder
    limits: Limits

    @model_validator(mode="after")
    def _every_step(self) -> ObjectionRules:
        missing = [s for s in STEPS if s not in self.deadlines]
        if missing:
            raise ValueError(f"deadlines 缺少步骤: {', '.join(missing)}")
        if self.limits.reasons_min > self.limits.reasons_max:
            raise ValueError("limits.reasons_min 不能大于 reasons_max")
        return self

    def workdays(self, step: Step) -> int:
        """Working days allowed for ``step``."""
        return self.deadlines[step].workdays


def objection_rules(directory: Path = RULES_DIR) -> ObjectionRules:
    """The objection rulebook in force (``<directory>/objections.yaml``, cached)."""
    return load_rulebook("objections", ObjectionRules, directory)
