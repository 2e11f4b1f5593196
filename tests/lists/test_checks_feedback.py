"""惩戒反馈 on the service layer: who may record it (the checking department, the credit office), which measures,
the reason when not applied, once only (409), audited; a logged check read back with its feedback and scope;
recent checks; the feedback rates per department (the office sees all, a department its own)."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from factories import company, departments
from list_factories import department, published_entry
from xinyong import clock
from xinyong.auth.context import Context
from xinyong.auth.models import AuditEvent
from xinyong.auth.permissions import PermissionDenied
from xinyong.errors import Conflict, InvalidInput, NotFound
from xinyong.lists.check_queries import feedback_rates, get_check, recent_checks
from xinyong.lists.checks import check, record_feedback
from xinyong.subjects.models import Department, Subject


def officer(db: Session, dept: Department, name: str) -> Context:
    return Context(session=db, actor=f"account:{name}", role="department_officer", department_id=dept.id)


def office(db: Session) -> Context:
    return Context(session=db, actor="account:office", role="credit_office_staff")


@pytest.fixture
def people(db: Session, ctx: Context) -> dict[str, Context]:
    """Officers of 区财政局 and 区住建局, a regulator without a department, the credit office."""
    departments(db)
    return {
        "czj": officer(db, department(db, "czj"), "czj_officer"),
        "zjj": officer(db, department(db, "zjj"), "zjj_officer"),
        "regulator": Context(session=db, actor="account:inspector", role="regulator"),
        "office": office(db),
    }


@pytest.fixture
def debtor(ctx: Context, people: dict[str, Context]) -> Subject:
    """An employer on the wage-arrears list and the 市场监管 serious-illegal list."""
    firm = company(ctx, "广州欠薪反馈有限公司", 21)
    published_entry(ctx.session, firm, "wage_arrears")
    published_entry(ctx.session, firm, "samr_serious_illegal")
    return firm


def test_the_checking_department_records_feedback_once(people: dict[str, Context], debtor: Subject) -> None:
    czj = people["czj"]
    answer = check(czj, debtor.uscc, "procurement")
    given = record_feedback(czj, answer.check_id, "wage_procurement", True)
    assert (given.applied, given.reason, given.department_id) == (True, "", czj.department_id)
    assert given.measure_name == "限制参与政府采购活动" and given.recorded_by == "account:czj_officer"
    event = czj.session.scalars(select(AuditEvent).where(AuditEvent.action == "checks.feedback")).one()
    assert (event.target_type, event.target_id) == ("list_check", str(answer.check_id))
    assert event.detail["measure_id"] == "wage_procurement" and event.detail["applied"] is True
    with pytest.raises(Conflict, match="已反馈过"):
        record_feedback(czj, answer.check_id, "wage_procurement", False, "重复")
    shown = get_check(czj, answer.check_id)
    assert [(f.measure_id, f.applied) for f in shown.feedback] == [("wage_procurement", True)]
    assert shown.hit and [m.id for m in shown.measures] == ["wage_procurement"]
    assert {e.list_code for e in shown.entries} == {"wage_arrears", "samr_serious_illegal"}
    assert [s.id for s in shown.subjects] == [debtor.id]


def test_feedback_rules(people: dict[str, Context], debtor: Subject) -> None:
    czj, zjj = people["czj"], people["zjj"]
    answer = check(czj, debtor.uscc, "bidding")
    with pytest.raises(PermissionDenied, match="本部门"):
        record_feedback(zjj, answer.check_id, "wage_bidding", True)
    with pytest.raises(PermissionDenied):
        record_feedback(people["regulator"], answer.check_id, "wage_bidding", True)
    with pytest.raises(InvalidInput, match="不是该次查询返回的措施，可反馈的措施：wage_bidding") as other:
        record_feedback(czj, answer.check_id, "wage_procurement", True)
    assert other.value.field == "measure_id"
    with pytest.raises(InvalidInput, match="须说明原因") as reason:
        record_feedback(czj, answer.check_id, "wage_bidding", False, "   ")
    assert reason.value.field == "reason"
    with pytest.raises(NotFound):
        record_feedback(czj, 10**9, "wage_bidding", True)
    bank = Context(session=czj.session, actor="account:bank", role="bank", institution="某银行")
    with pytest.raises(PermissionDenied):
        record_feedback(bank, answer.check_id, "wage_bidding", True)
    not_applied = record_feedback(czj, answer.check_id, "wage_bidding", False, "项目已于列入前完成招标")
    assert not not_applied.applied and not_applied.reason == "项目已于列入前完成招标"


def test_a_check_without_measures_takes_no_feedback(people: dict[str, Context], ctx: Context) -> None:
    clean = company(ctx, "广州守法反馈有限公司", 22)
    answer = check(people["czj"], clean.uscc, "procurement")
    with pytest.raises(InvalidInput, match="未返回适用措施"):
        record_feedback(people["czj"], answer.check_id, "wage_procurement", True)


def test_the_office_may_record_feedback_on_any_check_and_a_regulator_on_its_own(
    people: dict[str, Context], debtor: Subject
) -> None:
    answer = check(people["czj"], debtor.uscc, "procurement")
    paper = record_feedback(people["office"], answer.check_id, "wage_procurement", True)
    assert paper.department_id == people["czj"].department_id and paper.recorded_by == "account:office"
    own = check(people["regulator"], debtor.uscc, "honours")
    assert [m.id for m in own.measures] == ["samr_honours"]
    assert record_feedback(people["regulator"], own.check_id, "samr_honours", True).department_id is None
    other = Context(session=people["regulator"].session, actor="account:other", role="regulator")
    with pytest.raises(PermissionDenied):
        get_check(other, own.check_id)


def test_reading_checks_is_scoped(people: dict[str, Context], debtor: Subject) -> None:
    czj, zjj, office_ctx = people["czj"], people["zjj"], people["office"]
    mine = check(czj, debtor.uscc, "procurement")
    theirs = check(zjj, debtor.uscc, "bidding")
    with pytest.raises(PermissionDenied, match="本部门"):
        get_check(czj, theirs.check_id)
    assert get_check(office_ctx, theirs.check_id).department_name == "广州市番禺区住房和城乡建设局"
    assert [c.id for c in recent_checks(czj)] == [mine.check_id]
    assert [c.id for c in recent_checks(office_ctx)] == [theirs.check_id, mine.check_id]
    assert recent_checks(office_ctx)[0].measures == 1 and recent_checks(office_ctx)[0].feedback == 0


def test_rates_per_department(people: dict[str, Context], debtor: Subject, ctx: Context) -> None:
    czj, zjj, office_ctx = people["czj"], people["zjj"], people["office"]
    clean = company(ctx, "广州守法统计有限公司", 23)
    first = check(czj, debtor.uscc, "procurement")  # hit, 1 measure
    second = check(czj, debtor.uscc, "bidding")  # hit, 1 measure
    check(czj, clean.uscc, "procurement")  # no hit
    check(czj, debtor.uscc, "travel_consumption")  # hit, the abolished measure: none
    record_feedback(czj, first.check_id, "wage_procurement", True)
    record_feedback(czj, second.check_id, "wage_bidding", False, "已依法审慎审核")
    built = check(zjj, debtor.uscc, "bidding")
    record_feedback(zjj, built.check_id, "wage_bidding", True)
    check(zjj, clean.uscc, "bidding")
    everyone = feedback_rates(office_ctx)
    assert everyone.scope == "all" and (everyone.date_from, everyone.date_to) == (date(2026, 1, 1), date(2026, 11, 27))
    by_name = {r.department_name: r for r in everyone.rows}
    finance = by_name["广州市番禺区财政局"]
    assert (finance.checks, finance.hits, finance.hits_with_measures, finance.measures_due) == (4, 3, 2, 2)
    assert (finance.feedback, finance.applied, finance.not_applied) == (2, 1, 1)
    assert (finance.feedback_rate, finance.applied_rate) == (1.0, 0.5)
    building = by_name["广州市番禺区住房和城乡建设局"]
    assert (building.checks, building.hits, building.feedback, building.feedback_rate) == (2, 1, 1, 1.0)
    assert (everyone.total.checks, everyone.total.feedback, everyone.total.applied) == (6, 3, 2)
    own = feedback_rates(zjj)
    assert own.scope == "own" and [r.department_name for r in own.rows] == ["广州市番禺区住房和城乡建设局"]
    with pytest.raises(InvalidInput, match="晚于截止日"):
        feedback_rates(office_ctx, date(2026, 11, 2), date(2026, 11, 1))
    assert feedback_rates(office_ctx, date(2026, 1, 1), date(2026, 11, 26)).rows == []


def test_rates_count_checks_by_their_china_date(people: dict[str, Context], debtor: Subject) -> None:
    czj = people["czj"]
    late = datetime(2026, 11, 26, 16, 30, tzinfo=clock.CHINA_TZ)
    clock.set_clock(lambda: late)
    evening = Context(session=czj.session, actor=czj.actor, role=czj.role, department_id=czj.department_id)
    check(evening, debtor.uscc, "procurement")
    after_midnight = datetime(2026, 11, 27, 0, 30, tzinfo=clock.CHINA_TZ)  # 2026-11-26 16:30 UTC
    clock.set_clock(lambda: after_midnight)
    night = Context(session=czj.session, actor=czj.actor, role=czj.role, department_id=czj.department_id)
    check(night, debtor.uscc, "procurement")
    office_ctx = office(czj.session)
    assert feedback_rates(office_ctx, date(2026, 11, 26), date(2026, 11, 26)).total.checks == 1
    assert feedback_rates(office_ctx, date(2026, 11, 27), date(2026, 11, 27)).total.checks == 1
