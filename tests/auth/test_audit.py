"""The audit log chains events and detects tampering."""

from sqlalchemy import update

from xinyong.auth import audit
from xinyong.auth.context import Context
from xinyong.auth.models import AuditEvent


def test_chain_verifies_and_detects_modification(ctx: Context) -> None:
    first = audit.record(ctx, "subject.create", "subject", 1, {"name": "甲"})
    second = audit.record(ctx, "subject.create", "subject", 2, {"name": "乙"})
    assert second.prev_hash == first.hash
    assert audit.verify_chain(ctx.session).ok
    ctx.session.execute(update(AuditEvent).where(AuditEvent.id == first.id).values(detail={"name": "丙"}))
    ctx.session.expire_all()
    report = audit.verify_chain(ctx.session)
    assert not report.ok
    assert report.first_bad_id == first.id
