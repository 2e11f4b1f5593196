"""Input and output shapes of the civil servants' integrity files and their record checks (issue #11 item 1).

ID numbers come in only on ``FileIn`` and ``CheckIn`` (the service encrypts them at once); every output carries
the masked number only."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from xinyong.db.base import MAX_ID


class _In(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)


class FileIn(_In):
    """Open a file for a person named by name and resident ID number (公民身份号码)."""

    name: str = Field(min_length=1, max_length=64, description="姓名")
    ric: str = Field(min_length=1, max_length=40, description="公民身份号码（只加密保存）")
    body_id: int | None = Field(default=None, ge=1, le=MAX_ID, description="工作单位（公共机构名录编号）")
    position: str = Field(default="", max_length=100, description="职务")


class EntryIn(_In):
    """An integrity record (``kind`` record) or a training (``kind`` training, with ``hours``)."""

    kind: str = Field(description="record 诚信记录 / training 诚信教育培训")
    category: str = Field(max_length=32, description="rules/integrity.yaml 的类别 key")
    title: str = Field(max_length=200)
    detail: str = Field(default="", max_length=2000)
    occurred_on: date
    hours: Decimal | None = Field(default=None, description="培训学时（仅培训）")
    source: str = Field(default="", max_length=200, description="来源（文件、文号或系统）")


class WithdrawIn(_In):
    """Why an entry is withdrawn (a new entry retracting it is written; nothing is deleted)."""

    reason: str = Field(max_length=500)


class CheckIn(_In):
    """A record check for recruitment or transfer of the person with this ID number."""

    name: str = Field(min_length=1, max_length=64, description="姓名")
    ric: str = Field(min_length=1, max_length=40, description="公民身份号码")
    purpose: str = Field(description="recruitment 录用 / transfer 调任")
    reason: str = Field(default="", max_length=1000, description="核查事由")
    as_of: date | None = Field(default=None, description="核查基准日（默认今天）")


class EntryOut(BaseModel):
    """One entry of a file, with whether it is withdrawn (and by which entry)."""

    id: int
    file_id: int
    kind: str
    kind_label: str
    category: str
    category_label: str
    adverse: bool
    title: str
    detail: str
    occurred_on: date
    hours: Decimal | None
    source: str
    withdraws_id: int | None
    withdrawn_by_id: int | None
    recorded_by: str
    recorded_at: datetime


class FileRow(BaseModel):
    """A file in a list: the person (ID masked), employer, position and counts."""

    id: int
    subject_id: int
    name: str
    ric_masked: str | None
    body_id: int | None
    body_name: str | None
    position: str
    records: int
    adverse: int
    opened_at: datetime


class FileOut(FileRow):
    """A file with its entries (newest first) and the training hours of the configured period."""

    opened_by: str
    entries: list[EntryOut]
    training_hours: Decimal
    training_required: Decimal
    training_from: date
    training_to: date


class CheckRow(BaseModel):
    """A check in a list."""

    id: int
    sheet_no: str
    subject_id: int
    name: str
    purpose: str
    purpose_label: str
    as_of: date
    conclusion: str
    conclusion_label: str
    checked_by: str
    checked_at: datetime


class CheckOut(CheckRow):
    """A check with its reason and the stored result sheet (as issued)."""

    reason: str
    department_id: int | None
    sheet: dict[str, Any]
