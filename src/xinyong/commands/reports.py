"""``xinyong reports``: credit reports (issue #8)."""

from __future__ import annotations

import typer

app = typer.Typer(help="信用报告 (credit reports)", no_args_is_help=True)
