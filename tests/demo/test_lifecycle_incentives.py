"""Demo honesty incentives (issue #9 item 3): five providers, persons' consents and the providers' questions over
three months with refusals among them, answers following the current bands; the same rows from the same seed."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.auth.context import Context
from xinyong.demo.lifecycle_incentives import plant_incentives
from xinyong.demo.lifecycle_scores import plant_scores
from xinyong.demo.service import load_demo
from xinyong.incentives import queries
from xinyong.incentives.models import ConsentToken, EligibilityCheck, IncentiveProvider


def _fingerprint(db: Session) -> list[tuple[str, str, str]]:
    rows = db.execute(
        select(EligibilityCheck.scenario, EligibilityCheck.outcome, EligibilityCheck.reason).order_by(
            EligibilityCheck.id
        )
    )
    return [(r.scenario, r.outcome, r.reason) for r in rows]


def test_plants_providers_consents_and_questions(ctx: Context, db: Session) -> None:
    load_demo(ctx, 600, 7, records=0.2, lifecycle=False)
    plant_scores(ctx, 7)
    planted = plant_incentives(ctx, 7)
    checks = db.scalars(select(EligibilityCheck)).all()
    consents = db.scalars(select(ConsentToken)).all()
    assert planted == 5 + len(consents) + len(checks) and len(consents) >= 40
    assert len(db.scalars(select(IncentiveProvider)).all()) == 5
    outcomes = Counter(c.outcome for c in checks)
    assert outcomes["eligible"] > 0 and outcomes["not_eligible"] > 0 and outcomes["refused"] > 0
    assert {c.reason for c in checks if c.outcome == "refused"} == {"token_other_provider", "token_revoked"}
    months = {r.month for r in queries.usage_stats(ctx).rows}
    assert len(months) >= 2
    first = _fingerprint(db)
    db.rollback()
    load_demo(ctx, 600, 7, records=0.2, lifecycle=False)
    plant_scores(ctx, 7)
    plant_incentives(ctx, 7)
    assert _fingerprint(db) == first
