"""Shared fixtures: a ``db`` session parametrised over SQLite and PostgreSQL, a pinned clock, cheap password
hashing (``fast_hasher``, opt-in), PII keys set through the environment (``pii_keys``), two departments, and
``cli_db``: a migrated database that the commands' ``session_scope`` uses (a test module seeds it by overriding the
fixture: ``def cli_db(cli_db: str) -> str``).

PostgreSQL tests run in a throw-away schema of database ``test`` (``XINYONG_TEST_PG_URL``); each test
runs inside a transaction that is rolled back. ``XINYONG_TEST_DATABASES=sqlite`` limits the run to
SQLite (for a machine without PostgreSQL); the default is both, and an unreachable PostgreSQL fails.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import Engine, create_engine
from sqlalchemy.orm import Session

import factories
from testdb import DATABASES, PG_URL, app_database, create_schema, drop_schema, schema_url
from xinyong import clock
from xinyong.auth import passwords, pii
from xinyong.auth.context import Context
from xinyong.db.migrate import upgrade
from xinyong.db.session import make_engine
from xinyong.settings import get_settings
from xinyong.subjects.models import Department

PINNED_NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)  # 2026-11-27 10:00 in Beijing, a Friday


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
    monkeypatch.setenv("XINYONG_REPORT_KEY_FILE", str(tmp_path_factory.getbasetemp() / "report-ed25519.pem"))
    monkeypatch.setenv("XINYONG_WARM_FIGURES_ON_START", "false")
    get_settings.cache_clear()


def _sqlite_engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    path = tmp_path_factory.mktemp("db") / "test.db"
    return make_engine(f"sqlite:///{path}")


def _pg_engine() -> tuple[Engine, str]:
    try:
        schema = create_schema()
    except Exception as exc:  # pragma: no cover - environment problem, reported clearly
        pytest.exit(
            f"PostgreSQL at {PG_URL} is not reachable ({exc.__class__.__name__}); start it or set "
            "XINYONG_TEST_DATABASES=sqlite",
            returncode=3,
        )
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
        drop_schema(schema)


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
def fast_hasher(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Cheap argon2id parameters, for tests that exercise the password rules, not the hash cost.

    Opt in with ``pytestmark = pytest.mark.usefixtures("fast_hasher")`` (or by naming the fixture)."""
    monkeypatch.setattr(passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    passwords.dummy_hash.cache_clear()
    yield
    passwords.dummy_hash.cache_clear()


@pytest.fixture
def pii_keys(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., None]]:
    """``pii_keys(current, old="", hash_key="hash-key-1", dev=False)`` sets the PII keys through the environment
    (throw-away development keys only if ``dev``); cached settings and keys are forgotten before and after."""

    def configure(current: str = "", old: str = "", hash_key: str = "hash-key-1", dev: bool = False) -> None:
        monkeypatch.setenv("XINYONG_PII_KEY", current)
        monkeypatch.setenv("XINYONG_PII_OLD_KEYS", old)
        monkeypatch.setenv("XINYONG_PII_HASH_KEY", hash_key)
        monkeypatch.setenv("XINYONG_DEV_KEYS", "true" if dev else "false")
        get_settings.cache_clear()
        pii.reset_keys()

    pii.reset_keys()
    yield configure
    get_settings.cache_clear()
    pii.reset_keys()


@pytest.fixture
def departments(db: Session) -> tuple[Department, Department]:
    """Two departments: 市场监督管理局 (``scjgj``) and 司法局 (``sfj``)."""
    return factories.departments(db)


@pytest.fixture
def dialect(db: Session) -> str:
    """``sqlite`` or ``postgresql``."""
    return db.get_bind().dialect.name


@pytest.fixture(params=DATABASES)
def cli_db(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A migrated database that the CLI's ``session_scope`` uses: a SQLite file, or a PostgreSQL schema.

    Its URL is in ``XINYONG_DATABASE_URL`` for the test's duration; the value is that URL."""
    if request.param == "sqlite":
        with app_database(monkeypatch, f"sqlite:///{tmp_path / 'cli.db'}") as url:
            yield url
        return
    schema = create_schema()
    try:
        with app_database(monkeypatch, schema_url(schema)) as url:
            yield url
    finally:
        drop_schema(schema)
