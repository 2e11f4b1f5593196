"""Credit records: one row per reported version of a department's record (never updated in place)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.db.base import Base

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
    # The stated 公示截止期, else the item's default from the decision date (records.publication).
    publicity_end: Mapped[date | None] = mapped_column(Date)
    # 轻微 / 一般 / 严重 when known from the data (the lifecycle issue classifies the rest).
    severity: Mapped[str | None] = mapped_column(String(8))
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
