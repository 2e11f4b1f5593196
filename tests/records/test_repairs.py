"""信用修复 on the service layer: eligibility (each reason, the minimum period's boundary day), applying (materials,
commitment, routing, double submission, someone else's record), the handler's decisions (accept, refuse, extend,
grant through the one effect path with time travel, reject), optimistic locking on both databases, external
lists, deadlines over the 2026 National Day holidays and the year end, and the daily job's overdue step.
The clock is pinned at 2026-11-27 (a Friday)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from factories import company
from repairs_factories import (
    COMMITMENT,
    OBLIGATIONS,
    SIGNER,
    beijing,
    office_ctx,
    officer_ctx,
    penalty_record,
    proof,
    subject_ctx,
)
from xinyong.auth.context import Context
from xinyong.auth.models import AuditEvent
from xinyong.auth.permissions import PermissionDenied
from xinyong.calendar import CalendarRangeError
from xinyong.errors import Conflict, InvalidInput, NotFound
from xinyong.records import effects, repairs
from xinyong.records.cases import StaleCase, case_history
from xinyong.records.models import CaseFile, Commitment, CreditRecord, Notification, RecordEffect, RepairApplication
from xinyong.records.publication import search_public
from xinyong.records.repair_rules import repair_rules
from xinyong.records.repair_schemas import Eligibility
from xinyong.records.status import in_force_condition, record_status
from xinyong.settings import get_settings
from xinyong.subjects.models import Department, Subject

TODAY = date(2026, 11, 27)


@dataclass
class World:
    firm: Subject
    other: Subject
    dept: Department
    other_dept: Department
    record: CreditRecord


@pytest.fixture
def world(ctx: Context, departments: tuple[Department, Department]) -> World:
    firm = company(ctx, "广州禾丰贸易有限公司", 501)
    other = company(ctx, "广州另一贸易有限公司", 502)
    dept, other_dept = departments
    return World(firm, other, dept, other_dept, penalty_record(ctx.session, dept, firm))


def apply(ctx: Context, record: CreditRecord, files: list[tuple[str, bytes]] | None = None) -> RepairApplication:
    materials = [proof()] if files is None else files
    return repairs.apply_for_repair(ctx, record.id, OBLIGATIONS, COMMITMENT, SIGNER, materials)


def notes(db: Session, app: RepairApplication, kind: str | None = None) -> list[Notification]:
    stmt = select(Notification).where(Notification.case_type == "repair", Notification.case_id == app.id)
    if kind:
        stmt = stmt.where(Notification.kind == kind)
    return list(db.scalars(stmt.order_by(Notification.id)))


def audited(db: Session, action: str) -> int:
    return db.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action)) or 0


def unmet(result: Eligibility) -> set[str]:
    return {c.code for c in result.conditions if not c.met}


def public_ids(ctx: Context, as_of: date) -> set[int]:
    page = search_public(Context(session=ctx.session, actor="public", role="public"), "penalty", as_of=as_of)
    return {row.id for row in page.items}


def in_force_ids(db: Session, as_of: date) -> set[int]:
    return set(db.scalars(select(CreditRecord.id).where(in_force_condition(as_of))))


# --------------------------------------------------------------------------------------------- eligibility
def test_an_eligible_record_meets_every_condition(db: Session, world: World) -> None:
    result = repairs.check_eligibility(subject_ctx(db, world.firm), world.record.id)
    assert result.eligible and result.reasons == []
    assert {c.code for c in result.conditions} == {
        "subject",
        "negative",
        "in_force",
        "min_period",
        "no_open_application",
    }
    assert (result.status, result.status_label, result.min_end) == ("published", "公示中", date(2025, 9, 2))
    assert result.department_name == world.dept.name
    assert [m.name for m in result.materials if m.required] == ["履行完毕证明"]
    assert world.record.doc_no in result.commitment_text and world.firm.name in result.commitment_text
    assert result.rule_version == repair_rules().version


def test_each_unmet_condition_has_its_reason(db: Session, ctx: Context, world: World) -> None:
    licence = penalty_record(db, world.dept, world.firm, item_id="licence")
    result = repairs.check_eligibility(subject_ctx(db, world.firm), licence.id)
    assert unmet(result) == {"negative"} and "不属于失信信息" in result.reasons[0]

    theirs = repairs.check_eligibility(subject_ctx(db, world.other), world.record.id)
    assert unmet(theirs) == {"own"} and "不属于本主体" in theirs.reasons[0]
    assert theirs.doc_no is None and theirs.status is None  # nothing about someone else's record

    unlinked = penalty_record(db, world.dept, None)
    assert unmet(repairs.check_eligibility(office_ctx(db), unlinked.id)) == {"subject"}

    young = penalty_record(db, world.dept, world.firm, decided_on=date(2026, 10, 9), min_end=date(2027, 1, 9))
    result = repairs.check_eligibility(subject_ctx(db, world.firm), young.id)
    assert unmet(result) == {"min_period"} and "2027-01-10 起方可申请" in result.reasons[0]

    with pytest.raises(NotFound):
        repairs.check_eligibility(subject_ctx(db, world.firm), 10**9)


@pytest.mark.parametrize(
    ("kind", "status", "words"),
    [
        ("objection", "objected", "异议处理中"),
        ("repaired", "repaired", "已完成信用修复"),
        ("revoked", "revoked", "已被撤销"),
        ("expired", "expired", "公示期已届满"),
    ],
)
def test_a_record_not_in_force_cannot_be_repaired(
    db: Session, ctx: Context, world: World, kind: str, status: str, words: str
) -> None:
    record = world.record
    if kind == "expired":
        record.publicity_end = date(2026, 11, 26)
        db.flush()
    else:
        effects.add_effect(ctx, record, kind, date(2026, 11, 20), source_type="objection", source_id=None)  # type: ignore[arg-type]
    result = repairs.check_eligibility(subject_ctx(db, world.firm), record.id)
    assert unmet(result) == {"in_force"} and result.status == status and words in result.reasons[0]
    error = Conflict if kind == "objection" else InvalidInput
    with pytest.raises(error, match=words):
        apply(subject_ctx(db, world.firm), record)


def test_the_minimum_period_boundary_day(db: Session, world: World) -> None:
    """The last day of the minimum period is still inside it: repair from the day after."""
    firm = subject_ctx(db, world.firm)
    min_end = world.record.publicity_min_end
    assert min_end == date(2025, 9, 2)
    assert unmet(repairs.check_eligibility(firm, world.record.id, min_end)) == {"min_period"}
    assert repairs.check_eligibility(firm, world.record.id, date(2025, 9, 3)).eligible
    no_min = penalty_record(db, world.dept, world.firm, min_end=None)
    assert repairs.check_eligibility(firm, no_min.id, date(2025, 6, 3)).eligible


def test_a_superseded_version_is_checked_as_its_current_version(db: Session, world: World) -> None:
    from records_factories import make_batch, make_record

    newer = make_record(
        db,
        make_batch(db, world.dept),
        doc_no=world.record.doc_no,
        decided_on=world.record.decided_on,
        subject=world.firm,
        publicity_end=world.record.publicity_end,
        supersedes=world.record,
    )
    assert repairs.check_eligibility(subject_ctx(db, world.firm), world.record.id).record_id == newer.id


def test_who_may_check(db: Session, world: World) -> None:
    assert repairs.check_eligibility(officer_ctx(db, world.dept), world.record.id).eligible
    with pytest.raises(PermissionDenied):
        repairs.check_eligibility(officer_ctx(db, world.other_dept), world.record.id)
    with pytest.raises(PermissionDenied):
        repairs.check_eligibility(Context(session=db, actor="r", role="regulator"), world.record.id)


# --------------------------------------------------------------------------------------------- applying
def test_apply_routes_to_the_deciding_department_with_a_commitment(db: Session, world: World) -> None:
    app = apply(
        subject_ctx(db, world.firm, account_id=None), world.record, [proof(), ("现场照片.png", b"\x89PNG\r\n\x1a\n0")]
    )
    assert (app.status, app.department_id, app.subject_id, app.record_id) == (
        "submitted",
        world.dept.id,
        world.firm.id,
        world.record.id,
    )
    assert app.accept_due == date(2026, 12, 2)  # 3 working days after Friday 2026-11-27
    assert app.obligations == OBLIGATIONS and app.rule_version == repair_rules().version
    commitment = db.get(Commitment, app.commitment_id)
    assert commitment is not None
    assert (commitment.kind, commitment.department_id, commitment.subject_id) == (
        "repair",
        world.dept.id,
        world.firm.id,
    )
    assert (commitment.text, commitment.signer_name) == (COMMITMENT, SIGNER)
    files = db.scalars(select(CaseFile).where(CaseFile.case_type == "repair", CaseFile.case_id == app.id)).all()
    assert [f.filename for f in files] == ["履行完毕证明.pdf", "现场照片.png"]
    received = notes(db, app, "received")
    assert {(n.department_id, n.subject_id) for n in received} == {(world.dept.id, None), (None, world.firm.id)}
    assert [e.action for e in case_history(db, "repair", app.id)] == ["submit"]
    assert audited(db, "repairs.apply") == 1


def test_bad_applications_are_refused_with_reasons(db: Session, world: World) -> None:
    firm = subject_ctx(db, world.firm)
    with pytest.raises(InvalidInput, match="履行完毕证明"):
        apply(firm, world.record, files=[])
    with pytest.raises(InvalidInput, match="类型不受支持"):
        apply(firm, world.record, files=[("证明.exe", b"MZ")])
    with pytest.raises(InvalidInput, match="内容与扩展名不符"):
        apply(firm, world.record, files=[("证明.pdf", b"not a pdf")])
    with pytest.raises(InvalidInput, match="履行法定义务情况说明"):
        repairs.apply_for_repair(firm, world.record.id, "  ", COMMITMENT, SIGNER, [proof()])
    with pytest.raises(InvalidInput, match="承诺"):
        repairs.apply_for_repair(firm, world.record.id, OBLIGATIONS, "", SIGNER, [proof()])
    with pytest.raises(InvalidInput, match="最多上传"):
        apply(firm, world.record, files=[proof(f"{i}.pdf") for i in range(repair_rules().application.max_files + 1)])
    with pytest.raises(NotFound):
        repairs.apply_for_repair(firm, 10**9, OBLIGATIONS, COMMITMENT, SIGNER, [proof()])
    with pytest.raises(PermissionDenied, match="本主体"):
        apply(subject_ctx(db, world.other), world.record)
    with pytest.raises(PermissionDenied):
        apply(officer_ctx(db, world.dept), world.record)
    assert db.scalar(select(func.count()).select_from(RepairApplication)) == 0


def test_double_submission_is_a_conflict(db: Session, world: World) -> None:
    first = apply(subject_ctx(db, world.firm), world.record)
    with pytest.raises(Conflict, match=f"编号 {first.id}"):
        apply(subject_ctx(db, world.firm), world.record)
    result = repairs.check_eligibility(subject_ctx(db, world.firm), world.record.id)
    assert unmet(result) == {"no_open_application"} and result.open_application_id == first.id


def test_the_credit_office_enters_a_paper_application(db: Session, world: World) -> None:
    office = Context(session=db, actor="office:wang", role="credit_office_staff", account_id=None)
    app = apply(office, world.record)
    assert app.subject_id == world.firm.id and app.applicant_name == world.firm.name
    assert "纸质申请" in case_history(db, "repair", app.id)[0].note


# --------------------------------------------------------------------------------------------- deciding
def test_grant_ends_publicity_from_the_decision_day(db: Session, ctx: Context, world: World) -> None:
    record = world.record
    app = apply(subject_ctx(db, world.firm), record)
    assert record.id in public_ids(ctx, TODAY) and record.id in in_force_ids(db, TODAY)
    officer = officer_ctx(db, world.dept)
    app = repairs.accept(officer, app.id, app.lock_version, "材料齐全")
    assert (app.status, app.decide_due) == ("accepted", date(2026, 12, 8))  # 7 working days
    app = repairs.grant(officer, app.id, "已缴清罚款并完成整改，准予修复", app.lock_version)
    assert (app.status, app.decided_on) == ("granted", TODAY)
    [effect] = db.scalars(select(RecordEffect).where(RecordEffect.kind == "repaired")).all()
    assert (effect.starts_on, effect.source_type, effect.source_id) == (TODAY, "repair", app.id)
    # time travel: shown and in force up to the day before the grant, not from the grant day on
    day_before = date(2026, 11, 26)
    assert record.id in public_ids(ctx, day_before) and record.id in in_force_ids(db, day_before)
    for day in (TODAY, date(2027, 3, 1)):
        assert record.id not in public_ids(ctx, day) and record.id not in in_force_ids(db, day)
    assert record_status(ctx, record, TODAY).code == "repaired"
    assert record_status(ctx, record, day_before).code == "published"
    decision = notes(db, app, "decision")
    assert len(decision) == 1 and "准予修复" in decision[0].message and decision[0].subject_id == world.firm.id
    assert [e.action for e in case_history(db, "repair", app.id)] == ["submit", "accept", "grant"]
    assert audited(db, "repairs.grant") == 1
    commitment = db.get(Commitment, app.commitment_id)
    assert commitment is not None and commitment.status == "kept" and commitment.outcome_on == TODAY
    # repaired now: a new application is not possible
    assert unmet(repairs.check_eligibility(subject_ctx(db, world.firm), record.id)) == {"in_force"}


def test_reject_keeps_the_record_published(db: Session, ctx: Context, world: World) -> None:
    app = apply(subject_ctx(db, world.firm), world.record)
    office = office_ctx(db)
    app = repairs.accept(office, app.id, app.lock_version)
    with pytest.raises(InvalidInput):
        repairs.reject(office, app.id, " ", app.lock_version)
    app = repairs.reject(office, app.id, "罚款尚未缴清", app.lock_version)
    assert (app.status, app.decision_reason) == ("rejected", "罚款尚未缴清")
    assert world.record.id in public_ids(ctx, TODAY)
    assert not db.scalars(select(RecordEffect)).all()
    assert "罚款尚未缴清" in notes(db, app, "decision")[0].message
    assert repairs.check_eligibility(subject_ctx(db, world.firm), world.record.id).eligible  # may apply again


def test_refuse_an_incomplete_application(db: Session, world: World) -> None:
    app = apply(subject_ctx(db, world.firm), world.record)
    officer = officer_ctx(db, world.dept)
    with pytest.raises(Conflict):
        repairs.grant(officer, app.id, "不应跳过受理", app.lock_version)
    app = repairs.refuse(officer, app.id, "缺少罚款缴纳凭证", app.lock_version)
    assert (app.status, app.decided_on) == ("refused", TODAY)
    assert "不予受理" in notes(db, app, "decision")[0].message
    with pytest.raises(Conflict, match="不予受理"):
        repairs.accept(officer, app.id, app.lock_version)


def test_only_the_deciding_department_or_the_office_decides(db: Session, world: World) -> None:
    app = apply(subject_ctx(db, world.firm), world.record)
    with pytest.raises(PermissionDenied, match="本部门"):
        repairs.accept(officer_ctx(db, world.other_dept), app.id, app.lock_version)
    with pytest.raises(PermissionDenied):
        repairs.accept(subject_ctx(db, world.firm), app.id, app.lock_version)
    with pytest.raises(NotFound):
        repairs.accept(officer_ctx(db, world.dept), 10**9, 1)


def test_one_extension_moves_the_decision_deadline(db: Session, world: World) -> None:
    officer = officer_ctx(db, world.dept)
    app = apply(subject_ctx(db, world.firm), world.record)
    app = repairs.accept(officer, app.id, app.lock_version)
    assert app.decide_due == date(2026, 12, 8)
    app = repairs.extend(officer, app.id, "需向执法大队核实整改情况", app.lock_version)
    assert app.decide_due == date(2026, 12, 15)  # 5 more working days
    assert "2026-12-15" in notes(db, app, "extended")[0].message
    with pytest.raises(Conflict, match="最多延长 1 次"):
        repairs.extend(officer, app.id, "再延一次", app.lock_version)
    detail = repairs.repair_detail(officer, app.id)
    assert (detail.extensions_used, detail.extensions_left) == (1, 0)
    assert "extend" not in detail.actions and {"grant", "reject"} <= set(detail.actions)


def test_a_handler_deciding_after_someone_else_gets_stale_case(db: Session, world: World) -> None:
    """No lost update: each handler sends the version it was shown (both databases)."""
    app = apply(subject_ctx(db, world.firm), world.record)
    seen = app.lock_version
    officer, office = officer_ctx(db, world.dept), office_ctx(db)
    accepted = repairs.accept(officer, app.id, seen)
    assert accepted.lock_version == seen + 1  # one change, one version
    with pytest.raises(StaleCase):
        repairs.refuse(office, app.id, "材料不全", seen)  # the office still shows the old version
    shown = accepted.lock_version
    repairs.grant(officer, app.id, "准予", shown)
    with pytest.raises(StaleCase):
        repairs.reject(office, app.id, "不予", shown)
    assert db.get(RepairApplication, app.id).status == "granted"  # type: ignore[union-attr]


def test_a_concurrent_change_is_detected_at_flush(db: Session, world: World) -> None:
    """Another transaction changed the row after we read it: the versioned UPDATE matches nothing."""
    app = apply(subject_ctx(db, world.firm), world.record)
    version = app.lock_version
    db.execute(
        update(RepairApplication.__table__)
        .where(RepairApplication.__table__.c.id == app.id)
        .values(lock_version=version + 1)
    )
    with pytest.raises(StaleCase):
        repairs.accept(officer_ctx(db, world.dept), app.id, None)


# --------------------------------------------------------------------------------------------- external lists
def test_external_list_applications_are_routed_and_tracked(db: Session, ctx: Context, world: World) -> None:
    firm = subject_ctx(db, world.firm)
    app = repairs.apply_external(
        firm, world.firm.id, "court_dishonest_debtor", "(2025)粤0113执1234号", OBLIGATIONS, [proof()]
    )
    assert (app.status, app.external_authority) == (
        "routed",
        repair_rules().external_lists["court_dishonest_debtor"].authority,
    )
    assert app.record_id is None and app.department_id is None and app.decide_due == date(2026, 12, 11)
    assert notes(db, app, "received")[0].to_office
    with pytest.raises(Conflict, match="重复"):
        repairs.apply_external(firm, world.firm.id, "court_dishonest_debtor", "(2025)粤0113执1234号", OBLIGATIONS)
    with pytest.raises(InvalidInput, match="未知的外部名单"):
        repairs.apply_external(firm, world.firm.id, "no_such_list", "x", OBLIGATIONS)
    with pytest.raises(PermissionDenied):
        repairs.apply_external(firm, world.other.id, "tax_major_violation", "税罚1号", OBLIGATIONS)
    with pytest.raises(PermissionDenied):
        repairs.record_external_result(officer_ctx(db, world.dept), app.id, "granted", "已删除", app.lock_version)
    with pytest.raises(Conflict, match="外部名单"):
        repairs.accept(office_ctx(db), app.id, app.lock_version)
    office = office_ctx(db)
    app = repairs.record_external_result(office, app.id, "in_progress", "法院已立案审查", app.lock_version)
    assert app.status == "in_progress" and app.decided_on is None
    with pytest.raises(StaleCase):
        repairs.record_external_result(office, app.id, "granted", "已删除", app.lock_version - 1)
    app = repairs.record_external_result(office, app.id, "granted", "执行法院已删除失信信息", app.lock_version)
    assert (app.status, app.decided_on, app.decision_reason) == ("granted", TODAY, "执行法院已删除失信信息")
    assert len(notes(db, app, "decision")) == 2
    assert not db.scalars(select(RecordEffect)).all()  # no effect on the platform's records
    assert world.record.id in public_ids(ctx, TODAY)
    with pytest.raises(Conflict, match="已办结"):
        repairs.record_external_result(office, app.id, "rejected", "x", app.lock_version)


# --------------------------------------------------------------------------------------------- reading
def test_queues_and_detail_by_reader(db: Session, world: World) -> None:
    mine = apply(subject_ctx(db, world.firm), world.record)
    other_record = penalty_record(db, world.other_dept, world.other)
    theirs = apply(subject_ctx(db, world.other), other_record)
    external = repairs.apply_external(
        subject_ctx(db, world.firm), world.firm.id, "business_abnormal", "异常1", OBLIGATIONS
    )
    officer = officer_ctx(db, world.dept)
    assert [r.id for r in repairs.queue(officer).items] == [mine.id]
    office_ids = [r.id for r in repairs.queue(office_ctx(db)).items]
    assert set(office_ids) == {mine.id, theirs.id, external.id}
    assert [r.id for r in repairs.queue(office_ctx(db), kind="external").items] == [external.id]
    assert {r.id for r in repairs.my_repairs(subject_ctx(db, world.firm)).items} == {mine.id, external.id}
    row = repairs.queue(officer).items[0]
    assert (row.due, row.overdue, row.handler, row.status_label) == (
        date(2026, 12, 2),
        False,
        world.dept.name,
        "待受理",
    )
    with pytest.raises(InvalidInput):
        repairs.queue(officer, status="nonsense")
    with pytest.raises(PermissionDenied):
        repairs.queue(subject_ctx(db, world.firm))
    detail = repairs.repair_detail(subject_ctx(db, world.firm), mine.id)
    assert detail.actions == [] and detail.commitment is not None and detail.files[0].filename == "履行完毕证明.pdf"
    assert detail.record_status == "published" and detail.history[0].action_label == "提交申请"
    assert repairs.repair_detail(officer, mine.id).actions == ["accept", "refuse"]
    with pytest.raises(PermissionDenied):
        repairs.repair_detail(subject_ctx(db, world.other), mine.id)
    with pytest.raises(PermissionDenied):
        repairs.repair_detail(officer, theirs.id)
    with pytest.raises(PermissionDenied):
        repairs.repair_detail(officer, external.id)
    assert repairs.repair_detail(office_ctx(db), external.id).actions == ["result"]
    found = repairs.repair_file(subject_ctx(db, world.firm), mine.id, detail.files[0].id)
    assert found.content.startswith(b"%PDF")
    with pytest.raises(NotFound):
        repairs.repair_file(subject_ctx(db, world.firm), external.id, detail.files[0].id)


# --------------------------------------------------------------------------------------------- deadlines
def test_deadlines_skip_the_national_day_holidays(db: Session, world: World) -> None:
    """国庆 2026: 10-01..10-07 off, Saturday 10-10 a make-up working day."""
    submitted = beijing(date(2026, 9, 30))
    app = apply(subject_ctx(db, world.firm, at=submitted), world.record)
    assert app.accept_due == date(2026, 10, 10)  # 10-08, 10-09, 10-10 (make-up Saturday)
    officer = officer_ctx(db, world.dept, at=beijing(date(2026, 10, 9)))
    app = repairs.accept(officer, app.id, app.lock_version)
    assert app.decide_due == date(2026, 10, 19)  # 10-10, 12, 13, 14, 15, 16, 19
    app = repairs.extend(officer, app.id, "节后核实", app.lock_version)
    assert app.decide_due == date(2026, 10, 26)


def test_a_deadline_in_an_uncovered_year_is_refused_unless_a_fallback_is_set(
    db: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = beijing(date(2026, 12, 30))
    with pytest.raises(CalendarRangeError, match="2027"):
        apply(subject_ctx(db, world.firm, at=at), world.record)
    assert db.scalar(select(func.count()).select_from(Commitment)) == 0  # refused before anything was written
    monkeypatch.setenv("XINYONG_CALENDAR_FALLBACK", "weekends_only")
    get_settings.cache_clear()
    app = apply(subject_ctx(db, world.firm, at=at), world.record)
    assert app.accept_due == date(2027, 1, 4)  # 12-31, 2027-01-01 (fallback: weekdays), 01-04


# --------------------------------------------------------------------------------------------- daily job
def test_flag_overdue_marks_notifies_and_is_idempotent(db: Session, ctx: Context, world: World) -> None:
    app = apply(subject_ctx(db, world.firm), world.record)  # accept due 2026-12-02
    version = app.lock_version
    assert repairs.flag_overdue(ctx, date(2026, 11, 30)) == 0  # two working days ahead: no reminder yet
    assert repairs.flag_overdue(ctx, date(2026, 12, 1)) == 1  # one working day ahead: reminder
    assert repairs.flag_overdue(ctx, date(2026, 12, 1)) == 0
    [reminder] = notes(db, app, "reminder")
    assert reminder.department_id == world.dept.id and "2026-12-02" in reminder.message
    assert repairs.flag_overdue(ctx, date(2026, 12, 2)) == 0  # due today: not overdue
    assert repairs.flag_overdue(ctx, date(2026, 12, 3)) == 1
    assert repairs.flag_overdue(ctx, date(2026, 12, 3)) == 0
    assert repairs.flag_overdue(ctx, date(2026, 12, 10)) == 0
    db.expire_all()
    flagged = db.get(RepairApplication, app.id)
    assert flagged is not None and flagged.overdue and flagged.lock_version == version  # the handler's form stays valid
    overdue = notes(db, app, "overdue")
    assert {(n.department_id, n.to_office) for n in overdue} == {(world.dept.id, False), (None, True)}
    assert [e.action for e in case_history(db, "repair", app.id)] == ["submit", "overdue"]
    office = office_ctx(db, at=beijing(date(2026, 12, 3)))
    assert [r.id for r in repairs.queue(office, overdue=True).items] == [app.id]
    # the next stage is measured afresh
    accepted = repairs.accept(officer_ctx(db, world.dept), app.id, version)
    assert not accepted.overdue


def test_flag_overdue_needs_the_job_permission(db: Session, world: World) -> None:
    with pytest.raises(PermissionDenied):
        repairs.flag_overdue(officer_ctx(db, world.dept), TODAY)


# --------------------------------------------------------------------------------------------- demo
def test_plant_repairs_walks_one_application_to_each_state(db: Session, ctx: Context, world: World) -> None:
    from xinyong.demo.lifecycle_repairs import STATES, plant_repairs

    for _ in range(len(STATES)):
        penalty_record(db, world.dept, world.firm)
    penalty_record(db, world.dept, world.firm, decided_on=date(2026, 10, 9), min_end=date(2027, 1, 9))  # too young
    planted = plant_repairs(ctx)
    assert set(planted.by_state) == {*STATES, "external_routed", "external_in_progress"} and planted.total == 8
    status = {s: db.get(RepairApplication, ids[0]).status for s, ids in planted.by_state.items()}  # type: ignore[union-attr]
    assert status == {
        "submitted": "submitted",
        "accepted": "accepted",
        "extended": "accepted",
        "granted": "granted",
        "rejected": "rejected",
        "refused": "refused",
        "external_routed": "routed",
        "external_in_progress": "in_progress",
    }
    assert len(db.scalars(select(RecordEffect).where(RecordEffect.kind == "repaired")).all()) == 1
    again = plant_repairs(ctx)  # records holding an application are skipped; the externals exist already
    assert again.total == 1 and list(again.by_state) == ["submitted"]
