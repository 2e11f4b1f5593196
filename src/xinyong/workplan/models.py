"""Work-plan tables: a year's plan (versioned), its items with units by role, and units' progress reports."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.db.base import Base
from xinyong.subjects.models import ID


class WorkPlan(Base):
    """One loaded version of a year's plan text; ``current`` marks the version in force."""

    __tablename__ = "work_plan"

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer)
    current: Mapped[bool] = mapped_column(Boolean)
    title: Mapped[str] = mapped_column(String(200))
    text_sha256: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    annexes: Mapped[list] = mapped_column(JSON, default=list)
    warnings: Mapped[list] = mapped_column(JSON, default=list)
    loaded_by: Mapped[str] = mapped_column(String(128))
    loaded_at: Mapped[datetime]

    __table_args__ = (UniqueConstraint("year", "version"), Index("ix_work_plan_year_current", "year", "current"))


class WorkPlanItem(Base):
    """One item (一 … 十八): its text, sub-tasks (with their units, deadline, targets) and deadline."""

    __tablename__ = "work_plan_item"

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("work_plan.id"))
    number: Mapped[int] = mapped_column(Integer)
    numeral: Mapped[str] = mapped_column(String(8))
    chapter: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    subtasks: Mapped[list] = mapped_column(JSON, default=list)
    targets: Mapped[list] = mapped_column(JSON, default=list)
    deadline: Mapped[date] = mapped_column(Date)
    deadline_named: Mapped[bool] = mapped_column(Boolean)

    __table_args__ = (UniqueConstraint("plan_id", "number"),)


class WorkPlanUnit(Base):
    """A unit named on an item, once per role: ``code`` is a department, township or group code, or None."""

    __tablename__ = "work_plan_unit"

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("work_plan_item.id"))
    role: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(64))
    code: Mapped[str | None] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))

    __table_args__ = (Index("ix_work_plan_unit_item", "item_id"),)


class WorkPlanProgress(Base):
    """A unit's progress report on an item. Keyed by (year, item number) so it carries over to a new version of
    the same year's plan; ``item_id`` records the version it was reported against. Never edited."""

    __tablename__ = "work_plan_progress"

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("work_plan_item.id"))
    year: Mapped[int] = mapped_column(Integer)
    item_number: Mapped[int] = mapped_column(Integer)
    unit_code: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    percent: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text)
    evidence: Mapped[str] = mapped_column(String(500))
    reported_on: Mapped[date] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(128))
    recorded_at: Mapped[datetime]

    __table_args__ = (Index("ix_work_plan_progress_year_item", "year", "item_number", "reported_on"),)
