"""The console operator's context for CLI commands: who acts, and how expected errors end a command."""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from contextlib import contextmanager

import typer

from xinyong.auth.context import Context, system_context
from xinyong.db.session import session_scope
from xinyong.errors import XinyongError


def cli_actor() -> str:
    """``cli:<login name>`` for the audit log (``cli:unknown`` without a passwd entry, e.g. in containers)."""
    try:
        return f"cli:{getpass.getuser()}"
    except (OSError, KeyError):
        return "cli:unknown"


@contextmanager
def operator_context() -> Iterator[Context]:
    """An operator context on a committed-on-success session; expected errors exit 2 with their reason (and,
    for an error carrying row errors, one line per row)."""
    try:
        with session_scope() as session:
            yield system_context(session, cli_actor())
    except XinyongError as exc:
        typer.echo(f"错误: {exc.message}", err=True)
        for row in getattr(exc, "errors", ()):
            where = f"第 {row.row} 行" if row.row else "清单"
            typer.echo(f"  {where} {row.field}：{row.reason}" if row.field else f"  {where}：{row.reason}", err=True)
        raise typer.Exit(2) from None
