"""Lending tables (信易贷, issue #9): institutions and their products, SME registrations, financing needs, outcomes.

A bank reads an SME's data only under a ``bank_authorisation`` (auth/models.py) naming the institution by its
registered ``name`` (the string a bank's account or token carries as ``institution``). Amounts are in 万元 with
6 decimals and rates in percent per year, both as exact decimals.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.db.base import Base
from xinyong.subjects.models import ID

AMOUNT = Numeric(18, 6)  # 万元
RATE = Numeric(7, 4)  # percent per year


class FinancialInstitution(Base):
    """A financial institution registered by the credit office (金融机构): banks, guarantee and micro-loan firms."""

    __tablename__ = "financial_institution"

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    uscc: Mapped[str] = mapped_column(String(18))
    kind: Mapped[str] = mapped_column(String(24))
    contact: Mapped[str] = mapped_column(String(200), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    registered_by: Mapped[str] = mapped_column(String(128))
    registered_at: Mapped[datetime]


class LoanProduct(Base):
    """A financing product of an institution (rate range, maximum amount and term, loan type, conditions)."""

    __tablename__ = "loan_product"

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("financial_institution.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    loan_type: Mapped[str] = mapped_column(String(24))
    rate_min: Mapped[Decimal] = mapped_column(RATE)
    rate_max: Mapped[Decimal] = mapped_column(RATE)
    amount_max: Mapped[Decimal] = mapped_column(AMOUNT)
    term_months_max: Mapped[int] = mapped_column(Integer)
    conditions: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime]


class LendingRegistration(Base):
    """An SME's registration on the lending platform, linked to its registry entry; town and sector are kept as
    registered for the promotion statistics. ``contact_enc`` holds the contact person and phone encrypted."""

    __tablename__ = "lending_registration"

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subject.id"), unique=True)
    town: Mapped[str | None] = mapped_column(String(9), index=True)
    sector: Mapped[str] = mapped_column(String(40), index=True)
    contact_enc: Mapped[str] = mapped_column(Text, default="")
    registered_by: Mapped[str] = mapped_column(String(128))
    registered_at: Mapped[datetime]


class FinancingNeed(Base):
    """A financing need an SME publishes: amount, term, purpose, wanted loan type; open until met, withdrawn or
    past ``valid_until``. ``version`` guards concurrent changes."""

    __tablename__ = "financing_need"

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subject.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(AMOUNT)
    term_months: Mapped[int] = mapped_column(Integer)
    purpose: Mapped[str] = mapped_column(String(200))
    loan_type: Mapped[str] = mapped_column(String(24))
    status: Mapped[str] = mapped_column(String(16))
    valid_until: Mapped[date] = mapped_column(Date)
    published_by: Mapped[str] = mapped_column(String(128))
    published_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(Integer, default=1)

    __table_args__ = (Index("ix_financing_need_status", "status", "valid_until"),)


class LoanOutcome(Base):
    """An institution's decision on a need or an application: approved or declined, amount, rate and loan type;
    ``credit_loan`` flags 信用贷款 (no collateral or guarantee)."""

    __tablename__ = "loan_outcome"

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("financial_institution.id"), index=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subject.id"), index=True)
    need_id: Mapped[int | None] = mapped_column(ForeignKey("financing_need.id"), index=True)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("loan_product.id"))
    approved: Mapped[bool] = mapped_column(Boolean)
    amount: Mapped[Decimal | None] = mapped_column(AMOUNT)
    rate: Mapped[Decimal | None] = mapped_column(RATE)
    loan_type: Mapped[str | None] = mapped_column(String(24))
    credit_loan: Mapped[bool] = mapped_column(Boolean, default=False)
    reason: Mapped[str] = mapped_column(String(200), default="")
    decided_on: Mapped[date] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(128))
    recorded_at: Mapped[datetime]
