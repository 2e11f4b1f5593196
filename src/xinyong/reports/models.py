"""Report tables: every issued report (its number, parameters, the signed facts it showed) and the public keys
that signed them.

A report is never edited: the row holds the exact document that was signed (``content``), so verification
checks the signature over the stored content, and "facts changed since issue" rebuilds the facts with the same
parameters from today's data and compares digests. Private signing keys never enter the database (settings
``report_key_file``); the public halves are kept here so reports signed before a key rotation still verify.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.db.base import Base

ID = BigInteger().with_variant(Integer, "sqlite")

REPORT_KINDS: dict[str, str] = {
    "public": "公共信用报告",
    "special": "专用信用报告（替代无违法违规证明）",
}


class ReportSigningKey(Base):
    """The public half of an Ed25519 key that signed reports (``key_id``: first 16 hex of its SHA-256)."""

    __tablename__ = "report_signing_key"

    key_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    public_key: Mapped[str] = mapped_column(Text)  # raw 32 bytes, base64
    created_at: Mapped[datetime]
    retired_at: Mapped[datetime | None]


class CreditReport(Base):
    """One issued report: number, who asked, for which subject, period and domains, and the signed document."""

    __tablename__ = "credit_report"
    __table_args__ = (Index("ix_credit_report_subject", "subject_id", "issued_at"),)

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)  # 报告编号 (not guessable: a random part)
    kind: Mapped[str] = mapped_column(String(16))  # REPORT_KINDS
    subject_id: Mapped[int] = mapped_column(ForeignKey("subject.id"))
    purpose: Mapped[str] = mapped_column(String(200), default="")  # 用途, e.g. 招标投标
    period_start: Mapped[date | None] = mapped_column(Date)
    period_end: Mapped[date | None] = mapped_column(Date)
    domains: Mapped[list[str]] = mapped_column(JSON, default=list)  # 专用: rules/report_domains.yaml ids
    as_of: Mapped[date] = mapped_column(Date)  # the day whose facts the report states
    issued_at: Mapped[datetime]
    issued_by: Mapped[str] = mapped_column(String(128))
    issued_role: Mapped[str] = mapped_column(String(32))
    rules_version: Mapped[str] = mapped_column(String(64))  # versions of the rules the facts were read with
    data_version: Mapped[str] = mapped_column(String(80))  # the platform data the facts were read from
    facts_digest: Mapped[str] = mapped_column(String(64))  # SHA-256 of the canonical facts
    content: Mapped[dict[str, Any]] = mapped_column(JSON)  # the signed document
    signature: Mapped[str] = mapped_column(Text)  # Ed25519 over the canonical content, base64
    key_id: Mapped[str] = mapped_column(ForeignKey("report_signing_key.key_id"))
