"""What the objection and notification reads return (API answers, page and CLI data)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from xinyong.records.cases import CaseEventOut, CaseFileOut

STATUS_LABELS: dict[str, str] = {
    "submitted": "待受理",
    "accepted": "平台自查中",
    "verifying": "数据提供单位核查中",
    "closed": "已办结",
}
OUTCOME_LABELS: dict[str, str] = {
    "corrected": "已更正",
    "upheld": "维持原记录",
    "platform_fixed": "平台差错已更正",
    "refused": "不予受理",
    "withdrawn": "申请人已撤回",
}
STEP_LABELS: dict[str, str] = {"accept": "受理", "self_check": "平台自查", "verify": "数据提供单位核查"}
ACTION_LABELS: dict[str, str] = {
    "submit": "提出异议",
    "accept": "受理",
    "refuse": "不予受理",
    "self_check": "平台自查",
    "hand_over": "转数据提供单位核查",
    "platform_fixed": "平台差错已更正",
    "corrected": "核查更正",
    "upheld": "核查维持",
    "withdraw": "撤回",
    "overdue": "超期提醒",
}
NOTIFICATION_KINDS: dict[str, str] = {
    "received": "已收到",
    "decision": "处理结果",
    "task": "待办",
    "reminder": "到期提醒",
    "overdue": "超期",
}


class ObjectionRow(BaseModel):
    """One objection in a list or queue, with its current step's due date (``overdue`` against today)."""

    id: int
    status: str
    status_label: str
    outcome: str | None
    outcome_label: str | None
    record_id: int
    item_id: str
    item_name: str
    doc_no: str
    department_id: int
    department_name: str
    subject_name: str = Field(description="记录主体名称（自然人姓名对非经办人员脱敏）")
    applicant_name: str
    submitted_on: date
    step: str | None = Field(description="当前步骤：accept / self_check / verify；已办结为空")
    step_label: str | None
    due: date | None = Field(description="当前步骤的办理期限（含当日）")
    overdue: bool = Field(description="当前步骤已超过期限（按今天计算）")
    version: int = Field(description="乐观锁版本：处理时原样提交，他人先行处理则返回 409")


class RecordPreview(BaseModel):
    """The record an objection form is about."""

    record_id: int
    item_name: str
    doc_no: str
    subject_name: str
    department_name: str
    decided_on: date
    status_label: str
    on_behalf: bool = Field(description="区信用办代主体登记（书面申请）")


class ObjectionDetail(ObjectionRow):
    """One objection: the application, the deadlines, the decision, the history and the files."""

    reasons: str
    requested_correction: str
    contact: str = Field(description="联系方式：区信用办可见全文，其他人员脱敏显示")
    outcome_reason: str
    new_record_id: int | None
    accept_due: date
    self_check_due: date | None
    verify_due: date | None
    closed_on: date | None
    rule_version: int
    history: list[CaseEventOut]
    files: list[CaseFileOut]
    actions: list[str] = Field(description="当前用户此时可执行的操作：accept、refuse、self_check、verify、withdraw")


class NotificationOut(BaseModel):
    """One notification of the caller."""

    id: int
    case_type: str
    case_id: int
    kind: str
    kind_label: str
    message: str
    created_at: datetime
    read_at: datetime | None
    link: str = Field(description="相关页面")
