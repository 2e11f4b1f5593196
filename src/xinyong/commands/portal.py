"""``xinyong portal``: the portal's articles and honest-enterprise selections (issue #8)."""

from __future__ import annotations

import typer

app = typer.Typer(help="门户网站内容 (portal articles and selections)", no_args_is_help=True)
