"""Publicity regimes (``rules/publicity.yaml``): severity of a penalty and the window it is published in.

* ``classify_severity``: the severity stated in the data (失信严重程度, 轻微/一般/严重), else the classification of
  its 处罚类别 (configurable mapping, default ``general``).
* ``publicity_window``: the regime in force on the decision date (before the first regime: the first), the
  end of its minimum period (``min_end``: repair may be applied for after it), the last published day
  (``max_end``), whether the severity is published at all, and — by the straddle rule — the earlier end of a
  later, more favourable regime with the day it applies from (``later_end`` / ``later_from``).

Period ends follow 《民法典》第二百零一条/第二百零二条: an N-month period from the decision date ends on the
corresponding day N months later, or on the last day of that month when it has none (``add_months``).
``record_window`` in ``records.periods`` calls this for every loaded row of an item with
``publicity_rule: regime``: the rulebook is cached and windows are memoised per (severity, date, special case).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from xinyong.errors import InvalidInput
from xinyong.rules.loader import RULES_DIR, load_rulebook

Severity = Literal["minor", "general", "serious"]
SEVERITIES: tuple[Severity, ...] = ("minor", "general", "serious")
SEVERITY_LABELS: dict[str, str] = {"minor": "轻微", "general": "一般", "serious": "严重"}
SEVERITY_BY_LABEL: dict[str, Severity] = {"轻微": "minor", "一般": "general", "严重": "serious"}
Straddle = Literal["keep_unless_more_favourable", "original", "current"]


# --------------------------------------------------------------------------------------------- the rulebook
class SeverityRule(BaseModel):
    """Whether a severity is published under a regime, and its minimum and maximum periods in months."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    published: bool
    min_months: int | None = Field(ge=0, le=120)
    max_months: int = Field(ge=1, le=120)
    source: str = Field(min_length=1)

    @model_validator(mode="after")
    def _min_not_above_max(self) -> SeverityRule:
        if self.min_months is not None and self.min_months > self.max_months:
            raise ValueError(f"min_months {self.min_months} 大于 max_months {self.max_months}")
        return self


class SpecialCase(BaseModel):
    """A field (e.g. 特种设备) whose penalties have a longer minimum period, found by keywords."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9_]{1,39}$")
    name: str = Field(min_length=1)
    keywords: tuple[str, ...] = Field(min_length=1)
    min_months: int = Field(ge=0, le=120)
    source: str = Field(min_length=1)


class Regime(BaseModel):
    """One publicity regime and the days it is in force (``in_force_to`` empty: still in force)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9_]{1,31}$")
    name: str = Field(min_length=1)
    in_force_from: date
    in_force_to: date | None
    source: str = Field(min_length=1)
    severities: dict[Severity, SeverityRule]
    special_cases: tuple[SpecialCase, ...] = ()

    @model_validator(mode="after")
    def _complete(self) -> Regime:
        if set(self.severities) != set(SEVERITIES):
            raise ValueError(f"规则 {self.id} 应为 minor、general、serious 各列一条")
        if self.in_force_to is not None and self.in_force_to < self.in_force_from:
            raise ValueError(f"规则 {self.id} 的施行截止日早于施行日")
        for case in self.special_cases:
            for severity, rule in self.severities.items():
                if rule.published and case.min_months > rule.max_months:
                    raise ValueError(f"规则 {self.id} 特殊情形 {case.id} 的最短期超过 {severity} 的最长期")
        return self

    def covers(self, day: date) -> bool:
        """Whether the regime is in force on ``day``."""
        return self.in_force_from <= day and (self.in_force_to is None or day <= self.in_force_to)


class Classification(BaseModel):
    """Severity by 处罚类别 when the data states none."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    default: Severity
    source: str = Field(min_length=1)
    categories: dict[str, Severity]


class PublicityRules(BaseModel):
    """``rules/publicity.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int = Field(ge=1)
    source: str = Field(min_length=1)
    before_first_regime: Literal["first"]
    before_first_regime_source: str = Field(min_length=1)
    regimes: tuple[Regime, ...] = Field(min_length=1)
    match_fields: tuple[str, ...]
    match_fields_source: str = Field(min_length=1)
    straddle: Straddle
    straddle_source: str = Field(min_length=1)
    classification: Classification

    @model_validator(mode="after")
    def _contiguous(self) -> PublicityRules:
        ids = [r.id for r in self.regimes]
        if len(set(ids)) != len(ids):
            raise ValueError("regimes 的 id 重复")
        for before, after in zip(self.regimes, self.regimes[1:], strict=False):
            if before.in_force_to is None:
                raise ValueError(f"只有最后一个规则可以没有施行截止日（{before.id}）")
            if after.in_force_from <= before.in_force_to:
                raise ValueError(f"规则 {before.id} 与 {after.id} 的施行期间重叠或顺序颠倒")
            if after.in_force_from != before.in_force_to + timedelta(days=1):
                raise ValueError(f"规则 {before.id} 与 {after.id} 之间有空档")
        return self

    def regime(self, regime_id: str) -> Regime:
        """The regime ``regime_id``; ``KeyError`` if none."""
        for r in self.regimes:
            if r.id == regime_id:
                return r
        raise KeyError(regime_id)

    def regime_on(self, day: date) -> Regime:
        """The regime in force on ``day`` (a day before the first regime: the first)."""
        for r in self.regimes:
            if r.covers(day):
                return r
        return self.regimes[0]


@cache
def _rules_in(directory: Path) -> PublicityRules:
    return load_rulebook("publicity", PublicityRules, directory)


def publicity_rules(directory: Path = RULES_DIR) -> PublicityRules:
    """The publicity rulebook (``<directory>/publicity.yaml``, cached)."""
    return _rules_in(directory)


# --------------------------------------------------------------------------------------------- dates
def add_months(day: date, months: int) -> date:
    """The corresponding day ``months`` months after ``day``, or the month's last day when it has none
    (民法典 第二百零二条: the last day of a period counted in months)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# --------------------------------------------------------------------------------------------- severity
def severity_code(text: str | None) -> Severity | None:
    """``minor``/``general``/``serious`` from a code or a Chinese label (轻微/一般/严重); None when blank."""
    if text is None or not text.strip():
        return None
    value = text.strip()
    if value in SEVERITY_BY_LABEL:
        return SEVERITY_BY_LABEL[value]
    if value.lower() in SEVERITIES:
        return value.lower()  # type: ignore[return-value]
    raise InvalidInput(
        f"失信严重程度“{value[:20]}”无效，应为 轻微、一般、严重（minor、general、serious）", field="severity"
    )


def classify_severity(stated: str | None, category: str | None, rules: PublicityRules | None = None) -> Severity:
    """The severity stated in the data (轻微/一般/严重 or its code), else the classification of the
    处罚类别 ``category`` (``classification`` in the rulebook; an unlisted or missing category → default)."""
    code = severity_code(stated)
    if code is not None:
        return code
    book = (rules or publicity_rules()).classification
    return book.categories.get((category or "").strip(), book.default)


# --------------------------------------------------------------------------------------------- windows
class Window(BaseModel):
    """Where a record stands under the publicity regimes (dates are last days, inclusive)."""

    model_config = ConfigDict(frozen=True)

    regime: str = Field(description="公示规则代码（决定日期适用的规则）")
    severity: Severity
    published: bool = Field(description="该严重程度是否公示")
    min_end: date | None = Field(description="最短公示期最后一日；此后可申请信用修复")
    max_end: date | None = Field(description="公示期最后一日（最长公示期）")
    later_end: date | None = Field(description="更有利的新规则下的公示期最后一日")
    later_from: date | None = Field(description="该新规则的施行日（自该日起适用 later_end）")
    special_case: str | None = Field(description="适用的特殊情形（如 特种设备）")
    rule_version: int

    def end_on(self, as_of: date) -> date | None:
        """The last published day in force on ``as_of``: ``max_end``, or from ``later_from`` on the later end (the
        day before ``later_from`` when that end had already passed), as ``records.status.effective_end``."""
        if self.max_end is not None and self.later_end is not None and self.later_from and as_of >= self.later_from:
            return min(self.max_end, max(self.later_end, self.later_from - timedelta(days=1)))
        return self.max_end

    def min_period_passed(self, as_of: date) -> bool:
        """Whether ``as_of`` is after the minimum period (always true without one)."""
        return self.min_end is None or as_of > self.min_end


def special_case_ids(texts: Iterable[str | None], rules: PublicityRules | None = None) -> frozenset[str]:
    """Ids of every regime's special cases whose keywords occur in ``texts`` (处罚依据, 违法行为类型)."""
    joined = "\n".join(t for t in texts if t)
    if not joined:
        return frozenset()
    book = rules or publicity_rules()
    return frozenset(
        case.id for r in book.regimes for case in r.special_cases if any(k in joined for k in case.keywords)
    )


def _ends(regime: Regime, severity: Severity, decided_on: date, cases: frozenset[str]) -> tuple[date | None, ...]:
    """(min_end, max_end, special case id) of a record under ``regime``; ends None when not published."""
    rule = regime.severities[severity]
    if not rule.published:
        return None, None, None
    min_months, special = rule.min_months, None
    for case in regime.special_cases:
        if case.id in cases and (min_months is None or case.min_months > min_months):
            min_months, special = case.min_months, case.id
    min_end = add_months(decided_on, min_months) if min_months is not None else None
    return min_end, add_months(decided_on, rule.max_months), special  # type: ignore[return-value]


def publicity_window(
    severity: Severity,
    decided_on: date,
    texts: Iterable[str | None] = (),
    *,
    rules: PublicityRules | None = None,
) -> Window:
    """The publicity window of a record of ``severity`` decided on ``decided_on``; ``texts`` (its 处罚依据 and
    违法行为类型) select special cases. The straddle rule of the rulebook decides ``later_end``/``later_from``."""
    book = rules or publicity_rules()
    if severity not in SEVERITIES:
        raise InvalidInput(f"失信严重程度“{str(severity)[:20]}”无效，应为 minor、general、serious", field="severity")
    key = (severity, decided_on, special_case_ids(texts, book))
    memo = _memo(book)
    window = memo.get(key)
    if window is None:
        if len(memo) >= MEMO_SIZE:
            memo.clear()
        window = memo[key] = _window(book, *key)
    return window


MEMO_SIZE = 100_000
_MEMOS: dict[int, tuple[PublicityRules, dict[tuple[str, date, frozenset[str]], Window]]] = {}


def _memo(book: PublicityRules) -> dict[tuple[str, date, frozenset[str]], Window]:
    """The memo of computed windows of ``book`` (rulebooks are few: one per file, cached)."""
    entry = _MEMOS.get(id(book))
    if entry is None or entry[0] is not book:
        entry = _MEMOS[id(book)] = (book, {})
    return entry[1]


def _window(book: PublicityRules, severity: Severity, decided_on: date, cases: frozenset[str]) -> Window:
    regime = book.regime_on(decided_on)
    min_end, max_end, special = _ends(regime, severity, decided_on, cases)
    published = regime.severities[severity].published
    later_end: date | None = None
    later_from: date | None = None
    if published and book.straddle != "original":
        end = max_end
        for later in (r for r in book.regimes if r.in_force_from > regime.in_force_from):
            if end is None or end < later.in_force_from:
                break  # publicity already ended when the later regime came into force
            rule = later.severities[severity]
            # Not published under the later regime: publicity stops the day before it comes into force.
            candidate = _ends(later, severity, decided_on, cases)[1] if rule.published else None
            candidate = candidate or later.in_force_from - timedelta(days=1)
            if candidate < end:
                if later_end is None or candidate < later_end:
                    later_end, later_from = candidate, later.in_force_from
                break
            if book.straddle == "current" and candidate > end:
                end = max_end = candidate  # the longer maximum of the regime in force applies
    return Window(
        regime=regime.id,
        severity=severity,
        published=published,
        min_end=min_end,
        max_end=max_end,
        later_end=later_end,
        later_from=later_from,
        special_case=special,  # type: ignore[arg-type]
        rule_version=book.version,
    )
