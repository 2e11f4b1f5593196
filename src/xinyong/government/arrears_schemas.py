"""Shapes of the arrears ledger (清理拖欠民营企业中小企业账款): what the office and firms send, what the API, pages and
CLI show."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

AMOUNT_MAX = Decimal("9999999999999999.99")


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class EntryIn(_In):
    """A new ledger entry: the debtor (a body of the register, by id, code or exact name), the creditor (a registry
    subject by USCC, or a name), the amount and dates. ``due_on`` defaults to the statutory term of the debtor's
    kind (rules/arrears.yaml)."""

    debtor_id: int | None = Field(default=None, ge=1)
    debtor_uscc: str = Field(default="", max_length=18)
    debtor_name: str = Field(default="", max_length=200)
    creditor_uscc: str = Field(default="", max_length=18)
    creditor_name: str = Field(default="", max_length=200)
    creditor_sme: bool = True
    amount: Decimal = Field(gt=0, le=AMOUNT_MAX, decimal_places=2)
    arose_on: date
    due_on: date | None = None
    contract_id: int | None = Field(default=None, ge=1)
    description: str = Field(default="", max_length=2000)


class PaymentIn(_In):
    """A clearing payment."""

    amount: Decimal = Field(gt=0, le=AMOUNT_MAX, decimal_places=2)
    paid_on: date
    note: str = Field(default="", max_length=500)


class DisputeIn(_In):
    """Mark an entry disputed (``disputed`` true) or take the dispute back, with the reason."""

    disputed: bool
    reason: str = Field(min_length=1, max_length=500)


class ComplaintIn(_In):
    """A complaint of arrears. A firm's own account files for itself; the office names the complainant (a registry
    subject by id or USCC, or a name)."""

    complainant_id: int | None = Field(default=None, ge=1)
    complainant_uscc: str = Field(default="", max_length=18)
    complainant_name: str = Field(default="", max_length=200)
    debtor_name: str = Field(min_length=1, max_length=200)
    debtor_uscc: str = Field(default="", max_length=18)
    amount: Decimal = Field(gt=0, le=AMOUNT_MAX, decimal_places=2)
    description: str = Field(min_length=1, max_length=2000)
    contact: str = Field(default="", max_length=100)


class AcceptIn(_In):
    """Accept a complaint into the ledger: the debtor (when the complaint's name matched no body), the day the
    amount arose and its due day."""

    debtor_id: int | None = Field(default=None, ge=1)
    arose_on: date
    due_on: date | None = None
    amount: Decimal | None = Field(default=None, gt=0, le=AMOUNT_MAX, decimal_places=2)
    creditor_sme: bool = True


class RejectIn(_In):
    reason: str = Field(min_length=1, max_length=500)


class PaymentOut(BaseModel):
    id: int
    paid_on: date
    amount: Decimal
    note: str
    recorded_by: str


class EntryOut(BaseModel):
    """A ledger entry with its debtor and what is still owed (as stored now)."""

    id: int
    debtor_id: int
    debtor_name: str
    debtor_kind: str
    debtor_kind_label: str
    unit_code: str
    unit_label: str
    creditor_id: int | None
    creditor_name: str
    creditor_uscc: str | None
    creditor_sme: bool
    amount: Decimal
    cleared_amount: Decimal
    outstanding: Decimal
    arose_on: date
    due_on: date | None
    status: str
    status_label: str
    overdue: bool
    days_overdue: int
    cleared_on: date | None
    contract_id: int | None
    complaint_id: int | None
    description: str
    recorded_by: str


class EntryDetail(EntryOut):
    payments: list[PaymentOut]


class ComplaintOut(BaseModel):
    """A complaint (the contact masked), its deadline and whether it is overdue as of today."""

    id: int
    complainant_id: int | None
    complainant_name: str
    debtor_name: str
    debtor_id: int | None
    amount: Decimal
    description: str
    contact_masked: str
    status: str
    status_label: str
    received_on: date
    deadline: date
    overdue: bool
    handled_by: str | None
    reason: str
    entry_id: int | None


class Totals(BaseModel):
    """Entries, owed, cleared (payments dated up to ``as_of``), outstanding and the clearing rate."""

    key: str
    label: str
    entries: int
    owed: Decimal
    cleared: Decimal
    outstanding: Decimal
    open_entries: int
    clearing_rate: float | None


class NewArrears(BaseModel):
    """Entries that arose in ``year`` and are not fully cleared as of ``as_of``, against the target."""

    year: int
    count: int
    amount: Decimal
    target_count: int
    target_amount: Decimal
    met: bool
    source: str


class SummaryOut(BaseModel):
    as_of: date
    total: Totals
    by_unit: list[Totals]
    by_kind: list[Totals]
    new_arrears: NewArrears
    complaints_open: int
    complaints_overdue: int
