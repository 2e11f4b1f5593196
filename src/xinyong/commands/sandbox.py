"""``xinyong sandbox``: the data sandbox and the federated model (issue #10)."""

from __future__ import annotations

import typer

app = typer.Typer(help="数据安全屋与联邦学习 (data sandbox and federated model)", no_args_is_help=True)


@app.callback()
def main() -> None:
    """数据安全屋与联邦学习 (data sandbox and federated model)"""
