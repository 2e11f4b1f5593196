"""``xinyong objections``: 异议 (objections) (issue #5)."""

from __future__ import annotations

import typer

app = typer.Typer(help="异议 (objections)", no_args_is_help=True)
