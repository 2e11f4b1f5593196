"""Reads of the listing procedure (issue #7): the staff list with filters and department scoping, one entry's
detail with its steps, notice text, responsible persons, history and files, a subject's entries, and the public
lists on a day — natural persons masked, ID numbers never shown — on SQLite and PostgreSQL."""

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
from xinyong.errors import InvalidInput, NotFound
from xinyong.lists import entries, entry_queries
from xinyong.lists.models import ListEntry
from xinyong.subjects.models import Department, Subject
from xinyong.subjects.schemas import SubjectIn
from xinyong.subjects.service import register_subject

NUMBER = ric("19750505", "333")


@pytest.fixture
def officer(db: Session) -> Context:
    return Context(session=db, actor="rsj:officer", role="department_officer", department_id=department(db, "rsj").id)


@pytest.fixture
def boss(ctx: Context) -> Subject:
    return register_subject(ctx, SubjectIn(kind="natural_person", name="欧阳建国", ric=NUMBER))


def listed(ctx: Context, officer: Context, boss: Subject) -> ListEntry:
    firm = company(ctx, "广州欠薪查询劳务有限公司", 901)
    entry = entries.propose(officer, "wage_arrears", firm.id, "拖欠工资45万元", "", "番人社限付1号", [boss.id])
    entry = entries.serve_notice(officer, entry.id, "番人社告1号", date(2026, 9, 29), entry.lock_version)
    entry = entries.decide(officer, entry.id, "番人社决1号", date(2026, 10, 13), None, entry.lock_version)
    return entries.publish(officer, entry.id, date(2026, 10, 14), entry.lock_version)


def public(db: Session) -> Context:
    return Context(session=db, actor="anonymous", role="public")


def test_the_staff_list_filters_and_scopes_by_department(
    ctx: Context, db: Session, officer: Context, boss: Subject, departments: tuple[Department, Department]
) -> None:
    entry = listed(ctx, officer, boss)
    market = Context(session=db, actor="m", role="department_officer", department_id=departments[0].id)
    red = entries.propose(market, "contract_honouring", company(ctx, "广州红名单有限公司", 902).id, "评定", "")
    office = Context(session=db, actor="office", role="credit_office_staff")
    assert [e.id for e in entry_queries.list_entries(office).items] == [red.id, entry.id]
    assert [e.id for e in entry_queries.list_entries(officer).items] == [entry.id]  # own department only
    assert entry_queries.list_entries(office, list_code="wage_arrears", status="published").total == 1
    assert entry_queries.list_entries(office, status="proposed").items[0].id == red.id
    assert entry_queries.list_entries(office, q="欠薪查询").items[0].subject_name == "广州欠薪查询劳务有限公司"
    firm = entry_queries.list_entries(office, q=entry_queries.summary(office, entry).subject_code).items
    assert [e.id for e in firm] == [entry.id]
    persons = entry_queries.list_entries(office, q=NUMBER).items  # an ID number finds the person by its hash
    assert [(p.role, p.subject_code) for p in persons] == [("responsible_person", NUMBER[:4] + "*" * 10 + NUMBER[-4:])]
    with pytest.raises(PermissionDenied):
        entry_queries.list_entries(officer, department_id=departments[0].id)
    with pytest.raises(PermissionDenied):
        entry_queries.list_entries(public(db))
    with pytest.raises(InvalidInput, match="控制字符"):
        entry_queries.list_entries(office, q="欠薪\x00")
    with pytest.raises(InvalidInput, match="状态应为"):
        entry_queries.list_entries(office, status="nope")
    rows = entry_queries.subject_entries(office, boss.id)
    assert [(r.role, r.parent_id, r.in_force) for r in rows] == [("responsible_person", entry.id, True)]


def test_the_detail_holds_every_step_and_is_audited(ctx: Context, db: Session, officer: Context, boss: Subject) -> None:
    entry = listed(ctx, officer, boss)
    entries.attach(officer, entry.id, "送达回证.pdf", b"%PDF-1.4 served")
    detail = entry_queries.entry_detail(officer, entry.id)
    assert (detail.status, detail.in_force, detail.defence_due, detail.expires_on) == (
        "published",
        True,
        date(2026, 10, 12),
        date(2029, 10, 13),
    )
    assert detail.notice_text and "陈述申辩期" not in detail.notice_text and "至 2026-10-12" in detail.notice_text
    assert "欧阳建国" in detail.notice_text and detail.next_steps == ["remove"]
    assert detail.early_removal_rule and "6 个月" in detail.early_removal_rule and detail.earliest_early_removal is None
    assert [p.subject_name for p in detail.responsible_persons] == ["欧阳建国"]
    assert NUMBER not in detail.model_dump_json()
    assert [h.action for h in detail.history] == ["propose", "notice", "decide", "publish", "attach"]
    assert [f.filename for f in detail.files] == ["送达回证.pdf"]
    file_id = detail.files[0].id
    assert entry_queries.entry_file(officer, entry.id, file_id).content == b"%PDF-1.4 served"
    reads = db.scalars(select(AuditEvent.action).where(AuditEvent.action.like("read.%")).order_by(AuditEvent.id)).all()
    assert reads == ["read.list_entry", "read.case_file"]
    regulator = Context(session=db, actor="reg", role="regulator")
    assert entry_queries.entry_detail(regulator, entry.id).next_steps == []
    with pytest.raises(NotFound):
        entry_queries.entry_detail(officer, 999999)
    child = entry_queries.entry_detail(officer, detail.responsible_persons[0].id)
    assert child.parent_id == entry.id and child.next_steps == []


def test_the_public_list_masks_natural_persons_and_never_shows_id_numbers(
    ctx: Context, db: Session, officer: Context, boss: Subject
) -> None:
    entry = listed(ctx, officer, boss)
    fgj = department(db, "fgj")
    person = register_subject(ctx, SubjectIn(kind="natural_person", name="司马光明", ric=ric("19660606", "777")))
    published_entry(db, person, "serious_dishonesty", published_on=date(2026, 5, 6))
    assert fgj.code == "fgj"
    page = entry_queries.public_entries(public(db), "wage_arrears")
    [row] = page.items
    assert (row.id, row.subject_name, row.responsible_persons) == (entry.id, "广州欠薪查询劳务有限公司", ["欧***"])
    assert row.uscc and row.authority == "广州市番禺区人力资源和社会保障局"
    serious = entry_queries.public_entries(public(db), "serious_dishonesty")
    assert [(r.subject_name, r.uscc) for r in serious.items] == [("司***", None)]
    body = page.model_dump_json() + serious.model_dump_json()
    assert NUMBER not in body and "欧阳建国" not in body and "司马光明" not in body
    assert (
        entry_queries.public_entries(public(db), "serious_dishonesty", q="司马").total == 0
    )  # never by a person's name
    assert entry_queries.public_entries(public(db), "wage_arrears", q="欠薪查询").total == 1
    summary = {s.code: s.in_force for s in entry_queries.public_lists(public(db))}
    assert summary["wage_arrears"] == 1 and summary["serious_dishonesty"] == 1 and summary["contract_honouring"] == 0


def test_the_public_list_on_a_past_day(ctx: Context, db: Session, officer: Context, boss: Subject) -> None:
    entry = listed(ctx, officer, boss)
    entries.remove(officer, entry.id, "revocation", date(2026, 11, 2), "撤销", None, "", entry.lock_version)
    reader = public(db)
    assert entry_queries.public_entries(reader, "wage_arrears", as_of=date(2026, 10, 13)).total == 0
    assert entry_queries.public_entries(reader, "wage_arrears", as_of=date(2026, 11, 1)).total == 1
    assert entry_queries.public_entries(reader, "wage_arrears", as_of=date(2026, 11, 2)).total == 0
    with pytest.raises(InvalidInput, match="不能晚于今天"):
        entry_queries.public_entries(reader, "wage_arrears", as_of=date(2026, 11, 28))
    with pytest.raises(NotFound):
        entry_queries.public_entries(reader, "no_such_list")


def test_pages_are_bounded(ctx: Context, db: Session) -> None:
    for n in range(3):
        published_entry(
            db, company(ctx, f"广州分页{n}有限公司", 910 + n), "wage_arrears", published_on=date(2026, 3, 2 + n)
        )
    page = entry_queries.public_entries(public(db), "wage_arrears", offset=1, limit=1)
    assert (page.total, [r.subject_name for r in page.items]) == (3, ["广州分页1有限公司"])
    with pytest.raises(InvalidInput, match="每页条数"):
        entry_queries.public_entries(public(db), "wage_arrears", limit=500)
