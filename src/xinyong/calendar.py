"""Working-day calendar (placeholder model; logic filled in by the calendar work)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.db.base import Base


class CalendarDay(Base):
    """An override of one date: declared a working day or a day off, with its source."""

    __tablename__ = "calendar_day"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    is_workday: Mapped[bool] = mapped_column(Boolean)
    name: Mapped[str] = mapped_column(String(64), default="")
    source: Mapped[str] = mapped_column(String(200))
    created_by: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime]


class CalendarYear(Base):
    """A year whose complete holiday schedule has been entered as overrides (so it counts as known)."""

    __tablename__ = "calendar_year"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    source: Mapped[str] = mapped_column(String(200))
    declared_by: Mapped[str] = mapped_column(String(128))
    declared_at: Mapped[datetime]
