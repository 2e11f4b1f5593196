"""``auth.credentials.TokenMemo``: API tokens remembered by a process for a while (the joint check's lane); their
expiry is still checked on every request; an unknown or refused token is not remembered."""

from __future__ import annotations

from datetime import timedelta

from principals import issue_token
from sqlalchemy import event, update
from sqlalchemy.orm import Session

from factories import departments
from xinyong import clock
from xinyong.auth.credentials import TokenMemo
from xinyong.auth.models import ApiToken


def reads(db: Session) -> list[str]:
    """The statements reading a token's row, recorded from now on."""
    seen: list[str] = []
    event.listen(db.connection(), "before_cursor_execute", lambda *a: seen.append(a[2]))
    return seen


def token_reads(seen: list[str]) -> int:
    return sum(1 for s in seen if s.startswith("SELECT api_token.id"))


def test_a_token_is_remembered_for_the_memos_time_then_read_again(db: Session) -> None:
    dept = departments(db)[0]
    raw = issue_token(db, "department_officer", department_id=dept.id, scopes=["checks.run"])
    memo = TokenMemo(seconds=60)
    seen = reads(db)
    now = clock.now()
    first = memo.resolve(db, raw, now)
    assert first is not None and first.role == "department_officer" and first.scopes == ["checks.run"]
    assert memo.resolve(db, raw, now + timedelta(seconds=59)) is first
    assert token_reads(seen) == 1
    # revoked meanwhile: the memo still holds it (the write refuses it: lists.checks), until read again
    db.execute(update(ApiToken).values(revoked_at=now))
    assert memo.resolve(db, raw, now + timedelta(seconds=30)) is first
    assert memo.resolve(db, raw, now + timedelta(seconds=60)) is None
    assert token_reads(seen) == 2
    assert memo.resolve(db, raw, now + timedelta(seconds=61)) is None  # a refused token is not remembered
    assert token_reads(seen) == 3


def test_expiry_is_checked_on_every_request_and_forget_drops_a_token(db: Session) -> None:
    dept = departments(db)[0]
    raw = issue_token(db, "department_officer", department_id=dept.id, days=1)
    memo = TokenMemo(seconds=2 * 24 * 3600)
    now = clock.now()
    token = memo.resolve(db, raw, now)
    assert token is not None
    expires = token.expires_at if token.expires_at.tzinfo else token.expires_at.replace(tzinfo=now.tzinfo)
    assert memo.resolve(db, raw, expires - timedelta(seconds=1)) is token
    assert memo.resolve(db, raw, expires) is None
    seen = reads(db)
    fresh = memo.resolve(db, raw, now)
    assert fresh is not None and token_reads(seen) == 1
    memo.forget(raw)
    assert memo.resolve(db, raw, now) is not None and token_reads(seen) == 2
    assert memo.resolve(db, "xy_unknown_token", now) is None


def test_the_memo_is_bounded(db: Session) -> None:
    dept = departments(db)[0]
    raws = [issue_token(db, "department_officer", department_id=dept.id) for _ in range(3)]
    memo = TokenMemo(seconds=60, most=2)
    now = clock.now()
    for raw in raws:
        assert memo.resolve(db, raw, now) is not None
    assert len(memo._held) <= 2
