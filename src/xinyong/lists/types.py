"""List types as data (``rules/lists/<code>.yaml``), validated at load.

A list type says who keeps the list, on which legal basis, by which criteria, with which notice and defence
periods (working days), for how long an entry stays, and how it leaves (expiry, early removal, repair,
revocation). 国办发〔2020〕49号 (rules.md §5, H): a dishonesty list may be set up only where a law, an
administrative regulation or a central policy document provides for it — so a type whose ``legal_basis`` holds
no document of those levels is refused at load, and the platform cannot create one.

Kinds: ``dishonesty`` (a list this district decides, with the full procedure), ``received`` (kept by another
authority and imported with its source: no local notice or decision steps), ``red`` (a red list of honest
subjects, for incentives: the basis may be a policy document of any level, and no defence period applies).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from xinyong.catalog.departments import load_departments
from xinyong.rules.loader import RULES_DIR

LISTS_DIR: Path = RULES_DIR / "lists"
LIST_KINDS: dict[str, str] = {"dishonesty": "失信名单", "received": "接收名单", "red": "红名单"}
# Legal-basis levels that may found a dishonesty list (国办发〔2020〕49号, rules.md §5, H).
FOUNDING_LEVELS: dict[str, str] = {
    "law": "法律",
    "administrative_regulation": "行政法规",
    "central_policy": "党中央、国务院政策文件",
}
BASIS_LEVELS: dict[str, str] = FOUNDING_LEVELS | {
    "departmental_rule": "部门规章",
    "local_regulation": "地方性法规",
    "normative_document": "规范性文件",
}
SUBJECT_KINDS = ("legal_person", "unincorporated_org", "individual_business", "natural_person")
CONFIDENCE = ("H", "M", "L")


class ListTypeError(ValueError):
    """A list type file is missing or does not validate (the message names the file, field and reason)."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Basis(Strict):
    """One document of the legal basis, with its article and how sure we are of the citation."""

    document: str = Field(min_length=4, max_length=200)
    level: str
    article: str = ""
    confidence: str = "M"

    @field_validator("level")
    @classmethod
    def _level(cls, value: str) -> str:
        if value not in BASIS_LEVELS:
            raise ValueError(f"未知的依据层级 {value!r}（可用：{'、'.join(BASIS_LEVELS)}）")
        return value

    @field_validator("confidence")
    @classmethod
    def _confidence(cls, value: str) -> str:
        if value not in CONFIDENCE:
            raise ValueError(f"可信度应为 H、M 或 L（收到 {value!r}）")
        return value


class Period(Strict):
    """A period in working days (notice, defence) with its source; 0 means none."""

    workdays: int = Field(ge=0, le=250)
    source: str = Field(min_length=4)


class Duration(Strict):
    """How long an entry stays listed (months from the decision), with its source; None: until removed."""

    months: int | None = Field(default=None, ge=1, le=240)
    source: str = Field(min_length=4)


class EarlyRemoval(Strict):
    """Conditions for leaving before the duration ends (all must hold)."""

    after_months: int | None = Field(default=None, ge=0, le=240)  # months since the decision (or correction)
    counted_from: Literal["decision", "correction"] = "decision"
    requires: tuple[str, ...] = Field(min_length=1)  # e.g. 已清偿拖欠工资, 作出信用承诺
    commitment_required: bool = False
    source: str = Field(min_length=4)


class ListType(Strict):
    """One list type (名单类型)."""

    code: str = Field(pattern=r"^[a-z][a-z0-9_]{1,39}$")
    version: int = Field(ge=1)
    name: str = Field(min_length=4, max_length=60)
    kind: str
    department: str  # departments.yaml code of the issuing (or, for received lists, the receiving) department
    source_authority: str = ""  # received lists: the authority that keeps the list
    legal_basis: tuple[Basis, ...] = Field(min_length=1)
    criteria: tuple[str, ...] = Field(min_length=1)
    subject_kinds: tuple[str, ...] = Field(min_length=1)
    lists_responsible_persons: bool = False  # the employer and its responsible persons are listed
    notice: Period | None = None  # prior notice before listing (告知)
    defence: Period | None = None  # statement and defence / objection period (陈述申辩)
    duration: Duration
    early_removal: EarlyRemoval | None = None
    exit_conditions: tuple[str, ...] = Field(min_length=1)
    remedies: str = Field(min_length=4)  # 救济途径 stated with the criteria (49号, H)
    public: bool = True  # entries shown on the public list pages (masked for natural persons)
    source: str = Field(min_length=4)

    @field_validator("kind")
    @classmethod
    def _kind(cls, value: str) -> str:
        if value not in LIST_KINDS:
            raise ValueError(f"未知的名单种类 {value!r}（可用：{'、'.join(LIST_KINDS)}）")
        return value

    @field_validator("department")
    @classmethod
    def _department(cls, value: str) -> str:
        codes = {d.code for d in load_departments().departments}
        if value not in codes:
            raise ValueError(f"部门目录中没有部门代码 {value!r}")
        return value

    @field_validator("subject_kinds")
    @classmethod
    def _subject_kinds(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [k for k in value if k not in SUBJECT_KINDS]
        if unknown:
            raise ValueError(f"未知的主体类别 {unknown}（可用：{'、'.join(SUBJECT_KINDS)}）")
        return value

    @model_validator(mode="after")
    def _founded(self) -> ListType:
        if self.kind != "red" and not any(b.level in FOUNDING_LEVELS for b in self.legal_basis):
            levels = "、".join(FOUNDING_LEVELS.values())
            raise ValueError(
                f"名单“{self.name}”没有法律、行政法规或党中央国务院政策文件依据（{levels}），不得设立"
                "（国办发〔2020〕49号）"
            )
        if self.kind == "dishonesty" and (self.notice is None or self.defence is None):
            raise ValueError(f"失信名单“{self.name}”须规定列入前告知期和陈述申辩期（国办发〔2020〕49号）")
        if self.kind == "received" and not self.source_authority:
            raise ValueError(f"接收名单“{self.name}”须写明名单来源机关（source_authority）")
        removal, months = self.early_removal, self.duration.months
        if removal and removal.after_months and months and removal.after_months >= months:
            raise ValueError("提前移出的期限应短于列入期限")
        return self

    @property
    def kind_label(self) -> str:
        return LIST_KINDS[self.kind]


class ListCatalogue(BaseModel):
    """Every list type, by code."""

    model_config = ConfigDict(frozen=True)

    types: dict[str, ListType]

    def get(self, code: str) -> ListType:
        """The list type ``code``; ``ListTypeError`` naming the known codes otherwise."""
        found = self.types.get(code)
        if found is None:
            raise ListTypeError(f"未知的名单类型 {code!r}（可用：{'、'.join(sorted(self.types))}）")
        return found


def load_list_type(path: Path) -> ListType:
    """One list type file, validated; ``ListTypeError`` with the file name and the reasons."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ListTypeError(f"名单类型文件无法读取 {path.name}: {exc}") from None
    try:
        found = ListType.model_validate(data)
    except ValidationError as exc:
        reasons = "；".join(
            f"{'.'.join(str(p) for p in e['loc']) or '文件'}: {e['msg'].removeprefix('Value error, ')}"
            for e in exc.errors()
        )
        raise ListTypeError(f"名单类型文件校验失败 {path.name}: {reasons}") from None
    if found.code != path.stem:
        raise ListTypeError(f"名单类型文件 {path.name} 的 code 应与文件名一致（收到 {found.code!r}）")
    return found


@cache
def _catalogue_in(directory: Path) -> ListCatalogue:
    files = sorted(directory.glob("*.yaml"))
    if not files:
        raise ListTypeError(f"目录 {directory} 中没有名单类型文件")
    return ListCatalogue(types={t.code: t for t in (load_list_type(p) for p in files)})


def list_catalogue(directory: Path = LISTS_DIR) -> ListCatalogue:
    """Every list type under ``directory`` (default ``rules/lists``), validated at load (cached)."""
    return _catalogue_in(directory)
