"""The read side of notifications: each caller sees what is addressed to it (its account, its subject, its
department, the credit office) and marks only its own read, audited; SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from principals import add_account
from sqlalchemy import select

from factories import company
from xinyong.auth.context import Context
from xinyong.auth.models import AuditEvent
from xinyong.auth.permissions import PermissionDenied
from xinyong.errors import NotFound
from xinyong.records import cases, notices
from xinyong.records.models import Notification
from xinyong.subjects.models import Department


@pytest.fixture
def subject(ctx: Context) -> Context:
    """A firm's own account."""
    firm = company(ctx, "广州禾丰贸易有限公司", 1)
    account = add_account(ctx.session, "firm_user", "subject", subject_id=firm.id)
    return Context(session=ctx.session, actor="firm_user", role="subject", subject_id=firm.id, account_id=account.id)


@pytest.fixture
def queued(ctx: Context, subject: Context, departments: tuple[Department, Department]) -> dict[str, Notification]:
    """One notification for each kind of recipient."""
    made: dict[str, Notification] = {}
    for name, to in (
        ("subject", {"subject_id": subject.subject_id}),
        ("account", {"account_id": subject.account_id}),
        ("department", {"department_id": departments[0].id}),
        ("other_department", {"department_id": departments[1].id}),
        ("office", {"to_office": True}),
    ):
        note = cases.notify(
            ctx, case_type="objection", case_id=7, kind="task", message=f"给{name}", dedupe_key=f"t:{name}", **to
        )
        assert note is not None
        made[name] = note
    ctx.session.flush()
    return made


def test_each_caller_sees_what_is_addressed_to_it(
    ctx: Context, subject: Context, departments: tuple[Department, Department], queued: dict[str, Notification]
) -> None:
    db = ctx.session
    officer = Context(session=db, actor="officer", role="department_officer", department_id=departments[0].id)
    office = Context(session=db, actor="office", role="credit_office_staff")
    regulator = Context(session=db, actor="reg", role="regulator")
    assert [n.message for n in notices.my_notifications(subject)] == ["给account", "给subject"]
    assert [n.message for n in notices.my_notifications(officer)] == ["给department"]
    assert [n.message for n in notices.my_notifications(office)] == ["给office"]
    assert notices.my_notifications(regulator) == []
    first = notices.my_notifications(subject)[0]
    assert first.link == "/objections/7" and first.kind_label == "待办" and first.read_at is None
    with pytest.raises(PermissionDenied):
        notices.my_notifications(Context(session=db, actor="public", role="public"))


def test_marking_read_is_own_only_audited_and_idempotent(
    ctx: Context, subject: Context, queued: dict[str, Notification]
) -> None:
    db = ctx.session
    assert notices.unread_count(subject) == 2
    done = notices.mark_read(subject, queued["subject"].id)
    assert done.read_at is not None and queued["subject"].read_at is not None
    assert notices.unread_count(subject) == 1
    assert [n.message for n in notices.my_notifications(subject, unread_only=True)] == ["给account"]
    again = notices.mark_read(subject, queued["subject"].id)
    assert again.read_at == done.read_at  # the first reading time is kept
    for foreign in ("department", "office", "other_department"):
        with pytest.raises(NotFound):
            notices.mark_read(subject, queued[foreign].id)
    with pytest.raises(NotFound):
        notices.mark_read(subject, 2**70)
    assert queued["office"].read_at is None
    events = db.scalars(
        select(AuditEvent).where(AuditEvent.action == "notifications.mark_read").order_by(AuditEvent.id)
    ).all()
    assert [e.detail["first"] for e in events] == [True, False]
