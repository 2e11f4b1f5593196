"""``xinyong privacy``: compiled PSI sets, exchange logs, the data sandbox and federated runs (issue #10)."""

from __future__ import annotations

import typer

app = typer.Typer(help="隐私计算 (privacy-preserving queries)", no_args_is_help=True)


@app.callback()
def main() -> None:
    """隐私计算 (privacy-preserving queries)"""
