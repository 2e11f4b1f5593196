"""Setup for the incentive scenario tests: natural persons with a current personal score, registered providers,
the contexts of a person and of a provider (setup only: the rules are tested on the services)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session
from webdata import register

from factories import ric, uscc
from xinyong.auth.context import Context
from xinyong.incentives import service
from xinyong.incentives.models import IncentiveProvider, PersonalScore, PersonalScoreRun
from xinyong.subjects.models import Subject

RENTAL = "番禺安心租房服务有限公司"
HOSPITAL = "番禺区中心医院"
TOURISM = "番禺长隆旅游服务有限公司"
SCORE_OF = {"excellent": 780, "very_good": 720, "good": 650, "fair": 570, "poor": 480}


def system(db: Session) -> Context:
    """The console operator."""
    return Context(session=db, actor="test:system", role="system")


def person(ctx: Context, n: int = 1, name: str = "陈守信") -> Subject:
    """A registered natural person."""
    return register(ctx, kind="natural_person", name=name, ric=ric(seq=f"{n:03d}"))


def score_run(db: Session) -> PersonalScoreRun:
    """The current run of the test scores (created once per session)."""
    run = db.scalars(select(PersonalScoreRun).where(PersonalScoreRun.model == "test", PersonalScoreRun.current)).first()
    if run is None:
        run = PersonalScoreRun(
            model="test",
            model_version=1,
            as_of=date(2026, 11, 27),
            current=True,
            persons=0,
            seconds=0.0,
            actor="test",
            started_at=datetime(2026, 11, 27, 1, 0, tzinfo=UTC),
        )
        db.add(run)
        db.flush()
    return run


def give_band(db: Session, subject: Subject, band: str) -> PersonalScore:
    """Give ``subject`` a score in ``band`` in the current test run."""
    score = PersonalScore(run_id=score_run(db).id, subject_id=subject.id, score=SCORE_OF[band], band=band, reasons=[])
    db.add(score)
    db.flush()
    return score


def provider(db: Session, name: str = RENTAL, kind: str = "rental", n: int = 7001) -> IncentiveProvider:
    """A registered provider."""
    return service.register_provider(system(db), name, uscc(n), kind)


def person_ctx(db: Session, subject: Subject) -> Context:
    """The person logged in."""
    return Context(session=db, actor=f"account:p{subject.id}", role="subject", subject_id=subject.id)


def provider_ctx(db: Session, name: str = RENTAL) -> Context:
    """A provider's API token."""
    return Context(session=db, actor=f"token:test:{name}", role="provider", institution=name, token_id=1)
