"""Read side of the personal honesty score: a person's score in the current run of a model."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.incentives.models import PersonalScore, PersonalScoreRun


def current_score(session: Session, subject_id: int, model: str | None = None) -> PersonalScore | None:
    """The person's score in the latest current run (of ``model`` when given), or None when never scored."""
    stmt = (
        select(PersonalScore)
        .join(PersonalScoreRun, PersonalScoreRun.id == PersonalScore.run_id)
        .where(PersonalScore.subject_id == subject_id, PersonalScoreRun.current.is_(True))
        .order_by(PersonalScoreRun.id.desc())
        .limit(1)
    )
    if model is not None:
        stmt = stmt.where(PersonalScoreRun.model == model)
    return session.scalars(stmt).first()
