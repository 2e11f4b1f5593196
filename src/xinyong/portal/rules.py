"""The portal rulebook (``rules/portal.yaml``): publicity campaigns, the HTML allowlist of article bodies, input
limits, innovation-case scenarios and the eligibility rules of honest-enterprise selections, validated at load."""

from __future__ import annotations

import calendar
import re
from datetime import date
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from xinyong.lists.types import LIST_KINDS
from xinyong.rules.loader import RULES_DIR, load_rulebook

CODE = r"^[a-z][a-z0-9_]{1,39}$"
TAG = r"^[a-z][a-z0-9]{0,15}$"
# Never allowed, whatever the YAML says: they run code or load other documents.
FORBIDDEN_TAGS = frozenset({"script", "style", "iframe", "frame", "object", "embed", "applet", "base", "meta", "link"})


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Campaign(Strict):
    """A publicity campaign (宣传节点) an article may be tagged with; month/day None: no fixed date."""

    code: str = Field(pattern=CODE)
    name: str = Field(min_length=2, max_length=40)
    month: int | None = Field(default=None, ge=1, le=12)
    day: int | None = Field(default=None, ge=1, le=31)
    source: str = Field(min_length=4)

    @model_validator(mode="after")
    def _date(self) -> Campaign:
        if self.day is not None:
            if self.month is None:
                raise ValueError(f"宣传节点“{self.name}”写了日而没有月")
            date(2024, self.month, self.day)  # a leap year: 2月29日 allowed, 2月30日 refused
        return self

    @property
    def when(self) -> str:
        """``每年6月14日`` / ``每年9月`` / ``全年``."""
        if self.month is None:
            return "全年"
        return f"每年{self.month}月{self.day}日" if self.day else f"每年{self.month}月"

    def next_start(self, as_of: date) -> date | None:
        """The first day of this campaign's next occurrence on or after ``as_of`` (its month's first day when it
        has no day; the current month counts while it lasts); None without a date."""
        if self.month is None:
            return None
        for year in (as_of.year, as_of.year + 1):
            day = self.day or 1
            if self.month == 2 and day == 29 and not calendar.isleap(year):
                day = 28
            start = date(year, self.month, day)
            end = start if self.day else _month_end(year, self.month)
            if end >= as_of:
                return start
        return None  # pragma: no cover - the loop always finds next year's


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


class Sanitiser(Strict):
    """The allowlist of article HTML (nh3)."""

    tags: tuple[str, ...] = Field(min_length=1)
    attributes: dict[str, tuple[str, ...]]
    link_schemes: tuple[str, ...]
    image_schemes: tuple[str, ...]
    relative_urls: bool
    drop_with_content: tuple[str, ...]
    link_rel: str
    source: str = Field(min_length=4)

    @field_validator("tags", "drop_with_content")
    @classmethod
    def _tag_names(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        bad = [t for t in value if not re.match(TAG, t)]
        if bad:
            raise ValueError(f"标签名不合法: {bad}")
        return value

    @model_validator(mode="after")
    def _safe(self) -> Sanitiser:
        kept = set(self.tags)
        danger = sorted(kept & FORBIDDEN_TAGS)
        if danger:
            raise ValueError(f"不得允许可执行或加载外部文档的标签: {danger}")
        both = sorted(kept & set(self.drop_with_content))
        if both:
            raise ValueError(f"标签不能既保留又连内容删除: {both}")
        stray = sorted(set(self.attributes) - kept)
        if stray:
            raise ValueError(f"attributes 中的标签未被允许: {stray}")
        for tag, names in self.attributes.items():
            risky = [n for n in names if n.startswith("on") or n in ("style", "srcdoc", "formaction")]
            if risky:
                raise ValueError(f"<{tag}> 不得允许事件或样式属性: {risky}")
        schemes = {s.lower() for s in (*self.link_schemes, *self.image_schemes)}
        if schemes & {"javascript", "vbscript", "data", "file"}:
            raise ValueError("不得允许 javascript:、vbscript:、data:、file: 链接")
        return self


class Limits(Strict):
    """Input limits (characters) and the public page size."""

    title_max: int = Field(ge=10, le=200)
    summary_max: int = Field(ge=10, le=500)
    source_max: int = Field(ge=10, le=200)
    body_max: int = Field(ge=1000, le=2_000_000)
    unit_max: int = Field(ge=10, le=200)
    note_max: int = Field(ge=10, le=20000)
    reason_min: int = Field(ge=1, le=100)
    reason_max: int = Field(ge=10, le=20000)
    page_size: int = Field(ge=5, le=100)
    source: str = Field(min_length=4)


class Scenario(Strict):
    """An application scenario (应用场景) of innovation cases."""

    code: str = Field(pattern=CODE)
    name: str = Field(min_length=2, max_length=40)
    source: str = Field(min_length=4)


class SelectionRules(Strict):
    """Who may be nominated in a selection (beyond the red list's own subject kinds)."""

    exclude_list_kinds: tuple[str, ...]
    exclude_list_kinds_source: str = Field(min_length=4)
    exclude_public_penalties: bool
    exclude_public_penalties_source: str = Field(min_length=4)
    organisers: dict[str, str]
    organisers_source: str = Field(min_length=4)

    @field_validator("exclude_list_kinds")
    @classmethod
    def _kinds(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [k for k in value if k not in LIST_KINDS or k == "red"]
        if unknown:
            raise ValueError(f"未知或不应排除的名单种类: {unknown}")
        return value


class PortalRules(Strict):
    """``rules/portal.yaml``."""

    version: int = Field(ge=1)
    source: str = Field(min_length=4)
    campaigns: tuple[Campaign, ...] = Field(min_length=1)
    sanitiser: Sanitiser
    limits: Limits
    innovation_scenarios: tuple[Scenario, ...] = Field(min_length=1)
    selections: SelectionRules

    @model_validator(mode="after")
    def _unique(self) -> PortalRules:
        for what, codes in (
            ("campaigns", [c.code for c in self.campaigns]),
            ("campaign names", [c.name for c in self.campaigns]),
            ("innovation_scenarios", [s.code for s in self.innovation_scenarios]),
        ):
            if len(set(codes)) != len(codes):
                raise ValueError(f"{what} 有重复")
        return self

    def campaign(self, code: str) -> Campaign | None:
        """The campaign ``code`` (None when there is no such campaign)."""
        return next((c for c in self.campaigns if c.code == code), None)

    def scenario(self, code: str) -> Scenario | None:
        """The scenario ``code`` (None when there is none)."""
        return next((s for s in self.innovation_scenarios if s.code == code), None)

    def campaigns_by_next(self, as_of: date) -> list[Campaign]:
        """Campaigns in the order they next come round from ``as_of``; those without a date last."""
        return sorted(self.campaigns, key=lambda c: (c.next_start(as_of) or date.max, c.code))


def portal_rules(directory: Path = RULES_DIR) -> PortalRules:
    """The portal rulebook (``<directory>/portal.yaml``, cached)."""
    return load_rulebook("portal", PortalRules, directory)
