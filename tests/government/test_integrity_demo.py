"""The integrity demo step: nothing without public bodies; files, entries (one withdrawn) and two checks with
them; a second run with the same seed plants nothing more. SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from government import gov_factories as g
from xinyong.auth.context import Context
from xinyong.demo.lifecycle_integrity import PEOPLE, plant_integrity
from xinyong.government.models import IntegrityCheck, IntegrityEntry, IntegrityFile


def _count(db: Session, model: type) -> int:
    return db.scalar(select(func.count()).select_from(model)) or 0


def test_demo_needs_bodies_then_plants_once(db: Session, ctx: Context) -> None:
    assert plant_integrity(ctx, 7) == 0 and _count(db, IntegrityFile) == 0
    g.town_office(ctx)
    g.body(ctx, "广州市番禺区测试事业单位", 41, "institution")
    made = plant_integrity(ctx, 7)
    assert made == _count(db, IntegrityFile) + _count(db, IntegrityEntry) + _count(db, IntegrityCheck)
    assert _count(db, IntegrityFile) == PEOPLE and _count(db, IntegrityCheck) == 2
    assert db.scalar(select(func.count()).where(IntegrityEntry.withdraws_id.is_not(None))) == 1
    conclusions = set(db.scalars(select(IntegrityCheck.conclusion)))
    assert conclusions <= {"clear", "adverse", "no_file"} and "no_file" in conclusions
    assert plant_integrity(ctx, 7) == 0
