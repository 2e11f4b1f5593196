"""已撤销 (``records.revocation.revoke_record``): the record's department or the credit office revokes once; the
status is 已撤销 from the revocation day; a second revocation, a future date, a date before the decision, an
empty reason or document, another department and a subject are refused with Chinese messages; audited."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from regime_records import regime_record, status
from xinyong.auth.context import Context
from xinyong.auth.models import AuditEvent
from xinyong.auth.permissions import PermissionDenied
from xinyong.errors import Conflict, InvalidInput, NotFound
from xinyong.records.effects import effects_of
from xinyong.records.models import CreditRecord
from xinyong.records.publication import public_condition
from xinyong.records.revocation import revoke_record
from xinyong.subjects.models import Department

TODAY = date(2026, 11, 27)


def officer(db: Session, dept: Department) -> Context:
    return Context(session=db, actor="officer", role="department_officer", department_id=dept.id)


def test_the_department_revokes_and_the_record_leaves_the_public_pages(
    db: Session, departments: tuple[Department, Department]
) -> None:
    dept = departments[0]
    record = regime_record(db, dept, date(2026, 5, 6))
    ctx = officer(db, dept)
    done = revoke_record(ctx, record.id, date(2026, 11, 20), "  行政复议决定撤销原处罚决定  ", "番复决〔2026〕3号")
    assert (done.record_id, done.revoked_on, done.status, done.status_label) == (
        record.id,
        date(2026, 11, 20),
        "revoked",
        "已撤销",
    )
    assert (done.reason, done.document) == ("行政复议决定撤销原处罚决定", "番复决〔2026〕3号")
    [effect] = effects_of(ctx, record, "revoked")
    assert (effect.id, effect.starts_on, effect.source_type, effect.created_by) == (
        done.effect_id,
        date(2026, 11, 20),
        "revocation",
        "officer",
    )
    assert "番复决〔2026〕3号" in effect.reason and "行政复议" in effect.reason
    assert status(ctx, record, date(2026, 11, 19)) == "published"
    assert status(ctx, record, date(2026, 11, 20)) == "revoked"
    public = set(db.scalars(select(CreditRecord.id).where(public_condition(TODAY))))
    assert record.id not in public
    assert record.id in set(db.scalars(select(CreditRecord.id).where(public_condition(date(2026, 11, 19)))))
    [event] = db.scalars(select(AuditEvent).where(AuditEvent.action == "records.revoke").order_by(AuditEvent.id)).all()
    assert (event.target_id, event.detail["revoked_on"], event.detail["document"]) == (
        str(record.id),
        "2026-11-20",
        "番复决〔2026〕3号",
    )


def test_the_credit_office_may_revoke_for_any_department(
    db: Session, departments: tuple[Department, Department]
) -> None:
    record = regime_record(db, departments[1], date(2026, 5, 6))
    office = Context(session=db, actor="office", role="credit_office_staff")
    assert revoke_record(office, record.id, TODAY, "原决定被法院判决撤销", "（2026）粤0113行初1号").status == "revoked"


def test_others_may_not_revoke(db: Session, departments: tuple[Department, Department]) -> None:
    dept, other = departments
    record = regime_record(db, dept, date(2026, 5, 6))
    for ctx in (
        officer(db, other),
        Context(session=db, actor="firm", role="subject", subject_id=1),
        Context(session=db, actor="regulator", role="regulator"),
    ):
        with pytest.raises(PermissionDenied):
            revoke_record(ctx, record.id, TODAY, "撤销", "文书1号")
    assert effects_of(officer(db, dept), record, "revoked") == []


def test_bad_revocations_are_refused_with_their_reason(db: Session, departments: tuple[Department, Department]) -> None:
    dept = departments[0]
    record = regime_record(db, dept, date(2026, 5, 6))
    ctx = officer(db, dept)
    cases = [
        (dict(revoked_on=date(2026, 11, 28)), "撤销日期不能晚于今天"),
        (dict(revoked_on=date(2026, 5, 5)), "撤销日期不能早于决定日期（2026-05-06）"),
        (dict(reason="   "), "请填写撤销原因"),
        (dict(document=""), "请填写撤销决定文书号"),
        (dict(reason="长" * 2001), "撤销原因过长"),
    ]
    for change, message in cases:
        args = {"revoked_on": TODAY, "reason": "复议撤销", "document": "番复决〔2026〕4号"} | change
        with pytest.raises(InvalidInput) as caught:
            revoke_record(ctx, record.id, **args)  # type: ignore[arg-type]
        assert caught.value.message.startswith(message)
    with pytest.raises(NotFound) as missing:
        revoke_record(ctx, 987_654_321, TODAY, "复议撤销", "番复决〔2026〕4号")
    assert missing.value.message == "未找到该信用记录"
    revoke_record(ctx, record.id, date(2026, 11, 2), "复议撤销", "番复决〔2026〕4号")
    with pytest.raises(Conflict) as twice:
        revoke_record(ctx, record.id, TODAY, "再次撤销", "番复决〔2026〕5号")
    assert twice.value.message == "该记录已于 2026-11-02 撤销，不能重复撤销"
    assert len(effects_of(ctx, record, "revoked")) == 1
