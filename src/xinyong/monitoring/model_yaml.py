"""The monitoring indicator model (``rules/monitoring/<version>.yaml``): loader and validator.

A model has four first-level groups, each with second-level subgroups and their indicators. Validated at load:
indicator weights sum to their subgroup's weight, subgroups to their group's, groups to 100; every indicator is
either computed (``compute.kind`` a known kind of ``xinyong.monitoring.compute``) or manual; no indicator may be
built over a category of the negative list (信访, 拆迁 … rules.md §7).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from xinyong.errors import NotFound
from xinyong.rules.loader import RULES_DIR, RulebookError

MODELS_DIR = RULES_DIR / "monitoring"
DEFAULT_VERSION = 2020
TOTAL = 100.0
EPSILON = 1e-9
Confidence = Literal["H", "M", "L"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Scoring(_Strict):
    """Value → fraction of the weight: ``linear`` between ``floor`` (0) and ``target`` (1), or pass/fail."""

    kind: Literal["linear", "at_most", "at_least"]  # pass/fail kinds: full marks at most / at least ``target``
    floor: float = 0.0
    target: float
    empty: float = Field(default=1.0, ge=0.0, le=1.0, description="fraction when the month has no cases")

    @model_validator(mode="after")
    def _range(self) -> Scoring:
        if self.kind == "linear" and self.floor == self.target:
            raise ValueError("linear 评分的 floor 与 target 不能相同")
        return self

    def fraction(self, value: float | None) -> float:
        """The share of the weight earned by ``value`` (``empty`` when there is no value)."""
        if value is None:
            return self.empty
        if self.kind == "at_most":
            return 1.0 if value <= self.target + EPSILON else 0.0
        if self.kind == "at_least":
            return 1.0 if value >= self.target - EPSILON else 0.0
        share = (value - self.floor) / (self.target - self.floor)
        return min(1.0, max(0.0, share))


class Compute(_Strict):
    """A computed kind and its parameters (see ``xinyong.monitoring.compute.KINDS``)."""

    model_config = ConfigDict(extra="allow", frozen=True)

    kind: str

    def params(self) -> dict[str, object]:
        """The parameters besides ``kind``."""
        return dict(self.model_extra or {})


class Indicator(_Strict):
    """A tertiary indicator: its weight, how it is obtained, scored and warned about."""

    code: str = Field(pattern=r"^[a-z][a-z0-9_]{1,39}$")
    name: str = Field(min_length=2, max_length=60)
    weight: float = Field(gt=0, le=TOTAL)
    unit_label: str = Field(max_length=12)
    compute: Compute | None = None
    manual: bool = False
    departments: tuple[str, ...] = ()
    scoring: Scoring
    warn_at: float
    source: str = Field(min_length=1)
    confidence: Confidence

    @model_validator(mode="after")
    def _one_source(self) -> Indicator:
        if (self.compute is None) == (not self.manual):
            raise ValueError(f"指标 {self.code} 必须且只能是 compute 或 manual: true 之一")
        return self

    @property
    def higher_better(self) -> bool:
        """Whether a larger value is better: ``at_least``, or linear with target above floor."""
        scoring = self.scoring
        return scoring.kind == "at_least" or (scoring.kind == "linear" and scoring.target > scoring.floor)

    def worse(self, value: float, than: float) -> bool:
        """Whether ``value`` is worse than ``than`` in this indicator's direction."""
        return value < than - EPSILON if self.higher_better else value > than + EPSILON


class Subgroup(_Strict):
    """A second-level indicator (二级指标)."""

    code: str = Field(pattern=r"^[a-z][a-z0-9_]{1,39}$")
    name: str
    weight: float = Field(gt=0)
    source: str = Field(min_length=1)
    indicators: tuple[Indicator, ...] = Field(min_length=1)


class Group(_Strict):
    """A first-level indicator (一级指标)."""

    code: str = Field(pattern=r"^[a-z][a-z0-9_]{1,39}$")
    name: str
    weight: float = Field(gt=0)
    source: str = Field(min_length=1)
    subgroups: tuple[Subgroup, ...] = Field(min_length=1)


class NegativeCategory(_Strict):
    """An excluded category (负面清单) and the words that reveal it."""

    name: str
    keywords: tuple[str, ...] = Field(min_length=1)
    source: str = Field(min_length=1)


class NegativeList(_Strict):
    """The records that must not exist without a legal basis (rules.md §7)."""

    source: str = Field(min_length=1)
    categories: tuple[NegativeCategory, ...] = Field(min_length=1)

    def keywords(self) -> dict[str, str]:
        """Every keyword → its category name."""
        return {kw: c.name for c in self.categories for kw in c.keywords}


class MonitoringModel(_Strict):
    """One version of the indicator model."""

    version: int = Field(ge=2000, le=2100)
    name: str
    source: str = Field(min_length=1)
    district: str = Field(pattern=r"^\d{6}$")
    groups: tuple[Group, ...] = Field(min_length=1)
    negative_check: NegativeList

    @model_validator(mode="after")
    def _weights(self) -> MonitoringModel:
        from xinyong.monitoring.compute import KINDS  # the kinds live with their queries

        if abs(sum(g.weight for g in self.groups) - TOTAL) > EPSILON:
            raise ValueError(f"一级指标分值合计应为 {TOTAL:g}，实为 {sum(g.weight for g in self.groups):g}")
        seen: set[str] = set()
        banned = self.negative_check.keywords()
        for group in self.groups:
            total = sum(s.weight for s in group.subgroups)
            if abs(total - group.weight) > EPSILON:
                raise ValueError(f"一级指标“{group.name}”的二级指标分值合计 {total:g} ≠ {group.weight:g}")
            for sub in group.subgroups:
                total = sum(i.weight for i in sub.indicators)
                if abs(total - sub.weight) > EPSILON:
                    raise ValueError(f"二级指标“{sub.name}”的三级指标分值合计 {total:g} ≠ {sub.weight:g}")
                for ind in sub.indicators:
                    if ind.code in seen:
                        raise ValueError(f"指标代码 {ind.code} 重复")
                    seen.add(ind.code)
                    if ind.compute is not None and ind.compute.kind not in KINDS:
                        known = ", ".join(KINDS)
                        raise ValueError(f"指标 {ind.code} 的计算方式 {ind.compute.kind!r} 未定义（可用: {known}）")
                    hit = next((kw for kw in banned if kw in ind.name), None)
                    if hit is not None:
                        raise ValueError(
                            f"指标“{ind.name}”涉及负面清单事项“{banned[hit]}”（{hit}），无法律依据不得作为监测指标"
                        )
        return self

    def indicators(self) -> list[tuple[Group, Subgroup, Indicator]]:
        """Every indicator with its groups, in model order."""
        return [(g, s, i) for g in self.groups for s in g.subgroups for i in s.indicators]

    def indicator(self, code: str) -> Indicator:
        """The indicator ``code`` (404 when unknown)."""
        for _, _, ind in self.indicators():
            if ind.code == code:
                return ind
        raise NotFound(f"监测模型 {self.version} 版没有指标 {code[:40]!r}", field="indicator")


def available_versions(directory: Path = MODELS_DIR) -> list[int]:
    """Versions with a model file, newest first."""
    return sorted((int(p.stem) for p in directory.glob("*.yaml") if p.stem.isdigit()), reverse=True)


def load_model(version: int = DEFAULT_VERSION, directory: Path = MODELS_DIR) -> MonitoringModel:
    """The validated model ``version`` (cached); a missing version is a 404, an invalid file a RulebookError."""
    path = directory / f"{version}.yaml"
    if not path.is_file():
        raise NotFound(f"没有 {version} 版监测指标模型", field="version")
    return _load(path)


@cache
def _load(path: Path) -> MonitoringModel:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        model = MonitoringModel.model_validate(data)
    except (OSError, yaml.YAMLError) as exc:
        raise RulebookError(f"监测指标模型无法读取 (cannot read) {path.name}: {exc}") from exc
    except ValidationError as exc:
        raise RulebookError(f"监测指标模型校验失败 (model invalid) {path.name}: {exc}") from exc
    if str(model.version) != path.stem:
        raise RulebookError(f"监测指标模型 {path.name} 的 version {model.version} 与文件名不符")
    return model
