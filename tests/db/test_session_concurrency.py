"""Concurrent sessions on SQLite: the web's sessions begin IMMEDIATE, so a second request waits for the first
instead of failing with "database is locked" when both read and then write (db/session.py)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from xinyong.db.session import IMMEDIATE, make_engine


@pytest.fixture
def database(tmp_path: Path) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'concurrency.db'}"
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)")
        conn.exec_driver_sql("INSERT INTO counter VALUES (1, 0)")
    engine.dispose()
    yield url


def read_then_write(factory: sessionmaker[Session], first_read: threading.Event, go: threading.Event) -> None:
    """Read the counter, let the other thread run, then write what was read plus one and commit."""
    with factory() as session:
        n = session.execute(text("SELECT n FROM counter WHERE id = 1")).scalar_one()
        first_read.set()
        go.wait(0.5)
        session.execute(text("UPDATE counter SET n = :n WHERE id = 1"), {"n": n + 1})
        session.commit()


def race(factory: sessionmaker[Session]) -> tuple[list[BaseException], int]:
    """Two read-then-write transactions, the second starting while the first holds its read: the errors and
    the counter afterwards."""
    errors: list[BaseException] = []
    a_read, b_done, unused = threading.Event(), threading.Event(), threading.Event()

    def first() -> None:
        try:
            read_then_write(factory, a_read, b_done)
        except BaseException as exc:
            errors.append(exc)

    def second() -> None:
        a_read.wait(5)
        try:
            read_then_write(factory, unused, threading.Event())
        except BaseException as exc:
            errors.append(exc)
        finally:
            b_done.set()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    engine = factory.kw["bind"]
    with engine.connect() as conn:
        final = conn.execute(text("SELECT n FROM counter WHERE id = 1")).scalar_one()
    return errors, final


def test_deferred_transactions_fail_when_both_read_then_write(database: str) -> None:
    errors, final = race(sessionmaker(bind=make_engine(database)))
    assert len(errors) == 1 and isinstance(errors[0], OperationalError) and "locked" in str(errors[0])
    assert final == 1


def test_immediate_transactions_wait_and_both_writes_land(database: str) -> None:
    errors, final = race(sessionmaker(bind=make_engine(database).execution_options(**{IMMEDIATE: True})))
    assert errors == []
    assert final == 2  # the second read after the first committed: no lost update either
