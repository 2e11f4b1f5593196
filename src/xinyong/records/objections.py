"""(issue #5, being written)."""

from __future__ import annotations

from datetime import date

from xinyong.auth.context import Context


def flag_overdue(ctx: Context, as_of: date) -> int:
    """Daily-job step."""
    return 0
