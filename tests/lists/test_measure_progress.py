"""Tracking the measures ledger: progress notes (who, what, audited, refused when wrong), the merged report (the
newest note as of a day overrides the file's done flag) and overdue tasks by ``as_of``."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.auth.context import Context
from xinyong.auth.models import AuditEvent
from xinyong.auth.permissions import PermissionDenied
from xinyong.errors import InvalidInput, NotFound
from xinyong.lists.measure_progress import ledger_tracking, progress_history, record_progress, tracking_report

REVISE = "serious_financing"  # revise, deadline 2026-12-31 in rules/measures.yaml
ABOLISHED = "district_travel_ban"  # abolish, deadline 2021-12-31, done in the file


def office(db: Session) -> Context:
    return Context(session=db, actor="account:office", role="credit_office_staff")


def row(db: Session, measure_id: str, as_of: date) -> object:
    return next(r for r in tracking_report(db, as_of).measures if r.id == measure_id)


def test_the_report_merges_the_file_with_the_newest_note(db: Session) -> None:
    report = tracking_report(db, date(2026, 11, 27))
    revise = next(r for r in report.measures if r.id == REVISE)
    assert (revise.status, revise.status_label, revise.deadline) == ("revise", "修订", date(2026, 12, 31))
    assert revise.progress_note is None and revise.ledger_progress.startswith("按49号文要求")
    assert revise.days_left == 34 and not revise.overdue and revise.department_name == "广州市番禺区发展和改革局"
    assert any("国办发〔2020〕49号" in b for b in revise.basis)
    assert report.by_status == {"保留": 17, "修订": 1, "废止": 1} and report.overdue == []
    assert REVISE in tracking_report(db, date(2027, 1, 1)).overdue

    office_ctx = office(db)
    first = record_progress(office_ctx, REVISE, "修订稿已报区政府常务会审议", False, date(2026, 11, 20))
    assert (first.ledger_version, first.recorded_by, first.done) == (2, "account:office", False)
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "measures.progress")).one()
    assert (event.target_type, event.target_id, event.detail["done"]) == ("measure", REVISE, False)
    record_progress(office_ctx, REVISE, "修订后的文件已印发", True, date(2026, 11, 26))
    merged = row(db, REVISE, date(2026, 11, 27))
    assert merged.progress_note == "修订后的文件已印发" and merged.done and merged.progress_on == date(2026, 11, 26)
    assert merged.days_left is None
    assert REVISE not in tracking_report(db, date(2027, 1, 1)).overdue  # done: never overdue
    # time travel: on 2026-11-25 the newest note was the first one
    earlier = row(db, REVISE, date(2026, 11, 25))
    assert earlier.progress_note == "修订稿已报区政府常务会审议" and not earlier.done
    assert [p.note for p in progress_history(db, REVISE)] == ["修订稿已报区政府常务会审议", "修订后的文件已印发"]


def test_a_later_note_that_reopens_a_task_makes_it_overdue_again(db: Session) -> None:
    assert row(db, ABOLISHED, date(2026, 11, 27)).done  # done: true in the file
    record_progress(office(db), ABOLISHED, "复查发现仍有部门在执行，需重新清理", False, date(2026, 11, 27))
    reopened = row(db, ABOLISHED, date(2026, 11, 27))
    assert not reopened.done and reopened.overdue and reopened.days_left is not None and reopened.days_left < 0
    assert ABOLISHED in tracking_report(db, date(2026, 11, 27)).overdue
    assert ABOLISHED not in tracking_report(db, date(2026, 11, 26)).overdue  # before the note: done per the file


def test_bad_progress_is_refused(db: Session) -> None:
    office_ctx = office(db)
    with pytest.raises(NotFound, match="没有编号为“no_such”"):
        record_progress(office_ctx, "no_such", "进展", False)
    with pytest.raises(InvalidInput, match="请填写进展情况"):
        record_progress(office_ctx, REVISE, "  ", False)
    with pytest.raises(InvalidInput, match="晚于今天"):
        record_progress(office_ctx, REVISE, "进展", False, date(2026, 11, 28))
    with pytest.raises(InvalidInput, match="保留"):
        record_progress(office_ctx, "wage_bidding", "已完成", True)
    assert record_progress(office_ctx, "wage_bidding", "各部门执行正常", False).measure_id == "wage_bidding"
    officer = Context(session=db, actor="account:officer", role="department_officer", department_id=1)
    with pytest.raises(PermissionDenied):
        record_progress(officer, REVISE, "进展", False)
    with pytest.raises(PermissionDenied):
        ledger_tracking(Context(session=db, actor="account:bank", role="bank", institution="某银行"))
    assert ledger_tracking(officer).as_of == date(2026, 11, 27)
