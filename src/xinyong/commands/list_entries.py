"""Commands of ``xinyong lists`` (merged into ``commands.lists.app``)."""

from __future__ import annotations

import typer

app = typer.Typer()
