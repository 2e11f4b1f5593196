"""Output shapes of credit records: the public 双公示 view and the staff view.

Field values travel as a list of ``{key, label, value, sharing}`` so every answer shows which sharing level
(公开 / 有条件共享 / 不予共享) each value has; ``xinyong.records.visibility`` decides which of them a reader gets.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from xinyong.catalog.items import SharingLevel


class FieldValue(BaseModel):
    """One catalogue field of a record as the reader may see it (personal data already masked)."""

    key: str = Field(description="英文字段名（资源目录 key）")
    label: str = Field(description="国家标准中文字段名")
    value: str | None = Field(description="字段值；未填写为 null")
    sharing: SharingLevel = Field(description="共享级别：public 公开 / conditional 有条件共享 / restricted 不予共享")


class PublicRecordRow(BaseModel):
    """One row of a 双公示 list: only public fields; a natural person's name is masked."""

    id: int
    item_id: str
    subject_name: str = Field(description="行政相对人名称（自然人已脱敏）")
    subject_kind: str = Field(description="legal_person / individual_business / natural_person / ...")
    subject_kind_label: str
    uscc: str | None = Field(description="统一社会信用代码")
    doc_no: str | None = Field(description="决定文书号")
    category: str | None = Field(description="许可类别 / 处罚类别")
    decided_on: date = Field(description="决定日期")
    authority: str | None = Field(description="作出决定的机关")


class PublicPage(BaseModel):
    """One page of a 双公示 list, newest decision first."""

    item_id: str
    item_name: str
    as_of: date = Field(description="按哪一天的公示状态查询（默认今天）")
    q: str | None
    total: int
    offset: int
    limit: int
    items: list[PublicRecordRow]


class PublicRecord(BaseModel):
    """One published record with its public fields only."""

    id: int
    item_id: str
    item_name: str
    subject_name: str = Field(description="行政相对人名称（自然人已脱敏）")
    subject_kind: str
    subject_kind_label: str
    uscc: str | None
    doc_no: str | None
    decided_on: date
    publicity_end: date | None = Field(description="公示截止期（未载明时按资源目录默认期限推算）；null 表示未设截止")
    as_of: date
    fields: list[FieldValue]


class StaffRecordRow(BaseModel):
    """One record version in a staff list (public-level columns; natural persons' names shown to staff)."""

    id: int
    item_id: str
    department_id: int
    department_name: str
    subject_id: int | None
    subject_name: str
    subject_kind: str
    uscc: str | None
    doc_no: str
    version: int
    supersedes_id: int | None = Field(description="本版本取代的上一版本")
    superseded_by_id: int | None = Field(description="取代本版本的新版本；null 表示当前版本")
    current: bool
    category: str | None
    decided_on: date
    publicity_end: date | None
    reported_on: date


class StaffPage(BaseModel):
    """One page of records for staff, newest decision first."""

    total: int
    offset: int
    limit: int
    include_history: bool = Field(description="是否包含已被取代的历史版本")
    items: list[StaffRecordRow]


class RecordVersion(BaseModel):
    """One version of a record's history (same data item, department and document number)."""

    id: int
    version: int
    supersedes_id: int | None
    current: bool
    batch_id: int
    reported_on: date
    loaded_at: datetime


class StaffRecord(BaseModel):
    """One record version for staff: the fields the reader's sharing levels allow, and its version history."""

    id: int
    item_id: str
    item_name: str
    department_id: int
    department_name: str
    subject_id: int | None
    subject_name: str
    subject_kind: str
    uscc: str | None
    doc_no: str
    version: int
    supersedes_id: int | None
    superseded_by_id: int | None
    current: bool
    decided_on: date
    publicity_end: date | None
    reported_on: date
    levels: list[SharingLevel] = Field(description="本次查阅可见的共享级别")
    identifiers_revealed: bool = Field(description="证件号码等是否以明文显示（需 subjects.read_pii，留痕）")
    fields: list[FieldValue]
    versions: list[RecordVersion]
