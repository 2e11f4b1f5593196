"""Government integrity tables (政务诚信, issue #11 items 1–4; work-plan item 三).

* ``public_body``: the register of government bodies, public institutions and state-owned enterprises (机关、事业
  单位、国有企业) with the town or department answerable for each: court notices, contracts and arrears name a
  body of this register, so an unknown body is reported, never guessed.
* ``integrity_file`` / ``integrity_entry`` / ``integrity_check``: civil servants' integrity files (公务员诚信档案),
  linked to natural-person subjects (the ID number lives only encrypted in ``subject``), their integrity records and
  training, and the record checks for recruitment and transfer (录用、调任) with their result sheets.
* ``gov_contract`` / ``gov_contract_term``: contracts government bodies sign or lead, their milestones and payment
  schedule, tracked against due dates.
* ``arrears_entry`` / ``arrears_payment`` / ``arrears_complaint``: the ledger of arrears owed by government bodies
  and SOEs to private firms and SMEs (清理拖欠民营企业中小企业账款), clearing payments and complaints.
* ``enforcement_notice`` / ``enforcement_case`` / ``enforcement_step``: the court's monthly notice of enforcement
  cases against government bodies and SOEs, assignment, rectification steps and closure.
* ``gov_integrity_record``: a government-integrity record (政务失信记录) of a body, created from a contract default, an
  overdue arrears entry or an enforcement case; one row per source, never updated.

Amounts are in 元 with 2 decimals (court notices and contracts state yuan). Workflow rows keep their history in
their step or payment tables; the status columns are the current state those steps produced.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.db.base import Base
from xinyong.subjects.models import ID

YUAN = Numeric(18, 2)


class PublicBody(Base):
    """A government body, public institution or state-owned enterprise (``kind``: organ / institution / soe) and
    the unit answerable for it (``unit_code``: a department code of catalog/departments.yaml or a township code)."""

    __tablename__ = "public_body"

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subject.id"), unique=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    uscc: Mapped[str] = mapped_column(String(18), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    unit_code: Mapped[str] = mapped_column(String(32), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    registered_by: Mapped[str] = mapped_column(String(128))
    registered_at: Mapped[datetime]


class IntegrityFile(Base):
    """A civil servant's integrity file (公务员诚信档案): one per natural-person subject."""

    __tablename__ = "integrity_file"

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subject.id"), unique=True)
    body_id: Mapped[int | None] = mapped_column(ForeignKey("public_body.id"), index=True)
    position: Mapped[str] = mapped_column(String(100), default="")
    opened_by: Mapped[str] = mapped_column(String(128))
    opened_at: Mapped[datetime]


class IntegrityEntry(Base):
    """One entry of an integrity file: an integrity record (``kind`` record: e.g. 处分, 表彰, 个人有关事项报告) or a
    training (``kind`` training, with ``hours``). Never updated; ``withdrawn_id`` of a later row retracts one."""

    __tablename__ = "integrity_entry"

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("integrity_file.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    category: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(200))
    detail: Mapped[str] = mapped_column(Text, default="")
    occurred_on: Mapped[date] = mapped_column(Date)
    hours: Mapped[Decimal | None] = mapped_column(Numeric(6, 1))
    source: Mapped[str] = mapped_column(String(200), default="")
    withdraws_id: Mapped[int | None] = mapped_column(ForeignKey("integrity_entry.id"))
    recorded_by: Mapped[str] = mapped_column(String(128))
    recorded_at: Mapped[datetime]


class IntegrityCheck(Base):
    """A record check for recruitment or transfer (``purpose`` recruitment / transfer) run with a ``reason``; the
    result sheet (``sheet``: what was found, per source, as of ``as_of``) is stored as issued."""

    __tablename__ = "integrity_check"

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    sheet_no: Mapped[str] = mapped_column(String(32), unique=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subject.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(500))
    as_of: Mapped[date] = mapped_column(Date)
    conclusion: Mapped[str] = mapped_column(String(16))
    sheet: Mapped[dict] = mapped_column(JSON)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    checked_by: Mapped[str] = mapped_column(String(128))
    checked_at: Mapped[datetime]


class GovContract(Base):
    """A contract a government body signs or leads (政府主导签订的合同): parties, amount, term and status
    (performing / completed / defaulted / terminated)."""

    __tablename__ = "gov_contract"

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    contract_no: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    body_id: Mapped[int] = mapped_column(ForeignKey("public_body.id"), index=True)
    counterparty_id: Mapped[int | None] = mapped_column(ForeignKey("subject.id"), index=True)
    counterparty_name: Mapped[str] = mapped_column(String(200))
    # the code as given, kept even when no registry subject holds it yet ('' when none was given; migration 0016)
    counterparty_uscc: Mapped[str] = mapped_column(String(18), default="", server_default="")
    amount: Mapped[Decimal] = mapped_column(YUAN)
    signed_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="performing")
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    registered_by: Mapped[str] = mapped_column(String(128))
    registered_at: Mapped[datetime]
    closed_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")


class GovContractTerm(Base):
    """A milestone or payment of a contract's schedule (``kind`` milestone / payment), due on ``due_on``; done when
    ``done_on`` is set (for a payment, with ``paid_amount``)."""

    __tablename__ = "gov_contract_term"

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("gov_contract.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    description: Mapped[str] = mapped_column(String(200))
    due_on: Mapped[date] = mapped_column(Date, index=True)
    amount: Mapped[Decimal | None] = mapped_column(YUAN)
    done_on: Mapped[date | None] = mapped_column(Date)
    paid_amount: Mapped[Decimal | None] = mapped_column(YUAN)
    recorded_by: Mapped[str | None] = mapped_column(String(128))

    __table_args__ = (UniqueConstraint("contract_id", "seq", name="uq_gov_contract_term_seq"),)


class ArrearsEntry(Base):
    """An amount a government body or SOE owes a private firm or SME (拖欠账款): ``status`` outstanding / cleared /
    disputed; ``cleared_amount`` is the sum of its payments. ``arose_on`` decides the year it counts as new in."""

    __tablename__ = "arrears_entry"

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    debtor_id: Mapped[int] = mapped_column(ForeignKey("public_body.id"), index=True)
    creditor_id: Mapped[int | None] = mapped_column(ForeignKey("subject.id"), index=True)
    creditor_name: Mapped[str] = mapped_column(String(200))
    creditor_sme: Mapped[bool] = mapped_column(Boolean, default=True)
    amount: Mapped[Decimal] = mapped_column(YUAN)
    cleared_amount: Mapped[Decimal] = mapped_column(YUAN, default=Decimal("0"))
    arose_on: Mapped[date] = mapped_column(Date, index=True)
    due_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="outstanding")
    contract_id: Mapped[int | None] = mapped_column(ForeignKey("gov_contract.id"))
    complaint_id: Mapped[int | None] = mapped_column(ForeignKey("arrears_complaint.id"))
    description: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[str] = mapped_column(String(128))
    recorded_at: Mapped[datetime]
    cleared_on: Mapped[date | None] = mapped_column(Date)


class ArrearsPayment(Base):
    """A clearing payment against an arrears entry."""

    __tablename__ = "arrears_payment"

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("arrears_entry.id"), index=True)
    paid_on: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(YUAN)
    note: Mapped[str] = mapped_column(String(500), default="")
    recorded_by: Mapped[str] = mapped_column(String(128))
    recorded_at: Mapped[datetime]


class ArrearsComplaint(Base):
    """A firm's complaint of arrears (投诉): received, then accepted into the ledger or rejected with a reason."""

    __tablename__ = "arrears_complaint"

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    complainant_id: Mapped[int | None] = mapped_column(ForeignKey("subject.id"), index=True)
    complainant_name: Mapped[str] = mapped_column(String(200))
    debtor_name: Mapped[str] = mapped_column(String(200))
    debtor_id: Mapped[int | None] = mapped_column(ForeignKey("public_body.id"))
    amount: Mapped[Decimal] = mapped_column(YUAN)
    description: Mapped[str] = mapped_column(Text)
    contact_enc: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="received")
    received_on: Mapped[date] = mapped_column(Date)
    handled_by: Mapped[str | None] = mapped_column(String(128))
    handled_at: Mapped[datetime | None]
    reason: Mapped[str] = mapped_column(String(500), default="")
    submitted_by: Mapped[str] = mapped_column(String(128))
    submitted_at: Mapped[datetime]


class EnforcementNotice(Base):
    """One monthly court notice (法院通报) of enforcement cases against government bodies and SOEs, as imported."""

    __tablename__ = "enforcement_notice"

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    period: Mapped[str] = mapped_column(String(7), index=True)
    court: Mapped[str] = mapped_column(String(100))
    file_name: Mapped[str] = mapped_column(String(200))
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    cases: Mapped[int] = mapped_column(Integer)
    imported_by: Mapped[str] = mapped_column(String(128))
    imported_at: Mapped[datetime]


class EnforcementCase(Base):
    """An enforcement case against a body of the register: assigned to the answerable town or department
    (``unit_code``), rectified by ``due_on`` (working days from assignment), then closed. ``status`` open /
    assigned / rectifying / closed."""

    __tablename__ = "enforcement_case"

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("enforcement_notice.id"), index=True)
    case_no: Mapped[str] = mapped_column(String(64), unique=True)
    court: Mapped[str] = mapped_column(String(100))
    body_id: Mapped[int] = mapped_column(ForeignKey("public_body.id"), index=True)
    applicant: Mapped[str] = mapped_column(String(200))
    amount: Mapped[Decimal] = mapped_column(YUAN)
    filed_on: Mapped[date] = mapped_column(Date)
    cause: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(16), default="open")
    unit_code: Mapped[str | None] = mapped_column(String(32), index=True)
    assigned_on: Mapped[date | None] = mapped_column(Date)
    due_on: Mapped[date | None] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    outcome: Mapped[str] = mapped_column(String(500), default="")


class EnforcementStep(Base):
    """One dated step of a case (``kind`` assign / rectify / close / reopen) with its note and evidence."""

    __tablename__ = "enforcement_step"

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("enforcement_case.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    unit_code: Mapped[str | None] = mapped_column(String(32))
    note: Mapped[str] = mapped_column(Text, default="")
    evidence: Mapped[str] = mapped_column(String(500), default="")
    on: Mapped[date] = mapped_column(Date)
    actor: Mapped[str] = mapped_column(String(128))
    at: Mapped[datetime]


class GovIntegrityRecord(Base):
    """A government-integrity record (政务失信记录) of a body: from a contract default, an overdue arrears entry or an
    enforcement case (``source_kind`` contract_default / arrears_overdue / enforcement_case, ``source_id``)."""

    __tablename__ = "gov_integrity_record"

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("public_body.id"), index=True)
    source_kind: Mapped[str] = mapped_column(String(24))
    source_id: Mapped[int] = mapped_column(ID)
    summary: Mapped[str] = mapped_column(String(500))
    amount: Mapped[Decimal | None] = mapped_column(YUAN)
    occurred_on: Mapped[date] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(128))
    recorded_at: Mapped[datetime]

    __table_args__ = (
        UniqueConstraint("source_kind", "source_id", name="uq_gov_integrity_record_source"),
        Index("ix_gov_integrity_record_occurred", "occurred_on"),
    )
