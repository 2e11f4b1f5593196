"""Shapes of the work-plan ledger shared by the API, pages and CLI."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

NOTE_MAX = 2000
EVIDENCE_MAX = 500
ItemStatus = Literal["done", "on_track", "at_risk", "overdue"]
STATUS_LABELS: dict[str, str] = {"done": "已完成", "on_track": "正常推进", "at_risk": "进度滞后", "overdue": "已逾期"}
ReportStatus = Literal["in_progress", "done"]
REPORT_STATUS_LABELS: dict[str, str] = {"in_progress": "推进中", "done": "已完成"}


class ProblemOut(BaseModel):
    """A line the parser could not place, or a unit it could not resolve."""

    line: int
    item: str
    message: str


class UnitOut(BaseModel):
    """A unit named on an item, with its role."""

    role: str
    role_label: str
    name: str = Field(description="as written in the plan")
    code: str | None = Field(description="department code, township code, group code (all_towns …) or null")
    kind: str
    label: str


class TargetOut(BaseModel):
    """A measurable target found in the text."""

    metric: str
    comparator: str
    value: str
    unit: str
    text: str


class SubtaskOut(BaseModel):
    """A sentence group of an item with the units of the parenthesis closing it."""

    text: str
    units: list[UnitOut]
    deadline: date | None
    targets: list[TargetOut]


class PlanOut(BaseModel):
    """A loaded version of a year's plan."""

    id: int
    year: int
    version: int
    current: bool
    title: str
    items: int
    annexes: list[str]
    warnings: list[ProblemOut]
    loaded_by: str
    loaded_at: datetime


class LoadIn(BaseModel):
    """The plan text to load."""

    year: int = Field(ge=2000, le=2100)
    text: str = Field(min_length=1, max_length=200_000)


class LoadResult(BaseModel):
    """``created`` is false when the same text was already the year's current version."""

    created: bool
    plan: PlanOut


class ProgressIn(BaseModel):
    """A unit's progress report."""

    unit_code: str = Field(default="", max_length=32, description="报送单位代码（部门报送员可留空，即本部门）")
    status: ReportStatus = "in_progress"
    percent: int = Field(default=0, ge=0, le=100)
    note: str = Field(min_length=1, max_length=NOTE_MAX)
    evidence: str = Field(default="", max_length=EVIDENCE_MAX, description="佐证材料（文号、链接或存放位置）")
    reported_on: date | None = None


class ProgressOut(BaseModel):
    """A stored progress report."""

    id: int
    item_id: int
    item_number: int
    unit_code: str
    unit_label: str
    status: str
    status_label: str
    percent: int
    note: str
    evidence: str
    reported_on: date
    recorded_by: str
    recorded_at: datetime


class ItemRow(BaseModel):
    """An item with its units and status as of a day."""

    id: int
    number: int
    numeral: str
    chapter: str
    title: str
    deadline: date
    deadline_named: bool
    units: list[UnitOut]
    status: ItemStatus
    status_label: str
    percent: int
    workdays_left: int
    latest: ProgressOut | None
    reports_in_period: int = 0


class ItemDetail(ItemRow):
    """An item with its text, sub-tasks, targets and progress history."""

    body: str
    subtasks: list[SubtaskOut]
    targets: list[TargetOut]
    history: list[ProgressOut]
    plan_year: int
    plan_version: int
    current: bool


class PlanStatus(BaseModel):
    """The year's current plan, every item's status as of a day, counts by status."""

    plan: PlanOut
    as_of: date
    counts: dict[str, int]
    items: list[ItemRow]
