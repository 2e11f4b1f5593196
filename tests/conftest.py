"""Shared fixtures: a ``db`` session parametrised over SQLite and PostgreSQL, a pinned clock.

PostgreSQL tests run in a throw-away schema of database ``test`` (``XINYONG_TEST_PG_URL``); each test
runs inside a transaction that is rolled back. ``XINYONG_TEST_DATABASES=sqlite`` limits the run to
SQLite (for a machine without PostgreSQL); the default is both, and an unreachable PostgreSQL fails.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session

from xinyong import clock
from xinyong.auth.context import Context
from xinyong.db.migrate import upgrade
from xinyong.db.session import make_engine

PINNED_NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)  # 2026-11-27 10:00 in Beijing, a Friday
PG_URL = os.environ.get("XINYONG_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
DATABASES = [d.strip() for d in os.environ.get("XINYONG_TEST_DATABASES", "sqlite,postgresql").split(",") if d]


@pytest.fixture(autouse=True)
def pinned_clock() -> Iterator[datetime]:
    """Every test runs at PINNED_NOW unless it sets the clock itself."""
    clock.set_clock(lambda: PINNED_NOW)
    yield PINNED_NOW
    clock.set_clock(None)


@pytest.fixture(autouse=True)
def _isolated_settings(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Tests never touch the developer's var/xinyong.db."""
    monkeypatch.setenv("XINYONG_DATABASE_URL", f"sqlite:///{tmp_path_factory.getbasetemp() / 'unused.db'}")
    from xinyong.settings import get_settings

    get_settings.cache_clear()


def _sqlite_engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    path = tmp_path_factory.mktemp("db") / "test.db"
    return make_engine(f"sqlite:///{path}")


def _pg_engine() -> tuple[Engine, str]:
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # pragma: no cover - environment problem, reported clearly
        pytest.exit(
            f"PostgreSQL at {PG_URL} is not reachable ({exc.__class__.__name__}); start it or set "
            "XINYONG_TEST_DATABASES=sqlite",
            returncode=3,
        )
    finally:
        admin.dispose()
    engine = make_engine(PG_URL)
    engine = create_engine(engine.url, connect_args={"options": f"-csearch_path={schema}"})
    return engine, schema


@pytest.fixture(scope="session", params=DATABASES)
def engine(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """A migrated database of each kind, shared by the whole session."""
    if request.param == "sqlite":
        eng = _sqlite_engine(tmp_path_factory)
        upgrade(eng)
        yield eng
        eng.dispose()
    else:
        eng, schema = _pg_engine()
        upgrade(eng)
        yield eng
        eng.dispose()
        admin = create_engine(PG_URL)
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def db(engine: Engine) -> Iterator[Session]:
    """A session whose work is rolled back after the test (commits become savepoints)."""
    conn = engine.connect()
    outer = conn.begin()
    session = Session(bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False)
    try:
        yield session
    finally:
        session.close()
        outer.rollback()
        conn.close()


@pytest.fixture
def ctx(db: Session) -> Context:
    """The console operator acting at the pinned time."""
    return Context(session=db, actor="tester", role="system")


@pytest.fixture
def dialect(db: Session) -> str:
    """``sqlite`` or ``postgresql``."""
    return db.get_bind().dialect.name
