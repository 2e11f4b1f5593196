"""Registry tables: departments, subjects, the name n-gram index, code corrections."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, Date, ForeignKey, Index, Integer, String, Text, true
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.db.base import Base

ID = BigInteger().with_variant(Integer, "sqlite")

# Subject kinds (glossary: 信用主体). The values are stored; labels live in SUBJECT_KIND_LABELS.
SUBJECT_KINDS = ("legal_person", "unincorporated_org", "individual_business", "natural_person", "government_body")
SUBJECT_KIND_LABELS = {
    "legal_person": "法人",
    "unincorporated_org": "非法人组织",
    "individual_business": "个体工商户",
    "natural_person": "自然人",
    "government_body": "机关及事业单位",
}


class Department(Base):
    """A district department or township unit that supplies credit data (数据来源单位)."""

    __tablename__ = "department"

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    uscc: Mapped[str] = mapped_column(String(18))


class Subject(Base):
    """One credit subject. Identifiers are strings; a natural person's ID number is only stored encrypted."""

    __tablename__ = "subject"

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))
    name: Mapped[str] = mapped_column(String(200))
    # normalize_name(name): what search compares against (full-width folded, spaces dropped, upper-case).
    name_key: Mapped[str] = mapped_column(String(200), default="", server_default="")
    uscc: Mapped[str | None] = mapped_column(String(18))
    # Result of xinyong.codes at write time: "" valid, else comma-separated problem tokens; NULL = no code.
    # Kept as data so the registry's error rate is one set-based query (recomputed by `subjects recheck-codes`).
    uscc_problems: Mapped[str | None] = mapped_column(String(128))
    reg_no: Mapped[str | None] = mapped_column(String(32))
    ric_cipher: Mapped[str | None] = mapped_column(Text)
    ric_hash: Mapped[str | None] = mapped_column(String(64))
    ric_masked: Mapped[str | None] = mapped_column(String(18))
    legal_representative: Mapped[str | None] = mapped_column(String(64))
    organisation_type: Mapped[str | None] = mapped_column(String(32))
    township_code: Mapped[str | None] = mapped_column(String(9))
    # 行业: a key of rules/industries.yaml (GB/T 4754-2017 sections/classes), selects industry evaluation models
    industry: Mapped[str | None] = mapped_column(String(32))
    address: Mapped[str | None] = mapped_column(String(200))
    registered_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="存续")
    source: Mapped[str] = mapped_column(String(64), default="")
    # False for a subject first seen in a department's intake data and not yet matched to a registration
    # (归集时新建、待核实); the credit office verifies it later.
    verified: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    created_at: Mapped[datetime]

    __table_args__ = (
        Index("ix_subject_uscc", "uscc"),
        Index("ix_subject_ric_hash", "ric_hash"),
        Index("ix_subject_kind", "kind"),
        Index("ix_subject_township_code", "township_code"),
        Index("ix_subject_industry", "industry"),
    )


class SubjectNameGram(Base):
    """Character bigram posting list of subject names: substring search on SQLite and PostgreSQL alike.

    Every name is indexed by its overlapping two-character grams plus its last character followed by
    ``GRAM_END`` so that one-character queries also find a posting. See ``subjects.search``.
    """

    __tablename__ = "subject_name_gram"

    gram: Mapped[str] = mapped_column(String(2), primary_key=True)
    # No foreign key: the table is derived data, written only by ``bulk.index_names`` from existing subjects
    # (a key check per gram tripled PostgreSQL's bulk load: 35 s against 13 s per 1.1M grams, measured).
    subject_id: Mapped[int] = mapped_column(ID, primary_key=True)

    __table_args__ = {"sqlite_with_rowid": False}


class CodeCorrection(Base):
    """A correction of a subject's code (纠错): who changed what, when, on which source."""

    __tablename__ = "code_correction"

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subject.id"), index=True)
    field: Mapped[str] = mapped_column(String(16))
    old_value: Mapped[str | None] = mapped_column(String(32))
    new_value: Mapped[str | None] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(200))
    corrected_by: Mapped[str] = mapped_column(String(128))
    corrected_at: Mapped[datetime]
