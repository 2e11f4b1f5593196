"""Pydantic shapes of credit repair (信用修复): eligibility, queue rows, the detail with history and files."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from xinyong.records.cases import CaseEventOut, CaseFileOut

STATUS_LABELS: dict[str, str] = {
    "submitted": "待受理",
    "accepted": "审核中",
    "refused": "不予受理",
    "granted": "准予修复",
    "rejected": "不予修复",
    "routed": "已转办",
    "in_progress": "外部办理中",
}
ACTION_LABELS: dict[str, str] = {
    "submit": "提交申请",
    "route": "转办外部机关",
    "accept": "受理",
    "refuse": "不予受理",
    "extend": "延长审核期限",
    "grant": "准予修复",
    "reject": "不予修复",
    "external_result": "登记外部办理结果",
    "overdue": "办理超期",
}
KIND_LABELS: dict[str, str] = {"record": "本平台信用记录", "external": "外部名单"}


class Condition(BaseModel):
    """One eligibility condition and whether the record meets it (``reason`` says why not, in Chinese)."""

    code: str = Field(description="negative / own / in_force / min_period / no_open_application / subject")
    label: str
    met: bool
    reason: str = ""


class MaterialOut(BaseModel):
    """A kind of material to upload."""

    name: str
    hint: str
    required: bool


class Eligibility(BaseModel):
    """Whether a record may be repaired on ``as_of``, each condition with its reason."""

    record_id: int
    as_of: date
    eligible: bool
    conditions: list[Condition]
    reasons: list[str] = Field(description="the reasons of the unmet conditions, in order")
    item_id: str | None = None
    item_name: str | None = None
    doc_no: str | None = None
    decided_on: date | None = None
    department_id: int | None = None
    department_name: str | None = None
    subject_id: int | None = None
    subject_name: str | None = None
    status: str | None = None
    status_label: str | None = None
    min_end: date | None = Field(default=None, description="last day of the minimum publicity period")
    materials: list[MaterialOut] = []
    commitment_matter: str = ""
    commitment_text: str = Field(default="", description="the 信用修复承诺书 template, filled in")
    open_application_id: int | None = None
    rule_version: int


class RepairRow(BaseModel):
    """One application in a queue or list."""

    id: int
    kind: str = Field(description="record: a platform record; external: an external list")
    kind_label: str
    subject_id: int
    applicant_name: str
    record_id: int | None
    item_id: str | None
    item_name: str | None
    doc_no: str | None
    department_id: int | None
    handler: str = Field(description="the deciding department, or the external authority")
    external_list: str | None
    external_list_name: str | None
    external_ref: str
    status: str
    status_label: str
    submitted_on: date
    accept_due: date | None
    decide_due: date | None
    due: date | None = Field(description="due date of the current stage (None when closed)")
    overdue: bool = Field(description="flagged by the daily job, or past the current stage's due date today")
    decided_on: date | None
    lock_version: int


class RepairPage(BaseModel):
    """A page of applications."""

    total: int
    offset: int
    limit: int
    items: list[RepairRow]


class CommitmentOut(BaseModel):
    """The 信用修复型 commitment signed with the application."""

    id: int
    matter: str
    text: str
    signer_name: str
    signed_on: date
    status: str


class RepairDetail(RepairRow):
    """An application with its statement, decision, commitment, history and files, and what the reader may do."""

    obligations: str
    decision_reason: str
    external_authority: str
    external_channel: str
    record_status: str | None = Field(description="the record's publicity status today (platform records)")
    record_status_label: str | None
    record_decided_on: date | None
    commitment: CommitmentOut | None
    extensions_used: int
    extensions_left: int
    rule_version: int
    history: list[CaseEventOut]
    files: list[CaseFileOut]
    actions: list[str] = Field(description="what the reader may do now: accept, refuse, extend, grant, reject, result")
