"""When a loaded record stops being public (before the lifecycle issue's publicity regimes refine it).

Issue #4's rule: a record is public from loading until its stated 公示截止期, else the item's default period
from the decision date (``default_publicity_days`` in the catalogue, cited there). A licence without a stated
end stays public while it is valid (有效期至), capped by nothing else.
"""

from __future__ import annotations

from datetime import date, timedelta

from xinyong.catalog.items import DataItem

# (publicity_end, severity, regime, publicity_min_end, publicity_later_end, publicity_later_from, publishable):
# the credit_record columns intake stores for a row, in intake.load.RECORD_COLUMNS order.
Window = tuple[date | None, str | None, str | None, date | None, date | None, date | None, bool]


def record_window(item: DataItem, values: dict[str, str | None], decided_on: date) -> Window:
    """The publicity columns of a record of ``item`` with normalised ``values``."""
    return (default_publicity_end(item, values, decided_on), None, None, None, None, None, True)


def default_publicity_end(item: DataItem, values: dict[str, str | None], decided_on: date) -> date | None:
    """The stored ``publicity_end`` of a record of ``item`` with normalised ``values`` (ISO dates)."""
    stated = item.roles.publicity_end and values.get(item.roles.publicity_end)
    if stated:
        return date.fromisoformat(stated)
    valid_to = item.roles.valid_to and values.get(item.roles.valid_to)
    if valid_to:
        return date.fromisoformat(valid_to)
    if item.default_publicity_days:
        return decided_on + timedelta(days=item.default_publicity_days)
    return None
