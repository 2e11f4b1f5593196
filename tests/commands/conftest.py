"""CLI fixtures: ``cli_db``, a migrated database that the commands' ``session_scope`` uses."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from testdb import DATABASES, app_database, create_schema, drop_schema, schema_url


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
