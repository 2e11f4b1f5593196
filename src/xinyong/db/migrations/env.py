"""Alembic environment: uses the connection handed in by ``xinyong.db.migrate`` or the configured URL."""

from __future__ import annotations

from alembic import context

from xinyong.db.models import metadata
from xinyong.db.session import make_engine

config = context.config


def run_migrations_online() -> None:
    """Run migrations on a live connection (render_as_batch so SQLite ALTERs work)."""
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url"))
    with engine.begin() as conn:
        context.configure(connection=conn, target_metadata=metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
