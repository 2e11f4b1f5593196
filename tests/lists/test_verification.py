"""失信案例核查 actions (work-plan item 八): a case from registration through 核查 → 记录 → 监管 → 惩戒 → 整改 → 教育 to
its outcome, every refusal (stage order, another department, links to another subject, stale versions, closed
cases), early closing, evidence, overdue flags and working-day deadlines over the 2026 National Day holiday;
SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from factories import company
from list_factories import published_entry
from records_factories import make_batch, make_record
from xinyong.auth.context import Context
from xinyong.auth.models import AuditEvent
from xinyong.auth.permissions import PermissionDenied
from xinyong.clock import CHINA_TZ
from xinyong.errors import Conflict, InvalidInput
from xinyong.lists import verification
from xinyong.lists.models import VerificationCase
from xinyong.records.cases import StaleCase
from xinyong.records.models import CaseEvent, CaseFile, CreditRecord, Notification
from xinyong.subjects.models import Department, Subject

PDF = b"%PDF-1.4\n%%EOF\n"
JUNE = date(2026, 6, 1)  # stage deadlines computed late in 2026 reach 2027, which the calendar does not cover


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=CHINA_TZ).astimezone(UTC)


def office(db: Session, day: date | None = None) -> Context:
    ctx = Context(session=db, actor="office:陈主任", role="credit_office_staff")
    return dataclasses.replace(ctx, at=at(day)) if day else ctx


def officer(db: Session, department: Department, day: date | None = None, name: str = "李科员") -> Context:
    ctx = Context(session=db, actor=f"dept:{name}", role="department_officer", department_id=department.id)
    return dataclasses.replace(ctx, at=at(day)) if day else ctx


def penalty(db: Session, department: Department, subject: Subject, n: int = 1) -> CreditRecord:
    return make_record(
        db, make_batch(db, department), doc_no=f"番市监罚〔2026〕{n}号", decided_on=date(2026, 6, 1), subject=subject
    )


def open_one(
    ctx: Context, department: Department, subject: Subject | None = None, *, ref: str = "", **change: object
) -> VerificationCase:
    values: dict[str, object] = {
        "title": "某公司拖欠货款拒不履行",
        "subject_id": subject.id if subject else None,
        "subject_name": "" if subject else "广州某某贸易有限公司",
        "source": "hotline_12345",
        "source_ref": ref,
        "summary": "群众反映该公司长期拖欠供应商货款，法院判决后仍拒不履行。",
        "department_id": department.id,
        "owner": "王核查",
    } | change
    return verification.open_case(ctx, **values)  # type: ignore[arg-type]


def complete(ctx: Context, case: VerificationCase, note: str = "已按要求办理", **change: object) -> VerificationCase:
    return verification.complete_stage(ctx, case.id, note, case.lock_version, stage=case.stage, **change)  # type: ignore[arg-type]


def events(db: Session, case_id: int) -> list[tuple[str, str | None, str | None]]:
    rows = db.scalars(
        select(CaseEvent)
        .where(CaseEvent.case_type == "verification", CaseEvent.case_id == case_id)
        .order_by(CaseEvent.id)
    )
    return [(e.action, e.from_status, e.to_status) for e in rows]


def audit_actions(db: Session, case_id: int) -> list[str]:
    rows = db.scalars(
        select(AuditEvent)
        .where(AuditEvent.target_type == "verification_case", AuditEvent.target_id == str(case_id))
        .order_by(AuditEvent.id)
    )
    return [e.action for e in rows]


# --------------------------------------------------------------------------------------------- open
def test_the_office_opens_a_case_assigned_to_a_department_and_owner(
    db: Session, ctx: Context, departments: tuple[Department, Department]
) -> None:
    market, _ = departments
    firm = company(ctx, "广州核查对象贸易有限公司", 501)
    case = open_one(office(db), market, firm, ref="GD12345-20261127-0001")
    assert (case.stage, case.owner, case.department_id, case.subject_id) == ("verify", "王核查", market.id, firm.id)
    assert case.subject_name == "广州核查对象贸易有限公司"  # from the registry when none was typed
    assert case.stage_due == date(2026, 12, 18)  # 15 working days from Friday 2026-11-27
    assert (case.opened_on, case.rule_version, case.lock_version, case.outcome) == (date(2026, 11, 27), 1, 1, None)
    assert events(db, case.id) == [("open", None, "verify")]
    note = db.scalar(select(Notification).where(Notification.case_type == "verification"))
    assert note is not None and note.department_id == market.id and note.kind == "task"
    assert "2026-12-18" in note.message
    assert audit_actions(db, case.id) == ["verification.open"]


def test_only_the_credit_office_opens_cases(db: Session, departments: tuple[Department, Department]) -> None:
    market, _ = departments
    for caller in (officer(db, market), Context(session=db, actor="r", role="regulator")):
        with pytest.raises(PermissionDenied):
            open_one(caller, market)
    assert db.scalar(select(VerificationCase.id)) is None


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"source": "rumour"}, "source", "案件来源无效"),
        ({"summary": "  "}, "summary", "请填写反映的失信问题"),
        ({"summary": "欠钱"}, "summary", "过短"),
        ({"title": "x"}, "title", "案件名称过短"),
        ({"title": "第一行\n第二行"}, "title", "应为一行"),
        ({"subject_name": ""}, "subject_name", "请填写当事人名称"),
        ({"subject_id": 987654}, "subject_id", "主体编号 987654 不存在"),
        ({"department_id": 987654}, "department_id", "部门 987654 不存在"),
        ({"owner": " "}, "owner", "请填写经办人"),
        ({"owner": "x" * 65}, "owner", "经办人过长"),
    ],
)
def test_bad_reports_are_refused_naming_the_field(
    db: Session, departments: tuple[Department, Department], change: dict[str, object], field: str, words: str
) -> None:
    with pytest.raises(InvalidInput, match=words) as refused:
        open_one(office(db), departments[0], **change)
    assert refused.value.field == field
    assert db.scalar(select(VerificationCase.id)) is None


def test_a_source_reference_is_registered_once(db: Session, departments: tuple[Department, Department]) -> None:
    first = open_one(office(db), departments[0], ref="GD12345-0002")
    with pytest.raises(Conflict, match=f"已登记为案件 {first.id}") as refused:
        open_one(office(db), departments[1], ref="GD12345-0002")
    assert refused.value.code == "duplicate_case"
    assert open_one(office(db), departments[1], ref="GD12345-0002", source="media").id != first.id  # other source


def test_resident_id_numbers_typed_into_the_report_are_masked(
    db: Session, departments: tuple[Department, Department]
) -> None:
    case = open_one(office(db), departments[0], summary="反映人称当事人张三（身份证 11010519491231002X）拒不还款。")
    assert "11010519491231002X" not in case.summary and "1101**********002X" in case.summary


# --------------------------------------------------------------------------------------------- the six stages
def test_a_founded_case_goes_through_all_six_stages_in_order(
    db: Session, ctx: Context, departments: tuple[Department, Department]
) -> None:
    market, _ = departments
    firm = company(ctx, "广州六环节贸易有限公司", 502)
    record = penalty(db, market, firm)
    entry = published_entry(db, firm, "wage_arrears")
    case = open_one(office(db, date(2026, 3, 2)), market, firm)
    me = officer(db, market, date(2026, 3, 10))
    case = complete(
        me, case, "经现场核查，反映属实：拖欠货款 35 万元，判决书已生效。", founded=True, next_owner="赵记录"
    )
    assert (case.stage, case.owner, case.stage_due) == ("record", "赵记录", date(2026, 3, 19))  # 7 working days
    case = complete(me, case, "已将行政处罚记入公共信用信息记录。", record_id=record.id)
    assert (case.stage, case.record_id) == ("supervise", record.id)
    case = complete(me, case, "列为重点监管对象，提高抽查比例。")
    case = complete(me, case, "已列入拖欠农民工工资失信联合惩戒对象名单。", list_entry_id=entry.id)
    assert (case.stage, case.list_entry_id) == ("rectify", entry.id)
    case = complete(me, case, "已清偿全部欠款，整改到位。")
    assert case.stage == "educate"
    case = complete(me, case, "约谈法定代表人并开展诚信教育，签署信用承诺书。", outcome="rectified")
    assert (case.stage, case.outcome, case.closed_on, case.stage_due) == (
        "closed",
        "rectified",
        date(2026, 3, 10),
        None,
    )
    assert case.outcome_note.startswith("约谈法定代表人")
    assert events(db, case.id) == [
        ("open", None, "verify"),
        ("verify", "verify", "record"),
        ("record", "record", "supervise"),
        ("supervise", "supervise", "punish"),
        ("punish", "punish", "rectify"),
        ("rectify", "rectify", "educate"),
        ("educate", "educate", "closed"),
    ]
    assert audit_actions(db, case.id) == ["verification.open"] + ["verification.complete_stage"] * 6
    last = db.scalars(
        select(AuditEvent)
        .where(AuditEvent.target_type == "verification_case", AuditEvent.target_id == str(case.id))
        .order_by(AuditEvent.id)
    ).all()
    assert last[1].detail["founded"] is True and last[2].detail["record_id"] == record.id
    assert last[-1].detail["outcome"] == "rectified"


def test_not_founded_at_verify_closes_the_case_as_unfounded(
    db: Session, departments: tuple[Department, Department]
) -> None:
    market, _ = departments
    case = open_one(office(db), market)
    case = complete(officer(db, market), case, "经核查，该公司已于判决前付清货款，反映不属实。", founded=False)
    assert (case.stage, case.outcome, case.closed_on) == ("closed", "unfounded", date(2026, 11, 27))
    assert events(db, case.id)[-1] == ("unfounded", "verify", "closed")
    with pytest.raises(Conflict, match="已办结（经核查不属实）") as refused:
        complete(officer(db, market), case, "再办一次")
    assert refused.value.code == "case_closed"


@pytest.mark.parametrize(
    ("at_stage", "change", "field", "words"),
    [
        ("verify", {}, "founded", "请写明核查结论"),
        ("record", {"founded": True}, "founded", "只在核查环节填写"),
        ("record", {"subject_id": 1}, "subject_id", "只能在核查环节确定"),
        ("supervise", {"outcome": "rectified"}, "outcome", "在最后一个环节（教育）选择"),
        ("educate", {}, "outcome", "请选择办结结果"),
        ("educate", {"outcome": "transferred"}, "outcome", "请选择办结结果"),
        ("supervise", {"note": " "}, "note", "请填写监管情况"),
    ],
)
def test_stage_input_is_checked(
    db: Session,
    departments: tuple[Department, Department],
    at_stage: str,
    change: dict[str, object],
    field: str,
    words: str,
) -> None:
    market, _ = departments
    case = open_one(office(db, JUNE), market)
    me = officer(db, market, JUNE)  # the later stages' deadlines stay inside the calendar's years
    while case.stage != at_stage:
        case = complete(me, case, founded=True if case.stage == "verify" else None)
    version = case.lock_version
    with pytest.raises(InvalidInput, match=words) as refused:
        complete(me, case, **({"note": "办理情况"} | change))
    assert refused.value.field == field
    db.refresh(case)
    assert (case.stage, case.lock_version) == (at_stage, version)  # nothing changed


def test_stages_are_done_in_order(db: Session, departments: tuple[Department, Department]) -> None:
    market, _ = departments
    case = open_one(office(db), market)
    me = officer(db, market)
    with pytest.raises(Conflict, match="当前处于“核查”环节，不能办理“记录”") as refused:
        verification.complete_stage(me, case.id, "先记录", case.lock_version, stage="record")
    assert refused.value.code == "wrong_stage" and refused.value.status == 409
    with pytest.raises(InvalidInput, match="环节代码无效"):
        verification.complete_stage(me, case.id, "跳过", case.lock_version, stage="celebrate")
    assert case.stage == "verify" and events(db, case.id) == [("open", None, "verify")]


def test_department_officers_handle_their_own_departments_cases_only(
    db: Session, departments: tuple[Department, Department]
) -> None:
    market, justice = departments
    case = open_one(office(db), market)
    with pytest.raises(PermissionDenied, match="只能访问本部门的数据"):
        complete(officer(db, justice), case, founded=True)
    with pytest.raises(PermissionDenied):
        verification.reassign(officer(db, justice), case.id, "他人", case.lock_version)
    with pytest.raises(PermissionDenied):
        verification.attach(officer(db, justice), case.id, "证据.pdf", PDF)
    with pytest.raises(PermissionDenied):
        complete(Context(session=db, actor="r", role="regulator"), case, founded=True)
    assert complete(office(db), case, founded=True).stage == "record"  # the office may handle any case
    assert complete(officer(db, market), case).stage == "supervise"


def test_a_stale_version_is_refused_with_409(db: Session, departments: tuple[Department, Department]) -> None:
    market, _ = departments
    case = open_one(office(db), market)
    seen = case.lock_version
    complete(officer(db, market, name="甲"), case, founded=True)
    for attempt in (
        lambda: verification.complete_stage(officer(db, market), case.id, "晚了一步", seen, stage="record"),
        lambda: verification.reassign(officer(db, market), case.id, "乙", seen),
        lambda: verification.close_case(office(db), case.id, "transferred", "移送", seen),
    ):
        with pytest.raises(StaleCase) as refused:
            attempt()
        assert refused.value.status == 409 and refused.value.code == "stale_case"
    assert case.stage == "record"


# --------------------------------------------------------------------------------------------- links
def test_links_must_belong_to_the_cases_subject_and_their_stage(
    db: Session, ctx: Context, departments: tuple[Department, Department]
) -> None:
    market, _ = departments
    firm = company(ctx, "广州关联当事人有限公司", 503)
    other = company(ctx, "广州无关第三方有限公司", 504)
    own_record, other_record = penalty(db, market, firm, 11), penalty(db, market, other, 12)
    own_entry, other_entry = published_entry(db, firm), published_entry(db, other)
    case = open_one(office(db, JUNE), market, firm)
    me = officer(db, market, JUNE)
    with pytest.raises(InvalidInput, match="信用记录只能在“记录”环节关联") as refused:
        complete(me, case, founded=True, record_id=own_record.id)
    assert refused.value.field == "record_id"
    case = complete(me, case, founded=True)
    with pytest.raises(InvalidInput, match=f"信用记录 {other_record.id} 不是本案当事人"):
        complete(me, case, record_id=other_record.id)
    with pytest.raises(InvalidInput, match="信用记录 987654 不存在"):
        complete(me, case, record_id=987654)
    with pytest.raises(InvalidInput, match="名单条目只能在“惩戒”环节关联") as refused:
        complete(me, case, list_entry_id=own_entry.id)
    assert refused.value.field == "list_entry_id" and case.record_id is None
    case = complete(me, case, record_id=own_record.id)
    case = complete(me, case)
    with pytest.raises(InvalidInput, match=f"名单条目 {other_entry.id} 不是本案当事人"):
        complete(me, case, list_entry_id=other_entry.id)
    own_entry.status = "dropped"
    with pytest.raises(InvalidInput, match="不予列入"):
        complete(me, case, list_entry_id=own_entry.id)
    own_entry.status = "published"
    assert complete(me, case, list_entry_id=own_entry.id).list_entry_id == own_entry.id


def test_a_case_reported_by_name_gets_its_subject_at_verify(
    db: Session, ctx: Context, departments: tuple[Department, Department]
) -> None:
    market, _ = departments
    firm = company(ctx, "广州先报名称后确认有限公司", 505)
    record = penalty(db, market, firm, 21)
    case = open_one(office(db), market)  # reported by name only
    me = officer(db, market)
    with pytest.raises(InvalidInput, match="主体编号 987654 不存在"):
        complete(me, case, founded=True, subject_id=987654)
    case = complete(me, case, founded=True)
    with pytest.raises(InvalidInput, match="尚未确定当事人"):
        complete(me, case, record_id=record.id)
    other = open_one(office(db), market, ref="named-later")
    other = complete(me, other, "核实当事人为主体库中的企业", founded=True, subject_id=firm.id)
    assert other.subject_id == firm.id
    assert complete(me, other, record_id=record.id).record_id == record.id


# --------------------------------------------------------------------------------------------- other actions
def test_reassign_changes_the_handler_and_the_office_may_move_the_department(
    db: Session, departments: tuple[Department, Department]
) -> None:
    market, justice = departments
    case = open_one(office(db), market)
    case = verification.reassign(officer(db, market), case.id, "孙新经办", case.lock_version, note="原经办人休假")
    assert case.owner == "孙新经办" and case.stage == "verify"
    with pytest.raises(InvalidInput, match="无需改派"):
        verification.reassign(officer(db, market), case.id, "孙新经办", case.lock_version)
    with pytest.raises(PermissionDenied):  # a department cannot hand its case to another department
        verification.reassign(officer(db, market), case.id, "周", case.lock_version, department_id=justice.id)
    with pytest.raises(InvalidInput, match="部门 987654 不存在"):
        verification.reassign(office(db), case.id, "周", case.lock_version, department_id=987654)
    case = verification.reassign(office(db), case.id, "周司法", case.lock_version, department_id=justice.id)
    assert (case.department_id, case.owner) == (justice.id, "周司法")
    moved = db.scalars(
        select(Notification).where(Notification.case_id == case.id, Notification.department_id == justice.id)
    ).all()
    assert len(moved) == 1 and "已改由本部门办理" in moved[0].message
    assert [e for e in events(db, case.id) if e[0] == "reassign"] == [("reassign", "verify", "verify")] * 2
    assert audit_actions(db, case.id) == ["verification.open", "verification.reassign", "verification.reassign"]


def test_evidence_is_attached_checked_and_refused_once_closed(
    db: Session, departments: tuple[Department, Department]
) -> None:
    market, _ = departments
    case = open_one(office(db), market)
    row = verification.attach(officer(db, market), case.id, "现场照片说明.pdf", PDF)
    assert (row.case_type, row.case_id, row.size) == ("verification", case.id, len(PDF))
    with pytest.raises(InvalidInput, match="类型不受支持"):
        verification.attach(officer(db, market), case.id, "病毒.exe", b"MZ")
    with pytest.raises(InvalidInput, match="内容与扩展名不符"):
        verification.attach(officer(db, market), case.id, "假的.pdf", b"not a pdf")
    complete(officer(db, market), case, "不属实", founded=False)
    with pytest.raises(Conflict, match="不能上传材料"):
        verification.attach(officer(db, market), case.id, "补充.pdf", PDF)
    files = db.scalars(select(CaseFile).where(CaseFile.case_type == "verification")).all()
    assert [f.filename for f in files] == ["现场照片说明.pdf"]
    assert "verification.attach" in audit_actions(db, case.id)


def test_the_office_closes_an_open_case_early(db: Session, departments: tuple[Department, Department]) -> None:
    market, _ = departments
    case = open_one(office(db), market)
    case = complete(officer(db, market), case, founded=True)
    with pytest.raises(PermissionDenied):
        verification.close_case(officer(db, market), case.id, "transferred", "移送公安", case.lock_version)
    with pytest.raises(InvalidInput, match="区信用办办结的结果应为") as refused:
        verification.close_case(office(db), case.id, "rectified", "整改了", case.lock_version)
    assert refused.value.field == "outcome"
    with pytest.raises(InvalidInput, match="请填写办结说明"):
        verification.close_case(office(db), case.id, "transferred", "", case.lock_version)
    case = verification.close_case(office(db), case.id, "transferred", "涉嫌犯罪，移送区公安分局", case.lock_version)
    assert (case.stage, case.outcome, case.closed_on) == ("closed", "transferred", date(2026, 11, 27))
    assert events(db, case.id)[-1] == ("close", "record", "closed")
    with pytest.raises(Conflict, match="不能再次办结"):
        verification.close_case(office(db), case.id, "merged", "并案", case.lock_version)
    with pytest.raises(Conflict, match="不能改派"):
        verification.reassign(office(db), case.id, "某人", case.lock_version)


# --------------------------------------------------------------------------------------------- deadlines and overdue
def test_deadlines_skip_the_2026_national_day_holiday(db: Session, departments: tuple[Department, Department]) -> None:
    market, _ = departments
    eve = date(2026, 9, 30)
    case = open_one(office(db, eve), market)
    # 15 working days from 30 September: 8, 9, 10 (make-up Saturday), 12–16, 19–23, 26, 27 October
    assert case.stage_due == date(2026, 10, 27)
    case = complete(officer(db, market, eve), case, founded=True)
    assert case.stage_due == date(2026, 10, 15)  # 7 working days: 8, 9, 10, 12, 13, 14, 15 October
    case = complete(officer(db, market, date(2026, 10, 15)), case)
    assert case.stage_due == date(2026, 11, 12)  # 20 working days from 15 October


def test_overdue_cases_are_flagged_once_per_stage(
    db: Session, ctx: Context, departments: tuple[Department, Department]
) -> None:
    market, justice = departments
    late = open_one(office(db, date(2026, 10, 9)), market)
    assert late.stage_due == date(2026, 10, 29)  # 10 October is a make-up working day
    on_time = open_one(office(db), justice)  # due 2026-12-18
    closed = open_one(office(db, date(2026, 10, 9)), market, ref="closed")
    complete(officer(db, market), closed, "不属实", founded=False)
    with pytest.raises(PermissionDenied):
        verification.flag_overdue_cases(office(db), date(2026, 11, 27))
    assert verification.flag_overdue_cases(ctx, date(2026, 10, 29)) == 0  # due that day: not yet overdue
    assert verification.flag_overdue_cases(ctx, date(2026, 11, 27)) == 1
    assert verification.flag_overdue_cases(ctx, date(2026, 11, 27)) == 0  # a re-run adds nothing
    assert verification.flag_overdue_cases(ctx, date(2026, 11, 28)) == 0
    notes = db.scalars(select(Notification).where(Notification.kind == "overdue")).all()
    assert [(n.case_id, n.department_id) for n in notes] == [(late.id, market.id)]
    assert "核查环节已超期" in notes[0].message
    assert events(db, late.id)[-1] == ("overdue", "verify", "verify")
    assert late.lock_version == 1  # flagging never makes a handler's form stale
    assert on_time.id not in [n.case_id for n in notes]
    flags = db.scalars(
        select(AuditEvent).where(AuditEvent.action == "verification.flag_overdue").order_by(AuditEvent.id)
    ).all()
    assert [f.detail["overdue"] for f in flags] == [[late.id]]
    # the next stage late too: flagged again, once
    late = complete(officer(db, market, date(2026, 11, 2)), late, founded=True)
    assert late.stage_due == date(2026, 11, 11)
    assert verification.flag_overdue_cases(ctx, date(2026, 11, 27)) == 1
    assert verification.flag_overdue_cases(ctx, date(2026, 11, 27)) == 0


def test_every_step_leaves_audit_events_in_order(
    db: Session, ctx: Context, departments: tuple[Department, Department]
) -> None:
    market, justice = departments
    case = open_one(office(db), market, ref="order")
    verification.attach(officer(db, market), case.id, "证据.pdf", PDF)
    case = complete(officer(db, market), case, founded=True)
    case = verification.reassign(office(db), case.id, "周", case.lock_version, department_id=justice.id)
    case = verification.close_case(office(db), case.id, "merged", f"并入案件 {case.id - 1}", case.lock_version)
    rows = db.scalars(select(AuditEvent).where(AuditEvent.action.like("verification.%")).order_by(AuditEvent.id)).all()
    assert [(r.action, r.actor) for r in rows] == [
        ("verification.open", "office:陈主任"),
        ("verification.attach", "dept:李科员"),
        ("verification.complete_stage", "dept:李科员"),
        ("verification.reassign", "office:陈主任"),
        ("verification.close", "office:陈主任"),
    ]
    assert [e[0] for e in events(db, case.id)] == ["open", "attach", "verify", "reassign", "close"]
