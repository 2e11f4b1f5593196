"""The district departments and units named in the 2021 work plan (``departments.yaml``), validated at load.

Every entry carries a short English ``code`` (stored in ``department.code``), the full Chinese name, the short
name used in the work plan, optional aliases (区信用办 sits inside 区发改局) and the work-plan items it is cited
in. Codes, names, short names and aliases are unique across the file.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

DEPARTMENTS_FILE = Path(__file__).with_name("departments.yaml")


class CatalogError(ValueError):
    """A catalogue file is missing, unreadable or does not validate."""


class DepartmentEntry(BaseModel):
    """One department or unit."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    code: str = Field(pattern=r"^[a-z][a-z0-9_]{1,31}$", description="short English code, e.g. fgj")
    name: str = Field(min_length=2, max_length=64, description="full Chinese name")
    short_name: str = Field(min_length=2, max_length=32, description="name used in the work plan, e.g. 区发改局")
    aliases: tuple[str, ...] = Field(default=(), description="other names it is known by, e.g. 区信用办")
    org_type: Literal["1", "3"] = Field(
        default="1", description="USCC type under authority 1 (机构编制): 1 机关, 3 群众团体"
    )
    source: str = Field(min_length=1, description="work-plan item(s) where the unit appears")


class DepartmentCatalog(BaseModel):
    """``departments.yaml``."""

    model_config = ConfigDict(extra="forbid")

    version: int
    departments: tuple[DepartmentEntry, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> DepartmentCatalog:
        seen_codes: set[str] = set()
        seen_names: dict[str, str] = {}
        for entry in self.departments:
            if entry.code in seen_codes:
                raise ValueError(f"部门代码重复 (duplicate code) {entry.code!r}")
            seen_codes.add(entry.code)
            for label in (entry.name, entry.short_name, *entry.aliases):
                if label in seen_names and seen_names[label] != entry.code:
                    raise ValueError(
                        f"部门名称重复 (duplicate name) {label!r}: {seen_names[label]!r} 与 {entry.code!r}"
                    )
                seen_names[label] = entry.code
        return self

    def by_code(self, code: str) -> DepartmentEntry | None:
        """The entry with this code."""
        return next((d for d in self.departments if d.code == code), None)

    def by_name(self, name: str) -> DepartmentEntry | None:
        """The entry whose full name, short name or alias is ``name`` (e.g. 区信用办 → 区发改局)."""
        name = name.strip()
        return next((d for d in self.departments if name in (d.name, d.short_name, *d.aliases)), None)


def load_departments(path: Path | None = None) -> DepartmentCatalog:
    """Read and validate the department catalogue (the packaged file by default; cached per path)."""
    return _load(path or DEPARTMENTS_FILE)


@cache
def _load(path: Path) -> DepartmentCatalog:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise CatalogError(f"部门目录无法读取 (cannot read department catalogue) {path.name}: {exc}") from exc
    try:
        return DepartmentCatalog.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '<root>'}: {err['msg']}" for err in exc.errors()
        )
        raise CatalogError(f"部门目录校验失败 (department catalogue invalid) {path.name}: {problems}") from exc
