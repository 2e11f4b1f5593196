"""``xinyong scores``: the personal honesty score of natural persons (issue #9 item 2)."""

from __future__ import annotations

import typer

app = typer.Typer(help="个人诚信分 (personal honesty score)", no_args_is_help=True)


@app.callback()
def main() -> None:
    """个人诚信分 (personal honesty score)"""
