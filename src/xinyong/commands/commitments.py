"""``xinyong commitments``: 信用承诺 (credit commitments) (issue #5)."""

from __future__ import annotations

import typer

app = typer.Typer(help="信用承诺 (credit commitments)", no_args_is_help=True)
