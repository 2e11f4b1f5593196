"""Incentive tables (issue #9 items 2–3): personal honesty score runs and scores, incentive providers, the
persons' consent tokens and every eligibility check (usage statistics per scenario)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.db.base import Base
from xinyong.subjects.models import ID


class PersonalScoreRun(Base):
    """One set-based scoring of every natural person under a model version on ``as_of``; a rerun adds a row
    and clears ``current`` on the older one of the same model (history kept)."""

    __tablename__ = "personal_score_run"

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    model: Mapped[str] = mapped_column(String(40))
    model_version: Mapped[int] = mapped_column(Integer)
    as_of: Mapped[date] = mapped_column(Date)
    current: Mapped[bool] = mapped_column(Boolean)
    persons: Mapped[int] = mapped_column(Integer, default=0)
    seconds: Mapped[float] = mapped_column(default=0.0)
    actor: Mapped[str] = mapped_column(String(128))
    started_at: Mapped[datetime]

    __table_args__ = (Index("ix_personal_score_run_current", "model", "current"),)


class PersonalScore(Base):
    """A natural person's score and band in a run; ``reasons`` lists the indicators that moved it (code, points)."""

    __tablename__ = "personal_score"

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("personal_score_run.id"))
    # no key check (as evaluation_result): derived rows written in bulk from ``subject`` by ``scoring.run`` only;
    # the per-row check and lock of the subject cost PostgreSQL a third of the 1,000,000-person run
    subject_id: Mapped[int] = mapped_column(ID)
    score: Mapped[int] = mapped_column(Integer)
    band: Mapped[str] = mapped_column(String(16))
    reasons: Mapped[list] = mapped_column(JSON, default=list)

    __table_args__ = (
        Index("ix_personal_score_run_subject", "run_id", "subject_id", unique=True),
        Index("ix_personal_score_subject", "subject_id"),
    )


class IncentiveProvider(Base):
    """A service provider registered for incentive scenarios (hospital, transport, housekeeping, rental,
    tourism); its accounts and API tokens carry its ``name`` as their ``institution``."""

    __tablename__ = "incentive_provider"

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    uscc: Mapped[str] = mapped_column(String(18))
    kind: Mapped[str] = mapped_column(String(24))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    registered_by: Mapped[str] = mapped_column(String(128))
    registered_at: Mapped[datetime]


class ConsentToken(Base):
    """A person's consent for one provider to check one scenario: only the token's hash is kept; it expires,
    can be revoked, and is bound to the provider (another provider presenting it is refused and logged)."""

    __tablename__ = "consent_token"

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subject.id"), index=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("incentive_provider.id"))
    scenario: Mapped[str] = mapped_column(String(40))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    issued_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    uses: Mapped[int] = mapped_column(Integer, default=0)


class EligibilityCheck(Base):
    """One eligibility question of a provider and its answer (``eligible`` / ``not_eligible`` / ``refused``
    with the reason); the usage statistics per scenario are counted from these rows."""

    __tablename__ = "eligibility_check"

    id: Mapped[int] = mapped_column(ID, primary_key=True)
    scenario: Mapped[str] = mapped_column(String(40))
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("incentive_provider.id"))
    consent_id: Mapped[int | None] = mapped_column(ForeignKey("consent_token.id"))
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("subject.id"))
    outcome: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(200), default="")
    checked_by: Mapped[str] = mapped_column(String(128))
    checked_at: Mapped[datetime]

    __table_args__ = (Index("ix_eligibility_check_scenario", "scenario", "checked_at"),)
