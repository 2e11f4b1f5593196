"""Test databases: the kinds a run covers, throw-away PostgreSQL schemas, and pointing the app at a database.

``XINYONG_TEST_DATABASES=sqlite`` limits a run to SQLite (for a machine without PostgreSQL); the default is
both. PostgreSQL tests use a schema of database ``test`` (``XINYONG_TEST_PG_URL``) dropped afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from xinyong.db import session as db_session
from xinyong.db.migrate import upgrade
from xinyong.db.session import make_engine
from xinyong.settings import get_settings

PG_URL = os.environ.get("XINYONG_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
DATABASES = [d.strip() for d in os.environ.get("XINYONG_TEST_DATABASES", "sqlite,postgresql").split(",") if d]


def _admin(statement: str) -> None:
    admin = create_engine(PG_URL)
    try:
        with admin.begin() as conn:
            conn.execute(text(statement))
    finally:
        admin.dispose()


def create_schema() -> str:
    """A new empty schema ``t_<random>`` in the PostgreSQL test database; its name."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    _admin(f'CREATE SCHEMA "{schema}"')
    return schema


def drop_schema(schema: str) -> None:
    """Drop a schema made by ``create_schema``, with everything in it."""
    _admin(f'DROP SCHEMA "{schema}" CASCADE')


def schema_url(schema: str) -> str:
    """The PostgreSQL test URL with ``schema`` as the search path (as ``XINYONG_DATABASE_URL`` takes it)."""
    return make_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(False)


@contextmanager
def app_database(monkeypatch: pytest.MonkeyPatch, url: str) -> Iterator[str]:
    """Migrate ``url`` and make it the database of the settings and of ``session_scope``; the settings and
    engine caches are reset on the way in and out."""
    monkeypatch.setenv("XINYONG_DATABASE_URL", url)
    get_settings.cache_clear()
    db_session.reset_caches()
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    try:
        yield url
    finally:
        db_session.get_engine().dispose()
        db_session.reset_caches()
        get_settings.cache_clear()


def rows(url: str, statement: Any) -> list[Any]:
    """The result rows of ``statement`` on ``url``, read through an engine of its own (outside the app's)."""
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            return list(session.execute(statement).all())
    finally:
        engine.dispose()


def execute(url: str, statement: Any) -> None:
    """Run and commit ``statement`` on ``url`` through an engine of its own (setup or tampering)."""
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            session.execute(statement)
            session.commit()
    finally:
        engine.dispose()
