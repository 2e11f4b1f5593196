"""Shapes of enforcement notices, cases, steps and the monthly summary (issue #11 item 4)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

STATUS_LABELS: dict[str, str] = {"open": "待交办", "assigned": "已交办", "rectifying": "整改中", "closed": "已结案"}
STEP_LABELS: dict[str, str] = {"assign": "交办", "rectify": "整改", "close": "结案", "reopen": "重新打开"}


class RowError(BaseModel):
    """A rejected row of a notice file: data row (1-based; 0 = the file), the column's header and the reason."""

    row: int
    field: str
    reason: str


class NoticeOut(BaseModel):
    """An imported notice."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    period: str
    court: str
    file_name: str
    digest: str
    cases: int
    imported_by: str
    imported_at: datetime


class ImportOut(BaseModel):
    """What an import stored: the notice and its cases' ids, and how many went to each unit."""

    notice: NoticeOut
    case_ids: list[int]
    by_unit: dict[str, int]


class CaseOut(BaseModel):
    """A case as listed: its body, the unit answering for it, the deadline and whether it is overdue."""

    id: int
    notice_id: int
    period: str
    case_no: str
    court: str
    body_id: int
    body_name: str
    applicant: str
    amount: Decimal
    filed_on: date
    cause: str
    status: str
    status_label: str
    unit_code: str | None
    unit_label: str
    unit_kind: str
    assigned_on: date | None
    due_on: date | None
    closed_on: date | None
    outcome: str
    overdue: bool
    record_id: int | None = None


class StepOut(BaseModel):
    """One step of a case's timeline."""

    id: int
    kind: str
    kind_label: str
    unit_code: str | None
    unit_label: str
    note: str
    evidence: str
    on: date
    actor: str
    at: datetime


class CaseDetail(CaseOut):
    """A case with its steps, oldest first."""

    steps: list[StepOut]


class ReassignIn(BaseModel):
    """Another answerable unit, with the reason."""

    model_config = ConfigDict(extra="forbid")

    unit_code: str = Field(min_length=2, max_length=32)
    reason: str = Field(min_length=1, max_length=500)


class RectifyIn(BaseModel):
    """A rectification step: what was done, the evidence (document number, file reference), the day."""

    model_config = ConfigDict(extra="forbid")

    note: str = Field(min_length=1, max_length=2000)
    evidence: str = Field(default="", max_length=500)
    on: date | None = None


class CloseIn(BaseModel):
    """Closure: the outcome (code or label of ``rules/enforcement.yaml``), the day, an optional note."""

    model_config = ConfigDict(extra="forbid")

    outcome: str = Field(min_length=2, max_length=32)
    closed_on: date | None = None
    note: str = Field(default="", max_length=2000)


class ReopenIn(BaseModel):
    """Reopen a closed case, with the reason."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=500)


class SummaryRow(BaseModel):
    """One unit's (or the total's) figures for a month."""

    unit_code: str
    unit_label: str
    unit_kind: str
    new_cases: int = 0
    new_amount: Decimal = Decimal("0")
    closed: int = 0
    closed_amount: Decimal = Decimal("0")
    open_at_end: int = 0
    open_amount: Decimal = Decimal("0")
    overdue: int = 0


class SummaryOut(BaseModel):
    """The monthly summary: by unit (towns first, then departments) and the total."""

    period: str
    month_end: date
    as_of: date
    rows: list[SummaryRow]
    total: SummaryRow
