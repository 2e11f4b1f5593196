"""Output shapes of credit commitments (信用承诺): the public list, the staff/applicant views, the department feed."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

STATUS_LABELS: dict[str, str] = {"signed": "待核查", "kept": "已履约", "breached": "已违约"}
RECORDED_BY_LABELS: dict[str, str] = {
    "subject": "主体在线签署",
    "department": "部门录入（纸质承诺）",
    "office": "信用办录入",
}


class PublicCommitment(BaseModel):
    """One row of 信用承诺公示: a natural person's name is masked, no signer or text."""

    id: int
    subject_name: str = Field(description="承诺主体名称（自然人已脱敏）")
    uscc: str | None = Field(description="统一社会信用代码（自然人不显示）")
    kind: str = Field(description="承诺类型 key（rules/commitments.yaml）")
    kind_label: str
    matter: str = Field(description="承诺事项")
    department_name: str = Field(description="承诺所涉部门")
    signed_on: date
    status: str = Field(description="signed 待核查 / kept 已履约 / breached 已违约")
    status_label: str
    outcome_on: date | None


class PublicCommitmentPage(BaseModel):
    """One page of the public list, newest first."""

    q: str | None
    total: int
    offset: int
    limit: int
    items: list[PublicCommitment]


class CommitmentRow(BaseModel):
    """A commitment as staff and its subject see it in a list (the department feed, my commitments)."""

    id: int
    kind: str
    kind_label: str
    notice: bool = Field(description="是否告知承诺")
    subject_id: int
    subject_name: str
    uscc: str | None
    department_id: int
    department_name: str
    matter: str
    signed_on: date
    recorded_by: str
    recorded_by_label: str
    verify_due: date | None = Field(description="核查期限（含当日）；信用修复型随修复申请核查，无单独期限")
    status: str
    status_label: str
    overdue: bool = Field(description="核查已逾期（过期仍待核查）")
    outcome_on: date | None
    published: bool
    version: int = Field(description="乐观锁版本：核查时原样提交")


class CaseStep(BaseModel):
    """One step of a commitment's history."""

    at: datetime
    actor: str | None = Field(description="操作人（仅工作人员可见）")
    role: str
    role_label: str
    action: str
    action_label: str
    from_status: str | None
    to_status: str | None
    note: str


class CommitmentDetail(CommitmentRow):
    """One commitment with its text, outcome and history."""

    text: str
    signer_name: str
    outcome_reason: str
    false_commitment: bool
    breach_record_id: int | None
    rule_version: int
    history: list[CaseStep]


class CommitmentFeed(BaseModel):
    """The commitments that concern a department (the pushed list a department system polls)."""

    department_id: int | None
    since: date | None
    status: str | None
    as_of: date
    total: int
    offset: int
    limit: int
    items: list[CommitmentRow]


class CommitmentTypeInfo(BaseModel):
    """A commitment type as the signing form shows it."""

    kind: str
    label: str
    description: str
    notice: bool
    published: bool
    verify_days: int | None
    template: str
