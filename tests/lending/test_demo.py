"""The demo's 信易贷 step: institutions and products, registrations, needs in every state, authorisations, audited
credit reads and outcomes, reproducible from the seed; a second run adds no institution."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from xinyong.auth.context import Context
from xinyong.auth.models import AuditEvent, BankAuthorisation
from xinyong.demo.lifecycle_lending import INSTITUTIONS, plant_lending
from xinyong.demo.service import load_demo
from xinyong.lending import queries
from xinyong.lending.models import FinancialInstitution, FinancingNeed, LendingRegistration, LoanOutcome, LoanProduct


def test_plants_a_lending_story(ctx: Context, db: Session) -> None:
    load_demo(ctx, 1000, 7, records=0.1, lifecycle=False)
    planted = plant_lending(ctx, 7)
    count = lambda model: db.scalar(select(func.count()).select_from(model))  # noqa: E731
    assert count(FinancialInstitution) == len(INSTITUTIONS) and count(LoanProduct) == 7
    registrations, needs, outcomes = count(LendingRegistration), count(FinancingNeed), count(LoanOutcome)
    assert registrations >= 25 and needs >= 15 and outcomes >= 5
    assert planted == len(INSTITUTIONS) + registrations + needs + count(BankAuthorisation) + outcomes
    statuses = Counter(db.scalars(select(FinancingNeed.status)))
    assert set(statuses) == {"open", "met", "withdrawn"}
    reads = db.scalars(select(AuditEvent.outcome).where(AuditEvent.action == "bank.query")).all()
    assert len(reads) == outcomes and set(reads) == {"ok"}
    stats = queries.stats(ctx, "institution")
    assert stats.total.approved >= 1 and stats.total.credit_share is not None
    first = sorted((n.subject_id, str(n.amount)) for n in db.scalars(select(FinancingNeed)))
    again = plant_lending(ctx, 7)  # the same SMEs are registered already: nothing new but the institutions reused
    assert again == len(INSTITUTIONS) and count(FinancialInstitution) == len(INSTITUTIONS)
    assert sorted((n.subject_id, str(n.amount)) for n in db.scalars(select(FinancingNeed))) == first
