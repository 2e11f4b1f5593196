"""``xinyong-client``: the bank's side of the platform's privacy-preserving queries."""

from __future__ import annotations

import typer

app = typer.Typer(help="xinyong 客户端：隐私求交与匿踪查询 (PSI and private membership queries)", no_args_is_help=True)


@app.callback()
def callback() -> None:
    """xinyong 客户端"""


def main() -> None:
    """Entry point of the ``xinyong-client`` script."""
    app()
