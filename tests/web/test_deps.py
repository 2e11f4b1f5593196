"""Request dependencies: an API token's last use is recorded at most once a minute (web/deps.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from principals import issue_token, token_headers
from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong import clock
from xinyong.auth.models import ApiToken
from xinyong.subjects.models import Department
from xinyong.web.deps import TOKEN_TOUCH_INTERVAL


def last_used(db: Session) -> datetime | None:
    db.expire_all()
    value = db.scalar(select(ApiToken.last_used_at).order_by(ApiToken.id.desc()).limit(1))
    return value if value is None or value.tzinfo else value.replace(tzinfo=UTC)


def test_a_tokens_last_use_is_written_at_most_once_a_minute(
    api: TestClient, db: Session, departments: tuple[Department, Department]
) -> None:
    start = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
    clock.set_clock(lambda: start)
    me = token_headers(issue_token(db, "department_officer", department_id=departments[0].id))
    db.commit()
    assert last_used(db) is None
    assert api.get("/api/v1/me", headers=me).status_code == 200
    assert last_used(db) == start
    soon = start + TOKEN_TOUCH_INTERVAL - timedelta(seconds=1)
    clock.set_clock(lambda: soon)
    assert api.get("/api/v1/me", headers=me).status_code == 200
    assert last_used(db) == start
    later = start + TOKEN_TOUCH_INTERVAL
    clock.set_clock(lambda: later)
    assert api.get("/api/v1/me", headers=me).status_code == 200
    assert last_used(db) == later
