"""``xinyong intake`` commands (issue #4)."""

from __future__ import annotations

import typer

app = typer.Typer(help="intake", no_args_is_help=True)
