"""Pydantic I/O of 信易贷: institutions, products, registrations, needs, authorisations, outcomes, credit data and
statistics. Amounts are in 万元 (at most 6 decimals), rates in percent a year (at most 4 decimals), as decimals."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, Field

from xinyong.db.base import MAX_ID
from xinyong.subjects.schemas import SubjectOut

NEED_STATUSES: dict[str, str] = {"open": "征集中", "met": "已满足", "withdrawn": "已撤回", "expired": "已过期"}
DIMENSIONS: dict[str, str] = {"town": "镇街", "sector": "行业", "institution": "金融机构"}
Dimension = Literal["town", "sector", "institution"]
NAME_MAX = 64
PRODUCT_NAME_MAX = 100
PURPOSE_MAX = 200
CONDITIONS_MAX = 2000
CONTACT_MAX = 100
REASON_MAX = 200


class InstitutionIn(BaseModel):
    """A financial institution to register (the credit office)."""

    name: str = Field(min_length=1, max_length=NAME_MAX, description="机构名称（与其账户、令牌的机构名一致）")
    uscc: str = Field(min_length=1, max_length=64, description="统一社会信用代码")
    kind: str = Field(max_length=24, description="机构类别（rules/lending.yaml institution_kinds）")
    contact: str = Field(default="", max_length=200, description="对接联系方式（公开）")


class InstitutionOut(BaseModel):
    """A registered institution."""

    id: int
    name: str
    uscc: str
    kind: str
    kind_label: str
    contact: str
    active: bool
    registered_at: datetime
    products: int = 0


class ActiveIn(BaseModel):
    """Switch an institution or product on or off."""

    active: bool


class ProductIn(BaseModel):
    """A loan product of a registered institution."""

    institution_id: int = Field(ge=1, le=MAX_ID)
    name: str = Field(min_length=1, max_length=PRODUCT_NAME_MAX)
    loan_type: str = Field(max_length=24, description="贷款类型（rules/lending.yaml loan_types）")
    rate_min: Decimal = Field(description="年利率下限（%）")
    rate_max: Decimal = Field(description="年利率上限（%）")
    amount_max: Decimal = Field(description="最高额度（万元，至多6位小数）")
    term_months_max: int = Field(description="最长期限（月）")
    conditions: str = Field(default="", max_length=CONDITIONS_MAX, description="申请条件")


class ProductOut(BaseModel):
    """A product as listed."""

    id: int
    institution_id: int
    institution: str
    name: str
    loan_type: str
    loan_type_label: str
    credit_loan: bool
    rate_min: Decimal
    rate_max: Decimal
    amount_max: Decimal
    term_months_max: int
    conditions: str
    active: bool


class RegistrationIn(BaseModel):
    """An SME's registration on the lending platform."""

    sector: str = Field(max_length=40, description="行业（rules/lending.yaml sectors）")
    contact_name: str = Field(default="", max_length=CONTACT_MAX, description="联系人（加密保存）")
    contact_phone: str = Field(default="", max_length=32, description="联系电话（加密保存）")


class RegistrationOut(BaseModel):
    """A registration; the contact is shown to the SME itself and the credit office only (phone masked)."""

    id: int
    subject_id: int
    subject_name: str
    town: str | None
    town_name: str | None
    sector: str
    sector_label: str
    contact_name: str
    contact_phone: str
    registered_at: datetime


class NeedIn(BaseModel):
    """A financing need to publish."""

    amount: Decimal = Field(description="融资金额（万元，至多6位小数）")
    term_months: int = Field(description="期限（月）")
    purpose: str = Field(min_length=1, max_length=PURPOSE_MAX, description="用途")
    loan_type: str = Field(max_length=24, description="希望的贷款类型")
    valid_until: date | None = Field(default=None, description="征集截止日（默认按 rules/lending.yaml）")


class NeedOut(BaseModel):
    """A financing need with its status on the day asked (``expired`` once past ``valid_until``)."""

    id: int
    subject_id: int
    subject_name: str
    uscc: str | None
    town: str | None
    town_name: str | None
    sector: str | None
    sector_label: str | None
    amount: Decimal
    term_months: int
    purpose: str
    loan_type: str
    loan_type_label: str
    status: str
    status_label: str
    valid_until: date
    published_at: datetime
    approved_amount: Decimal = Decimal(0)
    authorised: bool | None = None  # for an institution: whether the SME authorised it (credit scope) today


class GrantIn(BaseModel):
    """An SME authorises a registered institution to read its data."""

    institution_id: int = Field(ge=1, le=MAX_ID)
    scopes: list[str] = Field(default_factory=lambda: ["basic", "credit"], min_length=1, max_length=10)
    valid_from: date | None = Field(default=None, description="起始日（默认今天）")
    valid_to: date = Field(description="截止日（含当日）")
    purpose: str = Field(default="信易贷融资对接", min_length=1, max_length=200)


class OutcomeIn(BaseModel):
    """An institution's decision on a need (or on an SME registered on the platform)."""

    need_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    uscc: str | None = Field(default=None, max_length=64, description="无对应需求时：主体的统一社会信用代码")
    product_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    approved: bool
    amount: Decimal | None = Field(default=None, description="批准金额（万元）")
    rate: Decimal | None = Field(default=None, description="年利率（%）")
    loan_type: str | None = Field(default=None, max_length=24)
    reason: str = Field(default="", max_length=REASON_MAX, description="说明（未批准时必填）")
    decided_on: date | None = Field(default=None, description="决定日（默认今天）")


class OutcomeOut(BaseModel):
    """A recorded outcome."""

    id: int
    institution_id: int
    institution: str
    subject_id: int
    subject_name: str
    need_id: int | None
    product_id: int | None
    approved: bool
    amount: Decimal | None
    rate: Decimal | None
    loan_type: str | None
    loan_type_label: str | None
    credit_loan: bool
    reason: str
    decided_on: date
    need_status: str | None = None


class SectionOut(BaseModel):
    """One section of the credit data (the public report's shape: columns, rows of cells and a status)."""

    id: str
    label: str
    columns: list[str]
    rows: list[dict[str, Any]]
    total: int
    summary: str


class CreditDataOut(BaseModel):
    """What an authorised institution reads under the ``credit`` scope."""

    subject: SubjectOut
    as_of: date
    authorisation_id: int
    valid_to: date
    sections: list[SectionOut]


class StatRow(BaseModel):
    """Figures of one town, sector or institution."""

    key: str
    label: str
    registrations: int = 0
    needs_posted: int = 0
    needs_met: int = 0
    amount_requested: Decimal = Decimal(0)
    outcomes: int = 0
    approved: int = 0
    approved_amount: Decimal = Decimal(0)
    credit_loans: int = 0
    credit_amount: Decimal = Decimal(0)
    credit_share: float | None = None  # credit loans / approved loans (count), None without approvals


class StatsOut(BaseModel):
    """The promotion statistics by one dimension, with the district total."""

    dimension: str
    dimension_label: str
    rows: list[StatRow]
    total: StatRow
