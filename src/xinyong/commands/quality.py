"""``xinyong quality`` commands (issue #4)."""

from __future__ import annotations

import typer

app = typer.Typer(help="quality", no_args_is_help=True)
