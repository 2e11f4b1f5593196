"""``xinyong enforcement``: 涉政府执行案件 (enforcement cases against public bodies), issue #11."""

from __future__ import annotations

import typer

app = typer.Typer(help="涉政府执行案件 (enforcement cases against public bodies)", no_args_is_help=True)
