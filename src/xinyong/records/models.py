"""Credit records: one row per reported version of a department's record (never updated in place)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ColumnElement,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    false,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.db.base import Base


def sa_true() -> ColumnElement[bool]:
    """Server default TRUE on both databases."""
    return true()


def sa_false() -> ColumnElement[bool]:
    """Server default FALSE on both databases."""
    return false()


ID = BigInteger().with_variant(Integer, "sqlite")


class CreditRecord(Base):
    """One version of a record of a catalogue data item (a licence, a penalty, an arrears entry, ...).

    The natural key is (``item_id``, ``department_id``, ``doc_no``). A changed re-send inserts a new version
    whose ``supersedes_id`` points at the one it replaces; the current version of a key is the one that no
    other row supersedes. ``data`` holds the normalised values keyed by the catalogue's field keys, with
    personal identifiers removed: the ID number lives only in ``id_cipher`` (encrypted), ``id_hash`` (keyed
    look-up hash) and ``id_masked``. ``content_hash`` is over the normalised values (ID number included), so
    an identical re-send is recognised without decrypting anything.
    """

    __tablename__ = "credit_record"

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    item_id: Mapped[str] = mapped_column(String(40))
    item_version: Mapped[int] = mapped_column(Integer)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("subject.id"))
    batch_id: Mapped[int] = mapped_column(ForeignKey("intake_batch.id"))
    row_no: Mapped[int] = mapped_column(Integer)
    doc_no: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, default=1)
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("credit_record.id"))
    subject_name: Mapped[str] = mapped_column(String(200))
    subject_kind: Mapped[str] = mapped_column(String(24))
    subject_uscc: Mapped[str | None] = mapped_column(String(18))
    category: Mapped[str | None] = mapped_column(String(64))
    decided_on: Mapped[date] = mapped_column(Date)
    # Last day of publicity (inclusive). Items under the publicity regimes (``publicity_rule: regime``): the
    # maximum period of the regime in force on ``decided_on`` (records.regimes); other items: the stated
    # 公示截止期, else the item's default from the decision date (records.periods).
    publicity_end: Mapped[date | None] = mapped_column(Date)
    # minor / general / serious (轻微 / 一般 / 严重): from the data, else the classification rule (records.regimes).
    severity: Mapped[str | None] = mapped_column(String(8))
    # Regime-ruled items: the regime id of ``decided_on``, the end of the minimum period (repair may be applied
    # for after it), and, when a later regime is more favourable, its shorter end and the day it applies from.
    regime: Mapped[str | None] = mapped_column(String(32))
    publicity_min_end: Mapped[date | None] = mapped_column(Date)
    publicity_later_end: Mapped[date | None] = mapped_column(Date)
    publicity_later_from: Mapped[date | None] = mapped_column(Date)
    # False when the rule says the record is not published at all (e.g. 轻微 under Order 36, configurable).
    publishable: Mapped[bool] = mapped_column(Boolean, default=True, server_default=sa_true())
    data: Mapped[dict[str, str]] = mapped_column(JSON)
    id_cipher: Mapped[str | None] = mapped_column(Text)
    id_hash: Mapped[str | None] = mapped_column(String(64))
    id_masked: Mapped[str | None] = mapped_column(String(64))
    content_hash: Mapped[str] = mapped_column(String(64))
    # Day the department reported it (the batch's day in China): timeliness is measured against it.
    reported_on: Mapped[date] = mapped_column(Date)
    loaded_at: Mapped[datetime]

    __table_args__ = (
        Index("ix_credit_record_key", "item_id", "department_id", "doc_no"),
        Index("ix_credit_record_subject", "subject_id"),
        Index("ix_credit_record_supersedes", "supersedes_id"),
        Index("ix_credit_record_batch", "batch_id"),
        Index("ix_credit_record_item_decided", "item_id", "decided_on"),
        Index("ix_credit_record_uscc", "subject_uscc"),
    )


# ------------------------------------------------------------------------------------------------ lifecycle
class RecordEffect(Base):
    """One lifecycle fact about a record, the single path by which objections, repairs, revocations and
    expiry change what is published, evaluated, listed and reported (design principle 5).

    Effects attach to the record's natural key (``item_id``, ``department_id``, ``doc_no``), so they hold for
    every version of it, including a correction loaded later. ``record_id`` names the version that was current
    when the effect was made. Rows are never updated except to close an open interval (``ends_on``), which a
    case event in ``case_event`` and the audit log record.

    kinds: ``objection`` (异议中 from ``starts_on`` until ``ends_on``), ``repaired`` (publicity ended early on
    ``starts_on``), ``revoked`` (decision revoked on ``starts_on``), ``expired`` (publicity ended at the
    maximum period; written by the daily job for lists and reports to react to, status is computed anyway).
    """

    __tablename__ = "record_effect"

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    item_id: Mapped[str] = mapped_column(String(40))
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    doc_no: Mapped[str] = mapped_column(String(64))
    record_id: Mapped[int] = mapped_column(ForeignKey("credit_record.id"))
    kind: Mapped[str] = mapped_column(String(16))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    source_type: Mapped[str] = mapped_column(String(16))  # objection / repair / revocation / job
    source_id: Mapped[int | None] = mapped_column(ID)
    reason: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime]

    __table_args__ = (
        Index("ix_record_effect_key", "item_id", "department_id", "doc_no", "kind"),
        Index("ix_record_effect_record", "record_id"),
        # the public search's "objected" test looks effects up by kind first (PostgreSQL scanned the key index)
        Index("ix_record_effect_kind_key", "kind", "item_id", "department_id", "doc_no"),
    )


class CaseEvent(Base):
    """History of a case (objection, repair application, commitment): every step, who, when, from/to status."""

    __tablename__ = "case_event"

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    case_type: Mapped[str] = mapped_column(String(16))  # objection / repair / commitment
    case_id: Mapped[int] = mapped_column(ID)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(128))
    role: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(40))
    from_status: Mapped[str | None] = mapped_column(String(24))
    to_status: Mapped[str | None] = mapped_column(String(24))
    note: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (Index("ix_case_event_case", "case_type", "case_id"),)


class CaseFile(Base):
    """An evidence or material file attached to a case, kept in the database (transactional, never lost)."""

    __tablename__ = "case_file"

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    case_type: Mapped[str] = mapped_column(String(16))
    case_id: Mapped[int] = mapped_column(ID)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_by: Mapped[str] = mapped_column(String(128))
    uploaded_at: Mapped[datetime]

    __table_args__ = (Index("ix_case_file_case", "case_type", "case_id"),)


class Notification(Base):
    """A message to an applicant (account or subject) or a handler (department / credit office).

    ``dedupe_key`` makes the daily job's reminders and overdue flags idempotent: one row per key."""

    __tablename__ = "notification"

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("subject.id"))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    to_office: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())
    case_type: Mapped[str] = mapped_column(String(16))
    case_id: Mapped[int] = mapped_column(ID)
    kind: Mapped[str] = mapped_column(String(16))  # decision / reminder / overdue / received
    message: Mapped[str] = mapped_column(Text)
    dedupe_key: Mapped[str] = mapped_column(String(120), unique=True)
    created_at: Mapped[datetime]
    read_at: Mapped[datetime | None]

    __table_args__ = (
        Index("ix_notification_account", "account_id"),
        Index("ix_notification_subject", "subject_id"),
        Index("ix_notification_department", "department_id"),
    )


class Objection(Base):
    """异议: a challenge to a record, with its working-day deadlines and outcome (records.objections)."""

    __tablename__ = "objection"

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("credit_record.id"))
    item_id: Mapped[str] = mapped_column(String(40))
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))  # the data provider
    doc_no: Mapped[str] = mapped_column(String(64))
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("subject.id"))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    applicant_name: Mapped[str] = mapped_column(String(200))
    applicant_contact: Mapped[str] = mapped_column(Text, default="")  # sealed (pii.seal)
    reasons: Mapped[str] = mapped_column(Text)
    requested_correction: Mapped[str] = mapped_column(Text, default="")
    # submitted → accepted → self_check → verifying → closed; submitted → refused; platform fix closes early
    status: Mapped[str] = mapped_column(String(16))
    outcome: Mapped[str | None] = mapped_column(String(16))  # corrected / upheld / platform_fixed / refused
    outcome_reason: Mapped[str] = mapped_column(Text, default="")
    new_record_id: Mapped[int | None] = mapped_column(ForeignKey("credit_record.id"))
    accept_due: Mapped[date] = mapped_column(Date)
    self_check_due: Mapped[date | None] = mapped_column(Date)
    verify_due: Mapped[date | None] = mapped_column(Date)
    overdue: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())
    rule_version: Mapped[int] = mapped_column(Integer)
    lock_version: Mapped[int] = mapped_column(Integer, default=1)
    submitted_at: Mapped[datetime]
    submitted_on: Mapped[date] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)

    __mapper_args__ = {"version_id_col": lock_version}
    __table_args__ = (
        Index("ix_objection_key", "item_id", "department_id", "doc_no"),
        Index("ix_objection_status", "status"),
        Index("ix_objection_subject", "subject_id"),
    )


class RepairApplication(Base):
    """信用修复 application: for a platform record (``record_id``) routed to its deciding department, or for an
    external list (``external_list``) routed to its authority and tracked here ("一站式")."""

    __tablename__ = "repair_application"

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    record_id: Mapped[int | None] = mapped_column(ForeignKey("credit_record.id"))
    item_id: Mapped[str | None] = mapped_column(String(40))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))  # 谁认定、谁修复
    doc_no: Mapped[str | None] = mapped_column(String(64))
    external_list: Mapped[str | None] = mapped_column(String(32))
    external_ref: Mapped[str] = mapped_column(String(200), default="")
    external_authority: Mapped[str] = mapped_column(String(200), default="")
    subject_id: Mapped[int] = mapped_column(ForeignKey("subject.id"))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    applicant_name: Mapped[str] = mapped_column(String(200))
    commitment_id: Mapped[int | None] = mapped_column(ForeignKey("commitment.id"))
    obligations: Mapped[str] = mapped_column(Text, default="")  # how the obligations were performed
    # submitted → accepted → granted | rejected; submitted → refused; external: routed → granted | rejected
    status: Mapped[str] = mapped_column(String(16))
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    accept_due: Mapped[date | None] = mapped_column(Date)
    decide_due: Mapped[date | None] = mapped_column(Date)
    overdue: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())
    rule_version: Mapped[int] = mapped_column(Integer)
    lock_version: Mapped[int] = mapped_column(Integer, default=1)
    submitted_at: Mapped[datetime]
    submitted_on: Mapped[date] = mapped_column(Date)
    decided_on: Mapped[date | None] = mapped_column(Date)

    __mapper_args__ = {"version_id_col": lock_version}
    __table_args__ = (
        Index("ix_repair_key", "item_id", "department_id", "doc_no"),
        Index("ix_repair_status", "status"),
        Index("ix_repair_subject", "subject_id"),
    )


class Commitment(Base):
    """信用承诺: signed online by the subject or recorded by a department; verified by a due date; kept or
    breached. A breach becomes a negative credit record (``breach_record_id``) through intake."""

    __tablename__ = "commitment"

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))  # rules/commitments.yaml types
    subject_id: Mapped[int] = mapped_column(ForeignKey("subject.id"))
    subject_name: Mapped[str] = mapped_column(String(200))
    subject_uscc: Mapped[str | None] = mapped_column(String(18))
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))  # the department it concerns
    matter: Mapped[str] = mapped_column(String(200))  # 承诺事项 (e.g. the licence applied for)
    text: Mapped[str] = mapped_column(Text)  # 承诺内容
    signer_name: Mapped[str] = mapped_column(String(64))
    recorded_by: Mapped[str] = mapped_column(String(16))  # subject (online) / department
    account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    signed_on: Mapped[date] = mapped_column(Date)
    verify_due: Mapped[date | None] = mapped_column(Date)
    # signed → kept | breached; the repair type is kept when the repair it backs is decided
    status: Mapped[str] = mapped_column(String(16))
    outcome_on: Mapped[date | None] = mapped_column(Date)
    outcome_reason: Mapped[str] = mapped_column(Text, default="")
    false_commitment: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())
    breach_record_id: Mapped[int | None] = mapped_column(ForeignKey("credit_record.id"))
    published: Mapped[bool] = mapped_column(Boolean, default=True, server_default=sa_true())
    overdue: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())
    rule_version: Mapped[int] = mapped_column(Integer)
    lock_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime]

    __mapper_args__ = {"version_id_col": lock_version}
    __table_args__ = (
        Index("ix_commitment_subject", "subject_id"),
        Index("ix_commitment_department", "department_id", "status"),
    )
