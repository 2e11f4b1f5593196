"""Random-inspection tables: the inspector pool (执法检查人员名录库) and its recorded conflicts, plans, the
candidate snapshot a plan was drawn from (检查对象名录库 as of the draw), and the drawn tasks with results."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.db.base import Base

ID = BigInteger().with_variant(Integer, "sqlite")


class Inspector(Base):
    """An enforcement officer who may be drawn (执法检查人员), of one department, living or posted in a town."""

    __tablename__ = "inspector"

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    badge_no: Mapped[str] = mapped_column(String(32))  # 执法证号, unique within the department
    township_code: Mapped[str | None] = mapped_column(String(9))  # for the same-town conflict rule
    account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    created_by: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime]

    __table_args__ = (
        UniqueConstraint("department_id", "badge_no", name="uq_inspector_badge"),
        Index("ix_inspector_department", "department_id", "active"),
    )


class InspectorConflict(Base):
    """A recorded relationship (回避情形) between an inspector and a subject: never assigned to inspect it."""

    __tablename__ = "inspector_conflict"

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    inspector_id: Mapped[int] = mapped_column(ForeignKey("inspector.id"))
    subject_id: Mapped[int] = mapped_column(ForeignKey("subject.id"))
    reason: Mapped[str] = mapped_column(String(200))
    recorded_by: Mapped[str] = mapped_column(String(128))
    recorded_at: Mapped[datetime]

    __table_args__ = (
        UniqueConstraint("inspector_id", "subject_id", name="uq_inspector_conflict"),
        Index("ix_inspector_conflict_subject", "subject_id"),
    )


class InspectionPlan(Base):
    """A 双随机 plan: one inspection item of one department, candidates as of a day graded by an evaluation
    run, per-grade sampling ratios, and the seed and algorithm that make the draw reproducible.

    draft → drawn → published (一公开: plan, seed, algorithm, candidate hash, counts and results shown)."""

    __tablename__ = "inspection_plan"

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    item_code: Mapped[str] = mapped_column(String(40))  # rules/inspections.yaml item library
    as_of: Mapped[date] = mapped_column(Date)  # candidates and grades as of this day
    model: Mapped[str] = mapped_column(String(40))  # the evaluation model whose grades set the ratios
    evaluation_run_id: Mapped[int | None] = mapped_column(ForeignKey("evaluation_run.id"))
    ratios: Mapped[dict[str, str]] = mapped_column(JSON)  # {"A": "0.02", ...} decimal strings, as entered
    filters: Mapped[dict[str, object]] = mapped_column(JSON)  # subject kinds, industries, townships
    seed: Mapped[str] = mapped_column(String(64))
    algorithm: Mapped[str] = mapped_column(String(32))
    rules_version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    candidates_hash: Mapped[str | None] = mapped_column(String(64))
    candidates_by_grade: Mapped[dict[str, int] | None] = mapped_column(JSON)
    drawn_by_grade: Mapped[dict[str, int] | None] = mapped_column(JSON)
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime]
    drawn_at: Mapped[datetime | None]
    drawn_by: Mapped[str | None] = mapped_column(String(128))
    published_at: Mapped[datetime | None]
    lock_version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": lock_version}
    __table_args__ = (Index("ix_inspection_plan_department", "department_id", "status"),)


class InspectionCandidate(Base):
    """The candidate list a plan was drawn from, frozen at the draw (subject and grade), so the published
    draw can be re-run and its hash checked later whatever the registry has become."""

    __tablename__ = "inspection_candidate"

    plan_id: Mapped[int] = mapped_column(ForeignKey("inspection_plan.id"), primary_key=True)
    subject_id: Mapped[int] = mapped_column(ID, primary_key=True)  # no key check: written in bulk
    grade: Mapped[str] = mapped_column(String(1))

    __table_args__ = {"sqlite_with_rowid": False}


class InspectionTask(Base):
    """One drawn subject of a plan with its two inspectors, and the result once entered."""

    __tablename__ = "inspection_task"

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("inspection_plan.id"))
    position: Mapped[int] = mapped_column(Integer)  # order in the draw (1-based)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subject.id"))
    grade: Mapped[str] = mapped_column(String(1))
    inspector_a_id: Mapped[int] = mapped_column(ForeignKey("inspector.id"))
    inspector_b_id: Mapped[int] = mapped_column(ForeignKey("inspector.id"))
    result: Mapped[str | None] = mapped_column(String(32))  # rules/inspections.yaml result codes
    result_note: Mapped[str] = mapped_column(Text, default="")
    inspected_on: Mapped[date | None] = mapped_column(Date)
    entered_by: Mapped[str | None] = mapped_column(String(128))
    entered_at: Mapped[datetime | None]
    record_id: Mapped[int | None] = mapped_column(ForeignKey("credit_record.id"))  # the result as a record
    lock_version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": lock_version}
    __table_args__ = (
        UniqueConstraint("plan_id", "position", name="uq_inspection_task_position"),
        Index("ix_inspection_task_subject", "subject_id"),
    )
