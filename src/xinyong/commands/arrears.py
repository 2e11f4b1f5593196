"""``xinyong arrears``: 清理拖欠账款 (SOE arrears clearing), issue #11."""

from __future__ import annotations

import typer

app = typer.Typer(help="清理拖欠账款 (SOE arrears clearing)", no_args_is_help=True)
