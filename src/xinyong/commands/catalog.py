"""``xinyong catalog`` commands (issue #4)."""

from __future__ import annotations

import typer

app = typer.Typer(help="catalog", no_args_is_help=True)
