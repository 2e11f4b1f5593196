"""Output shapes of credit records: the public 双公示 view and the staff view.

Field values travel as a list of ``{key, label, value, sharing}`` so every answer shows which sharing level
(公开 / 有条件共享 / 不予共享) each value has; ``xinyong.records.visibility`` decides which of them a reader gets.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from xinyong.catalog.items import SharingLevel
from xinyong.records.status import RecordStatus


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
    status: str = Field(default="published", description="公示状态：published 公示中 / objected 异议中")
    status_label: str = Field(default="公示中", description="公示状态名称")


class PublicPage(BaseModel):
    """One page of a 双公示 list, newest decision first."""

    item_id: str
    item_name: str
    as_of: date = Field(description="按哪一天的公示状态查询（默认今天）")
    q: str | None
    total: int = Field(description="符合条件的条数；超过可翻阅的范围时为可翻阅的最大条数（见 total_capped）")
    total_capped: bool = Field(False, description="符合条件的条数超过可翻阅范围，total 仅为下限：请缩小检索范围")
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
    publicity_end: date | None = Field(
        description="该日适用的公示截止日（含当日；行政处罚按公示期限规则计算，其他按载明的公示截止期或资源目录默认期限）；"
        "null 表示未设截止"
    )
    status: str = Field(description="公示状态：published 公示中 / objected 异议中")
    status_label: str = Field(description="公示状态名称")
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
    status: str = Field(
        description="今天的公示状态代码（pending/published/objected/repaired/expired/revoked/unpublished）"
    )
    status_label: str = Field(description="公示状态名称")
    severity: str | None = Field(description="失信严重程度：minor/general/serious；非按公示期限规则计算的为 null")
    severity_label: str | None = Field(description="轻微 / 一般 / 严重")
    regime: str | None = Field(description="适用的公示期限规则代码")
    min_end: date | None = Field(description="最短公示期最后一日")
    effective_end: date | None = Field(description="今天适用的公示截止日（含当日）")


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
    status: str
    status_label: str
    severity: str | None
    severity_label: str | None
    regime: str | None
    min_end: date | None
    effective_end: date | None
    levels: list[SharingLevel] = Field(description="本次查阅可见的共享级别")
    identifiers_revealed: bool = Field(description="证件号码等是否以明文显示（需 subjects.read_pii，留痕）")
    fields: list[FieldValue]
    versions: list[RecordVersion]


class OwnRecord(BaseModel):
    """One of a subject's own current records with its status on ``as_of`` and what the subject may do."""

    id: int
    item_id: str
    item_name: str
    department_id: int
    department_name: str
    doc_no: str
    category: str | None
    decided_on: date
    status: str = Field(description="公示状态代码")
    status_label: str = Field(description="公示状态名称")
    severity: str | None
    severity_label: str | None
    regime: str | None
    min_end: date | None = Field(description="最短公示期最后一日（此后可申请信用修复）")
    effective_end: date | None = Field(description="该日适用的公示截止日（含当日）")
    negative: bool = Field(description="是否为失信（负面）信息")
    can_object: bool = Field(description="是否可以提出异议（公示中且没有未结异议）")
    can_repair: bool = Field(description="是否可以申请信用修复（失信信息、公示中、已过最短公示期）")
    fields: list[FieldValue] = Field(description="公开字段")


class OwnRecords(BaseModel):
    """A subject's own current records on ``as_of``, newest decision first."""

    subject_id: int
    subject_name: str
    as_of: date
    total: int
    items: list[OwnRecord]


class Revocation(BaseModel):
    """A revoked decision: the ``revoked`` effect on the record's key."""

    record_id: int
    effect_id: int
    revoked_on: date = Field(description="撤销生效日期")
    document: str = Field(description="撤销决定文书号")
    reason: str = Field(description="撤销原因")
    status: str = Field(description="撤销后（撤销生效日）的公示状态代码")
    status_label: str


class EffectRow(BaseModel):
    """One lifecycle effect on a record's key (objection interval, repair, revocation, expiry)."""

    id: int
    kind: str = Field(description="objection / repaired / revoked / expired")
    kind_label: str
    starts_on: date
    ends_on: date | None
    source_type: str
    source_id: int | None
    reason: str
    record_id: int = Field(description="作出时的记录版本")
    created_by: str
    created_at: datetime


class RecordLifecycle(BaseModel):
    """A record's publicity timeline for staff: its window under the regimes, status on ``as_of``, effects."""

    id: int
    item_id: str
    item_name: str
    department_id: int
    department_name: str
    subject_id: int | None
    subject_name: str
    doc_no: str
    category: str | None
    decided_on: date
    current: bool
    regime: str | None
    regime_name: str | None
    severity: str | None
    severity_label: str | None
    publishable: bool
    min_end: date | None = Field(description="最短公示期最后一日")
    publicity_end: date | None = Field(description="原规则下的公示期最后一日")
    later_end: date | None = Field(description="更有利的新规则下的公示期最后一日")
    later_from: date | None = Field(description="该新规则的施行日")
    status: RecordStatus = Field(description="as_of 当天的公示状态")
    effects: list[EffectRow]
    can_revoke: bool = Field(description="当前用户能否登记撤销")
