"""``xinyong integrity``: 公务员诚信档案 (civil servants' integrity files), issue #11."""

from __future__ import annotations

import typer

app = typer.Typer(help="公务员诚信档案 (civil servants' integrity files)", no_args_is_help=True)
