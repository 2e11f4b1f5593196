"""Publicity status for any ``as_of`` (``records.status``): every status, the precedence between them, effects
holding on the natural key (every version), time travel, the SQL forms agreeing with the Python form, the
conditions other parts filter by, and the daily job's ``expire_publicity``. The clock is pinned at 2026-11-27."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from records_factories import make_batch, make_record
from regime_records import effect, regime_record, status
from xinyong.auth.context import Context
from xinyong.auth.models import AuditEvent
from xinyong.auth.permissions import PermissionDenied
from xinyong.records import effects
from xinyong.records.models import CreditRecord, RecordEffect
from xinyong.records.status import (
    STATUS_LABELS,
    count_by_status,
    expire_publicity,
    in_force_condition,
    publicly_shown_condition,
    record_status,
)
from xinyong.settings import get_settings
from xinyong.subjects.models import Department


# --------------------------------------------------------------------------------------------- each status
def test_labels() -> None:
    assert STATUS_LABELS == {
        "pending": "未到公示日",
        "published": "公示中",
        "objected": "异议中",
        "repaired": "已修复",
        "expired": "公示期满",
        "revoked": "已撤销",
        "unpublished": "不予公示",
    }


def test_pending_published_expired_over_time(ctx: Context, departments: tuple[Department, Department]) -> None:
    record = regime_record(ctx.session, departments[0], date(2026, 5, 6))  # Order 36 general: ends 2027-05-06
    assert status(ctx, record, date(2026, 5, 5)) == "pending"
    assert status(ctx, record, date(2026, 5, 6)) == "published"
    assert status(ctx, record, date(2027, 5, 6)) == "published"  # the last day is inclusive
    assert status(ctx, record, date(2027, 5, 7)) == "expired"
    got = record_status(ctx, record, date(2026, 8, 6))
    assert (got.label, got.regime, got.severity, got.min_end, got.effective_end) == (
        "公示中",
        "ndrc_order_36",
        "general",
        date(2026, 8, 6),
        date(2027, 5, 6),
    )
    assert not got.min_period_passed and record_status(ctx, record, date(2026, 8, 7)).min_period_passed


def test_the_straddle_rule_ends_publicity_on_the_later_end(
    ctx: Context, departments: tuple[Department, Department]
) -> None:
    record = regime_record(ctx.session, departments[0], date(2025, 8, 31))  # Order 58; Order 36 end 2026-08-31
    assert record_status(ctx, record, date(2026, 3, 31)).effective_end == date(2028, 8, 31)
    assert record_status(ctx, record, date(2026, 4, 1)).effective_end == date(2026, 8, 31)
    assert status(ctx, record, date(2026, 8, 31)) == "published"
    assert status(ctx, record, date(2026, 9, 1)) == "expired"
    early = regime_record(ctx.session, departments[0], date(2024, 1, 10))  # Order 36 end already passed
    assert status(ctx, early, date(2026, 3, 31)) == "published"
    assert status(ctx, early, date(2026, 4, 1)) == "expired"
    warning = regime_record(ctx.session, departments[0], date(2025, 6, 3), category="警告")  # minor
    assert status(ctx, warning, date(2026, 3, 31)) == "published"
    assert status(ctx, warning, date(2026, 4, 1)) == "expired"


def test_unpublished_minor_under_order_36(ctx: Context, departments: tuple[Department, Department]) -> None:
    record = regime_record(ctx.session, departments[0], date(2026, 6, 1), category="通报批评")
    assert (record.publishable, record.severity) == (False, "minor")
    assert status(ctx, record, date(2026, 5, 1)) == "unpublished"  # unpublished outranks pending
    assert status(ctx, record, date(2026, 6, 2)) == "unpublished"
    effect(ctx, record, "objection", date(2026, 6, 10))
    assert status(ctx, record, date(2026, 6, 11)) == "unpublished"  # and objected


def test_objection_interval(ctx: Context, departments: tuple[Department, Department]) -> None:
    record = regime_record(ctx.session, departments[0], date(2026, 5, 6))
    objection = effect(ctx, record, "objection", date(2026, 6, 10))
    assert status(ctx, record, date(2026, 6, 9)) == "published"
    assert status(ctx, record, date(2026, 6, 10)) == "objected"
    assert record_status(ctx, record, date(2026, 6, 10)).objection_open
    effects.close_effect(ctx, objection, date(2026, 6, 20))
    assert status(ctx, record, date(2026, 6, 19)) == "objected"
    assert status(ctx, record, date(2026, 6, 20)) == "published"
    assert not record_status(ctx, record, date(2026, 6, 20)).objection_open


def test_precedence_revoked_repaired_expired_objected(ctx: Context, departments: tuple[Department, Department]) -> None:
    record = regime_record(ctx.session, departments[0], date(2026, 4, 20))  # ends 2027-04-20
    effect(ctx, record, "objection", date(2026, 6, 1))
    assert status(ctx, record, date(2027, 4, 21)) == "expired"  # expired outranks an open objection
    effect(ctx, record, "repaired", date(2026, 9, 1))
    assert status(ctx, record, date(2026, 8, 31)) == "objected"
    assert status(ctx, record, date(2026, 9, 1)) == "repaired"  # repaired outranks objected
    assert status(ctx, record, date(2027, 6, 1)) == "repaired"  # and expired
    got = record_status(ctx, record, date(2026, 9, 1))
    assert (got.label, got.repaired_on, got.revoked_on) == ("已修复", date(2026, 9, 1), None)
    effect(ctx, record, "revoked", date(2026, 10, 8))
    assert status(ctx, record, date(2026, 10, 7)) == "repaired"
    assert status(ctx, record, date(2026, 10, 8)) == "revoked"  # revoked outranks everything
    assert record_status(ctx, record, TODAY).revoked_on == date(2026, 10, 8)
    warning = regime_record(ctx.session, departments[0], date(2026, 6, 1), category="警告")
    effect(ctx, warning, "repaired", date(2026, 7, 1))
    assert status(ctx, warning, date(2026, 7, 1)) == "repaired"  # repaired outranks unpublished
    effect(ctx, warning, "revoked", date(2026, 7, 2))
    assert status(ctx, warning, date(2026, 7, 2)) == "revoked"
    future = regime_record(ctx.session, departments[0], date(2026, 11, 20))
    effect(ctx, future, "revoked", date(2026, 11, 25))
    assert status(ctx, future, date(2026, 11, 19)) == "pending"
    assert status(ctx, future, date(2026, 11, 25)) == "revoked"


def test_effects_hold_for_every_version(ctx: Context, departments: tuple[Department, Department]) -> None:
    first = regime_record(ctx.session, departments[0], date(2026, 5, 6), doc_no="番罚〔版本〕1号")
    effect(ctx, first, "repaired", date(2026, 9, 1))
    second = regime_record(ctx.session, departments[0], date(2026, 5, 6), doc_no="番罚〔版本〕1号", supersedes=first)
    other = regime_record(ctx.session, departments[1], date(2026, 5, 6), doc_no="番罚〔版本〕1号")
    assert status(ctx, second, TODAY) == "repaired"
    assert status(ctx, other, TODAY) == "published"  # same document number, another department: another key


def test_a_record_without_an_end_never_expires(ctx: Context, departments: tuple[Department, Department]) -> None:
    record = make_record(
        ctx.session, make_batch(ctx.session, departments[0]), doc_no="无截止1号", decided_on=date(2020, 1, 1)
    )
    assert status(ctx, record, date(2099, 1, 1)) == "published"
    assert record_status(ctx, record, TODAY).min_period_passed


# --------------------------------------------------------------------------------------------- conditions
TODAY = date(2026, 11, 27)


def _ids(db: Session, condition: object) -> set[int]:
    return set(db.scalars(select(CreditRecord.id).where(condition)))  # type: ignore[arg-type]


def test_in_force_and_publicly_shown(
    ctx: Context, departments: tuple[Department, Department], monkeypatch: pytest.MonkeyPatch
) -> None:
    dept = departments[0]
    published = regime_record(ctx.session, dept, date(2026, 5, 6))
    objected = regime_record(ctx.session, dept, date(2026, 5, 6))
    effect(ctx, objected, "objection", date(2026, 11, 1))
    repaired = regime_record(ctx.session, dept, date(2026, 5, 6))
    effect(ctx, repaired, "repaired", date(2026, 11, 1))
    revoked = regime_record(ctx.session, dept, date(2026, 5, 6))
    effect(ctx, revoked, "revoked", date(2026, 11, 1))
    expired = regime_record(ctx.session, dept, date(2025, 1, 6))
    unpublished = regime_record(ctx.session, dept, date(2026, 5, 6), category="警告")
    pending = regime_record(ctx.session, dept, date(2026, 11, 28))
    everything = {r.id for r in (published, objected, repaired, revoked, expired, unpublished, pending)}
    assert _ids(ctx.session, in_force_condition(TODAY)) & everything == {published.id, objected.id}
    assert _ids(ctx.session, in_force_condition(date(2026, 10, 31))) & everything == {
        published.id,
        objected.id,
        repaired.id,
        revoked.id,
    }
    assert _ids(ctx.session, publicly_shown_condition(TODAY)) & everything == {published.id, objected.id}
    monkeypatch.setenv("XINYONG_OBJECTION_HIDES_RECORD", "true")
    get_settings.cache_clear()
    assert _ids(ctx.session, publicly_shown_condition(TODAY)) & everything == {published.id}
    assert _ids(ctx.session, in_force_condition(TODAY)) & everything == {published.id, objected.id}
    for joined in (True, False):
        counts = count_by_status(ctx.session, TODAY, CreditRecord.id.in_(everything), joined=joined)
        assert counts == {
            s: 1 for s in ("published", "objected", "repaired", "revoked", "expired", "unpublished", "pending")
        }


# --------------------------------------------------------------------------------------------- daily job
def test_expire_publicity_adds_one_effect_per_expired_current_record(
    ctx: Context, departments: tuple[Department, Department]
) -> None:
    dept = departments[0]
    db = ctx.session
    existing = db.scalar(select(func.count()).select_from(RecordEffect)) or 0
    expired = regime_record(db, dept, date(2025, 1, 6))  # Order 58 → Order 36 end 2026-01-06: stops 2026-04-01
    shortened = regime_record(db, dept, date(2025, 8, 31))  # effective end 2026-08-31
    live = regime_record(db, dept, date(2026, 5, 6))
    repaired = regime_record(db, dept, date(2025, 1, 7))
    effect(ctx, repaired, "repaired", date(2025, 6, 1))
    old = regime_record(db, dept, date(2025, 1, 8), doc_no="番罚〔到期〕1号")
    newer = regime_record(db, dept, date(2025, 1, 8), doc_no="番罚〔到期〕1号", supersedes=old)
    unpublished = regime_record(db, dept, date(2026, 5, 6), category="警告")
    added = expire_publicity(ctx, TODAY)
    made = {
        e.record_id: e.starts_on
        for e in db.scalars(
            select(RecordEffect).where(RecordEffect.kind == "expired", RecordEffect.source_type == "job")
        )
    }
    assert added == len(made) == 3
    assert made[expired.id] == date(2026, 4, 1)  # the first day no longer published
    assert made[shortened.id] == date(2026, 9, 1)
    assert made[newer.id] == date(2026, 4, 1) and old.id not in made
    assert not {live.id, repaired.id, unpublished.id} & set(made)
    assert status(ctx, expired, TODAY) == "expired"
    assert expire_publicity(ctx, TODAY) == 0  # idempotent
    assert expire_publicity(ctx, TODAY + timedelta(days=1)) == 0
    assert (db.scalar(select(func.count()).select_from(RecordEffect)) or 0) == existing + added + 1  # + repaired
    events = db.scalars(
        select(AuditEvent).where(AuditEvent.action == "records.expire_publicity").order_by(AuditEvent.id)
    ).all()
    assert [e.detail["added"] for e in events] == [added, 0, 0]


def test_expire_publicity_time_travel(ctx: Context, departments: tuple[Department, Department]) -> None:
    record = regime_record(ctx.session, departments[0], date(2026, 4, 20))  # ends 2027-04-20
    expire_publicity(ctx, date(2027, 4, 20))  # the last day of publicity
    assert record.id not in _expired_ids(ctx)
    assert expire_publicity(ctx, date(2027, 4, 21)) >= 1
    assert record.id in _expired_ids(ctx)


def _expired_ids(ctx: Context) -> set[int]:
    return set(ctx.session.scalars(select(RecordEffect.record_id).where(RecordEffect.kind == "expired")))


def test_expire_publicity_needs_jobs_run(db: Session) -> None:
    with pytest.raises(PermissionDenied):
        expire_publicity(Context(session=db, actor="staff", role="credit_office_staff"), TODAY)
