"""The demo feeds (``demo.lifecycle_feeds.plant_feeds``): law-firm, lawyer and agency records loaded through intake as
department batches, a court list import, the lawyers' ID numbers encrypted, and a second run adding nothing —
SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from factories import company
from xinyong.auth.context import Context
from xinyong.demo.generator import department_uscc
from xinyong.demo.lifecycle_feeds import COURT_LIST, plant_feeds
from xinyong.intake.models import IntakeBatch
from xinyong.lists.models import ListEntry
from xinyong.records.models import CreditRecord
from xinyong.subjects.models import Department, Subject

NAMES = {"sfj": "广州市番禺区司法局", "fgj": "广州市番禺区发展和改革局", "fy": "广州市番禺区人民法院"}


def setup(ctx: Context) -> None:
    ctx.session.add_all(Department(code=c, name=n, uscc=department_uscc(c)) for c, n in NAMES.items())
    ctx.session.flush()
    for n in range(1, 7):
        company(ctx, f"广州演示贸易{n}有限公司", 700 + n)


def items(db: Session, item_id: str) -> list[CreditRecord]:
    stmt = select(CreditRecord).where(CreditRecord.item_id == item_id).order_by(CreditRecord.id)
    return list(db.scalars(stmt))


def test_the_feeds_are_planted_through_intake_and_the_list_import(ctx: Context, db: Session) -> None:
    setup(ctx)
    made = plant_feeds(ctx, 7)
    lawyer, agency = items(db, "lawyer_credit"), items(db, "credit_agency_record")
    entries = list(db.scalars(select(ListEntry).where(ListEntry.list_code == COURT_LIST)))
    assert made == len(lawyer) + len(agency) + len(entries)
    assert len(lawyer) == 5 and len(agency) == 4 and len(entries) == 5
    assert {r.category for r in lawyer} == {"行政处罚", "年度考核", "表彰奖励", "行业处分"}
    assert {r.category for r in agency} == {"备案", "违规记录", "行政处罚"}
    batches = list(db.scalars(select(IntakeBatch).order_by(IntakeBatch.id)))
    assert [(b.item_id, b.status, b.channel) for b in batches] == [
        ("lawyer_credit", "loaded", "demo"),
        ("credit_agency_record", "loaded", "demo"),
    ]
    lawyers = [db.get(Subject, r.subject_id) for r in lawyer if r.subject_kind == "natural_person"]
    assert len(lawyers) == 2 and all(s is not None and s.ric_cipher and not s.verified for s in lawyers)
    assert all(s is not None and s.uscc is None for s in lawyers)
    assert sorted(e.status for e in entries) == ["published"] * 4 + ["removed"]
    assert all(e.published_on and e.published_on <= ctx.today for e in entries)

    assert plant_feeds(ctx, 7) == 0  # identical re-sends and re-imports add nothing
    assert len(items(db, "lawyer_credit")) == 5


def test_the_seed_decides_the_rows(ctx: Context, db: Session) -> None:
    setup(ctx)
    plant_feeds(ctx, 11)
    docs = [r.doc_no for r in items(db, "lawyer_credit")]
    assert docs and all("11" in d for d in docs)
