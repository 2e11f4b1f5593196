"""Engine and session factory; one clear error line for a broken database URL."""

from __future__ import annotations

import select
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DisconnectionError, NoSuchModuleError
from sqlalchemy.orm import Session, sessionmaker

from xinyong.settings import get_settings


class DatabaseConfigError(RuntimeError):
    """The configured database URL cannot be used."""


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    # Let SQLAlchemy, not pysqlite, issue BEGIN so SAVEPOINTs work (SQLAlchemy docs, "Serializable isolation").
    dbapi_connection.isolation_level = None
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


# Execution option of the web's sessions: on SQLite their transactions begin IMMEDIATE (the write lock taken at
# BEGIN, waiting up to the busy timeout). A deferred BEGIN lets two concurrent requests read, and the second to
# write then fails at once with "database is locked" (SQLITE_BUSY_SNAPSHOT in WAL mode, the busy timeout does not
# apply): 2,423 failed checks of 3,352 under 8 clients in the joint-check benchmark (docs/checks.md).
IMMEDIATE = "xinyong_sqlite_immediate"
# Execution option of statement-at-a-time sessions on SQLite (``open_session(autocommit=True)``): no BEGIN is
# emitted, so each statement is its own transaction (pysqlite runs with ``isolation_level = None``, above).
SQLITE_AUTOCOMMIT = "xinyong_sqlite_autocommit"


def _sqlite_begin(conn) -> None:  # type: ignore[no-untyped-def]
    options = conn.get_execution_options()
    if options.get(SQLITE_AUTOCOMMIT):
        return
    conn.exec_driver_sql("BEGIN IMMEDIATE" if options.get(IMMEDIATE) else "BEGIN")


def _alive_or_replaced(dbapi_connection, _record, _proxy) -> None:  # type: ignore[no-untyped-def]
    """PostgreSQL pool checkout: hand out a pooled connection only if the server has neither closed it nor sent
    anything on it while it sat idle; otherwise ``DisconnectionError`` makes the pool discard it and connect anew.

    This replaces ``pool_pre_ping``, which spent a ``BEGIN`` and a ``SELECT 1`` round trip on every checkout
    (22% of the joint check's CPU, client and server: docs/checks.md). A server that ends a connection (restart,
    ``pg_terminate_backend``, idle timeout) sends its error message and closes the socket, and an idle connection
    that expects nothing is then readable: one non-blocking ``poll`` of the socket finds it. (This platform never
    ``LISTEN``s, so no notification is ever waiting on an idle connection.)"""
    pgconn = dbapi_connection.pgconn
    if dbapi_connection.closed or pgconn.socket < 0:
        raise DisconnectionError("connection closed")
    poller = select.poll()
    poller.register(pgconn.socket, select.POLLIN | select.POLLPRI)
    if poller.poll(0):
        raise DisconnectionError("the server closed the connection or sent data while it was idle")


def _pool(database: str | None) -> dict[str, int]:
    """Pool sizes: ``db_pool_size`` kept, as many again on demand (see ``web/admission.py``); SQLite in memory
    keeps SQLAlchemy's single-connection pool."""
    if database in (None, "", ":memory:"):
        return {}
    size = get_settings().db_pool_size
    return {"pool_size": size, "max_overflow": size}


def make_engine(url: str | None = None) -> Engine:
    """Create an engine for ``url`` (default: settings), failing with one readable line."""
    raw = url or get_settings().database_url
    try:
        parsed = make_url(raw)
    except ArgumentError as exc:
        raise DatabaseConfigError(f"XINYONG_DATABASE_URL 无法解析 (cannot parse database URL): {raw!r}") from exc
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    try:
        if parsed.get_backend_name() == "sqlite":
            if parsed.database and parsed.database != ":memory:":
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine(parsed, **_pool(parsed.database))
            event.listen(engine, "connect", _sqlite_pragmas)
            event.listen(engine, "begin", _sqlite_begin)
        elif parsed.get_backend_name() == "postgresql":
            engine = create_engine(parsed, **_pool(parsed.database))
            event.listen(engine, "checkout", _alive_or_replaced)
        else:
            raise DatabaseConfigError(
                f"不支持的数据库 (unsupported database) {parsed.get_backend_name()!r}: use sqlite or postgresql"
            )
    except NoSuchModuleError as exc:
        raise DatabaseConfigError(f"数据库驱动不可用 (no driver for) {parsed.drivername!r}") from exc
    return engine


@lru_cache
def get_engine() -> Engine:
    """The process-wide engine (cached)."""
    return make_engine()


@lru_cache
def _factory() -> sessionmaker[Session]:
    return sessionmaker(bind=get_engine(), expire_on_commit=False)


@lru_cache
def _serialised_factory() -> sessionmaker[Session]:
    return sessionmaker(bind=get_engine().execution_options(**{IMMEDIATE: True}), expire_on_commit=False)


@lru_cache
def _autocommit_factory() -> sessionmaker[Session]:
    engine = get_engine()
    if engine.dialect.name == "sqlite":
        bound = engine.execution_options(**{SQLITE_AUTOCOMMIT: True})
    else:
        bound = engine.execution_options(isolation_level="AUTOCOMMIT")
    return sessionmaker(bind=bound, expire_on_commit=False)


def open_session(*, concurrent: bool = False, autocommit: bool = False) -> Session:
    """A new session (no connection is taken until its first statement). ``concurrent``: the session runs beside
    others (the web's requests), so on SQLite its transactions begin IMMEDIATE (see ``IMMEDIATE``).

    ``autocommit``: every statement is its own transaction, committed when it completes; no ``BEGIN`` and no
    ``COMMIT`` round trip, and on SQLite the write lock is held only while a writing statement runs. Only for
    work whose writes are each complete on their own (the joint check's log row: ``web.check_lane``); commit and
    rollback of such a session do nothing."""
    if autocommit:
        return _autocommit_factory()()
    return (_serialised_factory if concurrent else _factory)()()


def end_session(session: Session, ok: bool) -> None:
    """Commit (``ok``) or roll back the session, then close it; closed even when the commit fails."""
    try:
        if ok:
            session.commit()
        else:
            session.rollback()
    except BaseException:
        if ok:
            session.rollback()
        raise
    finally:
        session.close()


@contextmanager
def session_scope(*, concurrent: bool = False) -> Iterator[Session]:
    """A session that commits on success and rolls back on error (``open_session``, ``end_session``)."""
    session = open_session(concurrent=concurrent)
    try:
        yield session
    except BaseException:
        end_session(session, False)
        raise
    end_session(session, True)


def reset_caches() -> None:
    """Forget the cached engine and session factory (after settings change)."""
    _factory.cache_clear()
    _serialised_factory.cache_clear()
    _autocommit_factory.cache_clear()
    get_engine.cache_clear()
