"""异议 through ``records.objections``: submission and every refusal of the issue's bad input (a record that does
not exist, is not the applicant's, is already under objection; double submission), the office's accept / refuse /
self-check, the provider's verification (a correction loaded through intake as a new version), withdrawal,
optimistic locking (a stale form and a real lost-update race between two sessions), working-day deadlines over
the 2026 National Day holiday and the year end, the daily overdue flags and reminders, and the reads.
SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest
from principals import add_account
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from factories import company, uscc
from intake_rows import penalty_row
from records_factories import make_batch, make_record
from testdb import DATABASES, app_database, create_schema, drop_schema, schema_url
from xinyong import clock
from xinyong.auth import pii
from xinyong.auth.context import Context
from xinyong.auth.models import AuditEvent
from xinyong.auth.permissions import PermissionDenied
from xinyong.calendar import CalendarRangeError, declare_year, set_day
from xinyong.db.session import make_engine
from xinyong.errors import Conflict, InvalidInput, NotFound
from xinyong.intake import service as intake
from xinyong.intake.models import IntakeBatch
from xinyong.records import cases, jobs, objections, status
from xinyong.records.effects import add_effect
from xinyong.records.models import CaseEvent, CaseFile, CreditRecord, Notification, Objection, RecordEffect
from xinyong.records.objection_rules import objection_rules
from xinyong.settings import get_settings
from xinyong.subjects.departments import add_department
from xinyong.subjects.models import Department, Subject

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
DEPT_USCC = uscc(9101, authority="1", org_type="1")
OTHER_USCC = uscc(9102, authority="1", org_type="1")
REASONS = "该处罚决定已被复议机关撤销，请更正"


def at(day: date, hour: int = 10) -> datetime:
    """``day`` at ``hour`` in China, as the clock gives it (UTC)."""
    return datetime.combine(day, time(hour), tzinfo=clock.CHINA_TZ).astimezone(UTC)


class World:
    """Two departments, two firms, one published penalty of the first firm, and the people who act."""

    def __init__(self, ctx: Context) -> None:
        self.db = ctx.session
        self.system = ctx
        self.dept = add_department(ctx, "scjgj", "广州市番禺区市场监督管理局", uscc=DEPT_USCC)
        self.other_dept = add_department(ctx, "sfj", "广州市番禺区司法局", uscc=OTHER_USCC)
        self.firm = company(ctx, "广州禾丰贸易1有限公司", 1)
        self.other_firm = company(ctx, "广州另一贸易有限公司", 2)
        self.batch = make_batch(self.db, self.dept)
        self.record = self.penalty("番市监罚〔2026〕101号")
        self.firm_account = add_account(self.db, "firm_user", "subject", subject_id=self.firm.id)
        self.other_account = add_account(self.db, "other_user", "subject", subject_id=self.other_firm.id)

    def penalty(self, doc_no: str, *, subject: Subject | None = None, **over: object) -> CreditRecord:
        values: dict[str, object] = {
            "decided_on": date(2026, 6, 1),
            "publicity_end": date(2027, 5, 31),
            "subject": subject or self.firm,
        }
        values.update(over)
        return make_record(self.db, self.batch, doc_no=doc_no, **values)  # type: ignore[arg-type]

    def subject(self, when: date = date(2026, 11, 27)) -> Context:
        return Context(
            session=self.db,
            actor="firm_user",
            role="subject",
            subject_id=self.firm.id,
            account_id=self.firm_account.id,
            at=at(when),
        )

    def other_subject(self) -> Context:
        return Context(
            session=self.db,
            actor="other_user",
            role="subject",
            subject_id=self.other_firm.id,
            account_id=self.other_account.id,
        )

    def office(self, when: date = date(2026, 11, 27), actor: str = "office") -> Context:
        return Context(session=self.db, actor=actor, role="credit_office_staff", at=at(when))

    def officer(self, department: Department | None = None, when: date = date(2026, 11, 27)) -> Context:
        dept = department or self.dept
        return Context(session=self.db, actor="officer", role="department_officer", department_id=dept.id, at=at(when))

    def submit(self, record: CreditRecord | None = None, when: date = date(2026, 11, 27), **kw: object) -> Objection:
        args: dict[str, object] = {"reasons": REASONS, "requested_correction": "删除该记录", "contact": "13812345678"}
        args.update(kw)
        return objections.submit_objection(self.subject(when), (record or self.record).id, **args)  # type: ignore[arg-type]


@pytest.fixture
def world(ctx: Context) -> World:
    return World(ctx)


def notes(db: Session, objection: Objection) -> list[tuple[str, str]]:
    rows = db.scalars(select(Notification).where(Notification.case_id == objection.id).order_by(Notification.id))
    return [(n.kind, n.dedupe_key.rsplit(":", 1)[-1]) for n in rows if n.case_type == "objection"]


def actions(db: Session) -> list[str]:
    return list(db.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def record_code(world: World, record: CreditRecord, day: date = date(2026, 11, 27)) -> str:
    return status.record_status(world.system, record, day).code


# --------------------------------------------------------------------------------------------- the rules
def test_the_rulebook_is_versioned_and_cited() -> None:
    book = objection_rules()
    assert book.version >= 1
    assert (book.workdays("accept"), book.workdays("self_check"), book.workdays("verify")) == (2, 2, 10)
    assert book.reminder.workdays_before == 1
    assert all("rules.md §4" in d.source for d in book.deadlines.values())


# --------------------------------------------------------------------------------------------- submit
def test_submitting_opens_the_case_and_marks_the_record(world: World) -> None:
    objection = world.submit(files=[("复议决定书.pdf", PDF), ("现场照片.png", PNG)])
    db = world.db
    assert (objection.status, objection.accept_due, objection.rule_version) == ("submitted", date(2026, 12, 1), 1)
    assert (objection.subject_id, objection.account_id) == (world.firm.id, world.firm_account.id)
    assert objection.applicant_name == "广州禾丰贸易1有限公司"
    # the contact is sealed at rest
    assert "13812345678" not in objection.applicant_contact
    assert pii.unseal(objection.applicant_contact) == "13812345678"
    # the record shows 异议中 from today, through the one effect path
    assert record_code(world, world.record) == "objected"
    assert record_code(world, world.record, date(2026, 11, 26)) == "published"
    [effect] = db.scalars(select(RecordEffect).where(RecordEffect.source_id == objection.id)).all()
    assert (effect.kind, effect.starts_on, effect.ends_on) == ("objection", date(2026, 11, 27), None)
    files = cases.case_files(db, "objection", objection.id)
    assert [f.filename for f in files] == ["复议决定书.pdf", "现场照片.png"]
    assert [e.action for e in cases.case_history(db, "objection", objection.id)] == ["submit"]
    assert notes(db, objection) == [("task", "new"), ("received", "received")]
    office_note = db.scalar(select(Notification).where(Notification.dedupe_key == f"objection:{objection.id}:new"))
    assert office_note is not None and office_note.to_office and "2026-12-01" in office_note.message
    assert actions(db)[-1] == "objections.submit"


def test_the_office_registers_a_paper_application_for_the_subject(world: World) -> None:
    objection = objections.submit_objection(world.office(), world.record.id, REASONS, "", "", [])
    assert (objection.subject_id, objection.account_id) == (world.firm.id, None)
    assert objection.applicant_name == world.firm.name
    # the subject's account sees it as its own
    assert [o.id for o in objections.my_objections(world.subject())] == [objection.id]


def test_a_record_that_does_not_exist_is_refused(world: World) -> None:
    with pytest.raises(NotFound) as err:
        objections.submit_objection(world.subject(), 987654, REASONS)
    assert "不存在" in err.value.message
    with pytest.raises(NotFound):
        objections.submit_objection(world.subject(), 2**70, REASONS)


def test_a_superseded_version_is_refused(world: World) -> None:
    newer = world.penalty("番市监罚〔2026〕101号", supersedes=world.record)
    with pytest.raises(Conflict) as err:
        world.submit()
    assert "新版本" in err.value.message and str(newer.id) in err.value.message
    assert world.submit(record=newer).record_id == newer.id


def test_another_subjects_record_is_refused(world: World) -> None:
    theirs = world.penalty("番市监罚〔2026〕2号", subject=world.other_firm)
    with pytest.raises(PermissionDenied) as err:
        world.submit(record=theirs)
    assert "不是本主体" in err.value.message
    unlinked = world.penalty("番市监罚〔2026〕3号", subject=None)
    unlinked.subject_id = None
    with pytest.raises(PermissionDenied):
        world.submit(record=unlinked)
    with pytest.raises(PermissionDenied):  # departments do not object to records
        objections.submit_objection(world.officer(), world.record.id, REASONS)
    assert world.db.scalar(select(func.count()).select_from(Objection)) == 0


def test_a_double_submission_is_a_conflict(world: World) -> None:
    first = world.submit()
    with pytest.raises(Conflict) as err:
        world.submit()
    assert err.value.code == "duplicate_objection" and f"编号 {first.id}" in err.value.message
    # the office's paper application for the same subject is the same applicant
    with pytest.raises(Conflict) as again:
        objections.submit_objection(world.office(), world.record.id, REASONS)
    assert again.value.code == "duplicate_objection"
    assert world.db.scalar(select(func.count()).select_from(Objection)) == 1


def test_a_record_already_under_objection_is_refused(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XINYONG_OBJECTION_OPEN_TO_PUBLIC", "true")
    get_settings.cache_clear()
    first = world.submit()
    with pytest.raises(Conflict) as err:
        objections.submit_objection(world.other_subject(), world.record.id, "该记录的处罚金额与公示文书不一致")
    assert err.value.code == "already_objected" and "正在处理中" in err.value.message
    # once the first is closed, another applicant may object
    objections.refuse(world.office(), first.id, "材料不全", first.lock_version)
    second = objections.submit_objection(world.other_subject(), world.record.id, "该记录的处罚金额与公示文书不一致")
    assert (second.subject_id, second.account_id) == (None, world.other_account.id)
    assert second.applicant_name == "other_user"


def test_the_public_may_object_only_when_the_setting_allows(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    regulator = Context(session=world.db, actor="reg", role="regulator", account_id=None)
    with pytest.raises(PermissionDenied):
        objections.submit_objection(regulator, world.record.id, REASONS)
    monkeypatch.setenv("XINYONG_OBJECTION_OPEN_TO_PUBLIC", "true")
    get_settings.cache_clear()
    expired = world.penalty("番市监罚〔2025〕9号", decided_on=date(2025, 1, 2), publicity_end=date(2026, 1, 1))
    with pytest.raises(PermissionDenied) as err:  # not on the 双公示 pages any more
        objections.submit_objection(regulator, expired.id, REASONS)
    assert "双公示" in err.value.message
    assert objections.submit_objection(regulator, world.record.id, REASONS).status == "submitted"
    anonymous = Context(session=world.db, actor="public", role="public")
    with pytest.raises(PermissionDenied):
        objections.submit_objection(anonymous, world.record.id, REASONS)


@pytest.mark.parametrize(
    ("kw", "fragment"),
    [
        ({"reasons": ""}, "请填写异议理由"),
        ({"reasons": "   "}, "请填写异议理由"),
        ({"reasons": "有误"}, "过短"),
        ({"reasons": "理" * 2001}, "过长"),
        ({"reasons": "处罚对象\x00有误，请核查"}, "控制字符"),
        ({"requested_correction": "改" * 2001}, "更正要求过长"),
        ({"contact": "1" * 101}, "联系方式过长"),
        ({"files": [("说明.exe", b"MZ")]}, "类型不受支持"),
        ({"files": [("假.pdf", b"<html>")]}, "内容与扩展名不符"),
        ({"files": [("a.pdf", PDF)] * 11}, "最多 10 个"),
    ],
)
def test_bad_input_is_refused_with_its_reason(world: World, kw: dict[str, object], fragment: str) -> None:
    with pytest.raises(InvalidInput) as err:
        world.submit(**kw)
    assert fragment in err.value.message
    assert world.db.scalar(select(func.count()).select_from(Objection)) == 0
    assert world.db.scalar(select(func.count()).select_from(CaseFile)) == 0


@pytest.mark.parametrize(
    ("over", "effect", "fragment"),
    [
        ({"decided_on": date(2024, 1, 2), "publicity_end": date(2025, 1, 1)}, None, "公示期已满"),
        ({"decided_on": date(2026, 12, 20), "publicity_end": date(2027, 12, 19)}, None, "尚未到公示日"),
        ({}, "revoked", "已撤销"),
        ({}, "repaired", "信用修复"),
        ({"publishable": False}, None, "不予公示"),
    ],
)
def test_a_record_no_longer_in_force_is_not_objected_to(
    world: World, over: dict[str, object], effect: str | None, fragment: str
) -> None:
    record = world.penalty("番市监罚〔2026〕7号")
    for key, value in over.items():
        setattr(record, key, value)
    world.db.flush()
    if effect:
        source = "revocation" if effect == "revoked" else "repair"
        add_effect(world.system, record, effect, date(2026, 11, 1), source_type=source, source_id=None)  # type: ignore[arg-type]
    with pytest.raises(Conflict) as err:
        world.submit(record=record)
    assert fragment in err.value.message


# --------------------------------------------------------------------------------------------- the office
def test_refusal_closes_the_case_and_ends_the_mark(world: World) -> None:
    objection = world.submit()
    objections.refuse(world.office(date(2026, 11, 30)), objection.id, "申请材料不能证明记录有误", 1)
    assert (objection.status, objection.outcome, objection.closed_on) == ("closed", "refused", date(2026, 11, 30))
    assert record_code(world, world.record, date(2026, 11, 29)) == "objected"
    assert record_code(world, world.record, date(2026, 11, 30)) == "published"
    decision = world.db.scalar(
        select(Notification).where(Notification.dedupe_key == f"objection:{objection.id}:decision")
    )
    assert (
        decision is not None and decision.subject_id == world.firm.id and "申请材料不能证明记录有误" in decision.message
    )
    with pytest.raises(InvalidInput):
        objections.refuse(world.office(), world.submit(record=world.penalty("番市监罚〔2026〕8号")).id, " ", None)
    assert actions(world.db).count("objections.refuse") == 1


def test_accept_then_a_platform_error_is_fixed(world: World) -> None:
    objection = world.submit()
    objections.accept(world.office(), objection.id, 1)
    assert (objection.status, objection.self_check_due, objection.lock_version) == ("accepted", date(2026, 12, 1), 2)
    with pytest.raises(InvalidInput) as err:
        objections.self_check(world.office(), objection.id, "platform_error", "", 2)
    assert "平台更正的内容" in err.value.message
    with pytest.raises(InvalidInput):
        objections.self_check(world.office(), objection.id, "maybe", "", 2)  # type: ignore[arg-type]
    objections.self_check(world.office(), objection.id, "platform_error", "归集时主体名称关联错误，已改正关联", 2)
    assert (objection.status, objection.outcome) == ("closed", "platform_fixed")
    assert record_code(world, world.record) == "published"
    history = cases.case_history(world.db, "objection", objection.id)
    assert [(e.action, e.to_status) for e in history] == [
        ("submit", "submitted"),
        ("accept", "accepted"),
        ("platform_fixed", "closed"),
    ]


def test_only_the_office_handles(world: World) -> None:
    objection = world.submit()
    for ctx in (world.subject(), world.officer(), world.other_subject()):
        with pytest.raises(PermissionDenied):
            objections.accept(ctx, objection.id, 1)
    with pytest.raises(NotFound):
        objections.accept(world.office(), 424242, 1)


def test_a_step_out_of_order_is_a_conflict(world: World) -> None:
    objection = world.submit()
    with pytest.raises(Conflict) as err:
        objections.self_check(world.office(), objection.id, "pass_to_provider", "", 1)
    assert "待受理" in err.value.message
    with pytest.raises(Conflict):
        objections.verify(world.officer(), objection.id, "upheld", "无误", None, 1)
    objections.accept(world.office(), objection.id, 1)
    with pytest.raises(Conflict):
        objections.accept(world.office(), objection.id, None)


def test_hand_over_and_the_provider_upholds(world: World) -> None:
    objection = world.submit()
    objections.accept(world.office(), objection.id, 1)
    objections.self_check(world.office(date(2026, 11, 30)), objection.id, "pass_to_provider", "平台数据与报送一致", 2)
    assert (objection.status, objection.verify_due) == ("verifying", date(2026, 12, 14))
    task = world.db.scalar(select(Notification).where(Notification.dedupe_key == f"objection:{objection.id}:handover"))
    assert task is not None and task.department_id == world.dept.id and not task.to_office
    with pytest.raises(PermissionDenied):  # another department's officer
        objections.verify(world.officer(world.other_dept), objection.id, "upheld", "无误", None, 3)
    with pytest.raises(InvalidInput):
        objections.verify(world.officer(), objection.id, "upheld", "无误", {"处罚类别": "警告"}, 3)
    objections.verify(world.officer(), objection.id, "upheld", "经核查处罚决定有效，未被撤销", None, 3)
    assert (objection.status, objection.outcome, objection.new_record_id) == ("closed", "upheld", None)
    assert record_code(world, world.record) == "published"
    assert ("decision", "decision") in notes(world.db, objection)


def test_withdrawal_by_the_applicant_only(world: World) -> None:
    objection = world.submit()
    with pytest.raises(PermissionDenied):
        objections.withdraw(world.other_subject(), objection.id)
    with pytest.raises(PermissionDenied):
        objections.withdraw(world.officer(), objection.id)
    objections.withdraw(world.subject(), objection.id)
    assert (objection.status, objection.outcome) == ("closed", "withdrawn")
    assert record_code(world, world.record) == "published"
    with pytest.raises(Conflict) as err:
        objections.withdraw(world.subject(), objection.id)
    assert "已办结" in err.value.message


# --------------------------------------------------------------------------------------------- correction
@pytest.fixture
def loaded(world: World) -> CreditRecord:
    """A penalty of the first firm loaded through intake (every field filled as a department reports it)."""
    row = penalty_row(1, DEPT_USCC, legal_representative="王五", decided_on="2026-11-20")
    summary = intake.submit_rows(world.system, "penalty", world.dept.id, [row], channel="api")
    assert summary.status == "loaded", summary.errors
    record = world.db.scalar(select(CreditRecord).where(CreditRecord.batch_id == summary.batch_id))
    assert record is not None and record.subject_id == world.firm.id
    return record


def verifying(world: World, record: CreditRecord) -> Objection:
    objection = world.submit(record=record)
    objections.accept(world.office(), objection.id, None)
    objections.self_check(world.office(), objection.id, "pass_to_provider", "", None)
    return objection


def test_a_correction_becomes_a_new_version_through_intake(world: World, loaded: CreditRecord) -> None:
    objection = verifying(world, loaded)
    batches = world.db.scalar(select(func.count()).select_from(IntakeBatch))
    objections.verify(
        world.officer(),
        objection.id,
        "corrected",
        "法定代表人登记有误，已更正",
        {"法定代表人": "赵六", "fine_amount": "0.3"},
        objection.lock_version,
    )
    assert (objection.status, objection.outcome) == ("closed", "corrected")
    newer = world.db.get(CreditRecord, objection.new_record_id)
    assert newer is not None and newer.supersedes_id == loaded.id and newer.version == loaded.version + 1
    assert newer.data["legal_representative"] == "赵六" and float(newer.data["fine_amount"]) == 0.3
    assert newer.data["violation_type"] == loaded.data["violation_type"]
    batch = world.db.scalar(select(IntakeBatch).order_by(IntakeBatch.id.desc()).limit(1))
    assert batch is not None and batch.channel == objections.CORRECTION_CHANNEL and batch.department_id == world.dept.id
    assert world.db.scalar(select(func.count()).select_from(IntakeBatch)) == (batches or 0) + 1
    # the mark ends on the key, whichever version is current
    assert record_code(world, newer) == "published"
    assert "intake.submit" in actions(world.db) and actions(world.db)[-1] == "objections.verify"


def test_a_rejected_correction_changes_nothing(world: World, loaded: CreditRecord) -> None:
    objection = verifying(world, loaded)
    before = (
        world.db.scalar(select(func.count()).select_from(IntakeBatch)),
        world.db.scalar(select(func.count()).select_from(CreditRecord)),
    )
    with pytest.raises(InvalidInput) as err:
        objections.verify(world.officer(), objection.id, "corrected", "更正日期", {"处罚决定日期": "明天"}, None)
    assert "未通过校验" in err.value.message and "处罚决定日期" in err.value.message
    for bad, fragment in (
        ({"不存在的字段": "x"}, "不是“行政处罚信息”的字段"),
        ({"doc_no": "番市监罚〔2026〕99号"}, "唯一标识"),
        ({}, "须填写更正后的字段值"),
        ({"法定代表人": "王五"}, "与原记录相同"),
    ):
        with pytest.raises(InvalidInput) as again:
            objections.verify(world.officer(), objection.id, "corrected", "更正", bad, None)
        assert fragment in again.value.message
    world.db.refresh(objection)
    assert (objection.status, objection.new_record_id) == ("verifying", None)
    after = (
        world.db.scalar(select(func.count()).select_from(IntakeBatch)),
        world.db.scalar(select(func.count()).select_from(CreditRecord)),
    )
    assert after == before
    assert record_code(world, loaded) == "objected"


def test_the_row_rebuilt_from_a_record_unseals_and_decrypts(world: World) -> None:
    from xinyong.catalog.items import load_catalog

    item = load_catalog().item("penalty")
    record = world.penalty("番市监罚〔2026〕5号", data={"legal_representative": pii.seal("王五")})
    record.id_cipher = pii.encrypt("11010519491231002X")
    row = objections.corrected_row(item, record, {"处罚内容": " 警告 "})
    assert row["legal_representative"] == "王五" and row["id_number"] == "11010519491231002X"
    assert row["content"] == "警告" and row["doc_no"] == "番市监罚〔2026〕5号" and row["reg_no"] == ""


# --------------------------------------------------------------------------------------------- locking
def test_a_handler_deciding_on_a_stale_form_is_refused(world: World) -> None:
    objection = world.submit()
    seen = objection.lock_version
    objections.accept(world.office(actor="office_a"), objection.id, seen)  # someone else decides first
    with pytest.raises(cases.StaleCase) as err:
        objections.refuse(world.office(actor="office_b"), objection.id, "不予受理", seen)
    assert err.value.status == 409 and "已被他人处理" in err.value.message
    assert (objection.status, objection.outcome) == ("accepted", None)
    assert actions(world.db).count("objections.refuse") == 0


@pytest.fixture(params=DATABASES)
def own_database(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A migrated database of its own (committed work stays out of the shared test database)."""
    if request.param == "sqlite":
        with app_database(monkeypatch, f"sqlite:///{tmp_path / 'race.db'}") as url:
            yield url
        return
    schema = create_schema()
    try:
        with app_database(monkeypatch, schema_url(schema)) as url:
            yield url
    finally:
        drop_schema(schema)


def _seed_race(engine: Engine) -> int:
    with Session(engine, expire_on_commit=False) as setup:
        world = World(Context(session=setup, actor="tester", role="system"))
        objection_id = world.submit().id
        setup.commit()
    return objection_id


def _outcome(engine: Engine, objection_id: int) -> tuple[tuple[str, str | None, int], list[str], date | None]:
    with Session(engine) as check:
        stored = check.get(Objection, objection_id)
        assert stored is not None
        done = check.scalars(
            select(AuditEvent.action).where(AuditEvent.action.like("objections.%")).order_by(AuditEvent.id)
        ).all()
        effect = check.scalar(select(RecordEffect).where(RecordEffect.source_id == objection_id))
        assert effect is not None
        return (stored.status, stored.outcome, stored.lock_version), list(done), effect.ends_on


def test_two_handlers_racing_cannot_lose_an_update(own_database: str) -> None:
    engine = make_engine(own_database)
    try:
        objection_id = _seed_race(engine)
        # Both handlers open the case (each its own request) and see version 1.
        seen = []
        for _ in range(2):
            with Session(engine) as form:
                shown = objections.objection_detail(
                    Context(session=form, actor="office", role="credit_office_staff"), objection_id
                )
                seen.append(shown.version)
                form.commit()
        assert seen == [1, 1]
        # The first decides and commits; the second decides later on what it was shown.
        with Session(engine) as first:
            objections.accept(
                Context(session=first, actor="office_a", role="credit_office_staff"), objection_id, seen[0]
            )
            first.commit()
        with Session(engine) as second:
            late = Context(session=second, actor="office_b", role="credit_office_staff")
            with pytest.raises(cases.StaleCase):
                objections.refuse(late, objection_id, "不予受理", seen[1])
            second.rollback()
        state, done, ends_on = _outcome(engine, objection_id)
        assert state == ("accepted", None, 2)
        assert done == ["objections.submit", "objections.accept"]
        assert ends_on is None  # the refusal did not end the 异议中 mark
    finally:
        engine.dispose()


def test_concurrent_transactions_cannot_lose_an_update(own_database: str) -> None:
    engine = make_engine(own_database)
    if engine.dialect.name != "postgresql":
        engine.dispose()
        pytest.skip("SQLite serialises writers: a second writer cannot start while the first is open")
    try:
        objection_id = _seed_race(engine)
        with Session(engine) as first, Session(engine) as second:
            # the second handler's transaction reads version 1 before the first commits
            theirs = second.get(Objection, objection_id)
            assert theirs is not None and theirs.lock_version == 1
            objections.accept(Context(session=first, actor="office_a", role="credit_office_staff"), objection_id, 1)
            first.commit()
            late = Context(session=second, actor="office_b", role="credit_office_staff")
            with pytest.raises(cases.StaleCase):  # its form check passes; the versioned UPDATE finds no row
                objections.refuse(late, objection_id, "不予受理", 1)
            second.rollback()
        state, done, ends_on = _outcome(engine, objection_id)
        assert state == ("accepted", None, 2)
        assert done == ["objections.submit", "objections.accept"]
        assert ends_on is None
    finally:
        engine.dispose()


# --------------------------------------------------------------------------------------------- deadlines
def test_deadlines_skip_the_national_day_holiday(world: World) -> None:
    # 2026: 10-01..10-07 off; Saturday 10-10 a make-up working day.
    record = world.penalty("番市监罚〔2026〕11号", decided_on=date(2026, 9, 1))
    objection = world.submit(record=record, when=date(2026, 9, 30))
    assert objection.accept_due == date(2026, 10, 9)
    objections.accept(world.office(date(2026, 10, 9)), objection.id, 1)
    assert objection.self_check_due == date(2026, 10, 12)  # Sat 10-10 counts, Sun 10-11 does not
    objections.self_check(world.office(date(2026, 9, 30)), objection.id, "pass_to_provider", "", 2)
    # ten working days from Wednesday 09-30: 10-08, 10-09, 10-10 (Sat), 10-12 .. 10-16, 10-19, 10-20
    assert objection.verify_due == date(2026, 10, 20)


def test_a_deadline_into_an_uncovered_year_is_refused_clearly(world: World) -> None:
    record = world.penalty("番市监罚〔2026〕12号")
    with pytest.raises(CalendarRangeError) as err:
        world.submit(record=record, when=date(2026, 12, 30))
    assert err.value.status == 409 and "2027" in err.value.message
    assert world.db.scalar(select(func.count()).select_from(Objection)) == 0
    # once the 2027 schedule is entered (元旦 1 January) and declared, the deadline passes the new year's holiday
    set_day(world.system, date(2027, 1, 1), False, "元旦", "国办发明电〔2026〕1号（测试）")
    declare_year(world.system, 2027, "国办发明电〔2026〕1号（测试）")
    objection = world.submit(record=record, when=date(2026, 12, 30))
    assert objection.accept_due == date(2027, 1, 4)


def test_the_weekends_only_fallback_counts_the_new_year(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XINYONG_CALENDAR_FALLBACK", "weekends_only")
    get_settings.cache_clear()
    objection = world.submit(when=date(2026, 12, 31))
    assert objection.accept_due == date(2027, 1, 4)  # Fri 01-01 (no holidays known), Mon 01-04


def test_the_handover_refused_by_the_calendar_changes_nothing(world: World) -> None:
    objection = world.submit(when=date(2026, 12, 14))
    objections.accept(world.office(date(2026, 12, 15)), objection.id, 1)
    with pytest.raises(CalendarRangeError):
        objections.self_check(world.office(date(2026, 12, 18)), objection.id, "pass_to_provider", "", 2)
    assert (objection.status, objection.verify_due, objection.lock_version) == ("accepted", None, 2)


# --------------------------------------------------------------------------------------------- the daily job
def test_overdue_steps_are_flagged_once_and_reminders_queued(world: World) -> None:
    late = world.submit(when=date(2026, 11, 24))  # accept due Thursday 11-26
    soon = world.submit(record=world.penalty("番市监罚〔2026〕21号"), when=date(2026, 11, 26))  # due Mon 11-30
    later = world.submit(record=world.penalty("番市监罚〔2026〕22号"))  # due Tue 12-01
    versions = (late.lock_version, soon.lock_version)
    assert objections.flag_overdue(world.system, date(2026, 11, 27)) == 2  # late flagged, soon reminded
    assert (late.overdue, soon.overdue, later.overdue) == (True, False, False)
    assert (late.lock_version, soon.lock_version) == versions  # the job never makes a handler's form stale
    assert ("overdue", "accept") in notes(world.db, late)
    assert ("reminder", "accept") in notes(world.db, soon)
    assert not [n for n in notes(world.db, later) if n[0] in ("reminder", "overdue")]
    assert objections.flag_overdue(world.system, date(2026, 11, 27)) == 0  # idempotent
    assert [e.action for e in cases.case_history(world.db, "objection", late.id)].count("overdue") == 1
    # the next step starts afresh: accepting clears the flag, its own lateness is flagged under its own key
    objections.accept(world.office(date(2026, 11, 27)), late.id, late.lock_version)
    assert late.overdue is False
    assert objections.flag_overdue(world.system, date(2026, 12, 2)) == 3  # late (self-check), soon, later
    assert ("overdue", "self_check") in notes(world.db, late)
    assert objections.flag_overdue(world.system, date(2026, 12, 2)) == 0


def test_the_provider_is_told_when_its_verification_is_late(world: World) -> None:
    objection = world.submit()
    objections.accept(world.office(), objection.id, 1)
    objections.self_check(world.office(), objection.id, "pass_to_provider", "", 2)
    assert objection.verify_due == date(2026, 12, 11)
    assert objections.flag_overdue(world.system, date(2026, 12, 10)) == 1  # reminder one working day ahead
    assert objections.flag_overdue(world.system, date(2026, 12, 14)) == 1
    overdue = world.db.scalar(
        select(Notification).where(Notification.dedupe_key == f"objection:{objection.id}:overdue:verify")
    )
    assert overdue is not None and overdue.department_id == world.dept.id and not overdue.to_office


def test_the_daily_job_runs_the_step(world: World) -> None:
    world.submit(when=date(2026, 11, 20))
    run = jobs.run_daily(world.system, date(2026, 11, 27))
    assert run.steps["objections_overdue"] == 1
    assert jobs.run_daily(world.system, date(2026, 11, 27)).steps["objections_overdue"] == 0
    with pytest.raises(PermissionDenied):
        objections.flag_overdue(world.office(), date(2026, 11, 27))


# --------------------------------------------------------------------------------------------- reads
def test_queues_per_handler_with_due_dates(world: World) -> None:
    waiting = world.submit(when=date(2026, 11, 24))
    accepted = world.submit(record=world.penalty("番市监罚〔2026〕31号"))
    objections.accept(world.office(), accepted.id, 1)
    handed = world.submit(record=world.penalty("番市监罚〔2026〕32号"))
    objections.accept(world.office(), handed.id, 1)
    objections.self_check(world.office(), handed.id, "pass_to_provider", "", 2)
    office = objections.queue(world.office())
    assert [(r.id, r.step, r.due, r.overdue) for r in office] == [
        (waiting.id, "accept", date(2026, 11, 26), True),
        (accepted.id, "self_check", date(2026, 12, 1), False),
    ]
    assert [r.id for r in objections.queue(world.office(), overdue_only=True)] == [waiting.id]
    assert [r.id for r in objections.queue(world.office(), status="verifying")] == [handed.id]
    mine = objections.queue(world.officer())
    assert [(r.id, r.step_label, r.due) for r in mine] == [(handed.id, "数据提供单位核查", date(2026, 12, 11))]
    assert objections.queue(world.officer(world.other_dept)) == []
    assert [r.id for r in objections.queue(world.officer(), status="submitted")] == [waiting.id]  # own department
    with pytest.raises(PermissionDenied):
        objections.queue(world.subject())
    with pytest.raises(InvalidInput):
        objections.queue(world.office(), status="lost")
    console = objections.queue(world.system)
    assert {r.id for r in console} == {waiting.id, accepted.id, handed.id}


def test_detail_for_the_applicant_and_the_handlers(world: World) -> None:
    objection = world.submit(files=[("复议决定书.pdf", PDF)])
    mine = objections.objection_detail(world.subject(), objection.id)
    assert mine.contact == "138****5678" and mine.reasons == REASONS
    assert mine.actions == ["withdraw"] and [f.filename for f in mine.files] == ["复议决定书.pdf"]
    assert [h.action_label for h in mine.history] == ["提出异议"]
    office = objections.objection_detail(world.office(), objection.id)
    assert office.contact == "13812345678" and office.actions == ["accept", "refuse", "withdraw"]
    assert objections.objection_detail(world.officer(), objection.id).actions == []
    for stranger in (world.other_subject(), world.officer(world.other_dept)):
        with pytest.raises(PermissionDenied):
            objections.objection_detail(stranger, objection.id)
    assert actions(world.db).count("read.objection") == 3


def test_an_evidence_file_is_downloaded_by_its_readers_only(world: World) -> None:
    objection = world.submit(files=[("复议决定书.pdf", PDF)])
    [meta] = objections.objection_detail(world.subject(), objection.id).files
    row = objections.case_file_content(world.officer(), objection.id, meta.id)
    assert row.content == PDF and actions(world.db)[-1] == "read.case_file"
    with pytest.raises(PermissionDenied):
        objections.case_file_content(world.other_subject(), objection.id, meta.id)
    with pytest.raises(NotFound):
        objections.case_file_content(world.subject(), objection.id, meta.id + 1000)


def test_my_objections_lists_only_the_callers(world: World) -> None:
    mine = world.submit()
    theirs_record = world.penalty("番市监罚〔2026〕41号", subject=world.other_firm)
    theirs = objections.submit_objection(world.other_subject(), theirs_record.id, REASONS)
    assert [o.id for o in objections.my_objections(world.subject())] == [mine.id]
    assert [o.id for o in objections.my_objections(world.other_subject())] == [theirs.id]
    with pytest.raises(PermissionDenied):
        objections.my_objections(world.officer())
    assert world.db.scalar(select(func.count()).select_from(CaseEvent)) == 2
