"""Civil servants' integrity files and record checks (issue #11 item 1): files linked to natural persons whose ID
number is stored only encrypted, entries and their withdrawal, the check's result sheet (entries in force, credit
records, list entries, training hours, conclusion), bad input, scoping of department officers, audit events.
SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from matrix_integrity import (
    CIVIL_SERVANT,
    CIVIL_SERVANT_RIC,
    civil_servant_file,
    integrity_department,
    officer,
    record_entry,
    training_entry,
)
from sqlalchemy import select, text
from sqlalchemy.orm import Session

import factories
from government import gov_factories as g
from list_factories import published_entry
from records_factories import make_batch, make_record
from xinyong.auth.context import Context
from xinyong.auth.models import AuditEvent
from xinyong.auth.permissions import PermissionDenied
from xinyong.errors import Conflict, InvalidInput, NotFound
from xinyong.government import integrity, integrity_queries
from xinyong.government.integrity_schemas import CheckIn, EntryIn, FileIn
from xinyong.government.models import IntegrityCheck, IntegrityEntry, IntegrityFile
from xinyong.subjects.models import Subject


def _check(
    ctx: Context, purpose: str = "recruitment", reason: str = "2026年度公务员录用考察", **kw: object
) -> IntegrityCheck:
    data = CheckIn(
        name=kw.pop("name", CIVIL_SERVANT), ric=kw.pop("ric", CIVIL_SERVANT_RIC), purpose=purpose, reason=reason, **kw
    )  # type: ignore[arg-type]
    return integrity.run_check(ctx, data)


def _actions(db: Session) -> list[str]:
    return list(db.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_open_file_registers_the_person_with_the_id_only_encrypted(db: Session, ctx: Context) -> None:
    office = g.town_office(ctx)
    found = integrity.open_file(
        ctx, FileIn(name=CIVIL_SERVANT, ric=CIVIL_SERVANT_RIC, body_id=office.id, position="科员")
    )
    subject = db.get(Subject, found.subject_id)
    assert subject is not None and subject.kind == "natural_person" and subject.name == CIVIL_SERVANT
    assert subject.ric_cipher and CIVIL_SERVANT_RIC not in subject.ric_cipher
    assert subject.ric_masked == CIVIL_SERVANT_RIC[:4] + "*" * 10 + CIVIL_SERVANT_RIC[-4:]
    record_entry(db, found.id)
    integrity.run_check(
        ctx, CheckIn(name=CIVIL_SERVANT, ric=CIVIL_SERVANT_RIC, purpose="transfer", reason="调任考察：区发改局科员")
    )
    # the clear number is in no column of the integrity tables nor in the audit log
    for table in ("integrity_file", "integrity_entry", "integrity_check", "audit_event"):
        for row in db.execute(text(f"SELECT * FROM {table}")):
            assert CIVIL_SERVANT_RIC not in " ".join(str(v) for v in row), table
    assert {"subject.register", "integrity.open", "integrity.entry", "integrity.check"} <= set(_actions(db))


def test_open_file_links_an_existing_person_once(db: Session, ctx: Context) -> None:
    number = factories.ric("19790101", "555")
    person = integrity.person(ctx, "周已登", number)
    assert person is not None
    found = integrity.open_file(ctx, FileIn(name="周已登", ric=number.lower()))
    assert found.subject_id == person.id
    with pytest.raises(Conflict, match="已建立诚信档案"):
        integrity.open_file(ctx, FileIn(name="周已登", ric=number))
    with pytest.raises(InvalidInput, match="姓名与该公民身份号码登记的姓名不一致") as other_name:
        integrity.open_file(ctx, FileIn(name="周某某", ric=number))
    assert other_name.value.field == "name"
    with pytest.raises(InvalidInput, match="公民身份号码无效") as bad:
        integrity.open_file(ctx, FileIn(name="孙错号", ric="440113198801010000"))
    assert bad.value.field == "ric"
    with pytest.raises(NotFound):
        integrity.open_file(ctx, FileIn(name="吴无单位", ric=factories.ric("19800101", "777"), body_id=999))
    assert db.scalar(select(Subject).where(Subject.name == "孙错号")) is None


def test_entries_bad_input(db: Session, ctx: Context) -> None:
    found = civil_servant_file(db)

    def add(**kw: object) -> IntegrityEntry:
        values: dict[str, object] = {
            "kind": "record",
            "category": "discipline",
            "title": "警告处分",
            "occurred_on": date(2026, 5, 1),
        }
        values.update(kw)
        return integrity.add_entry(ctx, found.id, EntryIn.model_validate(values))

    with pytest.raises(InvalidInput, match="条目类型"):
        add(kind="note")
    with pytest.raises(InvalidInput, match="类别“online_course”无效"):
        add(category="online_course")  # a training category on a record
    with pytest.raises(InvalidInput, match="诚信记录不填写学时"):
        add(hours="2")
    with pytest.raises(InvalidInput, match="请填写培训学时"):
        add(kind="training", category="online_course")
    with pytest.raises(InvalidInput, match="培训学时应大于 0"):
        add(kind="training", category="online_course", hours="0")
    with pytest.raises(InvalidInput, match="不能晚于今天"):
        add(occurred_on=date(2026, 11, 28))
    with pytest.raises(InvalidInput, match="请填写标题"):
        add(title="  ")
    with pytest.raises(NotFound):
        integrity.add_entry(
            ctx, 999_999, EntryIn(kind="record", category="discipline", title="x", occurred_on=date(2026, 1, 1))
        )
    entry = add(kind="training", category="online_course", hours="1.5")
    assert (
        entry.hours == Decimal("1.5")
        and db.scalar(select(IntegrityEntry).where(IntegrityEntry.file_id == found.id)) is entry
    )


def test_withdraw_adds_a_row_and_is_excluded_from_the_check(db: Session, ctx: Context) -> None:
    found = civil_servant_file(db)
    adverse = record_entry(db, found.id, "admonishment")
    assert _check(ctx).conclusion == "adverse"
    withdrawal = integrity.withdraw_entry(ctx, adverse.id, "经复核，诫勉决定已撤销")
    assert withdrawal.withdraws_id == adverse.id and withdrawal.id != adverse.id
    assert db.get(IntegrityEntry, adverse.id).title == "测试记录"  # the original is kept as it was
    with pytest.raises(Conflict, match="已撤回"):
        integrity.withdraw_entry(ctx, adverse.id, "再次撤回")
    with pytest.raises(Conflict, match="不能再撤回"):
        integrity.withdraw_entry(ctx, withdrawal.id, "撤回撤回")
    with pytest.raises(InvalidInput, match="请填写撤回原因"):
        integrity.withdraw_entry(ctx, record_entry(db, found.id).id, " ")
    after = _check(ctx)
    assert after.conclusion == "clear" and after.sheet["entries"][0]["category"] == "commendation"
    assert [e["id"] for e in after.sheet["entries"]] == [
        e.id for e in db.scalars(select(IntegrityEntry).where(IntegrityEntry.category == "commendation"))
    ]
    # as of a day before the withdrawal, the record was in force
    earlier = _check(ctx, as_of=date(2026, 6, 1))
    assert earlier.conclusion == "adverse" and earlier.sheet["adverse_count"] == 1
    view = integrity_queries.read_file(ctx, found.id)
    by_id = {e.id: e for e in view.entries}
    assert by_id[adverse.id].withdrawn_by_id == withdrawal.id and view.adverse == 0
    assert "integrity.withdraw" in _actions(db)


def test_check_bad_input(db: Session, ctx: Context) -> None:
    with pytest.raises(InvalidInput, match="请填写核查事由") as missing:
        _check(ctx, reason="")
    assert missing.value.field == "reason"
    with pytest.raises(InvalidInput, match="核查事由过短"):
        _check(ctx, reason="录用")
    with pytest.raises(InvalidInput, match="核查用途应为") as purpose:
        _check(ctx, purpose="promotion")
    assert purpose.value.field == "purpose"
    with pytest.raises(InvalidInput, match="不能晚于今天"):
        _check(ctx, as_of=date(2026, 12, 1))
    with pytest.raises(InvalidInput, match="公民身份号码无效"):
        _check(ctx, ric="12345")
    assert db.scalar(select(IntegrityCheck)) is None


def test_check_without_file_gathers_records_and_lists(db: Session, ctx: Context) -> None:
    number = factories.ric("19900505", "088")
    blank = _check(ctx, name="陈新人", ric=number)
    assert blank.conclusion == "no_file" and blank.sheet["file"] is None and blank.sheet_no == "ZWCX-2026-000001"
    assert blank.sheet["person"]["ric_masked"].count("*") == 10
    person = db.get(Subject, blank.subject_id)
    assert person is not None
    market, _ = factories.departments(db)
    penalty = make_record(
        db,
        make_batch(db, market),
        doc_no="番市监罚〔2026〕8号",
        decided_on=date(2026, 4, 1),
        subject=person,
        publicity_end=date(2027, 4, 1),
    )
    published_entry(db, person, "wage_arrears", published_on=date(2026, 5, 6))
    found = _check(ctx, name="陈新人", ric=number, purpose="transfer", reason="调任考察：拟调任区人社局")
    assert found.sheet_no == "ZWCX-2026-000002" and found.conclusion == "adverse"
    assert [r["id"] for r in found.sheet["credit_records"]] == [penalty.id]
    assert found.sheet["credit_records"][0]["adverse"] and found.sheet["credit_records"][0]["status"] == "published"
    assert found.sheet["list_entries"][0]["adverse"] and found.sheet["adverse_count"] == 2
    # as of a day before both, nothing was known
    assert _check(ctx, name="陈新人", ric=number, as_of=date(2026, 3, 1)).conclusion == "no_file"


def test_training_hours_against_the_requirement(db: Session, ctx: Context) -> None:
    found = civil_servant_file(db)
    training_entry(db, found.id, "2", date(2026, 6, 1))
    training_entry(db, found.id, "3", date(2025, 10, 1))  # outside the 12 months before 2026-11-27
    short = _check(ctx).sheet["training"]
    assert short["hours"] == "2.0" and short["required"] == "4" and short["met"] is False and short["adverse"] is False
    training_entry(db, found.id, "2.5", date(2026, 11, 2))
    check = _check(ctx)
    assert check.sheet["training"]["hours"] == "4.5" and check.sheet["training"]["met"] is True
    assert check.conclusion == "clear" and len(check.sheet["trainings"]) == 2
    assert integrity_queries.read_file(ctx, found.id).training_hours == Decimal("4.5")


def test_department_officers_are_scoped(db: Session, ctx: Context) -> None:
    market, _ = factories.departments(db)
    found = civil_servant_file(db)
    outsider = officer(db, market)
    for call in (
        lambda: integrity_queries.read_file(outsider, found.id),
        lambda: integrity_queries.list_files(outsider),
        lambda: record_entry_as(outsider, found.id),
        lambda: _check(outsider),
    ):
        with pytest.raises(PermissionDenied, match="公务员诚信档案只能由区信用办和"):
            call()
    with pytest.raises(PermissionDenied):
        integrity_queries.list_files(Context(session=db, actor="anon", role="public"))
    with pytest.raises(PermissionDenied):
        integrity_queries.list_files(Context(session=db, actor="reg", role="regulator"))
    zzb = officer(db, integrity_department(db, "zzb"))
    rsj = officer(db, integrity_department(db, "rsj"))
    record_entry_as(zzb, found.id)
    mine = _check(zzb)
    assert mine.department_id == zzb.department_id
    assert integrity_queries.read_check(zzb, mine.id).sheet_no == mine.sheet_no
    with pytest.raises(NotFound):
        integrity_queries.read_check(rsj, mine.id)  # another department's check
    assert [c.id for c in integrity_queries.list_checks(zzb)] == [mine.id]
    assert integrity_queries.list_checks(rsj) == []
    assert [c.id for c in integrity_queries.list_checks(ctx)] == [mine.id]
    assert [f.id for f in integrity_queries.list_files(rsj, q="李")] == [found.id]
    # an integrity department's officer (no subjects.write) opens the file of someone the registry does not know
    number = factories.ric("19930303", "303")
    opened = integrity.open_file(zzb, FileIn(name="褚新调", ric=number))
    person = db.get(Subject, opened.subject_id)
    assert person is not None and person.kind == "natural_person" and person.ric_hash and person.ric_cipher != number
    registered = db.scalar(
        select(AuditEvent).where(AuditEvent.action == "subject.register", AuditEvent.actor == "test:zzb")
    )
    assert registered is not None and registered.target_id == str(person.id)


def record_entry_as(actor: Context, file_id: int) -> IntegrityEntry:
    data = EntryIn(kind="record", category="commendation", title="嘉奖", occurred_on=date(2026, 2, 1))
    return integrity.add_entry(actor, file_id, data)


def test_reads_are_audited_and_search_by_id_number(db: Session, ctx: Context) -> None:
    found = civil_servant_file(db)
    civil_servant_file(db, "郑另一", factories.ric("19700707", "707"))
    assert [f.id for f in integrity_queries.list_files(ctx, ric=CIVIL_SERVANT_RIC)] == [found.id]
    assert len(integrity_queries.list_files(ctx)) == 2
    with pytest.raises(InvalidInput):
        integrity_queries.list_files(ctx, ric="abc")
    integrity_queries.read_file(ctx, found.id)
    check = _check(ctx)
    integrity_queries.read_check(ctx, check.id)
    reads = set(db.scalars(select(AuditEvent.action).where(AuditEvent.action.like("read.integrity%"))))
    assert reads == {"read.integrity_file", "read.integrity_check"}
    detail = db.scalar(select(AuditEvent.detail).where(AuditEvent.action == "integrity.check"))
    assert detail["sheet_no"] == check.sheet_no and detail["conclusion"] == "clear"
    assert db.scalar(select(IntegrityFile).where(IntegrityFile.id == found.id)).opened_by == "test:operator"
