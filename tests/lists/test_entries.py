"""The listing procedure on the service (issue #7): proposal → prior notice → defence → decision → publication,
with the employer's responsible persons moving along; deadlines in working days across the 2026 National Day
holiday; every refusal of "Bad input" (listing without notice or before the defence period ends, duplicates);
department scoping; optimistic locking; audit events in order — on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from factories import company, ric
from list_factories import department
from xinyong.auth.context import Context
from xinyong.auth.models import AuditEvent
from xinyong.auth.permissions import PermissionDenied
from xinyong.errors import Conflict, InvalidInput, NotFound
from xinyong.lists import entries
from xinyong.lists.active import entry_in_force
from xinyong.lists.models import ListEntry
from xinyong.records.cases import StaleCase, case_files, case_history
from xinyong.records.models import Notification
from xinyong.subjects.models import Department, Subject
from xinyong.subjects.schemas import SubjectIn
from xinyong.subjects.service import register_subject

REASONS = "拖欠32名农民工工资共计46.8万元，经责令限期支付（番人社限付〔2026〕7号）逾期仍未支付"
SERVED = date(2026, 9, 29)  # a Tuesday; 10-01…10-07 National Day, 10-10 (Saturday) a make-up working day
DUE = date(2026, 10, 12)  # 9-30, 10-08, 10-09, 10-10, 10-12: five working days


@dataclasses.dataclass
class Labour:
    """The labour bureau's officer, an employer, its legal representative and another department's officer."""

    rsj: Department
    officer: Context
    employer: Subject
    boss: Subject
    other: Context


def person(ctx: Context, name: str, seq: str) -> Subject:
    return register_subject(ctx, SubjectIn(kind="natural_person", name=name, ric=ric("19800101", seq)))


@pytest.fixture
def labour(ctx: Context, db: Session, departments: tuple[Department, Department]) -> Labour:
    rsj = department(db, "rsj")
    return Labour(
        rsj=rsj,
        officer=Context(session=db, actor="rsj:officer", role="department_officer", department_id=rsj.id),
        employer=company(ctx, "广州欠薪建筑劳务有限公司", 701),
        boss=person(ctx, "张建国", "111"),
        other=Context(session=db, actor="scjgj:officer", role="department_officer", department_id=departments[0].id),
    )


def proposed(labour: Labour, **changes: object) -> ListEntry:
    args: dict[str, object] = {
        "list_code": "wage_arrears",
        "subject_id": labour.employer.id,
        "reasons": REASONS,
        "basis": "",
        "case_ref": "番人社限付〔2026〕7号",
        "responsible_person_ids": [labour.boss.id],
    } | changes
    return entries.propose(labour.officer, **args)  # type: ignore[arg-type]


def noticed(labour: Labour, served: date = SERVED) -> ListEntry:
    entry = proposed(labour)
    return entries.serve_notice(labour.officer, entry.id, "番人社告〔2026〕7号", served, entry.lock_version)


def children(db: Session, entry: ListEntry) -> list[ListEntry]:
    return list(db.scalars(select(ListEntry).where(ListEntry.parent_id == entry.id)))


# --------------------------------------------------------------------------------------------- the happy path
def test_wage_arrears_listing_walks_every_step_with_the_responsible_person(labour: Labour, db: Session) -> None:
    entry = proposed(labour)
    assert (entry.status, entry.kind, entry.role, entry.department_id) == (
        "proposed",
        "dishonesty",
        "subject",
        labour.rsj.id,
    )
    assert "国务院令第724号" in entry.basis and entry.case_ref == "番人社限付〔2026〕7号"
    [boss] = children(db, entry)
    assert (boss.subject_id, boss.role, boss.status) == (labour.boss.id, "responsible_person", "proposed")

    entry = entries.serve_notice(labour.officer, entry.id, "番人社告〔2026〕7号", SERVED, entry.lock_version)
    assert (entry.status, entry.notice_on, entry.defence_due) == ("noticed", SERVED, DUE)
    assert (boss.status, boss.defence_due) == ("noticed", DUE)
    notes = {
        n.subject_id: n.message for n in db.scalars(select(Notification).where(Notification.case_type == "listing"))
    }
    assert set(notes) == {labour.employer.id, labour.boss.id}
    message = notes[labour.employer.id]
    assert "陈述申辩期至 2026-10-12" in message and REASONS in message and "行政复议" in message
    assert "5 个工作日" in message and "拟同时列入的责任人：张建国" in message

    entry = entries.record_defence(labour.officer, entry.id, "工程款未到位，请求暂缓", DUE, entry.lock_version)
    assert (entry.defence_on, boss.defence_on) == (DUE, DUE)
    entry = entries.decide(
        labour.officer, entry.id, "番人社决〔2026〕7号", date(2026, 10, 13), "rejected", entry.lock_version
    )
    assert (entry.status, entry.decision_on, entry.defence_outcome) == ("decided", date(2026, 10, 13), "rejected")
    assert entry.expires_on == date(2029, 10, 13) == boss.expires_on  # 36 months
    assert not entry_in_force(entry, date(2026, 10, 13))  # decided, not yet published

    entry = entries.publish(labour.officer, entry.id, date(2026, 10, 15), entry.lock_version)
    assert (entry.status, boss.status, boss.published_on) == ("published", "published", date(2026, 10, 15))
    assert entry_in_force(entry, date(2026, 10, 15)) and not entry_in_force(entry, date(2026, 10, 14))
    assert entry_in_force(boss, date(2029, 10, 12)) and not entry_in_force(boss, date(2029, 10, 13))
    actions = [e.action for e in case_history(db, "listing", entry.id)]
    assert actions == ["propose", "notice", "defence", "decide", "publish"]
    assert [e.action for e in case_history(db, "listing", boss.id)] == actions


def test_each_step_appends_one_audit_event_in_order(labour: Labour, db: Session) -> None:
    entry = noticed(labour)
    entry = entries.decide(
        labour.officer, entry.id, "番人社决〔2026〕7号", date(2026, 10, 13), None, entry.lock_version
    )
    entry = entries.publish(labour.officer, entry.id, date(2026, 10, 13), entry.lock_version)
    entries.attach(labour.officer, entry.id, "决定书.pdf", b"%PDF-1.4 decision")
    events = db.scalars(select(AuditEvent).where(AuditEvent.action.like("lists.%")).order_by(AuditEvent.id)).all()
    assert [e.action for e in events] == [
        "lists.propose",
        "lists.notice",
        "lists.decide",
        "lists.publish",
        "lists.attach",
    ]
    assert {e.target_id for e in events} == {str(entry.id)} and events[0].actor == "rsj:officer"
    assert events[1].detail["defence_due"] == "2026-10-12" and events[0].detail["responsible_entries"]
    assert [f.filename for f in case_files(db, "listing", entry.id)] == ["决定书.pdf"]


def test_a_red_list_skips_the_notice_and_defence(
    ctx: Context, db: Session, departments: tuple[Department, Department]
) -> None:
    market = Context(session=db, actor="scjgj:officer", role="department_officer", department_id=departments[0].id)
    firm = company(ctx, "广州守信示范有限公司", 702)
    entry = entries.propose(market, "contract_honouring", firm.id, "经守合同重信用企业公示活动评定", "")
    with pytest.raises(InvalidInput, match="无需列入前告知"):
        entries.serve_notice(market, entry.id, "番市监告1号", date(2026, 11, 2), entry.lock_version)
    entry = entries.decide(market, entry.id, "番市监〔2026〕30号", date(2026, 11, 2), None, entry.lock_version)
    assert (entry.status, entry.expires_on) == ("decided", date(2028, 11, 2))  # 24 months
    entry = entries.publish(market, entry.id, date(2026, 11, 3), entry.lock_version)
    assert entry.status == "published" and entry_in_force(entry, date(2026, 11, 27))


# --------------------------------------------------------------------------------------------- deadlines
def test_the_defence_period_runs_in_working_days_across_national_day(labour: Labour) -> None:
    entry = noticed(labour, date(2026, 9, 30))
    assert entry.defence_due == date(2026, 10, 13)  # 10-08, 10-09, 10-10, 10-12, 10-13
    with pytest.raises(InvalidInput, match="陈述申辩期至 2026-10-13 届满，届满后方可作出列入决定") as refused:
        entries.decide(labour.officer, entry.id, "番人社决1号", date(2026, 10, 13), None, entry.lock_version)
    assert refused.value.field == "decided_on"
    assert entry.status == "noticed" and entry.decision_on is None


def test_a_late_defence_is_refused_with_the_last_day(labour: Labour) -> None:
    entry = noticed(labour)
    with pytest.raises(InvalidInput, match="陈述申辩期已于 2026-10-12 届满") as refused:
        entries.record_defence(labour.officer, entry.id, "迟到的申辩", date(2026, 10, 13), entry.lock_version)
    assert refused.value.field == "received_on" and entry.defence_on is None
    with pytest.raises(InvalidInput, match="早于告知书送达日期"):
        entries.record_defence(labour.officer, entry.id, "申辩", date(2026, 9, 28), entry.lock_version)


def test_a_statement_within_the_period_is_kept_and_a_second_appended(labour: Labour) -> None:
    entry = noticed(labour)
    entry = entries.record_defence(labour.officer, entry.id, "第一次申辩", date(2026, 9, 30), entry.lock_version)
    entry = entries.record_defence(labour.officer, entry.id, "补充证据", DUE, entry.lock_version)
    assert (
        entry.defence_on == DUE
        and "第一次申辩" in entry.defence_text
        and "〔2026-10-12〕补充证据" in entry.defence_text
    )


# --------------------------------------------------------------------------------------------- refusals
def test_listing_without_notice_is_refused(labour: Labour) -> None:
    entry = proposed(labour)
    with pytest.raises(Conflict, match="尚未送达列入前告知书，不得作出列入决定") as refused:
        entries.decide(labour.officer, entry.id, "番人社决1号", date(2026, 11, 20), None, entry.lock_version)
    assert refused.value.code == "notice_required" and entry.status == "proposed" and entry.decision_on is None
    with pytest.raises(Conflict, match="须先作出列入决定"):
        entries.publish(labour.officer, entry.id, date(2026, 11, 20), entry.lock_version)


def test_a_recorded_defence_must_be_answered_and_an_accepted_one_ends_in_drop(labour: Labour, db: Session) -> None:
    entry = noticed(labour)
    entry = entries.record_defence(labour.officer, entry.id, "已全额支付", date(2026, 10, 9), entry.lock_version)
    with pytest.raises(InvalidInput, match="请填写对申辩意见的处理"):
        entries.decide(labour.officer, entry.id, "番人社决1号", date(2026, 10, 20), None, entry.lock_version)
    with pytest.raises(InvalidInput, match="不予列入"):
        entries.decide(labour.officer, entry.id, "番人社决1号", date(2026, 10, 20), "accepted", entry.lock_version)
    entry = entries.drop(labour.officer, entry.id, "申辩意见成立，已全额支付", entry.lock_version)
    assert entry.status == "dropped" and [c.status for c in children(db, entry)] == ["dropped"]
    assert entry.removal_note == "申辩意见成立，已全额支付" and not entry_in_force(entry, date(2026, 11, 27))
    again = proposed(labour)  # a dropped proposal is closed: a new one may be made
    assert again.id != entry.id


def test_a_duplicate_open_entry_is_refused_naming_the_existing_one(labour: Labour, db: Session) -> None:
    entry = proposed(labour)
    with pytest.raises(Conflict, match=f"已有未结束的条目 {entry.id}（拟列入）") as refused:
        proposed(labour, responsible_person_ids=[])
    assert refused.value.code == "duplicate_entry"
    other = company(entries_ctx(labour), "广州另一劳务有限公司", 703)
    with pytest.raises(Conflict, match=r"责任人（主体 \d+）在"):
        proposed(labour, subject_id=other.id)  # the same responsible person is open on the list
    assert db.scalars(select(ListEntry).where(ListEntry.subject_id == other.id)).all() == []


def entries_ctx(labour: Labour) -> Context:
    return Context(session=labour.officer.session, actor="tester", role="system")


def test_the_database_index_refuses_a_duplicate_that_slips_past_the_check(
    labour: Labour, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = proposed(labour, responsible_person_ids=[])
    monkeypatch.setattr(entries, "open_entry", lambda *a, **k: None)  # a concurrent proposal raced the check
    with pytest.raises(Conflict, match="刚被他人列入同一名单"):
        proposed(labour, responsible_person_ids=[])
    rows = db.scalars(select(ListEntry).where(ListEntry.subject_id == labour.employer.id)).all()
    assert [r.id for r in rows] == [first.id]  # nothing half-done


def test_proposals_are_checked(labour: Labour, ctx: Context, db: Session) -> None:
    department(db, "fgj")
    with pytest.raises(InvalidInput, match="未知的名单类型"):
        proposed(labour, list_code="no_such_list")
    with pytest.raises(InvalidInput, match="只能导入"):
        entries.propose(ctx, "samr_serious_illegal", labour.employer.id, REASONS, "")
    with pytest.raises(NotFound, match="主体 999999 不存在"):
        proposed(labour, subject_id=999999)
    with pytest.raises(InvalidInput, match="请填写列入事由"):
        proposed(labour, reasons="  ")
    with pytest.raises(InvalidInput, match="应为自然人"):
        proposed(labour, responsible_person_ids=[company(ctx, "广州某法人有限公司", 704).id])
    with pytest.raises(InvalidInput, match="不列入责任人"):
        entries.propose(ctx, "serious_dishonesty", labour.employer.id, REASONS, "", "", [labour.boss.id])
    with pytest.raises(InvalidInput, match="只列入法人、非法人组织"):
        entries.propose(ctx, "contract_honouring", labour.boss.id, "评定", "")
    assert db.scalars(select(ListEntry)).all() == []


def test_dates_may_not_be_in_the_future_or_out_of_order(labour: Labour) -> None:
    entry = proposed(labour)
    with pytest.raises(InvalidInput, match="不能晚于今天"):
        entries.serve_notice(labour.officer, entry.id, "番人社告1号", date(2026, 11, 28), entry.lock_version)
    entry = entries.serve_notice(labour.officer, entry.id, "番人社告1号", SERVED, entry.lock_version)
    entry = entries.decide(labour.officer, entry.id, "番人社决1号", date(2026, 10, 20), None, entry.lock_version)
    with pytest.raises(InvalidInput, match="不能早于列入决定日期"):
        entries.publish(labour.officer, entry.id, date(2026, 10, 19), entry.lock_version)


def test_a_responsible_person_is_never_acted_on_alone(labour: Labour, db: Session) -> None:
    entry = proposed(labour)
    [boss] = children(db, entry)
    with pytest.raises(InvalidInput, match=f"随单位条目 {entry.id} 一并办理"):
        entries.serve_notice(labour.officer, boss.id, "番人社告1号", SERVED, boss.lock_version)


# --------------------------------------------------------------------------------------------- who and when
def test_only_the_keeping_department_or_the_credit_office_may_act(labour: Labour, db: Session) -> None:
    with pytest.raises(PermissionDenied, match="只能办理本部门负责的名单"):
        entries.propose(labour.other, "wage_arrears", labour.employer.id, REASONS, "")
    entry = proposed(labour)
    with pytest.raises(PermissionDenied):
        entries.serve_notice(labour.other, entry.id, "番人社告1号", SERVED, entry.lock_version)
    regulator = Context(session=db, actor="reg", role="regulator")
    with pytest.raises(PermissionDenied):
        entries.serve_notice(regulator, entry.id, "番人社告1号", SERVED, entry.lock_version)
    office = Context(session=db, actor="office", role="credit_office_staff")
    entry = entries.serve_notice(office, entry.id, "番人社告1号", SERVED, entry.lock_version)
    assert entry.status == "noticed"


def test_a_stale_version_is_refused(labour: Labour) -> None:
    entry = proposed(labour)
    seen = entry.lock_version
    entries.serve_notice(labour.officer, entry.id, "番人社告1号", SERVED, seen)
    with pytest.raises(StaleCase):
        entries.drop(labour.officer, entry.id, "不予列入", seen)
    assert entry.status == "noticed"


def test_a_missing_department_is_named(ctx: Context, db: Session) -> None:
    firm = company(ctx, "广州无部门有限公司", 705)
    with pytest.raises(NotFound, match=r"认定部门（代码 rsj）尚未登记"):
        entries.propose(ctx, "wage_arrears", firm.id, REASONS, "")
