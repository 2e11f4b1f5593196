"""Intake batches and what each batch rejected or warned about (the departments' feedback)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, Boolean, Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.db.base import Base

ID = BigInteger().with_variant(Integer, "sqlite")

BATCH_STATUSES = ("loaded", "rejected")
CHANNELS = ("upload", "api", "cli", "demo")


class IntakeBatch(Base):
    """One submission of one data item by one department (an uploaded file, an API push, a CLI load).

    ``status`` is ``loaded`` when its accepted rows were written, ``rejected`` when nothing was (an
    all-or-nothing batch with errors, or a file that could not be read: then ``file_error`` says why).
    """

    __tablename__ = "intake_batch"

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    item_id: Mapped[str] = mapped_column(String(40))
    item_version: Mapped[int] = mapped_column(Integer)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    channel: Mapped[str] = mapped_column(String(16))  # upload / api / cli / demo / objection / commitment
    filename: Mapped[str] = mapped_column(String(255), default="")
    file_sha256: Mapped[str] = mapped_column(String(64), default="")
    partial: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(12))
    file_error: Mapped[str | None] = mapped_column(String(500))
    rows: Mapped[int] = mapped_column(Integer, default=0)
    accepted: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    superseded: Mapped[int] = mapped_column(Integer, default=0)
    warnings: Mapped[int] = mapped_column(Integer, default=0)
    # Column headers as the file had them (for the feedback workbook), in order.
    headers: Mapped[list[str]] = mapped_column(JSON, default=list)
    submitted_on: Mapped[date] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime]

    __table_args__ = (Index("ix_intake_batch_department", "department_id", "submitted_on"),)


class IntakeRejectedRow(Base):
    """A data row a batch did not load, as the department sent it (for the feedback workbook and for
    first-submission pass rates). ``values`` are the raw cells by column header, personal ID numbers masked."""

    __tablename__ = "intake_rejected_row"

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("intake_batch.id"))
    row_no: Mapped[int] = mapped_column(Integer)
    item_id: Mapped[str] = mapped_column(String(40))
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    doc_no: Mapped[str | None] = mapped_column(String(64))
    # True when the row itself passed every check and was not loaded only because the batch was
    # all-or-nothing and another row failed.
    valid: Mapped[bool] = mapped_column(Boolean, default=False)
    values: Mapped[dict[str, str]] = mapped_column(JSON)
    submitted_on: Mapped[date] = mapped_column(Date)

    __table_args__ = (
        Index("ix_intake_rejected_row_batch", "batch_id", "row_no"),
        Index("ix_intake_rejected_row_key", "item_id", "department_id", "doc_no"),
    )


class IntakeIssue(Base):
    """One error or warning about one cell (or row, ``field`` empty; or the file, ``row_no`` 0)."""

    __tablename__ = "intake_issue"

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("intake_batch.id"))
    row_no: Mapped[int] = mapped_column(Integer)
    field: Mapped[str] = mapped_column(String(40), default="")  # the column header (Chinese label)
    level: Mapped[str] = mapped_column(String(8))  # error | warning
    reason: Mapped[str] = mapped_column(String(500))

    __table_args__ = (Index("ix_intake_issue_batch", "batch_id", "row_no"),)
