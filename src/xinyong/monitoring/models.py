"""Monitoring tables: monthly runs (history kept), indicator values per unit, and manual entries with evidence."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.db.base import Base
from xinyong.subjects.models import ID


class MonitoringRun(Base):
    """One computation of a month under a model version; a rerun adds a new row and clears ``current`` on the
    old one. ``negative`` holds the negative check's findings (empty when it passed)."""

    __tablename__ = "monitoring_run"

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    model_version: Mapped[int] = mapped_column(Integer)
    month: Mapped[str] = mapped_column(String(7))
    as_of: Mapped[date] = mapped_column(Date)
    current: Mapped[bool] = mapped_column(Boolean)
    district_score: Mapped[float] = mapped_column(Float)
    warnings: Mapped[int] = mapped_column(Integer, default=0)
    negative_ok: Mapped[bool] = mapped_column(Boolean)
    negative: Mapped[list] = mapped_column(JSON, default=list)
    seconds: Mapped[float] = mapped_column(Float, default=0.0)
    actor: Mapped[str] = mapped_column(String(128))
    started_at: Mapped[datetime]

    __table_args__ = (Index("ix_monitoring_run_month", "model_version", "month", "current"),)


class MonitoringValue(Base):
    """An indicator's value and score for one unit (the district code or a township code) in a run.
    ``warnings``: ``below`` (worse than the model's threshold) and/or ``worse`` (worse than last month)."""

    __tablename__ = "monitoring_value"

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("monitoring_run.id"))
    unit: Mapped[str] = mapped_column(String(9))
    indicator: Mapped[str] = mapped_column(String(40))
    value: Mapped[float | None] = mapped_column(Float)
    numerator: Mapped[float | None] = mapped_column(Float)
    denominator: Mapped[float | None] = mapped_column(Float)
    score: Mapped[float] = mapped_column(Float)
    manual: Mapped[bool] = mapped_column(Boolean)
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("monitoring_entry.id"))
    previous: Mapped[float | None] = mapped_column(Float)
    warnings: Mapped[list] = mapped_column(JSON, default=list)

    __table_args__ = (Index("ix_monitoring_value_run", "run_id", "unit", "indicator"),)


class MonitoringEntry(Base):
    """A manual value entered by a unit with its evidence; the latest entry per (version, month, indicator,
    unit) counts and is carried into every rerun of the month. Never edited."""

    __tablename__ = "monitoring_entry"

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    model_version: Mapped[int] = mapped_column(Integer)
    month: Mapped[str] = mapped_column(String(7))
    indicator: Mapped[str] = mapped_column(String(40))
    unit: Mapped[str] = mapped_column(String(9))
    value: Mapped[float] = mapped_column(Float)
    evidence: Mapped[str] = mapped_column(Text)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    entered_by: Mapped[str] = mapped_column(String(128))
    entered_at: Mapped[datetime]

    __table_args__ = (Index("ix_monitoring_entry_month", "model_version", "month", "indicator", "unit"),)


class CityResult(Base):
    """A district's result as published by the city for a period (全市各区排名, issue #12 item 4), entered by the
    credit office from the city's notice (``source``: document and date); ``own`` marks our district's row,
    shown beside the platform's own computed score of the same month. A correction is a new row (latest counts)."""

    __tablename__ = "monitoring_city_result"

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    month: Mapped[str] = mapped_column(String(7))
    district: Mapped[str] = mapped_column(String(40))
    own: Mapped[bool] = mapped_column(Boolean)
    score: Mapped[float] = mapped_column(Float)
    rank: Mapped[int | None] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(Text)
    entered_by: Mapped[str] = mapped_column(String(128))
    entered_at: Mapped[datetime]

    __table_args__ = (Index("ix_monitoring_city_result_month", "month", "district"),)
