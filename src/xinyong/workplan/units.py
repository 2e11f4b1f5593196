"""The work-plan rulebook (``rules/workplan.yaml``) and unit-name resolution.

A unit named in a plan resolves, in this order, to: an alias of the rulebook, a department of
``catalog/departments.yaml`` (full name, short name or alias), a Panyu township (``codes.divisions``), or a
collective group (各镇街, 各部门 …). Anything else is unknown: kept by name, reported as a warning.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from xinyong.catalog.departments import load_departments
from xinyong.codes.divisions import PANYU_TOWNSHIPS
from xinyong.rules.loader import load_rulebook

Role = Literal["lead", "responsible", "supporting"]
ROLE_LABELS: dict[str, str] = {"lead": "牵头", "responsible": "负责", "supporting": "配合"}
UnitKind = Literal["department", "town", "group", "unknown"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Alias(_Strict):
    """Another name of a catalogue department or township."""

    name: str = Field(min_length=2, max_length=64)
    code: str = Field(min_length=2, max_length=32)
    source: str = Field(min_length=1)


class Group(_Strict):
    """A collective wording: every unit of ``kind`` may report under it."""

    code: str = Field(pattern=r"^all_[a-z]+$")
    label: str
    kind: Literal["town", "department"]
    names: tuple[str, ...] = Field(min_length=1)
    source: str = Field(min_length=1)


class RolePhrase(_Strict):
    """A phrase closing a unit clause and the role it stands for."""

    phrase: str = Field(min_length=2)
    role: Role
    source: str = Field(min_length=1)


class StatusRule(_Strict):
    """The at-risk thresholds."""

    at_risk_workdays: int = Field(ge=1, le=250)
    at_risk_percent: int = Field(ge=1, le=100)
    source: str = Field(min_length=1)


class WorkplanRules(_Strict):
    """``rules/workplan.yaml``."""

    version: int
    source: str
    aliases: tuple[Alias, ...]
    groups: tuple[Group, ...]
    roles: tuple[RolePhrase, ...] = Field(min_length=1)
    status: StatusRule

    @model_validator(mode="after")
    def _codes_exist(self) -> WorkplanRules:
        catalog = load_departments()
        towns = {t.code for t in PANYU_TOWNSHIPS}
        for alias in self.aliases:
            if catalog.by_code(alias.code) is None and alias.code not in towns:
                raise ValueError(f"别名 {alias.name!r} 指向未登记的单位代码 {alias.code!r}")
        return self


def workplan_rules() -> WorkplanRules:
    """The validated rulebook (cached by the loader)."""
    return load_rulebook("workplan", WorkplanRules)


@dataclass(frozen=True)
class Unit:
    """A unit as resolved: ``code`` is a department code, a 9-digit township code, a group code, or None."""

    name: str
    code: str | None
    kind: UnitKind
    label: str


def resolve(name: str) -> Unit:
    """Resolve a unit name written in a plan (see the module docstring for the order)."""
    name = name.strip()
    rules = workplan_rules()
    catalog = load_departments()
    for alias in rules.aliases:
        if alias.name == name:
            return _by_code(name, alias.code)
    dept = catalog.by_name(name)
    if dept is not None:
        return Unit(name, dept.code, "department", dept.short_name)
    for town in PANYU_TOWNSHIPS:
        if name in (town.name, town.name.removesuffix("街道") + "街"):
            return Unit(name, town.code, "town", town.name)
    for group in rules.groups:
        if name in group.names:
            return Unit(name, group.code, "group", group.label)
    return Unit(name, None, "unknown", name)


def _by_code(name: str, code: str) -> Unit:
    dept = load_departments().by_code(code)
    if dept is not None:
        return Unit(name, code, "department", dept.short_name)
    town = next(t for t in PANYU_TOWNSHIPS if t.code == code)
    return Unit(name, code, "town", town.name)


def unit_label(code: str) -> str:
    """Display name of a department, township or group code (the code itself if unknown)."""
    dept = load_departments().by_code(code)
    if dept is not None:
        return dept.short_name
    for town in PANYU_TOWNSHIPS:
        if town.code == code:
            return town.name
    for group in workplan_rules().groups:
        if group.code == code:
            return group.label
    return code


def unit_kind(code: str) -> UnitKind:
    """Whether ``code`` is a catalogue department, a Panyu township, a group or unknown."""
    if load_departments().by_code(code) is not None:
        return "department"
    if any(t.code == code for t in PANYU_TOWNSHIPS):
        return "town"
    if any(g.code == code for g in workplan_rules().groups):
        return "group"
    return "unknown"


def group_kind(code: str) -> str | None:
    """The unit kind a group code admits (``town``/``department``), None if not a group."""
    return next((g.kind for g in workplan_rules().groups if g.code == code), None)
