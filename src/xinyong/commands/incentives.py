"""``xinyong incentives``: personal honesty score and incentive scenarios (issue #9 items 2–3)."""

from __future__ import annotations

import typer

app = typer.Typer(help="守信激励 (personal honesty score and incentives)", no_args_is_help=True)


@app.callback()
def main() -> None:
    """守信激励 (personal honesty score and incentives)"""
