"""``xinyong cases``: dishonesty case verification (失信案例核查)."""

from __future__ import annotations

import typer

app = typer.Typer(help="失信案例核查 (dishonesty case verification)", no_args_is_help=True)
