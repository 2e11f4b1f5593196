"""List tables: entries on the lists (名单条目) with their procedure dates, the joint-check log (一键查询) and the
departments' feedback on it (惩戒反馈), the credit office's progress notes on the measures ledger, and reported
dishonesty cases under verification (失信案例核查).

Membership is a function of stored dates and ``as_of`` (design.md, time travel): an entry counts on day D when it
was published on or before D, has not expired by D and was not removed on or before D (``lists.active``).
The procedure's steps are dated columns here; each step also leaves a ``case_event`` (case type ``listing``) and
an audit event, and its documents are ``case_file`` rows.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.db.base import Base

ID = BigInteger().with_variant(Integer, "sqlite")

# Entry statuses. dishonesty: proposed → noticed → decided → published → removed, or proposed/noticed → dropped;
# received and red lists: published on import (or entry) → removed.
ENTRY_STATUSES: dict[str, str] = {
    "proposed": "拟列入",
    "noticed": "已告知（陈述申辩期）",
    "decided": "已决定列入",
    "published": "已列入并公示",
    "removed": "已移出",
    "dropped": "不予列入",
}
CLOSED_STATUSES = ("removed", "dropped")
REMOVAL_REASONS: dict[str, str] = {
    "expiry": "期限届满移出",
    "early_removal": "提前移出",
    "repair": "信用修复移出",
    "revocation": "列入决定撤销",
    "source_removed": "来源机关已移出",
}
_OPEN_ENTRY = text("status NOT IN ('removed', 'dropped')")


class ListEntry(Base):
    """One subject on one list (or proposed for it), with every step of the listing procedure dated."""

    __tablename__ = "list_entry"

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    list_code: Mapped[str] = mapped_column(String(40))  # rules/lists/<code>.yaml
    list_version: Mapped[int] = mapped_column(Integer)  # the list type's version the entry was made under
    kind: Mapped[str] = mapped_column(String(16))  # dishonesty / received / red (copied from the type)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subject.id"))
    # A responsible person listed with the employer (人社部令第45号): points at the employer's entry.
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("list_entry.id"))
    role: Mapped[str] = mapped_column(String(24), default="subject")  # subject / responsible_person
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))  # deciding or receiving department
    status: Mapped[str] = mapped_column(String(16))
    reasons: Mapped[str] = mapped_column(Text)  # 列入事由 (facts)
    basis: Mapped[str] = mapped_column(Text)  # 列入依据 (documents and articles relied on)
    case_ref: Mapped[str] = mapped_column(String(200), default="")  # e.g. 责令限期支付文书号
    notice_on: Mapped[date | None] = mapped_column(Date)  # 告知 (prior notice served)
    notice_doc_no: Mapped[str | None] = mapped_column(String(64))
    defence_due: Mapped[date | None] = mapped_column(Date)  # last working day of 陈述申辩
    defence_on: Mapped[date | None] = mapped_column(Date)
    defence_text: Mapped[str] = mapped_column(Text, default="")
    defence_outcome: Mapped[str | None] = mapped_column(String(16))  # accepted / rejected
    decision_on: Mapped[date | None] = mapped_column(Date)  # 列入决定
    decision_doc_no: Mapped[str | None] = mapped_column(String(64))
    published_on: Mapped[date | None] = mapped_column(Date)  # in force (checks, public pages) from this day
    expires_on: Mapped[date | None] = mapped_column(Date)  # first day no longer listed (None: until removed)
    corrected_on: Mapped[date | None] = mapped_column(Date)  # 改正 (e.g. wages paid): early-removal clock
    commitment_text: Mapped[str] = mapped_column(Text, default="")  # 信用承诺 with an early-removal request
    removal_reason: Mapped[str | None] = mapped_column(String(16))
    removed_on: Mapped[date | None] = mapped_column(Date)  # first day no longer listed
    removal_note: Mapped[str] = mapped_column(Text, default="")
    source_authority: Mapped[str] = mapped_column(String(100), default="")  # received lists
    source_ref: Mapped[str] = mapped_column(String(200), default="")  # the source's document or batch
    created_by: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime]
    lock_version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": lock_version}
    __table_args__ = (
        # one open entry per list and subject: a duplicate proposal or import is refused by the database too
        Index(
            "uq_list_entry_open",
            "list_code",
            "subject_id",
            unique=True,
            sqlite_where=_OPEN_ENTRY,
            postgresql_where=_OPEN_ENTRY,
        ),
        Index("ix_list_entry_subject", "subject_id", "status"),
        Index("ix_list_entry_list", "list_code", "status"),
        Index("ix_list_entry_parent", "parent_id"),
    )


class ListCheck(Base):
    """One joint check (一键查询) by a department officer: the code asked, the scenario, what was found."""

    __tablename__ = "list_check"

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    at: Mapped[datetime]
    checked_on: Mapped[date] = mapped_column(Date)  # the as_of of the answer
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    actor: Mapped[str] = mapped_column(String(128))
    scenario: Mapped[str] = mapped_column(String(32))  # rules/measures.yaml scenarios
    code: Mapped[str] = mapped_column(String(18))  # USCC as asked; a natural person's ID number masked
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("subject.id"))
    entry_ids: Mapped[list[int]] = mapped_column(JSON)  # the entries in force found
    measure_ids: Mapped[list[str]] = mapped_column(JSON)  # the measures that apply in the scenario
    hit: Mapped[bool] = mapped_column(Boolean)
    batch_ref: Mapped[str | None] = mapped_column(String(32))  # the batch check it was part of
    request_id: Mapped[str] = mapped_column(String(32))

    __table_args__ = (
        Index("ix_list_check_department", "department_id", "at"),
        Index("ix_list_check_batch", "batch_ref"),
    )


class CheckFeedback(Base):
    """惩戒反馈: whether the checking department applied a measure after a check, and why not."""

    __tablename__ = "check_feedback"

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    check_id: Mapped[int] = mapped_column(ForeignKey("list_check.id"))
    measure_id: Mapped[str] = mapped_column(String(48))
    applied: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(Text, default="")  # required when not applied
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    recorded_by: Mapped[str] = mapped_column(String(128))
    recorded_at: Mapped[datetime]

    __table_args__ = (UniqueConstraint("check_id", "measure_id", name="uq_check_feedback_measure"),)


class MeasureProgress(Base):
    """A progress note on one measure of the ledger (跟踪检查): the newest note per measure is its progress."""

    __tablename__ = "measure_progress"

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    measure_id: Mapped[str] = mapped_column(String(48))
    ledger_version: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text)
    done: Mapped[bool] = mapped_column(Boolean)
    reported_on: Mapped[date] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(128))
    recorded_at: Mapped[datetime]

    __table_args__ = (Index("ix_measure_progress_measure", "measure_id", "id"),)


class VerificationCase(Base):
    """A reported dishonesty case under 核查 → 记录 → 监管 → 惩戒 → 整改 → 教育 (rules/verification.yaml)."""

    __tablename__ = "verification_case"

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("subject.id"))
    subject_name: Mapped[str] = mapped_column(String(200))  # as reported
    source: Mapped[str] = mapped_column(String(24))  # rules/verification.yaml sources
    source_ref: Mapped[str] = mapped_column(String(200), default="")
    summary: Mapped[str] = mapped_column(Text)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))  # the owning department
    owner: Mapped[str] = mapped_column(String(128))  # who handles the current stage
    stage: Mapped[str] = mapped_column(String(16))  # a stage code, or closed
    stage_due: Mapped[date | None] = mapped_column(Date)
    outcome: Mapped[str | None] = mapped_column(String(24))
    outcome_note: Mapped[str] = mapped_column(Text, default="")
    record_id: Mapped[int | None] = mapped_column(ForeignKey("credit_record.id"))  # 记录: the record made
    list_entry_id: Mapped[int | None] = mapped_column(ForeignKey("list_entry.id"))  # 惩戒: the listing
    rule_version: Mapped[int] = mapped_column(Integer)
    opened_on: Mapped[date] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime]
    lock_version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": lock_version}
    __table_args__ = (
        Index("ix_verification_case_department", "department_id", "stage"),
        Index("ix_verification_case_subject", "subject_id"),
    )
