"""The report rulebook (``rules/report_domains.yaml``): the 专用信用报告's period limit, counting rules, domains
(departments and list types whose records count as violations) and what it does not cover; the public report's
columns and row limit. Validated at load against the department catalogue, the data catalogue and the list types,
so a domain cannot name a department, item or list the platform does not know."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from xinyong.catalog.departments import load_departments
from xinyong.catalog.items import load_catalog
from xinyong.lists.types import list_catalogue
from xinyong.rules.loader import RULES_DIR, load_rulebook

RULEBOOK = "report_domains"


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Period(_Rule):
    """How far back a special report's period may start (years before its as_of day)."""

    max_years: int = Field(ge=1, le=20)
    source: str = Field(min_length=4)


class Counting(_Rule):
    """How a record's lifecycle status affects counting it as a violation of the period."""

    revoked: Literal["excluded"]
    repaired: Literal["marked", "excluded"]
    expired: Literal["counted", "excluded"]
    unpublished: Literal["counted", "excluded"]
    source: str = Field(min_length=4)


class Domain(_Rule):
    """One domain (领域): the departments whose penalty decisions, and the list types whose entries, count."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]{1,39}$")
    label: str = Field(min_length=2, max_length=40)
    departments: tuple[str, ...] = Field(min_length=1)
    lists: tuple[str, ...] = ()
    source: str = Field(min_length=4)


class Special(_Rule):
    """The 专用信用报告."""

    name: str = Field(min_length=4)
    period: Period
    counting: Counting
    not_covered: tuple[str, ...] = ()
    not_covered_source: str = Field(min_length=4)
    items: tuple[str, ...] = Field(min_length=1)
    domains: tuple[Domain, ...] = Field(min_length=1)

    def domain(self, domain_id: str) -> Domain | None:
        """The domain ``domain_id`` (None when unknown)."""
        return next((d for d in self.domains if d.id == domain_id), None)


class Public(_Rule):
    """The public credit report."""

    name: str = Field(min_length=4)
    max_rows: int = Field(ge=1, le=2000)
    max_rows_source: str = Field(min_length=4)
    columns: dict[str, tuple[str, ...]]
    columns_source: str = Field(min_length=4)
    repairs_source: str = Field(min_length=4)


class ReportRules(_Rule):
    """``rules/report_domains.yaml``."""

    version: int = Field(ge=1)
    source: str = Field(min_length=4)
    special: Special
    public: Public

    @model_validator(mode="after")
    def _known_references(self) -> ReportRules:
        departments = {d.code for d in load_departments().departments}
        catalog = load_catalog()
        lists = list_catalogue().types
        seen: set[str] = set()
        for domain in self.special.domains:
            if domain.id in seen:
                raise ValueError(f"领域代码重复：{domain.id}")
            seen.add(domain.id)
            unknown = [code for code in domain.departments if code not in departments]
            if unknown:
                raise ValueError(f"领域 {domain.id} 的部门代码未在 departments.yaml 中：{unknown}")
            missing = [code for code in domain.lists if code not in lists]
            if missing:
                raise ValueError(f"领域 {domain.id} 的名单类型不存在：{missing}")
        for item_id in self.special.items:
            item = catalog.items.get(item_id)
            if item is None or not item.negative:
                raise ValueError(f"专用信用报告计入的数据项 {item_id} 不存在或不是失信信息")
        for item_id, keys in self.public.columns.items():
            item = catalog.items.get(item_id)
            if item is None or not item.dual_publicity:
                raise ValueError(f"公共信用报告的表格列引用了非双公示数据项 {item_id}")
            known = {f.key for f in item.fields}
            bad = [k for k in keys if k not in known]
            if bad:
                raise ValueError(f"数据项 {item_id} 没有字段 {bad}")
        return self


def report_rules(directory: Path = RULES_DIR) -> ReportRules:
    """The report rulebook (cached; ``RulebookError`` when it does not validate)."""
    return load_rulebook(RULEBOOK, ReportRules, directory)
