"""Personal honesty score models as data (``rules/personal_score/<name>.yaml``), validated at load.

A model has a base score, indicators over natural persons' public credit information, points and caps, and
bands (rules.md §9: 钱江分's thousand-point scale). The kinds of indicator and how ``xinyong.incentives.scoring``
counts them are described in the shipped model file. Besides the shape, the loader **refuses** (rules.md §7, §9):

- an indicator whose code, label, explanation, categories or legal basis names a category of the negative list
  (信访, 拆迁, 闯红灯, 遛狗, 物业费 …: the ``negative_check`` of the monitoring model, ``rules/monitoring``, read
  from there, not copied);
- an indicator over a catalogue item that is not public (有条件共享 / 不予共享 — not public credit information) or
  whose catalogue entry names a negative-list category;
- an indicator over a list type that does not cover natural persons, or over a ``list_kind`` unknown;
- any indicator without a stated legal basis (``legal_basis``).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from xinyong.catalog.items import load_catalog
from xinyong.lists.types import LIST_KINDS, list_catalogue
from xinyong.monitoring.model_yaml import DEFAULT_VERSION as MONITORING_VERSION
from xinyong.monitoring.model_yaml import load_model as load_monitoring_model
from xinyong.rules.loader import RULES_DIR, parse_model_data, read_model_file

MODELS_DIR: Path = RULES_DIR / "personal_score"
DEFAULT_MODEL = "honesty"
PERSON = "natural_person"
KINDS: dict[str, str] = {
    "records": "公示中的信用记录",
    "repaired_records": "已修复的信用记录",
    "list_entries": "名单",
    "commitments_kept": "履行的信用承诺",
}
RECORD_KINDS = ("records", "repaired_records")
SEVERITIES: tuple[str, ...] = ("minor", "general", "serious")
ROLES: tuple[str, ...] = ("subject", "responsible_person")
Confidence = Literal["H", "M", "L"]


class ModelError(ValueError):
    """A personal score model is missing or does not validate (the message says which field and why)."""


def negative_keywords() -> dict[str, str]:
    """Every keyword of the negative list (rules.md §7) → its category, from the monitoring model."""
    return load_monitoring_model(MONITORING_VERSION).negative_check.keywords()


def negative_hit(*texts: str) -> tuple[str, str] | None:
    """(keyword, category) of the first negative-list keyword found in ``texts``, or None."""
    banned = negative_keywords()
    for text in texts:
        for keyword, category in banned.items():
            if keyword in text:
                return keyword, category
    return None


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Indicator(_Strict):
    """One indicator: which rows of a person's public credit information it counts, and their points."""

    code: str = Field(pattern=r"^[a-z][a-z0-9_]{1,39}$")
    label: str = Field(min_length=2, max_length=60)
    kind: Literal["records", "repaired_records", "list_entries", "commitments_kept"]
    item: str | None = None
    severity: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    lists: tuple[str, ...] = ()
    list_kind: str | None = None
    roles: tuple[str, ...] = ()
    window_months: int | None = Field(default=None, ge=1, le=120)
    points: int = Field(ge=-1000, le=1000)
    cap: int = Field(ge=0, le=1000)
    explain: str = Field(min_length=2, max_length=120)
    advice: str = Field(default="", max_length=200)
    legal_basis: str = Field(min_length=4, max_length=400)
    source: str = Field(min_length=4)
    confidence: Confidence

    @field_validator("severity")
    @classmethod
    def _severity(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [v for v in value if v not in SEVERITIES]
        if unknown:
            raise ValueError(f"未知的失信严重程度 {unknown}（可用：{'、'.join(SEVERITIES)}）")
        return value

    @field_validator("roles")
    @classmethod
    def _roles(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [v for v in value if v not in ROLES]
        if unknown:
            raise ValueError(f"未知的名单角色 {unknown}（可用：{'、'.join(ROLES)}）")
        return value

    @model_validator(mode="after")
    def _lawful(self) -> Indicator:
        hit = negative_hit(self.code, self.label, self.explain, self.advice, self.legal_basis, *self.categories)
        if hit is not None:
            raise ValueError(
                f"指标“{self.label}”涉及负面清单事项“{hit[1]}”（{hit[0]}），无法律依据的信息不得用于个人诚信分"
            )
        if self.kind in RECORD_KINDS:
            self._check_item()
        elif self.item or self.severity or self.categories:
            raise ValueError(f"指标 {self.code}：item、severity、categories 仅适用于信用记录类指标")
        if self.kind == "list_entries":
            self._check_lists()
        elif self.lists or self.list_kind or self.roles:
            raise ValueError(f"指标 {self.code}：lists、list_kind、roles 仅适用于名单类指标")
        return self

    def _check_item(self) -> None:
        if not self.item:
            raise ValueError(f"指标 {self.code} 须指明目录数据项 item")
        items = load_catalog().items
        if self.item not in items:
            raise ValueError(f"目录中没有数据项 {self.item!r}（可用：{'、'.join(sorted(items))}）")
        entry = items[self.item]
        if entry.sharing != "public":
            raise ValueError(
                f"数据项“{entry.name}”不是公开的公共信用信息（共享级别 {entry.sharing}），不得用于个人诚信分"
            )
        hit = negative_hit(entry.name, entry.description)
        if hit is not None:
            raise ValueError(f"数据项“{entry.name}”涉及负面清单事项“{hit[1]}”（{hit[0]}），不得用于个人诚信分")

    def _check_lists(self) -> None:
        if not self.lists and not self.list_kind:
            raise ValueError(f"指标 {self.code} 须指明名单 lists 或名单类别 list_kind")
        if self.list_kind is not None and self.list_kind not in LIST_KINDS:
            raise ValueError(f"未知的名单类别 {self.list_kind!r}（可用：{'、'.join(LIST_KINDS)}）")
        types = list_catalogue().types
        for code in self.lists:
            if code not in types:
                raise ValueError(f"没有名单类型 {code!r}（可用：{'、'.join(sorted(types))}）")
            if PERSON not in types[code].subject_kinds:
                raise ValueError(f"名单“{types[code].name}”不适用于自然人，不得用于个人诚信分")
            hit = negative_hit(types[code].name, *types[code].criteria)
            if hit is not None:
                raise ValueError(f"名单“{types[code].name}”涉及负面清单事项“{hit[1]}”（{hit[0]}）")

    def list_codes(self) -> list[str]:
        """The list types counted: ``lists`` plus every type of ``list_kind`` that covers natural persons."""
        codes = list(self.lists)
        if self.list_kind is not None:
            codes += [
                code
                for code, t in sorted(list_catalogue().types.items())
                if t.kind == self.list_kind and PERSON in t.subject_kinds and code not in codes
            ]
        return codes


class Band(_Strict):
    """Scores from ``min`` (inclusive) to ``below`` (exclusive); no ``min`` for the lowest, no ``below`` for the
    highest band."""

    code: str = Field(pattern=r"^[a-z][a-z0-9_]{1,15}$")
    label: str = Field(min_length=2, max_length=20)
    min: int | None = None
    below: int | None = None


class PersonalScoreModel(_Strict):
    """One personal score model file."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_]{1,39}$")
    version: int = Field(ge=1)
    label: str = Field(min_length=2, max_length=60)
    source: str = Field(min_length=4)
    confidence: Confidence
    base_score: int
    score_min: int = Field(ge=0)
    score_max: int = Field(le=2000)
    indicators: tuple[Indicator, ...] = Field(min_length=1)
    bands: tuple[Band, ...] = Field(min_length=2)
    bands_source: str = Field(min_length=4)
    calibration: str = ""

    @model_validator(mode="after")
    def _consistent(self) -> PersonalScoreModel:
        if not self.score_min <= self.base_score <= self.score_max:
            raise ValueError("基础分 base_score 应在 score_min 与 score_max 之间")
        codes = [i.code for i in self.indicators]
        duplicates = sorted({c for c in codes if codes.count(c) > 1})
        if duplicates:
            raise ValueError(f"指标代码重复：{duplicates}")
        bands = [b.code for b in self.bands]
        if len(set(bands)) != len(bands):
            raise ValueError(f"分档代码重复：{bands}")
        self._check_bands()
        return self

    def _check_bands(self) -> None:
        top, bottom = self.bands[0], self.bands[-1]
        if top.below is not None:
            raise ValueError(f"最高档“{top.label}”不应设上限 below")
        if bottom.min is not None:
            raise ValueError(f"最低档“{bottom.label}”不应设下限 min")
        for upper, lower in zip(self.bands, self.bands[1:], strict=False):
            if upper.min is None or lower.below is None:
                raise ValueError(f"分档“{upper.label}”需设下限 min，“{lower.label}”需设上限 below")
            if upper.below is not None and upper.min >= upper.below:
                raise ValueError(f"分档“{upper.label}”的下限 {upper.min} 应小于上限 {upper.below}")
            if lower.below != upper.min:
                raise ValueError(
                    f"分档“{lower.label}”的上限 {lower.below} 应等于“{upper.label}”的下限 {upper.min}（不重叠、无缺口）"
                )

    def indicator(self, code: str) -> Indicator | None:
        """The indicator ``code``, or None (a run of an older version may name one no longer in the file)."""
        return next((i for i in self.indicators if i.code == code), None)

    def band(self, code: str) -> Band | None:
        """The band ``code``, or None."""
        return next((b for b in self.bands if b.code == code), None)

    def band_label(self, code: str) -> str:
        """The label of band ``code`` (the code itself when unknown)."""
        band = self.band(code)
        return band.label if band is not None else code

    def band_of(self, score: int) -> str:
        """The code of the band holding ``score`` (the Python twin of the SQL ``scoring.band_expr``)."""
        for band in self.bands:
            if band.min is None or score >= band.min:
                return band.code
        return self.bands[-1].code

    def band_rank(self, code: str) -> int:
        """0 for the highest band, 1 for the next …; ``len(bands)`` for an unknown code."""
        codes = [b.code for b in self.bands]
        return codes.index(code) if code in codes else len(codes)

    def at_least(self, code: str, required: str) -> bool:
        """Whether band ``code`` is ``required`` or better (what an incentive scenario asks)."""
        return self.band(required) is not None and self.band_rank(code) <= self.band_rank(required)


def parse_model(data: object, name: str = "model") -> PersonalScoreModel:
    """Validate already-read YAML data; ``ModelError`` with every problem in Chinese otherwise."""
    return parse_model_data(data, PersonalScoreModel, "个人诚信分模型", name, ModelError)


def read_model(path: Path) -> PersonalScoreModel:
    """Read and validate the model file ``path`` (its ``name`` must equal the file name)."""
    return read_model_file(path, PersonalScoreModel, "个人诚信分模型", ModelError)


def model_names(directory: Path = MODELS_DIR) -> list[str]:
    """Names of the shipped models."""
    return sorted(p.stem for p in directory.glob("*.yaml"))


@cache
def load_model(name: str = DEFAULT_MODEL, directory: Path = MODELS_DIR) -> PersonalScoreModel:
    """The model ``name`` (cached); ``ModelError`` when it does not exist or does not validate."""
    if name not in model_names(directory):
        raise ModelError(f"没有个人诚信分模型 {name!r}（可用：{'、'.join(model_names(directory)) or '无'}）")
    return read_model(directory / f"{name}.yaml")
