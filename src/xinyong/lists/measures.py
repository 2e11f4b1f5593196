"""The measures ledger (失信约束措施台账, ``rules/measures.yaml``), validated at load, and its tracking report.

Each measure has a legal basis, the lists it applies to, the implementing department, the scenario where it
applies, and a status: retain (保留), revise (修订) or abolish (废止) with a deadline and progress. A punishment
measure without a law, administrative regulation or central policy document among its basis cannot be active
(retain or revise): 国办发〔2020〕49号 (rules.md §5, H) — it must be marked for abolition. Abolished measures
never apply in a check. A revise or abolish task not ``done`` by ``as_of`` past its deadline is overdue.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from xinyong.catalog.departments import load_departments
from xinyong.lists.types import FOUNDING_LEVELS, Basis, list_catalogue
from xinyong.rules.loader import load_rulebook

STATUS_LABELS: dict[str, str] = {"retain": "保留", "revise": "修订", "abolish": "废止"}
KIND_LABELS: dict[str, str] = {"punishment": "失信惩戒", "incentive": "守信激励"}


class Measure(BaseModel):
    """One measure of the ledger."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9_]{1,47}$")
    name: str = Field(min_length=4, max_length=100)
    kind: Literal["punishment", "incentive"]
    scenario: str
    lists: tuple[str, ...] = Field(min_length=1)
    department: str
    legal_basis: tuple[Basis, ...] = ()
    status: Literal["retain", "revise", "abolish"]
    deadline: date | None = None
    progress: str = ""
    done: bool = False
    source: str = Field(min_length=4)

    @field_validator("department")
    @classmethod
    def _department(cls, value: str) -> str:
        if value not in {d.code for d in load_departments().departments}:
            raise ValueError(f"部门目录中没有部门代码 {value!r}")
        return value

    @field_validator("lists")
    @classmethod
    def _lists(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        known = list_catalogue().types
        unknown = [code for code in value if code not in known]
        if unknown:
            raise ValueError(f"未知的名单类型 {unknown}（可用：{'、'.join(sorted(known))}）")
        return value

    @model_validator(mode="after")
    def _basis(self) -> Measure:
        active = self.status != "abolish"
        if active and not self.legal_basis:
            raise ValueError(f"措施“{self.name}”没有依据，不得保留或修订（应标为废止）")
        founded = any(b.level in FOUNDING_LEVELS for b in self.legal_basis)
        if active and self.kind == "punishment" and not founded:
            raise ValueError(
                f"惩戒措施“{self.name}”没有法律、行政法规或党中央国务院政策文件依据，不得保留或修订（国办发〔2020〕49号）"
            )
        if self.status in ("revise", "abolish") and self.deadline is None:
            raise ValueError(f"措施“{self.name}”标为{STATUS_LABELS[self.status]}，须写明完成时限（deadline）")
        return self

    def overdue(self, as_of: date) -> bool:
        """Whether its revise/abolish task is past its deadline on ``as_of`` and not done."""
        return self.status != "retain" and not self.done and self.deadline is not None and as_of > self.deadline


class MeasureLedger(BaseModel):
    """The versioned ledger: scenarios and measures (ids unique, scenarios known)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int = Field(ge=1)
    source: str
    scenarios: dict[str, str] = Field(min_length=1)
    measures: tuple[Measure, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> MeasureLedger:
        ids = Counter(m.id for m in self.measures)
        repeated = sorted(i for i, n in ids.items() if n > 1)
        if repeated:
            raise ValueError(f"措施编号重复：{'、'.join(repeated)}")
        unknown = sorted({m.scenario for m in self.measures} - set(self.scenarios))
        if unknown:
            raise ValueError(f"未知的应用场景：{'、'.join(unknown)}（可用：{'、'.join(self.scenarios)}）")
        return self

    def applicable(self, list_codes: set[str], scenario: str | None = None) -> list[Measure]:
        """The measures in force (not abolished) for entries of ``list_codes``, in ``scenario`` when given."""
        return [
            m
            for m in self.measures
            if m.status != "abolish" and list_codes & set(m.lists) and (scenario is None or m.scenario == scenario)
        ]


class LedgerRow(BaseModel):
    """A measure as the tracking report shows it."""

    id: str
    name: str
    kind: str
    scenario: str
    lists: list[str]
    department: str
    basis: list[str]
    status: str
    deadline: date | None
    progress: str
    done: bool
    overdue: bool


class LedgerReport(BaseModel):
    """The ledger as of a day: counts by status, overdue tasks, every measure."""

    version: int
    as_of: date
    by_status: dict[str, int]
    overdue: list[str]
    measures: list[LedgerRow]


def measure_ledger() -> MeasureLedger:
    """The measures ledger, validated at load (cached)."""
    return load_rulebook("measures", MeasureLedger)


def ledger_report(as_of: date, ledger: MeasureLedger | None = None) -> LedgerReport:
    """Every measure with its basis and status, and the revise/abolish tasks overdue on ``as_of``."""
    book = ledger or measure_ledger()
    rows = [
        LedgerRow(
            id=m.id,
            name=m.name,
            kind=KIND_LABELS[m.kind],
            scenario=book.scenarios[m.scenario],
            lists=list(m.lists),
            department=m.department,
            basis=[f"{b.document}{b.article}" for b in m.legal_basis],
            status=STATUS_LABELS[m.status],
            deadline=m.deadline,
            progress=m.progress,
            done=m.done,
            overdue=m.overdue(as_of),
        )
        for m in book.measures
    ]
    counts = Counter(m.status for m in book.measures)
    return LedgerReport(
        version=book.version,
        as_of=as_of,
        by_status={STATUS_LABELS[s]: counts.get(s, 0) for s in STATUS_LABELS},
        overdue=[r.id for r in rows if r.overdue],
        measures=rows,
    )
