"""Credit evaluation models as data (``rules/evaluation/<name>.yaml``), validated at load.

A model has a base score, dimensions of indicators, decay schedules and grade thresholds (rules.md §6). Each
indicator is a set-based aggregate over the credit records in force on ``as_of`` (``records.status``) of one
catalogue item, optionally filtered by severity and category:

- ``per_record``: ``points`` for every record, times the decay factor of its age, summed;
- ``any_record``: ``points`` once when the subject has at least one such record (times the best decay factor);
- ``on_list``: ``points`` once when the subject (itself, not as a responsible person) has an entry of the list
  type ``list_code`` (``rules/lists``) in force on ``as_of`` (``lists.active.in_force``); no decay.

The sum is capped (``cap``: the largest absolute value the indicator may reach) and weighted by the indicator's
and its dimension's ``weight``. The score is ``base_score`` plus the weighted indicators, kept within
[``score_min``, ``score_max``] and rounded to two decimals; the grade is the band of ``grades`` holding it.

Decay is by age bands in whole months from ``decided_on`` to ``as_of``: a record decided after
``as_of - within_months`` gets the band's factor (the first band that holds wins), older ones ``beyond``.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from xinyong.catalog.items import load_catalog
from xinyong.rules.loader import RULES_DIR, parse_model_data, read_model_file
from xinyong.subjects.industries import check_industry

MODELS_DIR: Path = RULES_DIR / "evaluation"
GRADES: tuple[str, ...] = ("A", "B", "C", "D")
INDICATOR_KINDS: tuple[str, ...] = ("per_record", "any_record", "on_list")
SEVERITIES: tuple[str, ...] = ("minor", "general", "serious")
NO_DECAY = "none"


class ModelError(ValueError):
    """An evaluation model is missing or does not validate (the message says which field and why)."""


def _number(value: Any, what: str) -> float:
    """``value`` as a finite number; a clear message when it does not parse (e.g. ``"0,3"`` or ``"三成"``)."""
    if isinstance(value, bool):
        raise ValueError(f"{what}无法解析为数字：{value!r}")
    if isinstance(value, int | float):
        number = Decimal(str(value))
    else:
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            raise ValueError(f"{what}无法解析为数字：{value!r}") from None
    if not number.is_finite():
        raise ValueError(f"{what}无法解析为数字：{value!r}")
    return float(number)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Band(Strict):
    """Records decided within the last ``within_months`` months (before ``as_of``) count ``factor`` times."""

    within_months: int = Field(ge=1, le=600)
    factor: float = Field(ge=0, le=1)


class Decay(Strict):
    """Age bands (ascending ``within_months``) and the factor of older records."""

    bands: tuple[Band, ...] = Field(min_length=1)
    beyond: float = Field(ge=0, le=1)
    source: str

    @model_validator(mode="after")
    def _ascending(self) -> Decay:
        months = [b.within_months for b in self.bands]
        if months != sorted(set(months)):
            raise ValueError(f"衰减区间的月数应严格递增：{months}")
        return self


class Indicator(Strict):
    """One indicator (指标): an aggregate over records of ``item``, or (``on_list``) an entry of ``list_code``."""

    code: str = Field(pattern=r"^[a-z][a-z0-9_]{1,39}$")
    label: str = Field(min_length=2, max_length=60)
    kind: str
    item: str | None = None
    list_code: str | None = None
    severity: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    points: float
    decay: str = NO_DECAY
    cap: float = Field(gt=0)
    weight: float = 1.0
    source: str

    @field_validator("kind")
    @classmethod
    def _kind(cls, value: str) -> str:
        if value not in INDICATOR_KINDS:
            raise ValueError(f"未知的指标类型 {value!r}（可用：{'、'.join(INDICATOR_KINDS)}）")
        return value

    @field_validator("item")
    @classmethod
    def _item(cls, value: str | None) -> str | None:
        items = load_catalog().items
        if value is not None and value not in items:
            raise ValueError(f"目录中没有数据项 {value!r}（可用：{'、'.join(sorted(items))}）")
        return value

    @field_validator("list_code")
    @classmethod
    def _list_code(cls, value: str | None) -> str | None:
        from xinyong.lists.types import list_catalogue  # lists import the catalogue too: import when used

        types = list_catalogue().types
        if value is not None and value not in types:
            raise ValueError(f"没有名单类型 {value!r}（可用：{'、'.join(sorted(types))}）")
        return value

    @model_validator(mode="after")
    def _source(self) -> Indicator:
        if self.kind == "on_list":
            if self.list_code is None or self.item is not None or self.severity or self.categories:
                raise ValueError(f"名单指标 {self.code} 须写 list_code，且不得写 item、severity、categories")
            if self.decay != NO_DECAY:
                raise ValueError(f"名单指标 {self.code} 不衰减（decay 应为 none）")
        elif self.item is None or self.list_code is not None:
            raise ValueError(f"记录指标 {self.code} 须写 item，且不得写 list_code")
        return self

    @property
    def on_list(self) -> bool:
        """Whether the indicator counts a list entry rather than records."""
        return self.kind == "on_list"

    @field_validator("severity")
    @classmethod
    def _severity(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [v for v in value if v not in SEVERITIES]
        if unknown:
            raise ValueError(f"未知的失信严重程度 {unknown}（可用：{'、'.join(SEVERITIES)}）")
        return value

    @field_validator("points", mode="before")
    @classmethod
    def _points(cls, value: Any) -> float:
        return _number(value, "分值 points ")

    @field_validator("cap", mode="before")
    @classmethod
    def _cap(cls, value: Any) -> float:
        return _number(value, "封顶 cap ")

    @field_validator("weight", mode="before")
    @classmethod
    def _weight(cls, value: Any) -> float:
        number = _number(value, "权重 weight ")
        if not 0 < number <= 10:
            raise ValueError(f"权重 weight 应大于 0 且不超过 10：{value!r}")
        return number


class Dimension(Strict):
    """A dimension (维度) of indicators with its weight."""

    code: str = Field(pattern=r"^[a-z][a-z0-9_]{1,39}$")
    label: str = Field(min_length=2, max_length=40)
    weight: float
    indicators: tuple[Indicator, ...] = Field(min_length=1)

    @field_validator("weight", mode="before")
    @classmethod
    def _weight(cls, value: Any) -> float:
        number = _number(value, "维度权重 weight ")
        if not 0 < number <= 10:
            raise ValueError(f"维度权重 weight 应大于 0 且不超过 10：{value!r}")
        return number


class GradeBand(Strict):
    """Scores from ``min`` (inclusive) to ``below`` (exclusive); no ``min`` for D, no ``below`` for A."""

    grade: Literal["A", "B", "C", "D"]
    label: str = Field(min_length=1, max_length=20)
    min: float | None = None
    below: float | None = None


class AppliesTo(Strict):
    """Which subjects the model evaluates: those of ``subject_kinds`` and, when ``industries`` (keys of
    ``rules/industries.yaml``, checked at load) is not empty, whose ``industry`` is one of them."""

    subject_kinds: tuple[Literal["legal_person", "unincorporated_org", "individual_business", "natural_person"], ...]
    industries: tuple[str, ...] = ()

    @field_validator("industries")
    @classmethod
    def _industries(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for key in value:
            check_industry(key)  # ValueError naming the known keys
        if len(set(value)) != len(value):
            raise ValueError(f"行业重复：{list(value)}")
        return value

    def covers(self, kind: str, industry: str | None) -> bool:
        """Whether a subject of ``kind`` and ``industry`` is evaluated by the model."""
        return kind in self.subject_kinds and (not self.industries or industry in self.industries)


class Validation(Strict):
    """Parameters of the scorecard validation report (``evaluation.validation``): a subject is "bad" after a
    month-end when a record of ``bad_items`` (any severity) is decided against it within ``horizon_months``."""

    horizon_months: int = Field(ge=1, le=60)
    bad_items: tuple[str, ...] = Field(min_length=1)
    source: str = Field(min_length=4)

    @field_validator("bad_items")
    @classmethod
    def _items(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        items = load_catalog().items
        unknown = [v for v in value if v not in items]
        if unknown:
            raise ValueError(f"目录中没有数据项 {unknown}（可用：{'、'.join(sorted(items))}）")
        return value


class EvaluationModel(Strict):
    """One evaluation model file."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_]{1,39}$")
    version: int = Field(ge=1)
    label: str
    source: str
    applies_to: AppliesTo
    base_score: float
    score_min: float
    score_max: float
    decay: dict[str, Decay] = Field(default_factory=dict)
    dimensions: tuple[Dimension, ...] = Field(min_length=1)
    grades: tuple[GradeBand, ...]
    grades_source: str
    calibration: str = ""
    validation: Validation

    @model_validator(mode="after")
    def _consistent(self) -> EvaluationModel:
        if not self.score_min <= self.base_score <= self.score_max:
            raise ValueError("基础分 base_score 应在 score_min 与 score_max 之间")
        codes = [i.code for d in self.dimensions for i in d.indicators]
        duplicates = sorted({c for c in codes if codes.count(c) > 1})
        if duplicates:
            raise ValueError(f"指标代码重复：{duplicates}")
        for indicator in self.indicators():
            if indicator.decay != NO_DECAY and indicator.decay not in self.decay:
                raise ValueError(f"指标 {indicator.code} 引用了未定义的衰减方案 {indicator.decay!r}")
        self._check_grades()
        return self

    def _check_grades(self) -> None:
        order = tuple(g.grade for g in self.grades)
        if order != GRADES:
            raise ValueError(f"等级应依次为 A、B、C、D（收到 {'、'.join(order) or '无'}）")
        top, bottom = self.grades[0], self.grades[-1]
        if top.below is not None:
            raise ValueError("A 级不应设上限 below（最高一档包含以上所有分数）")
        if bottom.min is not None:
            raise ValueError("D 级不应设下限 min（最低一档包含以下所有分数）")
        for upper, lower in zip(self.grades, self.grades[1:], strict=False):
            if upper.min is None or lower.below is None:
                raise ValueError(f"{upper.grade} 级需设下限 min，{lower.grade} 级需设上限 below")
            if upper.below is not None and upper.min >= upper.below:
                raise ValueError(f"{upper.grade} 级的下限 {upper.min:g} 应小于上限 {upper.below:g}")
            if lower.below > upper.min:
                raise ValueError(
                    f"等级阈值重叠：{lower.grade} 级上限 {lower.below:g} 高于 {upper.grade} 级下限 {upper.min:g}"
                )
            if lower.below < upper.min:
                raise ValueError(
                    f"等级阈值有缺口：{lower.grade} 级上限 {lower.below:g} 与 {upper.grade} 级下限 {upper.min:g}"
                    "之间的分数无等级"
                )

    def indicators(self) -> list[Indicator]:
        """Every indicator, in file order."""
        return [i for d in self.dimensions for i in d.indicators]

    def dimension_of(self, code: str) -> Dimension:
        """The dimension holding indicator ``code``."""
        return next(d for d in self.dimensions if any(i.code == code for i in d.indicators))

    def grade_label(self, grade: str) -> str:
        """The configured label of ``grade`` (e.g. 低风险 or 优)."""
        return next(g.label for g in self.grades if g.grade == grade)


def parse_model(data: object, name: str = "model") -> EvaluationModel:
    """Validate already-read YAML data; ``ModelError`` with every problem in Chinese otherwise."""
    return parse_model_data(data, EvaluationModel, "评价模型", name, ModelError)


def read_model(path: Path) -> EvaluationModel:
    """Read and validate the model file ``path`` (its ``name`` must equal the file name)."""
    return read_model_file(path, EvaluationModel, "评价模型", ModelError)


def model_names(directory: Path = MODELS_DIR) -> list[str]:
    """Names of the shipped models."""
    return sorted(p.stem for p in directory.glob("*.yaml"))


@cache
def load_model(name: str, directory: Path = MODELS_DIR) -> EvaluationModel:
    """The model ``name`` (cached); ``ModelError`` when it does not exist or does not validate."""
    if name not in model_names(directory):
        raise ModelError(f"没有评价模型 {name!r}（可用：{'、'.join(model_names(directory))}）")
    return read_model(directory / f"{name}.yaml")


def industry_models(directory: Path = MODELS_DIR) -> dict[str, str]:
    """Industry key → the name of the model that lists it in ``applies_to.industries``; ``ModelError`` when two
    models claim the same industry (which one explains a subject would be ambiguous)."""
    found: dict[str, str] = {}
    for name in model_names(directory):
        for key in load_model(name, directory).applies_to.industries:
            if key in found:
                raise ModelError(f"行业 {key} 同时出现在评价模型 {found[key]} 与 {name} 中，每个行业只能有一个行业模型")
            found[key] = name
    return found
