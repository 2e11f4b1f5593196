"""Demo portal content: ``plant_portal`` publishes news, policies, campaign articles on their campaigns' days and
innovation cases, leaves a draft and a withdrawn article, and runs a published 守合同重信用企业 round (its winners
on the red list, ineligible enterprises never nominated) and an open 诚信示范中小企业 round; it refuses a registry
without the departments — SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from tests.portal.conftest import kgsxj

from factories import company
from list_factories import published_entry
from records_factories import make_batch, make_record
from xinyong.auth.context import Context
from xinyong.demo.lifecycle_portal import STORIES, plant_portal
from xinyong.errors import Conflict
from xinyong.lists.active import entries_in_force
from xinyong.portal.models import Article, Nomination, Selection
from xinyong.records.cases import in_china
from xinyong.subjects.models import Department

ANCHOR = date(2026, 11, 27)


@pytest.fixture
def registry(db: Session, ctx: Context, departments: tuple[Department, Department]) -> list[int]:
    """Twelve enterprises: the ids of the four that may not be selected (listed or punished)."""
    market, _ = departments
    kgsxj(db)
    batch = make_batch(db, market)
    excluded = []
    for n in range(12):
        firm = company(ctx, f"广州演示门户{n:02d}有限公司", 8600 + n)
        if n < 2:
            published_entry(db, firm, "wage_arrears", published_on=date(2025, 6, 2))
            excluded.append(firm.id)
        elif n < 4:
            make_record(
                db, batch, doc_no=f"番市监罚〔2026〕86{n}号", decided_on=date(2025, 12, 1), subject=firm, row_no=n
            )
            excluded.append(firm.id)
    return excluded


def test_the_portal_is_planted(db: Session, ctx: Context, registry: list[int]) -> None:
    planted = plant_portal(ctx, 7)
    assert planted == len(STORIES) + 2 + 4 + 3
    rows = db.scalars(select(Article)).all()
    assert {a.status for a in rows} == {"published", "draft", "withdrawn"}
    assert {a.kind for a in rows if a.status == "published"} == {"news", "policy", "campaign", "innovation_case"}
    days = {a.campaign: in_china(a.published_at).date() for a in rows if a.campaign and a.published_at}
    assert days["信用记录关爱日"] == date(2026, 6, 14) and days["消费者权益日"] == date(2026, 3, 15)
    assert days["诚信宣传月"] == date(2026, 6, 1) and days["诚信兴商宣传月"] == date(2026, 9, 1)
    moments = [in_china(a.published_at or a.created_at).date() for a in rows]
    assert max(moments) <= ANCHOR and min(moments) >= date(2025, 11, 27)
    assert {a.scenario for a in rows if a.kind == "innovation_case"} >= {"credit_health", "credit_rental"}

    published, open_ = db.scalars(select(Selection).order_by(Selection.id)).all()
    assert (published.list_code, published.status, open_.list_code, open_.status) == (
        "contract_honouring",
        "published",
        "integrity_model_sme",
        "open",
    )
    assert open_.closes_on > ANCHOR
    noms = db.scalars(select(Nomination).order_by(Nomination.id)).all()
    assert not {n.subject_id for n in noms} & set(registry)
    winners = [n for n in noms if n.status == "published"]
    assert len(winners) == 3 and [n.status for n in noms if n.selection_id == published.id].count("rejected") == 1
    listed = entries_in_force(db, [n.subject_id for n in winners], ANCHOR)
    assert sorted(e.id for e in listed) == sorted(n.list_entry_id for n in winners)
    assert {n.status for n in noms if n.selection_id == open_.id} == {"nominated"}


def test_the_portal_needs_the_departments(
    db: Session, ctx: Context, departments: tuple[Department, Department]
) -> None:
    with pytest.raises(Conflict, match="区科工商信局"):
        plant_portal(ctx, 7)
