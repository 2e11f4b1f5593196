"""``xinyong rules ...``: check a rule on its own (issue #5: ``rules publicity``)."""

from __future__ import annotations

import typer

app = typer.Typer(help="规则查验 (check rules on their own)", no_args_is_help=True)
