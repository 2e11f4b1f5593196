"""The credit-repair rulebook (``rules/repair.yaml``): deadlines, extension, reminders, the commitment template,
per-item eligibility and materials, and the external lists with their authorities ("一站式")."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from xinyong.rules.loader import RULES_DIR, load_rulebook


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Application(_Rule):
    """What every application must carry (Order 36: not switchable)."""

    obligations_required: Literal[True]
    commitment_required: Literal[True]
    max_files: int = Field(ge=1, le=50)
    source: str = Field(min_length=1)


class Deadlines(_Rule):
    """Working days to accept (from submission) and to decide (from acceptance)."""

    accept_workdays: int = Field(ge=1, le=60)
    decide_workdays: int = Field(ge=1, le=120)
    source: str = Field(min_length=1)


class Extension(_Rule):
    """How often and by how many working days the decision deadline may be extended."""

    max_extensions: int = Field(ge=0, le=5)
    workdays: int = Field(ge=1, le=60)
    source: str = Field(min_length=1)


class Reminder(_Rule):
    """A reminder is queued when a due date is at most ``workdays_before`` working days away."""

    workdays_before: int = Field(ge=0, le=20)
    source: str = Field(min_length=1)


class CommitmentTemplate(_Rule):
    """The 信用修复承诺书 pre-filled in the form (placeholders: subject_name, item_name, doc_no, department_name)."""

    matter: str = Field(min_length=1, max_length=120)
    text: str = Field(min_length=1)
    source: str = Field(min_length=1)


class Material(_Rule):
    """One kind of material the applicant uploads."""

    name: str = Field(min_length=1, max_length=40)
    hint: str = ""
    required: bool


class ItemRule(_Rule):
    """Eligibility details of one catalogue item."""

    min_period: bool
    materials: tuple[Material, ...] = ()
    source: str = Field(min_length=1)

    @property
    def required_materials(self) -> tuple[Material, ...]:
        """The materials without which an application is incomplete."""
        return tuple(m for m in self.materials if m.required)


class ExternalList(_Rule):
    """A list kept by another authority: the platform routes the application and tracks the answer."""

    name: str = Field(min_length=1, max_length=60)
    authority: str = Field(min_length=1, max_length=200)
    channel: str = Field(min_length=1)
    follow_up_workdays: int = Field(ge=1, le=120)
    sync_workdays: int | None = Field(default=None, ge=1, le=60)
    source: str = Field(min_length=1)


class RepairRules(_Rule):
    """``rules/repair.yaml``."""

    version: int = Field(ge=1)
    source: str = Field(min_length=1)
    application: Application
    deadlines: Deadlines
    extension: Extension
    reminder: Reminder
    commitment: CommitmentTemplate
    items: dict[str, ItemRule]
    default_item: ItemRule
    external_lists: dict[str, ExternalList] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> RepairRules:
        fields = {"subject_name": "", "item_name": "", "doc_no": "", "department_name": ""}
        for name, template in (("matter", self.commitment.matter), ("text", self.commitment.text)):
            try:
                template.format(**fields)
            except (KeyError, IndexError, ValueError) as exc:
                raise ValueError(f"commitment.{name} 含有未知的占位符: {exc}") from None
        too_long = [key for key in self.external_lists if len(key) > 32]
        if too_long:
            raise ValueError(f"external_lists 的键最长 32 个字符: {too_long}")
        return self

    def item(self, item_id: str) -> ItemRule:
        """The rule of ``item_id`` (``default_item`` when the item is not listed)."""
        return self.items.get(item_id, self.default_item)


def repair_rules(directory: Path = RULES_DIR) -> RepairRules:
    """The repair rulebook in force (``<directory>/repair.yaml``, cached)."""
    return load_rulebook("repair", RepairRules, directory)
