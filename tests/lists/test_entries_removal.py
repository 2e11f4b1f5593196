"""Leaving a list (issue #7): early removal under the wage-arrears rule (six months after the correction, with a
commitment), revocation, expiry by hand and by the daily job, removal of an entry that is not listed, and time
travel (in force the day before the removal, not on the day) — on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from factories import company, ric
from list_factories import department, published_entry
from xinyong.auth.context import Context
from xinyong.auth.models import AuditEvent
from xinyong.auth.permissions import PermissionDenied
from xinyong.errors import Conflict, InvalidInput
from xinyong.lists import entries
from xinyong.lists.active import entries_in_force, entry_in_force
from xinyong.lists.models import ListEntry
from xinyong.records.cases import case_history
from xinyong.subjects.models import Department, Subject
from xinyong.subjects.schemas import SubjectIn
from xinyong.subjects.service import register_subject

COMMITMENT = "本单位承诺依法按时足额支付劳动者工资，如有违反自愿接受惩戒"


@pytest.fixture
def officer(db: Session) -> Context:
    rsj = department(db, "rsj")
    return Context(session=db, actor="rsj:officer", role="department_officer", department_id=rsj.id)


def listed(ctx: Context, officer: Context, n: int = 1, *, with_person: bool = True) -> ListEntry:
    """A wage-arrears entry decided 2026-01-12 and published 2026-01-13 (expires 2029-01-12)."""
    firm = company(ctx, f"广州欠薪{n}劳务有限公司", 720 + n)
    persons = []
    if with_person:
        boss = register_subject(ctx, SubjectIn(kind="natural_person", name="李老板", ric=ric("19790202", f"{n:03d}")))
        persons.append(boss.id)
    entry = entries.propose(officer, "wage_arrears", firm.id, "拖欠工资", "", "", persons)
    entry = entries.serve_notice(officer, entry.id, f"番人社告〔2025〕{n}号", date(2025, 12, 29), entry.lock_version)
    entry = entries.decide(officer, entry.id, f"番人社决〔2026〕{n}号", date(2026, 1, 12), None, entry.lock_version)
    return entries.publish(officer, entry.id, date(2026, 1, 13), entry.lock_version)


def children(db: Session, entry: ListEntry) -> list[ListEntry]:
    return list(db.scalars(select(ListEntry).where(ListEntry.parent_id == entry.id)))


def early(officer: Context, entry: ListEntry, removed_on: date, **changes: object) -> ListEntry:
    args: dict[str, object] = {
        "reason": "early_removal",
        "removed_on": removed_on,
        "note": "已全额清偿",
        "corrected_on": date(2026, 3, 10),
        "commitment_text": COMMITMENT,
        "expected_version": entry.lock_version,
    } | changes
    return entries.remove(officer, entry.id, **args)  # type: ignore[arg-type]


def test_early_removal_waits_six_months_after_the_correction_and_needs_a_commitment(
    ctx: Context, db: Session, officer: Context
) -> None:
    entry = listed(ctx, officer)
    with pytest.raises(InvalidInput, match="须自改正之日（2026-03-10）起满 6 个月，2026-09-10 起方可移出") as refused:
        early(officer, entry, date(2026, 9, 9))
    assert refused.value.field == "removed_on"
    with pytest.raises(InvalidInput, match="请填写改正日期") as refused:
        early(officer, entry, date(2026, 9, 10), corrected_on=None)
    assert refused.value.field == "corrected_on"
    with pytest.raises(InvalidInput, match="须作出信用承诺") as refused:
        early(officer, entry, date(2026, 9, 10), commitment_text="")
    assert refused.value.field == "commitment_text"
    assert entry.status == "published" and entry.removed_on is None  # nothing half-done

    entry = early(officer, entry, date(2026, 9, 10))
    assert (entry.status, entry.removal_reason, entry.removed_on) == ("removed", "early_removal", date(2026, 9, 10))
    assert (entry.corrected_on, entry.commitment_text) == (date(2026, 3, 10), COMMITMENT)
    [boss] = children(db, entry)
    assert (boss.status, boss.removed_on, boss.removal_reason) == ("removed", date(2026, 9, 10), "early_removal")
    assert [e.action for e in case_history(db, "listing", entry.id)][-1] == "remove"
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "lists.remove")).one()
    assert event.detail["reason"] == "early_removal" and event.detail["commitment"] is True


def test_time_travel_in_force_the_day_before_the_removal_not_on_the_day(
    ctx: Context, db: Session, officer: Context
) -> None:
    entry = listed(ctx, officer)
    entry = entries.remove(
        officer, entry.id, "revocation", date(2026, 6, 1), "列入决定经复议撤销", None, "", entry.lock_version
    )
    [boss] = children(db, entry)
    for row in (entry, boss):
        assert not entry_in_force(row, date(2026, 1, 12))  # before publication
        assert entry_in_force(row, date(2026, 1, 13)) and entry_in_force(row, date(2026, 5, 31))
        assert not entry_in_force(row, date(2026, 6, 1))
    ids = [entry.subject_id, boss.subject_id]
    assert {e.id for e in entries_in_force(db, ids, date(2026, 5, 31))} == {entry.id, boss.id}
    assert entries_in_force(db, ids, date(2026, 6, 1)) == []


def test_removing_an_entry_that_is_not_listed_is_refused(ctx: Context, db: Session, officer: Context) -> None:
    entry = listed(ctx, officer)
    with pytest.raises(
        Conflict, match=r"该主体在 2026-01-12 不在“拖欠农民工工资失信联合惩戒对象名单”上（自 2026-01-13 起才在名单上）"
    ):
        entries.remove(officer, entry.id, "repair", date(2026, 1, 12), "信用修复", None, "", entry.lock_version)
    entry = entries.remove(officer, entry.id, "repair", date(2026, 7, 1), "信用修复", None, "", entry.lock_version)
    with pytest.raises(Conflict, match=r"该主体不在.*已移出（信用修复移出）") as refused:
        entries.remove(officer, entry.id, "revocation", date(2026, 8, 1), "撤销", None, "", entry.lock_version)
    assert refused.value.code == "not_listed"
    firm = company(ctx, "广州拟列入劳务有限公司", 730)
    pending = entries.propose(officer, "wage_arrears", firm.id, "拖欠工资", "")
    with pytest.raises(Conflict, match=r"不在.*拟列入"):
        entries.remove(officer, pending.id, "revocation", date(2026, 8, 1), "撤销", None, "", pending.lock_version)


def test_removal_reasons_follow_the_list_kind(ctx: Context, db: Session, officer: Context) -> None:
    entry = listed(ctx, officer, with_person=False)
    with pytest.raises(InvalidInput, match="仅适用于接收名单"):
        entries.remove(officer, entry.id, "source_removed", date(2026, 7, 1), "来源移出", None, "", entry.lock_version)
    with pytest.raises(InvalidInput, match="移出情形应为"):
        entries.remove(officer, entry.id, "whim", date(2026, 7, 1), "随意", None, "", entry.lock_version)
    market = _market(db)
    firm = company(ctx, "广州严重违法失信有限公司", 731)
    received = published_entry(db, firm, "samr_serious_illegal", published_on=date(2025, 5, 6))
    office = Context(session=db, actor="office", role="credit_office_staff")
    with pytest.raises(InvalidInput, match="只能按来源机关移出"):
        entries.remove(office, received.id, "repair", date(2026, 7, 1), "修复", None, "", received.lock_version)
    received = entries.remove(office, received.id, "source_removed", date(2026, 7, 1), "来源机关移出", None, "", None)
    assert received.removal_reason == "source_removed" and market.code == "scjgj"


def _market(db: Session) -> Department:
    found = db.scalar(select(Department).where(Department.code == "scjgj"))
    if found is None:
        found = Department(code="scjgj", name="广州市番禺区市场监督管理局", uscc="11440113MB0000001X")
        db.add(found)
        db.flush()
    return found


def test_expiry_by_hand_only_once_the_period_has_ended(ctx: Context, db: Session, officer: Context) -> None:
    firm = company(ctx, "广州期满劳务有限公司", 732)
    entry = published_entry(db, firm, "wage_arrears", published_on=date(2023, 5, 4), expires_on=date(2026, 5, 4))
    fresh = listed(ctx, officer, 2)
    with pytest.raises(InvalidInput, match="2029-01-12 起方可期满移出"):
        entries.remove(officer, fresh.id, "expiry", date(2026, 11, 27), "期满", None, "", fresh.lock_version)
    entry = entries.remove(officer, entry.id, "expiry", date(2026, 11, 27), "期满移出", None, "", entry.lock_version)
    assert (entry.status, entry.removal_reason, entry.removed_on) == ("removed", "expiry", date(2026, 5, 4))


def test_the_daily_job_closes_expired_entries_once(ctx: Context, db: Session, officer: Context) -> None:
    people: list[Subject] = [company(ctx, f"广州到期{n}有限公司", 740 + n) for n in range(3)]
    gone = published_entry(db, people[0], "wage_arrears", published_on=date(2023, 5, 4), expires_on=date(2026, 5, 4))
    child = published_entry(
        db,
        register_subject(ctx, SubjectIn(kind="natural_person", name="王某", ric=ric("19700101", "555"))),
        "wage_arrears",
        published_on=date(2023, 5, 4),
        expires_on=date(2026, 5, 4),
        parent=gone,
    )
    today = published_entry(
        db, people[1], "wage_arrears", published_on=date(2023, 11, 27), expires_on=date(2026, 11, 27)
    )
    later = published_entry(db, people[2], "wage_arrears", published_on=date(2024, 1, 2), expires_on=date(2027, 1, 2))
    assert entries.expire_entries(ctx, date(2026, 11, 27)) == 3
    assert [(e.status, e.removed_on) for e in (gone, child, today)] == [
        ("removed", date(2026, 5, 4)),
        ("removed", date(2026, 5, 4)),
        ("removed", date(2026, 11, 27)),
    ]
    assert later.status == "published" and later.removal_reason is None
    assert entries.expire_entries(ctx, date(2026, 11, 27)) == 0  # idempotent
    events = db.scalars(select(AuditEvent).where(AuditEvent.action == "lists.expire").order_by(AuditEvent.id)).all()
    assert len(events) == 1 and events[0].detail["count"] == 3
    assert [e.action for e in case_history(db, "listing", gone.id)] == ["expire"]
    with pytest.raises(PermissionDenied, match=r"jobs\.run"):
        entries.expire_entries(officer, date(2026, 11, 27))
