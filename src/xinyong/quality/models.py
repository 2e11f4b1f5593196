"""Reference decisions: decisions the credit office knows of from another source (omission checks)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.db.base import Base

ID = BigInteger().with_variant(Integer, "sqlite")


class ReferenceDecision(Base):
    """A decision a department made according to a reference list (its case list, a court or press list),
    uploaded by the credit office. One never matched by a reported record is an omission (瞒报/漏报)."""

    __tablename__ = "reference_decision"

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    item_id: Mapped[str] = mapped_column(String(40))
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    doc_no: Mapped[str] = mapped_column(String(64))
    decided_on: Mapped[date] = mapped_column(Date)
    subject_name: Mapped[str] = mapped_column(String(200), default="")
    list_name: Mapped[str] = mapped_column(String(200))
    uploaded_by: Mapped[str] = mapped_column(String(128))
    uploaded_at: Mapped[datetime]

    __table_args__ = (Index("ix_reference_decision_key", "item_id", "department_id", "doc_no", unique=True),)
