"""Demo list entries (issue #7): every state planted through the listing services on several list types — the
wage-arrears list with a responsible person, the serious-dishonesty list, red lists, received-list imports —
dated 2021–2026 and reproducible from the seed; refused without a registry."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from xinyong.auth.context import Context
from xinyong.demo.lifecycle_lists import plant_lists
from xinyong.demo.service import load_demo
from xinyong.errors import Conflict
from xinyong.lists import entry_queries
from xinyong.lists.models import ListEntry
from xinyong.subjects.models import Subject


def test_plants_entries_in_every_state_on_several_lists(ctx: Context, db: Session) -> None:
    load_demo(ctx, 1000, 7, records=0.2, lifecycle=False)
    planted = plant_lists(ctx, 7)
    rows = db.scalars(select(ListEntry)).all()
    assert planted == len(rows) >= 30
    states = Counter((e.list_code, e.status) for e in rows)
    assert {s for _, s in states} == {"proposed", "noticed", "decided", "published", "removed", "dropped"}
    assert {c for c, _ in states} == {
        "wage_arrears",
        "serious_dishonesty",
        "contract_honouring",
        "integrity_model_sme",
        "samr_serious_illegal",
        "abnormal_operation",
    }
    reasons = {e.removal_reason for e in rows if e.status == "removed"}
    assert reasons == {"early_removal", "revocation", "expiry", "source_removed"}
    persons = [e for e in rows if e.role == "responsible_person"]
    assert persons and all(e.list_code == "wage_arrears" and e.parent_id for e in persons)
    dates = [d for e in rows for d in (e.notice_on, e.decision_on, e.published_on, e.removed_on, e.defence_due) if d]
    assert date(2021, 1, 1) <= min(dates) and max(dates) <= date(2026, 12, 31)
    assert db.scalar(select(func.count()).select_from(Subject).where(Subject.verified.is_(False))) >= 1
    reader = Context(session=db, actor="anonymous", role="public")
    assert entry_queries.public_entries(reader, "wage_arrears").total >= 1
    masked = entry_queries.public_entries(reader, "serious_dishonesty").items
    assert masked and all(
        r.uscc is None and r.subject_name.endswith("*") for r in masked if r.subject_kind_label == "自然人"
    )


def test_the_same_seed_plants_the_same_entries(ctx: Context, db: Session) -> None:
    load_demo(ctx, 1000, 7, records=0.2, lifecycle=False)
    savepoint = db.begin_nested()
    plant_lists(ctx, 11)
    first = sorted((e.list_code, e.subject_id, e.status) for e in db.scalars(select(ListEntry)))
    savepoint.rollback()
    plant_lists(ctx, 11)
    assert sorted((e.list_code, e.subject_id, e.status) for e in db.scalars(select(ListEntry))) == first


def test_without_a_registry_the_step_is_refused(ctx: Context) -> None:
    with pytest.raises(Conflict, match="演示名单需要"):
        plant_lists(ctx, 7)
