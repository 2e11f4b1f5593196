"""``xinyong campaigns``: 专项治理 (special campaigns, repeated violators), issue #11."""

from __future__ import annotations

import typer

app = typer.Typer(help="专项治理 (special campaigns, repeated violators)", no_args_is_help=True)
