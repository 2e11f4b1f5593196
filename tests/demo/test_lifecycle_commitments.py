"""Demo commitments: every type planted through the services, kept, breached (a credit record), overdue marks,
refusals of 告知承诺 for subjects with serious bad credit, reproducible from the seed."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

import factories
from records_factories import make_batch, make_record
from xinyong.auth.context import Context
from xinyong.demo.lifecycle_commitments import plant_commitments
from xinyong.errors import Conflict
from xinyong.records.commitment_rules import commitment_rules
from xinyong.records.models import Commitment, CreditRecord

NOTICE = ("approval_substitute", "certification")


@pytest.fixture
def serious_ids(ctx: Context, db: Session) -> set[int]:
    """Two departments and 24 enterprises, every other one with a serious penalty in force."""
    scjgj, _ = factories.departments(db)
    batch = make_batch(db, scjgj)
    serious: set[int] = set()
    for n in range(1, 25):
        firm = factories.company(ctx, f"广州演示第{n}贸易有限公司", n)
        if n % 2:
            record = make_record(
                db, batch, doc_no=f"番市监罚〔2026〕{n}号", decided_on=date(2026, 6, 1), subject=firm, row_no=n
            )
            record.severity = "serious"
            serious.add(firm.id)
    db.flush()
    return serious


def test_every_type_is_planted_through_the_services(ctx: Context, db: Session, serious_ids: set[int]) -> None:
    result = plant_commitments(ctx, seed=7, per_kind=2)
    assert result.signed == dict.fromkeys(commitment_rules().types, 2)
    rows = db.scalars(select(Commitment).order_by(Commitment.id)).all()
    assert [r.id for r in rows] == result.commitment_ids
    assert {r.kind for r in rows} == set(commitment_rules().types)
    assert {r.recorded_by for r in rows} == {"subject", "department"}
    assert all(r.subject_id not in serious_ids for r in rows if r.kind in NOTICE)
    assert result.refused > 0
    assert result.kept == 4 and sum(r.status == "kept" for r in rows) == 4
    assert result.breached == 1
    [breach] = [r for r in rows if r.status == "breached"]
    assert breach.kind == "certification" and breach.false_commitment
    record = db.get(CreditRecord, breach.breach_record_id)
    assert record is not None and record.item_id == "commitment_breach" and result.breach_record_ids == [record.id]
    overdue = [r for r in rows if r.overdue]
    assert len(overdue) == result.overdue
    assert all(r.status == "signed" and r.verify_due is not None and r.verify_due < ctx.today for r in overdue)
    assert all(
        r.signed_on <= ctx.today and (r.outcome_on is None or r.signed_on <= r.outcome_on <= ctx.today) for r in rows
    )


def test_same_seed_same_draw(ctx: Context, db: Session, serious_ids: set[int]) -> None:
    def draw() -> list[tuple[str, int, int, date, str]]:
        savepoint = db.begin_nested()
        plant_commitments(ctx, seed=11, per_kind=1)
        rows = db.scalars(select(Commitment).order_by(Commitment.id)).all()
        picked = [(r.kind, r.subject_id, r.department_id, r.signed_on, r.status) for r in rows]
        savepoint.rollback()
        return picked

    first = draw()
    assert db.scalar(select(Commitment.id)) is None
    assert len(first) == len(commitment_rules().types) and first == draw()


def test_needs_a_registry(ctx: Context) -> None:
    with pytest.raises(Conflict):
        plant_commitments(ctx)
