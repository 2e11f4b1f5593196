"""Special campaign tables (专项治理, issue #11 item 6; work-plan item 五).

* ``campaign``: a campaign with its sectors (keys of ``rules/campaigns.yaml``), lead and participating units
  (department or township codes), period, goal and status.
* ``campaign_target``: a subject or case in a campaign's scope, how it came in (manual, a repeated-violator run,
  a credit record) and what became of it.
* ``campaign_progress``: a unit's dated progress report with its figures.
* ``repeat_violator_run`` / ``repeat_violator``: a stored run of the repeated-violator detection (屡禁不止、屡罚不改:
  at least ``min_count`` penalties of the same type within ``window_days`` before ``as_of``), the list it produced.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.db.base import Base
from xinyong.subjects.models import ID


class Campaign(Base):
    """A special campaign (专项治理行动). ``status`` planned / active / closed."""

    __tablename__ = "campaign"

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    sectors: Mapped[list] = mapped_column(JSON)
    lead_unit: Mapped[str] = mapped_column(String(32))
    units: Mapped[list] = mapped_column(JSON)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    goal: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="active")
    result: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]


class CampaignTarget(Base):
    """A subject (and optionally a case) in a campaign's scope. ``source`` manual / repeat_violator / record;
    ``status`` in_scope / rectifying / rectified / punished / closed."""

    __tablename__ = "campaign_target"

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subject.id"), index=True)
    case_ref: Mapped[str] = mapped_column(String(64), default="")
    sector: Mapped[str] = mapped_column(String(40))
    source: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(500), default="")
    status: Mapped[str] = mapped_column(String(16), default="in_scope")
    unit_code: Mapped[str | None] = mapped_column(String(32))
    outcome: Mapped[str] = mapped_column(String(500), default="")
    added_by: Mapped[str] = mapped_column(String(128))
    added_at: Mapped[datetime]
    updated_at: Mapped[datetime | None]

    __table_args__ = (UniqueConstraint("campaign_id", "subject_id", "case_ref", name="uq_campaign_target"),)


class CampaignProgress(Base):
    """A unit's progress report on a campaign: what it did, with figures (``figures``: counts by key of
    ``rules/campaigns.yaml`` ``progress_figures``)."""

    __tablename__ = "campaign_progress"

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    unit_code: Mapped[str] = mapped_column(String(32))
    note: Mapped[str] = mapped_column(Text)
    figures: Mapped[dict] = mapped_column(JSON)
    reported_on: Mapped[date] = mapped_column(Date)
    reported_by: Mapped[str] = mapped_column(String(128))
    reported_at: Mapped[datetime]


class RepeatViolatorRun(Base):
    """One run of the repeated-violator detection: its parameters (from the rulebook version ``rule_version``),
    counts and timing."""

    __tablename__ = "repeat_violator_run"

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    as_of: Mapped[date] = mapped_column(Date)
    min_count: Mapped[int] = mapped_column(Integer)
    window_days: Mapped[int] = mapped_column(Integer)
    items: Mapped[list] = mapped_column(JSON)
    rule_version: Mapped[int] = mapped_column(Integer)
    subjects: Mapped[int] = mapped_column(Integer, default=0)
    rows: Mapped[int] = mapped_column(Integer, default=0)
    seconds: Mapped[float | None]
    run_by: Mapped[str] = mapped_column(String(128))
    run_at: Mapped[datetime]


class RepeatViolator(Base):
    """A subject with ``penalties`` penalties of one ``category`` (the penalty type, 处罚类别) within the run's
    window: first and last decision dates."""

    __tablename__ = "repeat_violator"

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("repeat_violator_run.id"))
    subject_id: Mapped[int] = mapped_column(ID)
    category: Mapped[str] = mapped_column(String(64))
    penalties: Mapped[int] = mapped_column(Integer)
    first_on: Mapped[date] = mapped_column(Date)
    last_on: Mapped[date] = mapped_column(Date)

    __table_args__ = (
        Index("ix_repeat_violator_run_subject", "run_id", "subject_id"),
        Index("ix_repeat_violator_run_count", "run_id", "penalties"),
    )
