"""``xinyong repairs``: 信用修复 (credit repair) (issue #5)."""

from __future__ import annotations

import typer

app = typer.Typer(help="信用修复 (credit repair)", no_args_is_help=True)
