"""PostgreSQL pool checkout without a ping: a pooled connection the server ended is replaced, not handed out
(``db.session._alive_or_replaced``, which took the place of ``pool_pre_ping``)."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import Engine, event, text

from testdb import DATABASES, PG_URL
from xinyong.db.session import make_engine

pytestmark = pytest.mark.skipif("postgresql" not in DATABASES, reason="PostgreSQL is not among the test databases")


def end_backend(admin: Engine, pid: int) -> None:
    """Terminate a server process and wait until it is gone (its goodbye sent and its socket closed)."""
    with admin.connect() as conn:
        assert conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar_one()
        deadline = time.monotonic() + 10
        while conn.execute(text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"), {"pid": pid}).scalar():
            assert time.monotonic() < deadline
            time.sleep(0.01)


def test_a_pooled_connection_the_server_ended_is_replaced_at_checkout() -> None:
    engine = make_engine(PG_URL)
    pings: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *a: pings.append(a[2]))
    try:
        with engine.connect() as conn:
            first = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
        admin = make_engine(PG_URL)
        try:
            end_backend(admin, first)
        finally:
            admin.dispose()
        pings.clear()
        # the pool holds the ended connection: the checkout finds it readable and connects anew
        with engine.connect() as conn:
            second = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
        assert second != first
        assert pings == ["SELECT pg_backend_pid()"]  # no ping statement was spent on the checkout
        assert engine.pool.checkedout() == 0
    finally:
        engine.dispose()


def test_a_healthy_pooled_connection_is_reused_without_a_round_trip() -> None:
    engine = make_engine(PG_URL)
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    try:
        pids = []
        for _ in range(3):
            with engine.connect() as conn:
                pids.append(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())
        assert len(set(pids)) == 1
        assert statements == ["SELECT pg_backend_pid()"] * 3
    finally:
        engine.dispose()
