"""Input and output shapes of government contracts (政府合同), their schedules, alerts, imports, the register of
public bodies and government-integrity records, as the API and the pages show them. Amounts are ``Decimal`` 元."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class TermIn(_In):
    """One term of a schedule: a milestone (履约节点) or a payment (付款节点, with its amount)."""

    seq: int = Field(ge=1, le=999, description="节点序号（合同内唯一）")
    kind: str = Field(max_length=16, description="milestone 履约节点 / payment 付款节点")
    description: str = Field(max_length=200, description="节点说明")
    due_on: date = Field(description="应履行日期")
    amount: Decimal | None = Field(default=None, max_digits=18, decimal_places=2, description="节点金额（元）")


class ContractIn(_In):
    """A contract a public body signs or leads, with its whole schedule."""

    contract_no: str = Field(max_length=64, description="合同编号")
    title: str = Field(max_length=200, description="合同名称")
    body_id: int = Field(ge=1, description="政府方（公共机构名录编号）")
    counterparty_name: str = Field(max_length=200, description="相对方名称")
    counterparty_uscc: str = Field(default="", max_length=40, description="相对方统一社会信用代码（可选）")
    amount: Decimal = Field(max_digits=18, decimal_places=2, description="合同金额（元）")
    signed_on: date = Field(description="签订日期")
    ends_on: date | None = Field(default=None, description="履行期限届满日")
    note: str = Field(default="", max_length=2000, description="备注")
    terms: list[TermIn] = Field(min_length=1, max_length=200, description="履约及付款节点")


class TermDoneIn(_In):
    """A term done on ``done_on``; for a payment, ``paid_amount`` (default: the rest still unpaid; less is a partial
    payment and leaves the term open)."""

    done_on: date
    paid_amount: Decimal | None = Field(default=None, max_digits=18, decimal_places=2)
    note: str = Field(default="", max_length=500)


class AmendIn(_In):
    """A supplementary agreement (补充协议): new terms only, and the contract amount after it."""

    reason: str = Field(max_length=500)
    amount: Decimal | None = Field(default=None, max_digits=18, decimal_places=2)
    terms: list[TermIn] = Field(min_length=1, max_length=200)


class ReasonIn(_In):
    """A declared default or a termination, with its reason and day (default: today)."""

    reason: str = Field(max_length=500)
    on: date | None = None


class CompleteIn(_In):
    """Completion of a contract whose every term is done."""

    on: date | None = None


class TermOut(BaseModel):
    """A term as shown, with its state as of the day asked about."""

    id: int
    seq: int
    kind: str
    kind_label: str
    description: str
    due_on: date
    amount: Decimal | None
    paid_amount: Decimal | None
    done_on: date | None
    state: str  # done / open / due_soon / overdue / past_grace
    state_label: str
    default_on: date  # first day the term counts as a default if still not done


class ContractRow(BaseModel):
    """A contract in a list, with its alert counts as of the day asked about."""

    id: int
    contract_no: str
    title: str
    body_id: int
    body_name: str
    unit_code: str
    unit_label: str
    counterparty_name: str
    counterparty_id: int | None
    counterparty_uscc: str = Field(description="相对方统一社会信用代码（登记时填写的，未填为空）")
    amount: Decimal
    paid: Decimal
    signed_on: date
    ends_on: date | None
    status: str
    status_label: str
    due_soon: int
    overdue: int
    next_due_on: date | None


class TimelineEvent(BaseModel):
    """One audited change of a contract."""

    at: datetime
    actor: str
    action: str
    label: str
    detail: dict


class ContractDetail(ContractRow):
    """A contract with its schedule and timeline."""

    note: str
    registered_by: str
    registered_at: datetime
    closed_on: date | None
    terms: list[TermOut]
    timeline: list[TimelineEvent]
    records: list[RecordOut]


class AlertOut(BaseModel):
    """A term due soon (before its due date, within the window) or overdue (after it)."""

    contract_id: int
    contract_no: str
    title: str
    body_id: int
    body_name: str
    unit_code: str
    term_id: int
    seq: int
    kind_label: str
    description: str
    due_on: date
    amount: Decimal | None
    kind: str  # due_soon / overdue
    workdays_left: int | None
    days_overdue: int | None
    default_on: date


class ImportRowError(BaseModel):
    """One problem of an import file: its row (1 = first data row), column and Chinese reason."""

    row: int
    field: str
    reason: str


class ImportResult(BaseModel):
    """What an import stored."""

    contracts: int
    terms: int
    contract_ids: list[int]


class BodyIn(_In):
    """A public body to register."""

    name: str = Field(max_length=200)
    uscc: str = Field(max_length=40)
    kind: str = Field(max_length=16, description="organ 党政机关 / institution 事业单位 / soe 国有企业")
    unit_code: str = Field(max_length=32, description="责任单位：部门代码或镇街代码")


class ReassignIn(_In):
    """Another answerable unit for a body."""

    unit_code: str = Field(max_length=32)


class BodyOut(BaseModel):
    """A body of the register."""

    id: int
    name: str
    uscc: str
    kind: str
    kind_label: str
    unit_code: str
    unit_label: str
    active: bool
    subject_id: int


class RecordOut(BaseModel):
    """A government-integrity record (政务失信记录)."""

    id: int
    body_id: int
    body_name: str
    source_kind: str
    source_label: str
    source_id: int
    summary: str
    amount: Decimal | None
    occurred_on: date
    recorded_by: str
    recorded_at: datetime


ContractDetail.model_rebuild()
