"""The helpers every lifecycle case shares: history, evidence files, idempotent notifications, working-day
deadlines, optimistic locking."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from records_factories import make_batch, make_record
from xinyong.auth.context import Context
from xinyong.errors import InvalidInput
from xinyong.records import cases
from xinyong.records.models import Notification, Objection
from xinyong.settings import get_settings
from xinyong.subjects.models import Department

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


def test_history_keeps_every_step_in_order(ctx: Context) -> None:
    cases.log_event(ctx, "objection", 7, "submit", None, "submitted", "提出异议")
    cases.log_event(ctx, "objection", 7, "accept", "submitted", "accepted")
    cases.log_event(ctx, "repair", 7, "apply", None, "submitted")
    ctx.session.flush()
    steps = cases.case_history(ctx.session, "objection", 7)
    assert [(s.action, s.from_status, s.to_status) for s in steps] == [
        ("submit", None, "submitted"),
        ("accept", "submitted", "accepted"),
    ]
    assert steps[0].actor == "tester" and steps[0].note == "提出异议"


def test_an_evidence_file_is_stored_with_its_digest(ctx: Context) -> None:
    cases.attach_file(ctx, "objection", 3, "证明材料.pdf", PDF)
    cases.attach_file(ctx, "objection", 3, "照片.PNG", PNG)
    ctx.session.flush()
    files = cases.case_files(ctx.session, "objection", 3)
    assert [(f.filename, f.content_type, f.size) for f in files] == [
        ("证明材料.pdf", "application/pdf", len(PDF)),
        ("照片.PNG", "image/png", len(PNG)),
    ]
    assert files[0].content == PDF and len(files[0].sha256) == 64


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("说明.exe", b"MZ", "类型不受支持"),
        ("说明", PDF, "类型不受支持"),
        ("空.pdf", b"", "空文件"),
        ("假.pdf", b"<html>not a pdf</html>", "内容与扩展名不符"),
        ("   ", PDF, "缺少文件名"),
    ],
)
def test_a_bad_evidence_file_is_refused_with_its_reason(name: str, content: bytes, reason: str) -> None:
    with pytest.raises(InvalidInput) as err:
        cases.check_file(name, content)
    assert reason in err.value.message


def test_an_oversized_file_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XINYONG_CASE_FILE_MAX_MB", "1")
    get_settings.cache_clear()
    with pytest.raises(InvalidInput) as err:
        cases.check_file("大.pdf", PDF + b"0" * (1024 * 1024))
    assert "超过 1 MB" in err.value.message


def test_a_file_name_cannot_carry_a_path(ctx: Context) -> None:
    name, _ = cases.check_file("../../etc/证明.pdf", PDF)
    assert "/" not in name and name.endswith("证明.pdf")


def test_a_notification_is_queued_once_per_key(ctx: Context) -> None:
    first = cases.notify(ctx, case_type="objection", case_id=1, kind="overdue", message="已超期", dedupe_key="o:1:x")
    again = cases.notify(ctx, case_type="objection", case_id=1, kind="overdue", message="已超期", dedupe_key="o:1:x")
    ctx.session.flush()
    assert first is not None and again is None
    assert ctx.session.scalars(select(Notification).where(Notification.dedupe_key == "o:1:x")).all() == [first]


def test_working_day_deadlines_skip_the_national_day_holiday(db: Session) -> None:
    # 2026: 10-01..10-07 off (国庆、中秋), 10-10 (Saturday) a make-up working day.
    assert cases.workday_deadline(db, date(2026, 9, 30), 2) == date(2026, 10, 9)
    assert cases.workday_deadline(db, date(2026, 9, 30), 3) == date(2026, 10, 10)
    assert cases.workday_deadline(db, date(2026, 11, 27), 2) == date(2026, 12, 1)  # Friday → Tuesday


def test_a_stale_version_is_a_conflict() -> None:
    cases.check_expected_version(3, 3, "该异议")
    cases.check_expected_version(3, None, "该异议")  # callers without a form (CLI) skip the check
    with pytest.raises(cases.StaleCase) as err:
        cases.check_expected_version(4, 3, "该异议")
    assert err.value.status == 409 and "已被他人处理" in err.value.message


def test_a_concurrent_change_is_caught_on_flush(ctx: Context, departments: tuple[Department, Department]) -> None:
    record = make_record(
        ctx.session, make_batch(ctx.session, departments[0]), doc_no="罚1", decided_on=date(2026, 1, 5)
    )
    objection = Objection(
        record_id=record.id,
        item_id=record.item_id,
        department_id=record.department_id,
        doc_no=record.doc_no,
        applicant_name="广州禾丰贸易有限公司",
        reasons="处罚已被撤销",
        status="submitted",
        accept_due=date(2026, 12, 1),
        rule_version=1,
        submitted_at=ctx.at,
        submitted_on=ctx.today,
    )
    ctx.session.add(objection)
    ctx.session.flush()
    assert objection.lock_version == 1
    # Someone else moves the case on behind this session's back.
    ctx.session.connection().execute(
        Objection.__table__.update().where(Objection.id == objection.id).values(lock_version=2, status="accepted")
    )
    objection.status = "refused"
    with pytest.raises(cases.StaleCase):
        cases.flush_locked(ctx, "该异议")
