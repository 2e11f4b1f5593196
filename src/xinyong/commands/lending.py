"""``xinyong lending``: 信易贷 (issue #9 item 1)."""

from __future__ import annotations

import typer

app = typer.Typer(help="信易贷 (credit lending)", no_args_is_help=True)


@app.callback()
def main() -> None:
    """信易贷 (credit lending)"""
