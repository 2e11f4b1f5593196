"""The campaign rulebook (``rules/campaigns.yaml``): the sectors of work-plan item （五）, the progress figures, the
target statuses and the repeated-violator rule (屡禁不止、屡罚不改), each with its source and confidence."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from xinyong.catalog.departments import load_departments
from xinyong.rules.loader import SourcedRule, StrictRule, load_rulebook


class Labelled(SourcedRule):
    """A key, its Chinese label, its source and confidence."""

    key: str = Field(pattern=r"^[a-z][a-z_]{1,39}$")
    label: str = Field(min_length=2, max_length=40)


class Sector(Labelled):
    """A sector of work-plan item （五）: the plan's wording and the departments whose penalties fall in it."""

    wording: str = Field(min_length=2, max_length=80)
    departments: tuple[str, ...] = ()
    all_penalties: bool = False


class TargetStatus(Labelled):
    """A target status; a ``final`` one cannot change again."""

    final: bool


class RepeatRule(SourcedRule):
    """屡禁不止、屡罚不改: at least ``min_count`` current penalties of the same ``group_by`` within ``window_days``."""

    items: tuple[str, ...] = Field(min_length=1)
    group_by: Literal["category"]
    min_count: int = Field(ge=2, le=100)
    window_days: int = Field(ge=1, le=3650)
    exclude_effects: tuple[Literal["revoked", "repaired"], ...]

    @model_validator(mode="after")
    def _revoked_never_counts(self) -> RepeatRule:
        if "revoked" not in self.exclude_effects:
            raise ValueError("exclude_effects 必须包含 revoked：已撤销的处罚决定不计入")
        return self


class CampaignRules(StrictRule):
    """``rules/campaigns.yaml``."""

    version: int = Field(ge=1)
    source: str
    sectors: tuple[Sector, ...] = Field(min_length=1)
    progress_figures: tuple[Labelled, ...] = Field(min_length=1)
    target_statuses: tuple[TargetStatus, ...] = Field(min_length=2)
    repeat_violators: RepeatRule

    @model_validator(mode="after")
    def _consistent(self) -> CampaignRules:
        for name in ("sectors", "progress_figures", "target_statuses"):
            keys = [entry.key for entry in getattr(self, name)]
            if len(keys) != len(set(keys)):
                raise ValueError(f"{name} 中有重复的 key")
        if self.target_statuses[0].final:
            raise ValueError("target_statuses 的第一项（新纳入的状态）不能是终态")
        catalog = load_departments()
        for sector in self.sectors:
            for code in sector.departments:
                if catalog.by_code(code) is None:
                    raise ValueError(f"领域 {sector.key} 指向未登记的部门代码 {code!r}")
        return self

    def sector(self, key: str) -> Sector | None:
        """The sector ``key`` (None if unknown)."""
        return next((s for s in self.sectors if s.key == key), None)

    def sector_labels(self) -> dict[str, str]:
        """Sector key → label, in rulebook order."""
        return {s.key: s.label for s in self.sectors}

    def figure_labels(self) -> dict[str, str]:
        """Progress figure key → label."""
        return {f.key: f.label for f in self.progress_figures}

    def status_labels(self) -> dict[str, str]:
        """Target status key → label."""
        return {s.key: s.label for s in self.target_statuses}

    def final_statuses(self) -> frozenset[str]:
        """Target statuses that cannot change again."""
        return frozenset(s.key for s in self.target_statuses if s.final)

    @property
    def initial_status(self) -> str:
        """The status a new target starts in."""
        return self.target_statuses[0].key


def campaign_rules() -> CampaignRules:
    """The validated rulebook (cached by the loader)."""
    return load_rulebook("campaigns", CampaignRules)
