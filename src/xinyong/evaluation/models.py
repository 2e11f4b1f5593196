"""Evaluation tables: one row per run, one per subject evaluated, one per non-zero indicator of a subject."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, Date, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.db.base import Base

ID = BigInteger().with_variant(Integer, "sqlite")


class EvaluationRun(Base):
    """A batch evaluation of every subject a model covers, as of one day, with the model version used."""

    __tablename__ = "evaluation_run"

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    model: Mapped[str] = mapped_column(String(40))
    model_version: Mapped[int] = mapped_column(Integer)
    as_of: Mapped[date] = mapped_column(Date)
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    seconds: Mapped[float] = mapped_column(Float, default=0.0)  # measured wall time of the scoring statements
    subjects: Mapped[int] = mapped_column(Integer, default=0)
    grades: Mapped[dict[str, int]] = mapped_column(JSON)  # {"A": n, "B": n, "C": n, "D": n}
    actor: Mapped[str] = mapped_column(String(128))

    __table_args__ = (Index("ix_evaluation_run_model_as_of", "model", "as_of"),)


class EvaluationResult(Base):
    """A subject's score and grade in one run."""

    __tablename__ = "evaluation_result"

    run_id: Mapped[int] = mapped_column(ForeignKey("evaluation_run.id"), primary_key=True)
    subject_id: Mapped[int] = mapped_column(ID, primary_key=True)  # no key check: written in bulk from subject
    score: Mapped[float] = mapped_column(Float)
    grade: Mapped[str] = mapped_column(String(1))

    __table_args__ = (
        Index("ix_evaluation_result_subject", "subject_id", "run_id"),
        Index("ix_evaluation_result_grade", "run_id", "grade"),
    )


class EvaluationIndicator(Base):
    """The points of one indicator for one subject in one run (only subjects with matching records):
    ``raw`` the decayed sum before the cap, ``points`` after the cap, ``weighted`` after both weights."""

    __tablename__ = "evaluation_indicator"

    run_id: Mapped[int] = mapped_column(ForeignKey("evaluation_run.id"), primary_key=True)
    subject_id: Mapped[int] = mapped_column(ID, primary_key=True)
    indicator: Mapped[str] = mapped_column(String(40), primary_key=True)
    records: Mapped[int] = mapped_column(Integer)
    raw: Mapped[float] = mapped_column(Float)
    points: Mapped[float] = mapped_column(Float)
    weighted: Mapped[float] = mapped_column(Float)
