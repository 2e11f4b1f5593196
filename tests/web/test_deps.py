"""Request dependencies (web/deps.py): an API token's last use is recorded at most once a minute; a request's work
is committed before its answer is sent."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi import Depends
from fastapi.testclient import TestClient
from principals import issue_token, token_headers
from sqlalchemy import select, text
from sqlalchemy.orm import Session
from starlette.responses import StreamingResponse

from xinyong import clock
from xinyong.auth.credentials import SESSION_COOKIE
from xinyong.auth.models import ApiToken
from xinyong.db.migrate import upgrade
from xinyong.db.session import IMMEDIATE, get_engine, make_engine, reset_caches
from xinyong.errors import InvalidInput
from xinyong.settings import get_settings
from xinyong.subjects.models import Department
from xinyong.web import deps
from xinyong.web.app import create_app
from xinyong.web.deps import TOKEN_TOUCH_INTERVAL, get_session
from xinyong.web.security import LoggedIn


def use_file_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, *, notes: bool = False) -> str:
    """Point the app at a fresh SQLite file (with a ``note`` table when ``notes``); its URL."""
    url = f"sqlite:///{tmp_path / name}"
    monkeypatch.setenv("XINYONG_DATABASE_URL", url)
    get_settings.cache_clear()
    reset_caches()
    if notes:
        with make_engine(url).begin() as conn:
            conn.exec_driver_sql("CREATE TABLE note (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
    return url


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


def test_a_handlers_work_is_committed_before_the_answer_is_sent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The answer (streamed here, so its body runs after the handler) already sees the write from another
    connection: the commit happened before the response started, not after it was sent."""
    url = use_file_database(tmp_path, monkeypatch, "commit.db", notes=True)
    app = create_app()

    @app.get("/_test/write")
    def write(session: Session = Depends(get_session)) -> StreamingResponse:
        session.execute(text("INSERT INTO note (body) VALUES ('已保存')"))

        def body() -> Iterator[str]:
            with make_engine(url).connect() as other:
                yield str(other.execute(text("SELECT count(*) FROM note")).scalar_one())

        return StreamingResponse(body(), media_type="text/plain")

    try:
        with TestClient(app) as client:
            answer = client.get("/_test/write")
    finally:
        reset_caches()
    assert answer.status_code == 200 and answer.text == "1"


def test_anonymous_reads_begin_deferred_and_everything_else_immediate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On SQLite a public GET does not queue for the write lock; a request with credentials, or any POST, does."""
    use_file_database(tmp_path, monkeypatch, "modes.db")
    app = create_app()

    @app.api_route("/_test/mode", methods=["GET", "POST"])
    def mode(session: Session = Depends(get_session)) -> dict[str, bool]:
        return {"immediate": bool(session.get_bind().get_execution_options().get(IMMEDIATE))}

    try:
        with TestClient(app) as client:
            public = client.get("/_test/mode").json()
            with_token = client.get("/_test/mode", headers={"Authorization": "Bearer xy_x"}).json()
            posted = client.post("/_test/mode").json()
            client.cookies.set(SESSION_COOKIE, "abc")
            with_cookie = client.get("/_test/mode").json()
    finally:
        reset_caches()
    assert public == {"immediate": False}
    assert with_token == with_cookie == posted == {"immediate": True}


def test_a_failing_handler_is_rolled_back_and_its_connection_returned(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The async ``get_session`` rolls back a request that raises and closes its session: nothing of the write is
    kept, and the pool has every connection back."""
    url = use_file_database(tmp_path, monkeypatch, "rollback.db", notes=True)
    app = create_app()

    @app.post("/_test/fail")
    def fail(session: Session = Depends(get_session)) -> None:
        session.execute(text("INSERT INTO note (body) VALUES ('不应保存')"))
        raise InvalidInput("故意失败", field="body")

    try:
        with TestClient(app) as client:
            answer = client.post("/_test/fail")
        pool = get_engine().pool
        checked_out = pool.checkedout()  # type: ignore[attr-defined]
    finally:
        reset_caches()
    with make_engine(url).connect() as other:
        kept = other.execute(text("SELECT count(*) FROM note")).scalar_one()
    assert answer.status_code == 422
    assert kept == 0
    assert checked_out == 0


def test_thread_hops_public_reads_take_one_and_a_token_two(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A public read resolves its context in the event loop (one worker-thread hop: the session's end); a token's
    look-up takes one more, and ``commit_before_response`` takes none after a handler that committed itself."""
    url = use_file_database(tmp_path, monkeypatch, "hops.db")
    engine = make_engine(url)
    upgrade(engine)
    with Session(engine) as setup:
        me = token_headers(issue_token(setup, "bank", institution="番禺测试银行"))
        setup.commit()
    hops: list[str] = []
    real = deps.run_in_threadpool

    async def counting(func, *args, **kwargs):  # type: ignore[no-untyped-def]
        hops.append(getattr(func, "__name__", str(func)))
        return await real(func, *args, **kwargs)

    monkeypatch.setattr(deps, "run_in_threadpool", counting)
    app = create_app()

    @app.get("/_test/committed")
    def committed(ctx: LoggedIn) -> dict[str, str]:  # as the hot routes do: commit, then answer
        ctx.session.commit()
        return {"actor": ctx.actor}

    try:
        with TestClient(app) as client:
            assert client.get("/api/v1/me").status_code == 401  # no credential: the public
            public = list(hops)
            hops.clear()
            assert client.get("/api/v1/me", headers=me).status_code == 200  # first use: last-use time written
            first = list(hops)
            hops.clear()
            assert client.get("/api/v1/me", headers=me).status_code == 200  # a read: its transaction is ended
            read = list(hops)
            hops.clear()
            assert client.get("/_test/committed", headers=me).status_code == 200
            again = list(hops)
    finally:
        reset_caches()
    assert public == ["end_session"]
    assert first == ["credential_context", "commit", "end_session"]
    assert read == ["credential_context", "commit", "end_session"]
    assert again == ["credential_context", "end_session"]
