"""``/api/v1/dashboard/figures`` (issue #12 item 3): every figure equals the stored data — records by department,
the quality ranking of the last completed month, grades of the latest evaluation run, lists in force, open
objections and repairs by deadline (overdue, due within N working days, on time), the monitoring trend and the
work-plan ledger. Staff readers only. SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from fastapi.testclient import TestClient
from principals import add_account, login_headers
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from monitoring import monitoring_data as md
from workplan.plans import load_2021
from xinyong.auth.context import Context
from xinyong.dashboard import figures
from xinyong.monitoring import service as monitoring
from xinyong.monitoring.models import MonitoringRun
from xinyong.portal import figures as portal
from xinyong.quality.scorecard import scorecard
from xinyong.records.models import CreditRecord, Objection, RepairApplication

AT = md.AT


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    figures.clear_cache()
    yield
    figures.clear_cache()


def open_cases(db: Session, data: md.Data) -> None:
    """Open cases as of 2026-11-27 (a Friday): an objection awaiting acceptance due 11-30 (due soon: within 3
    working days, i.e. by 12-02), one due 11-20 (overdue), one in verification flagged overdue by the daily job;
    a repair awaiting decision due 12-31 (on time) and one routed due 12-01 (due soon)."""
    record = db.scalars(select(CreditRecord).limit(1)).one()
    for status, due, flagged in (("submitted", date(2026, 11, 30), False), ("submitted", date(2026, 11, 20), False)):
        db.add(
            Objection(
                record_id=record.id,
                item_id="penalty",
                department_id=data.market.id,
                doc_no=record.doc_no,
                subject_id=record.subject_id,
                applicant_name="申请人",
                reasons="文号有误",
                status=status,
                accept_due=due,
                overdue=flagged,
                rule_version=1,
                submitted_at=AT,
                submitted_on=date(2026, 11, 18),
            )
        )
    db.add(
        Objection(
            record_id=record.id,
            item_id="penalty",
            department_id=data.market.id,
            doc_no=record.doc_no,
            subject_id=record.subject_id,
            applicant_name="申请人",
            reasons="文号有误",
            status="verifying",
            accept_due=date(2026, 11, 3),
            verify_due=date(2026, 12, 10),
            overdue=True,
            rule_version=1,
            submitted_at=AT,
            submitted_on=date(2026, 11, 1),
        )
    )
    for status, due in (("accepted", date(2026, 12, 31)), ("routed", date(2026, 12, 1))):
        db.add(
            RepairApplication(
                subject_id=data.shatou.id,
                department_id=data.market.id,
                applicant_name="沙头",
                status=status,
                decide_due=due,
                rule_version=1,
                submitted_at=AT,
                submitted_on=date(2026, 11, 20),
            )
        )
    db.flush()


def setup(ctx: Context) -> md.Data:
    data = md.everything(ctx)
    open_cases(ctx.session, data)
    monitoring.run_month(ctx, "2026-10")
    monitoring.run_month(ctx, md.MONTH)
    load_2021(ctx)
    ctx.session.flush()
    return data


def test_figures_equal_the_stored_data(api: TestClient, db: Session, ctx: Context) -> None:
    data = setup(ctx)
    reader = login_headers(db, add_account(db, "dash_market", "department_officer", department_id=data.market.id))

    answer = api.get("/api/v1/dashboard/figures", headers=reader)
    assert answer.status_code == 200, answer.text[:300]
    d = answer.json()
    assert d["as_of"] == "2026-11-27"

    stored = dict(
        db.execute(
            select(CreditRecord.department_id, func.count())
            .where(CreditRecord.supersedes_id.is_(None))
            .group_by(CreditRecord.department_id)
        ).all()
    )
    by_code = {r["code"]: r for r in d["records_by_department"]}
    assert by_code[data.market.code]["records"] == stored[data.market.id] == 3
    assert by_code[data.justice.code]["records"] == 0
    assert by_code[data.market.code]["this_month"] == 1  # decided 11-15; those decided in October are not
    assert d["records_total"] == sum(stored.values())
    assert d["subjects_total"] == 4

    card = scorecard(ctx, "2026-10", as_of=ctx.today)
    assert d["quality"]["month"] == "2026-10" and d["quality"]["ready"] is True
    assert [(q["code"], q["rank"], q["score"]) for q in d["quality"]["rows"]] == [
        (x.code, x.rank, x.score) for x in card.departments
    ]

    assert d["grades"]["total"] == 3 and d["grades"]["runs"] == 1
    assert {b["grade"]: b["subjects"] for b in d["grades"]["bands"]}["A"] == 3

    home = portal.home_figures(db, ctx.today)
    assert [(x["code"], x["count"]) for x in d["lists"]] == [(x.code, x.count) for x in home.lists_by_type]

    cases = d["cases"]
    assert cases["due_within"] == 3 and cases["due_by"] == "2026-12-02"
    assert cases["objections"] == {"open": 3, "overdue": 2, "due_soon": 1, "on_time": 0}
    assert cases["repairs"] == {"open": 2, "overdue": 0, "due_soon": 1, "on_time": 1}

    runs = {r.month: r.district_score for r in db.scalars(select(MonitoringRun).where(MonitoringRun.current))}
    assert d["monitoring"]["months"] == ["2026-10", "2026-11"]
    assert d["monitoring"]["scores"] == [round(runs["2026-10"], 2), round(runs["2026-11"], 2)]
    assert d["monitoring"]["latest_score"] == round(runs["2026-11"], 2)

    plan = d["workplan"]
    assert plan["year"] == 2021 and len(plan["items"]) == 18 and sum(plan["counts"].values()) == 18
    assert plan["counts"]["已逾期"] == 18  # no progress reported on the 2021 plan by 2026
    assert plan["items"][10]["numeral"] == "十一"


def test_horizon_is_a_parameter(api: TestClient, db: Session, ctx: Context) -> None:
    data = setup(ctx)
    office = login_headers(db, add_account(db, "dash_office", "credit_office_staff"))
    wide = api.get("/api/v1/dashboard/figures", params={"due_within": 30}, headers=office).json()
    assert wide["cases"]["repairs"] == {"open": 2, "overdue": 0, "due_soon": 2, "on_time": 0}
    zero = api.get("/api/v1/dashboard/figures", params={"due_within": 0}, headers=office).json()
    assert zero["cases"]["due_by"] == "2026-11-27" and zero["cases"]["objections"]["due_soon"] == 0
    assert api.get("/api/v1/dashboard/figures", params={"due_within": 61}, headers=office).status_code == 422
    assert data.market is not None


def test_a_cached_figure_is_served_until_it_expires(db: Session, ctx: Context) -> None:
    setup(ctx)
    first = figures.cached_dashboard_figures(db, ctx.today, ttl=60)
    monitoring.run_month(ctx, "2026-09")
    assert figures.cached_dashboard_figures(db, ctx.today, ttl=60).monitoring.months == first.monitoring.months
    now = figures.cached_dashboard_figures(db, ctx.today, ttl=0)
    assert now.monitoring.months == ["2026-09", "2026-10", "2026-11"]


def test_readers_only(api: TestClient, db: Session, ctx: Context) -> None:
    data = md.base(ctx)
    assert api.get("/api/v1/dashboard/figures").status_code == 401
    firm = login_headers(db, add_account(db, "dash_firm", "subject", subject_id=data.shatou.id))
    assert api.get("/api/v1/dashboard/figures", headers=firm).status_code == 403
