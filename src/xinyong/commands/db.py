"""``xinyong db``: schema migrations."""

from __future__ import annotations

import typer

from xinyong.db import migrate
from xinyong.db.session import get_engine

app = typer.Typer(help="数据库迁移 (database migrations)", no_args_is_help=True)


@app.command("upgrade")
def upgrade(revision: str = typer.Argument("head", help="目标版本")) -> None:
    """Migrate the database to the newest schema (or REVISION)."""
    engine = get_engine()
    migrate.upgrade(engine, revision)
    typer.echo(f"数据库已迁移至 {migrate.current(engine)}")


@app.command("current")
def current() -> None:
    """Print the schema revision the database is at."""
    typer.echo(migrate.current(get_engine()) or "(空数据库 empty)")
