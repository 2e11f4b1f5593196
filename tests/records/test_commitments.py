"""信用承诺 (issue #5 item 2) on the service layer: every type, who may sign and record, the 告知承诺 refusal for
serious bad credit in force and for an unrepaired false commitment (and its end once repaired or expired),
verification with optimistic locking, a breach becoming a ``commitment_breach`` credit record that the status
rule counts, the public list, the department feed and the overdue step of the daily job."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

import factories
from records_factories import make_batch, make_record
from xinyong.auth import pii
from xinyong.auth.context import Context
from xinyong.auth.models import AuditEvent
from xinyong.auth.permissions import PermissionDenied
from xinyong.catalog.items import load_catalog
from xinyong.errors import Conflict, InvalidInput, NotFound
from xinyong.records import commitments as cm
from xinyong.records import effects, jobs
from xinyong.records.cases import StaleCase, case_history
from xinyong.records.commitment_rules import commitment_rules
from xinyong.records.models import CaseEvent, Commitment, CreditRecord, Notification
from xinyong.records.status import in_force_condition, record_status
from xinyong.subjects.models import Department, Subject
from xinyong.subjects.schemas import SubjectIn
from xinyong.subjects.service import register_subject

TODAY = date(2026, 11, 27)
KINDS = ("approval_substitute", "certification", "voluntary", "industry", "repair")


# --------------------------------------------------------------------------------------------- setup
@pytest.fixture
def dept(departments: tuple[Department, Department]) -> Department:
    return departments[0]


@pytest.fixture
def firm(ctx: Context) -> Subject:
    return factories.company(ctx, "广州禾丰贸易有限公司", 1)


def subject_ctx(db: Session, subject: Subject, at: datetime | None = None) -> Context:
    extra = {"at": at} if at else {}
    return Context(session=db, actor="hefeng", role="subject", subject_id=subject.id, **extra)


def officer_ctx(db: Session, department: Department, at: datetime | None = None) -> Context:
    extra = {"at": at} if at else {}
    return Context(session=db, actor="officer", role="department_officer", department_id=department.id, **extra)


def at_day(day: date) -> datetime:
    """10:00 Beijing time on ``day``."""
    return datetime(day.year, day.month, day.day, 2, 0, tzinfo=UTC)


def sign(ctx: Context, subject: Subject, department: Department, kind: str = "approval_substitute", **kw: str):
    values = {"matter": "食品经营许可", "text": "本单位承诺所填信息真实有效。", "signer_name": "李四"} | kw
    return cm.sign_commitment(ctx, subject_id=subject.id, kind=kind, department_id=department.id, **values)


def serious_record(db: Session, department: Department, subject: Subject, *, end: date = date(2027, 6, 1)):
    record = make_record(
        db, make_batch(db, department), doc_no="番市监罚〔2026〕88号", decided_on=date(2026, 6, 1), subject=subject
    )
    record.severity = "serious"
    record.publicity_end = end
    db.flush()
    return record


def breach(ctx: Context, commitment: Commitment, *, false: bool = True) -> Commitment:
    return cm.verify_commitment(ctx, commitment.id, "breached", "未在承诺期限内补齐材料，经核查承诺不实", false)


# --------------------------------------------------------------------------------------------- signing
@pytest.mark.parametrize("kind", KINDS)
def test_subject_signs_every_type_with_its_rules(db: Session, firm: Subject, dept: Department, kind: str) -> None:
    spec = commitment_rules().types[kind]
    row = sign(subject_ctx(db, firm), firm, dept, kind)
    assert (row.status, row.recorded_by, row.signed_on, row.kind) == ("signed", "subject", TODAY, kind)
    assert (row.subject_name, row.subject_uscc) == (firm.name, firm.uscc)
    assert row.published is spec.published
    assert row.rule_version == commitment_rules().version
    if kind == "repair":
        assert row.verify_due is None  # verified with the repair it backs
    else:
        assert row.verify_due == TODAY + timedelta(days=spec.verify_days or 0)
    note = db.scalar(select(Notification).where(Notification.case_type == "commitment", Notification.case_id == row.id))
    assert note is not None and note.department_id == dept.id and note.kind == "received"
    assert [e.action for e in case_history(db, "commitment", row.id)] == ["sign"]
    event = db.scalar(select(AuditEvent).where(AuditEvent.target_type == "commitment").order_by(AuditEvent.id))
    assert event is not None and event.action == "commitments.sign" and event.detail["kind"] == kind


def test_verification_due_dates_per_type() -> None:
    rules = commitment_rules()
    assert rules.types["approval_substitute"].verify_due(TODAY, "x") == date(2027, 1, 26)
    assert rules.types["certification"].verify_due(TODAY, "x") == date(2027, 1, 26)
    assert rules.types["voluntary"].verify_due(TODAY, "x") == date(2027, 5, 26)
    assert rules.types["repair"].verify_due(TODAY, "x") is None
    notice = {k for k, t in rules.types.items() if t.notice}
    assert notice == {"approval_substitute", "certification"}
    assert {t.label for t in rules.types.values()} == {
        "审批替代型",
        "证明事项告知承诺",
        "主动型",
        "行业自律型",
        "信用修复型",
    }


def test_matter_deadline_overrides_the_type(ctx: Context) -> None:
    from xinyong.records.commitment_rules import MatterDeadline

    spec = commitment_rules().types["certification"]
    special = spec.model_copy(
        update={"matter_deadlines": (MatterDeadline(matter_contains="食品", verify_days=30, source="test"),)}
    )
    assert special.verify_due(TODAY, "食品经营许可") == TODAY + timedelta(days=30)
    assert special.verify_due(TODAY, "建筑施工许可") == TODAY + timedelta(days=60)


def test_templates_fill_subject_matter_and_department(db: Session, firm: Subject, dept: Department) -> None:
    text = cm.default_text(subject_ctx(db, firm), "certification", firm.id, dept.id, "食品经营许可")
    assert firm.name in text and "食品经营许可" in text and dept.name in text
    assert " " not in text and "{" not in text


def test_department_records_a_paper_commitment_for_its_own_department_only(
    db: Session, firm: Subject, departments: tuple[Department, Department]
) -> None:
    own, other = departments
    row = sign(officer_ctx(db, own), firm, own, "voluntary")
    assert row.recorded_by == "department"
    assert [e.action for e in case_history(db, "commitment", row.id)] == ["record"]
    with pytest.raises(PermissionDenied):
        sign(officer_ctx(db, own), firm, other, "voluntary", matter="另一事项")
    office = Context(session=db, actor="office", role="credit_office_staff")
    assert sign(office, firm, other, "voluntary", matter="第三事项").recorded_by == "office"


def test_only_the_subject_itself_signs_online(db: Session, ctx: Context, firm: Subject, dept: Department) -> None:
    other = factories.company(ctx, "广州另一家贸易有限公司", 2)
    with pytest.raises(PermissionDenied):
        sign(subject_ctx(db, other), firm, dept)
    for role in ("regulator", "bank", "auditor", "public"):
        with pytest.raises(PermissionDenied):
            sign(Context(session=db, actor=role, role=role), firm, dept)
    assert db.scalar(select(func.count()).select_from(Commitment)) == 0


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("matter", "   ", "承诺事项不能为空"),
        ("matter", "事" * 201, "承诺事项过长"),
        ("text", "", "承诺内容不能为空"),
        ("text", "诺" * 4001, "承诺内容过长"),
        ("signer_name", "", "签署人"),
        ("matter", "食品\x00许可", "控制字符"),
    ],
)
def test_bad_input_is_refused_in_chinese(
    db: Session, firm: Subject, dept: Department, field: str, value: str, message: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        sign(subject_ctx(db, firm), firm, dept, **{field: value})
    assert message in caught.value.message and caught.value.field == field


def test_unknown_type_department_or_subject(db: Session, ctx: Context, firm: Subject, dept: Department) -> None:
    with pytest.raises(InvalidInput) as caught:
        sign(subject_ctx(db, firm), firm, dept, "promise")
    assert "承诺类型无效" in caught.value.message
    with pytest.raises(NotFound):
        cm.sign_commitment(
            ctx, subject_id=firm.id, kind="voluntary", department_id=999_999, matter="x", text="x", signer_name="x"
        )
    with pytest.raises(NotFound):
        cm.sign_commitment(
            ctx, subject_id=999_999, kind="voluntary", department_id=dept.id, matter="x", text="x", signer_name="x"
        )


def test_double_submission_is_refused_but_repair_commitments_follow_their_applications(
    db: Session, firm: Subject, dept: Department
) -> None:
    first = sign(subject_ctx(db, firm), firm, dept)
    with pytest.raises(Conflict) as caught:
        sign(subject_ctx(db, firm), firm, dept)
    assert f"编号 {first.id}" in caught.value.message
    # once verified, the same matter may be committed again
    cm.verify_commitment(officer_ctx(db, dept), first.id, "kept", "")
    assert sign(subject_ctx(db, firm), firm, dept).id != first.id
    a = sign(subject_ctx(db, firm), firm, dept, "repair", matter="番市监罚〔2026〕1号")
    b = sign(subject_ctx(db, firm), firm, dept, "repair", matter="番市监罚〔2026〕1号")
    assert a.id != b.id


def test_resolve_subject_by_code(db: Session, ctx: Context, firm: Subject, dept: Department) -> None:
    officer = officer_ctx(db, dept)
    assert cm.resolve_subject(officer, None, firm.uscc.lower()) == firm.id
    with pytest.raises(NotFound):
        cm.resolve_subject(officer, None, factories.uscc(777))
    with pytest.raises(InvalidInput):
        cm.resolve_subject(officer, None, "12345")
    with pytest.raises(InvalidInput):
        cm.resolve_subject(officer, None, None)
    assert cm.resolve_subject(subject_ctx(db, firm), None, None) == firm.id


# --------------------------------------------------------------------------------------------- the refusal rule
@pytest.mark.parametrize("kind", ["approval_substitute", "certification"])
def test_notice_commitment_refused_for_serious_bad_credit_in_force(
    db: Session, firm: Subject, dept: Department, kind: str
) -> None:
    serious_record(db, dept, firm)
    with pytest.raises(Conflict) as caught:
        sign(subject_ctx(db, firm), firm, dept, kind)
    assert "严重失信记录" in caught.value.message and "番市监罚〔2026〕88号" in caught.value.message
    assert caught.value.code == "commitment_refused"
    # not a 告知承诺: allowed
    assert sign(subject_ctx(db, firm), firm, dept, "voluntary").status == "signed"
    assert sign(subject_ctx(db, firm), firm, dept, "repair").status == "signed"


def test_general_or_expired_or_repaired_records_do_not_refuse(
    db: Session, ctx: Context, firm: Subject, dept: Department
) -> None:
    record = serious_record(db, dept, firm, end=date(2027, 6, 1))
    assert cm.refusal_reason(ctx, firm.id, TODAY) is not None
    # time travel: after the publicity end the record is no longer in force
    assert cm.refusal_reason(ctx, firm.id, date(2027, 6, 2)) is None
    assert cm.refusal_reason(ctx, firm.id, date(2027, 6, 1)) is not None
    later = at_day(date(2027, 6, 2))
    assert sign(subject_ctx(db, firm, later), firm, dept).signed_on == date(2027, 6, 2)
    # repaired today: allowed from today on
    effects.add_effect(ctx, record, "repaired", TODAY, source_type="repair", source_id=None)
    assert cm.refusal_reason(ctx, firm.id, TODAY) is None
    assert cm.refusal_reason(ctx, firm.id, TODAY - timedelta(days=1)) is not None
    # a general record never refuses
    record.severity = "general"
    db.flush()
    assert cm.refusal_reason(ctx, firm.id, TODAY - timedelta(days=1)) is None


def test_a_superseded_serious_version_does_not_refuse(
    db: Session, ctx: Context, firm: Subject, dept: Department
) -> None:
    old = serious_record(db, dept, firm)
    newer = make_record(
        db, make_batch(db, dept), doc_no=old.doc_no, decided_on=old.decided_on, subject=firm, supersedes=old
    )
    newer.severity = "general"
    db.flush()
    assert cm.refusal_reason(ctx, firm.id, TODAY) is None


def test_another_subjects_record_does_not_refuse(db: Session, ctx: Context, firm: Subject, dept: Department) -> None:
    other = factories.company(ctx, "广州另一家贸易有限公司", 2)
    serious_record(db, dept, other)
    assert sign(subject_ctx(db, firm), firm, dept).status == "signed"


def test_false_commitment_refuses_until_its_breach_record_is_repaired(
    db: Session, ctx: Context, firm: Subject, dept: Department
) -> None:
    first = sign(subject_ctx(db, firm), firm, dept)
    breach(officer_ctx(db, dept), first)
    with pytest.raises(Conflict) as caught:
        sign(subject_ctx(db, firm), firm, dept, "certification", matter="建筑施工许可")
    assert "虚假承诺" in caught.value.message and f"承诺编号 {first.id}" in caught.value.message
    # before the breach was decided the subject was not refused (time travel)
    assert cm.refusal_reason(ctx, firm.id, TODAY - timedelta(days=1)) is None
    record = db.get(CreditRecord, first.breach_record_id)
    assert record is not None
    effects.add_effect(ctx, record, "repaired", TODAY, source_type="repair", source_id=None)
    assert sign(subject_ctx(db, firm), firm, dept, "certification", matter="建筑施工许可").status == "signed"


def test_false_commitment_refuses_until_its_breach_record_expires(
    db: Session, ctx: Context, firm: Subject, dept: Department
) -> None:
    breach(officer_ctx(db, dept), sign(subject_ctx(db, firm), firm, dept))
    record = db.scalar(select(CreditRecord).where(CreditRecord.item_id == "commitment_breach"))
    assert record is not None and record.publicity_end == TODAY + timedelta(days=365)
    assert cm.refusal_reason(ctx, firm.id, record.publicity_end) is not None
    assert cm.refusal_reason(ctx, firm.id, record.publicity_end + timedelta(days=1)) is None


def test_a_breach_that_is_not_a_false_commitment_does_not_refuse(
    db: Session, ctx: Context, firm: Subject, dept: Department
) -> None:
    row = sign(subject_ctx(db, firm), firm, dept, "voluntary")
    breach(officer_ctx(db, dept), row, false=False)
    assert cm.refusal_reason(ctx, firm.id, TODAY) is None


# --------------------------------------------------------------------------------------------- verification
def test_kept_commitment(db: Session, firm: Subject, dept: Department) -> None:
    row = sign(subject_ctx(db, firm), firm, dept)
    version = row.lock_version
    done = cm.verify_commitment(officer_ctx(db, dept), row.id, "kept", "经数据共享核查属实", False, version)
    assert (done.status, done.outcome_on, done.breach_record_id) == ("kept", TODAY, None)
    assert done.lock_version == version + 1
    assert db.scalar(select(func.count()).select_from(CreditRecord)) == 0
    note = db.scalar(select(Notification).where(Notification.dedupe_key == f"commitment:{row.id}:outcome"))
    assert note is not None and note.subject_id == firm.id and "已履约" in note.message
    history = case_history(db, "commitment", row.id)
    assert [(e.action, e.from_status, e.to_status) for e in history] == [
        ("sign", None, "signed"),
        ("verify", "signed", "kept"),
    ]
    with pytest.raises(Conflict) as caught:
        cm.verify_commitment(officer_ctx(db, dept), row.id, "breached", "x")
    assert "已核查" in caught.value.message


def test_breach_becomes_a_negative_credit_record_in_force(
    db: Session, ctx: Context, firm: Subject, dept: Department
) -> None:
    row = sign(subject_ctx(db, firm), firm, dept)
    breach(officer_ctx(db, dept), row)
    assert (row.status, row.false_commitment) == ("breached", True)
    record = db.get(CreditRecord, row.breach_record_id)
    assert record is not None
    item = load_catalog().item("commitment_breach")
    assert item.negative and item.publicity_rule == "stated" and not item.dual_publicity
    assert (record.item_id, record.department_id, record.subject_id) == ("commitment_breach", dept.id, firm.id)
    assert record.doc_no == cm.breach_doc_no(row.id) and record.decided_on == TODAY
    assert record.category == "审批替代型" and record.subject_uscc == firm.uscc
    assert record.data["false_commitment"] == "是" and record.data["matter"] == "食品经营许可"
    assert record.data["source_department_uscc"] == dept.uscc
    in_force = select(CreditRecord.id).where(CreditRecord.subject_id == firm.id, in_force_condition(TODAY))
    assert db.scalars(in_force).all() == [record.id]
    assert record_status(ctx, record, TODAY).code == "published"
    note = db.scalar(select(Notification).where(Notification.dedupe_key == f"commitment:{row.id}:outcome"))
    assert note is not None and "违约" in note.message and "虚假承诺" in note.message
    actions = db.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions[-2:] == ["intake.submit", "commitments.verify"]


def test_breach_of_a_natural_person_links_the_person(db: Session, ctx: Context, dept: Department) -> None:
    number = factories.ric("19800101", "011")
    person = register_subject(ctx, SubjectIn(kind="natural_person", name="王小明", ric=number))
    row = sign(officer_ctx(db, dept), person, dept, "voluntary")
    breach(officer_ctx(db, dept), row)
    record = db.get(CreditRecord, row.breach_record_id)
    assert record is not None and record.subject_id == person.id and record.subject_kind == "natural_person"
    assert record.id_cipher and pii.decrypt(record.id_cipher) == number
    assert number not in str(record.data)


def test_breach_needs_facts_and_false_needs_a_breach(db: Session, firm: Subject, dept: Department) -> None:
    row = sign(subject_ctx(db, firm), firm, dept)
    with pytest.raises(InvalidInput) as caught:
        cm.verify_commitment(officer_ctx(db, dept), row.id, "breached", "  ")
    assert "违约事实不能为空" in caught.value.message
    with pytest.raises(InvalidInput):
        cm.verify_commitment(officer_ctx(db, dept), row.id, "kept", "", True)
    with pytest.raises(InvalidInput):
        cm.verify_commitment(officer_ctx(db, dept), row.id, "maybe", "x")
    with pytest.raises(NotFound):
        cm.verify_commitment(officer_ctx(db, dept), 999_999, "kept", "")
    assert row.status == "signed"


def test_who_may_verify(db: Session, firm: Subject, departments: tuple[Department, Department]) -> None:
    own, other = departments
    row = sign(subject_ctx(db, firm), firm, own)
    for ctx in (officer_ctx(db, other), subject_ctx(db, firm), Context(session=db, actor="b", role="bank")):
        with pytest.raises(PermissionDenied):
            cm.verify_commitment(ctx, row.id, "kept", "")
    regulator = Context(session=db, actor="inspector", role="regulator")
    assert cm.verify_commitment(regulator, row.id, "kept", "现场核查").status == "kept"


def test_stale_verifier_loses(db: Session, firm: Subject, dept: Department) -> None:
    row = sign(subject_ctx(db, firm), firm, dept)
    seen = row.lock_version
    cm.verify_commitment(officer_ctx(db, dept), row.id, "kept", "", False, seen)
    with pytest.raises(StaleCase):
        breach_ctx = Context(session=db, actor="inspector", role="regulator")
        cm.verify_commitment(breach_ctx, row.id, "breached", "违约", True, seen)
    assert row.status == "kept" and row.breach_record_id is None


def test_concurrent_change_in_the_database_is_a_stale_case(db: Session, firm: Subject, dept: Department) -> None:
    """Another transaction's verification (lock_version bumped in the table behind the loaded row) is caught at
    flush by the version column, on both databases, before any breach record is loaded."""
    row = sign(subject_ctx(db, firm), firm, dept)
    db.execute(
        update(Commitment.__table__)
        .where(Commitment.__table__.c.id == row.id)
        .values(lock_version=Commitment.__table__.c.lock_version + 1, status="kept")
    )
    with pytest.raises(StaleCase):
        breach(officer_ctx(db, dept), row)
    db.rollback()
    assert db.scalar(select(func.count()).select_from(CreditRecord)) == 0


# --------------------------------------------------------------------------------------------- reads
def test_public_list_shows_published_commitments_masked(
    db: Session, ctx: Context, firm: Subject, dept: Department
) -> None:
    person = register_subject(ctx, SubjectIn(kind="natural_person", name="王小明", ric=factories.ric()))
    sign(subject_ctx(db, firm), firm, dept, "approval_substitute")
    sign(subject_ctx(db, firm), firm, dept, "repair")  # not published by default
    sign(officer_ctx(db, dept), person, dept, "voluntary", matter="诚信经营")
    public = Context(session=db, actor="anonymous", role="public")
    page = cm.public_commitments(public)
    assert page.total == 2
    names = {i.subject_name for i in page.items}
    assert names == {firm.name, "王**"}
    assert {i.kind_label for i in page.items} == {"审批替代型", "主动型"}
    assert all(i.uscc is None for i in page.items if i.subject_name == "王**")
    assert cm.public_commitments(public, q="王小明").total == 0  # natural persons are not searchable by name
    assert cm.public_commitments(public, q="禾丰").total == 1
    assert cm.public_commitments(public, q=firm.uscc).total == 1
    assert cm.public_commitments(public, q="诚信").total == 1  # matter fragment


def test_office_hides_a_commitment_from_the_public_list(db: Session, firm: Subject, dept: Department) -> None:
    row = sign(subject_ctx(db, firm), firm, dept)
    with pytest.raises(PermissionDenied):
        cm.set_published(officer_ctx(db, dept), row.id, False)
    office = Context(session=db, actor="office", role="credit_office_staff")
    cm.set_published(office, row.id, False)
    assert cm.public_commitments(Context(session=db, actor="a", role="public")).total == 0
    assert [e.action for e in case_history(db, "commitment", row.id)][-1] == "unpublish"


def test_department_feed_is_the_departments_own_list(
    db: Session, ctx: Context, firm: Subject, departments: tuple[Department, Department]
) -> None:
    own, other = departments
    mine = sign(subject_ctx(db, firm), firm, own)
    sign(subject_ctx(db, firm), firm, other, "voluntary")
    feed = cm.department_feed(officer_ctx(db, own))
    assert [r.id for r in feed.items] == [mine.id] and feed.department_id == own.id
    assert feed.items[0].verify_due == date(2027, 1, 26) and feed.items[0].status_label == "待核查"
    with pytest.raises(PermissionDenied):
        cm.department_feed(officer_ctx(db, own), department_id=other.id)
    office = Context(session=db, actor="office", role="credit_office_staff")
    assert cm.department_feed(office).total == 2
    assert cm.department_feed(office, department_id=other.id).total == 1
    assert cm.department_feed(office, since=TODAY + timedelta(days=1)).total == 0
    assert cm.department_feed(office, status="kept").total == 0
    with pytest.raises(InvalidInput):
        cm.department_feed(office, status="lost")
    with pytest.raises(PermissionDenied):
        cm.department_feed(subject_ctx(db, firm))
    reads = db.scalars(select(AuditEvent).where(AuditEvent.action == "read.commitment").order_by(AuditEvent.id)).all()
    assert len(reads) == 5


def test_feed_since_includes_commitments_verified_later(db: Session, firm: Subject, dept: Department) -> None:
    row = sign(subject_ctx(db, firm), firm, dept)
    later = at_day(date(2026, 12, 10))
    cm.verify_commitment(officer_ctx(db, dept, later), row.id, "kept", "")
    feed = cm.department_feed(officer_ctx(db, dept, later), since=date(2026, 12, 1))
    assert [(r.id, r.status) for r in feed.items] == [(row.id, "kept")]


def test_detail_and_my_commitments(db: Session, ctx: Context, firm: Subject, departments) -> None:
    own, other = departments
    row = sign(subject_ctx(db, firm), firm, own)
    detail = cm.commitment_detail(subject_ctx(db, firm), row.id)
    assert detail.text == row.text and detail.version == row.lock_version
    assert [s.action_label for s in detail.history] == ["在线签署"] and detail.history[0].actor is None
    staff = cm.commitment_detail(officer_ctx(db, own), row.id)
    assert staff.history[0].actor == "hefeng"
    reads = select(AuditEvent.target_id).where(AuditEvent.action == "read.commitment")
    assert db.scalars(reads).all() == [str(row.id)]  # the subject's own read is not audited, staff's is
    cm.commitment_detail(officer_ctx(db, own), row.id, audit_read=False)
    assert len(db.scalars(reads).all()) == 1
    with pytest.raises(PermissionDenied):
        cm.commitment_detail(officer_ctx(db, other), row.id)
    stranger = factories.company(ctx, "广州另一家贸易有限公司", 2)
    with pytest.raises(PermissionDenied):
        cm.commitment_detail(subject_ctx(db, stranger), row.id)
    assert [r.id for r in cm.my_commitments(subject_ctx(db, firm))] == [row.id]
    assert cm.my_commitments(subject_ctx(db, stranger)) == []
    office = Context(session=db, actor="office", role="credit_office_staff")
    assert [r.id for r in cm.my_commitments(office, firm.id)] == [row.id]
    with pytest.raises(InvalidInput):
        cm.my_commitments(office)
    with pytest.raises(PermissionDenied):
        cm.my_commitments(officer_ctx(db, own))


# --------------------------------------------------------------------------------------------- the daily job
def test_overdue_verifications_are_flagged_once(db: Session, ctx: Context, firm: Subject, dept: Department) -> None:
    due = sign(subject_ctx(db, firm), firm, dept)  # due 2027-01-26
    done = sign(subject_ctx(db, firm), firm, dept, matter="另一许可")
    cm.verify_commitment(officer_ctx(db, dept), done.id, "kept", "")
    sign(subject_ctx(db, firm), firm, dept, "repair")  # no due date
    seen = due.lock_version
    assert cm.flag_overdue(ctx, date(2027, 1, 26)) == 0  # the due day itself is still in time
    assert cm.flag_overdue(ctx, date(2027, 1, 27)) == 1
    assert due.overdue is True and due.lock_version == seen  # a flag, not a decision: the form stays valid
    assert cm.flag_overdue(ctx, date(2027, 1, 27)) == 0
    assert cm.flag_overdue(ctx, date(2027, 2, 1)) == 0
    notes = db.scalars(select(Notification).where(Notification.kind == "overdue")).all()
    assert [(n.case_id, n.department_id) for n in notes] == [(due.id, dept.id)]
    events = db.scalars(select(CaseEvent.action).where(CaseEvent.case_id == due.id)).all()
    assert events.count("overdue") == 1
    feed = cm.department_feed(officer_ctx(db, dept), overdue=True)
    assert [r.id for r in feed.items] == [due.id] and feed.items[0].overdue
    cm.verify_commitment(officer_ctx(db, dept), due.id, "kept", "", False, seen)
    assert cm.department_feed(officer_ctx(db, dept), overdue=True).total == 0


def test_daily_job_runs_the_commitment_step(db: Session, ctx: Context, firm: Subject, dept: Department) -> None:
    sign(subject_ctx(db, firm), firm, dept)
    assert jobs.run_daily(ctx, date(2027, 2, 1)).steps["commitments_overdue"] == 1
    assert jobs.run_daily(ctx, date(2027, 2, 1)).steps["commitments_overdue"] == 0
    with pytest.raises(PermissionDenied):
        cm.flag_overdue(officer_ctx(db, dept), date(2027, 2, 1))
