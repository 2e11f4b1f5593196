"""The government demo step: the 16 township offices, district departments and SOEs registered with valid codes
and their answerable units, contracts whose payments add up, one default turned into one government-integrity
record by the daily step, alerts due soon; a second run adds nothing. SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from xinyong.auth.context import Context
from xinyong.codes.divisions import PANYU_TOWNSHIPS
from xinyong.codes.uscc import is_valid_uscc
from xinyong.demo.lifecycle_government import DEPARTMENTS, SOES, plant_government
from xinyong.government import contract_queries, contracts
from xinyong.government.models import GovContract, GovIntegrityRecord, PublicBody


@pytest.mark.parametrize("seed", [3, 7])
def test_demo_registers_bodies_and_contracts_once(db: Session, ctx: Context, seed: int) -> None:
    made = plant_government(ctx, seed)
    found = list(db.scalars(select(PublicBody)))
    assert len(found) == len(PANYU_TOWNSHIPS) + len(DEPARTMENTS) + len(SOES)
    assert all(is_valid_uscc(b.uscc) for b in found)
    units = {b.unit_code for b in found}
    assert {t.code for t in PANYU_TOWNSHIPS} <= units and "czj" in units
    assert {b.unit_code for b in found if b.kind == "soe"} == {"czj"}
    stored = list(db.scalars(select(GovContract)))
    assert stored and all(contracts.payments_total(contracts.terms_of(ctx, c.id)) == c.amount for c in stored)
    assert [c.status for c in stored].count("defaulted") == 1
    assert db.scalar(select(func.count()).select_from(GovIntegrityRecord)) == 1
    assert any(a.kind == "due_soon" for a in contract_queries.alerts(ctx, ctx.today))
    assert made == len(found) + len(stored) + 1
    assert all(c.counterparty_id not in {b.subject_id for b in found} for c in stored)
    assert plant_government(ctx, seed) == 0
