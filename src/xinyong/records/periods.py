"""The publicity columns intake stores for a loaded record (``record_window``).

* Items with ``publicity_rule: regime`` (行政处罚): the publicity regimes of ``rules/publicity.yaml``
  (``records.regimes``): severity from the data or the 处罚类别 classification, regime of the decision date,
  minimum and maximum periods, special cases from 处罚依据/违法行为类型, the straddle rule, and whether the
  severity is published at all. A stated 公示截止期 is kept among the record's values but does not decide.
* Other items (``publicity_rule: stated``, issue #4's rule): public from loading until the stated 公示截止期,
  else the item's default period from the decision date (``default_publicity_days`` in the catalogue, cited
  there); a licence without a stated end stays public while it is valid (有效期至), capped by nothing else.

``record_window`` runs for every loaded row: no database access, the rulebook is cached and the regime
windows memoised (``records.regimes``).
"""

from __future__ import annotations

from datetime import date, timedelta

from xinyong.catalog.items import DataItem
from xinyong.records.regimes import classify_severity, publicity_rules, publicity_window

# (publicity_end, severity, regime, publicity_min_end, publicity_later_end, publicity_later_from, publishable):
# the credit_record columns intake stores for a row, in intake.load.RECORD_COLUMNS order.
Window = tuple[date | None, str | None, str | None, date | None, date | None, date | None, bool]


def record_window(item: DataItem, values: dict[str, str | None], decided_on: date) -> Window:
    """The publicity columns of a record of ``item`` with normalised ``values`` (``Window`` order)."""
    if item.publicity_rule != "regime":
        return (default_publicity_end(item, values, decided_on), None, None, None, None, None, True)
    rules = publicity_rules()
    roles = item.roles
    severity = classify_severity(
        values.get(roles.severity) if roles.severity else None,
        values.get(roles.category) if roles.category else None,
        rules,
    )
    window = publicity_window(severity, decided_on, [values.get(key) for key in rules.match_fields], rules=rules)
    return (
        window.max_end,
        severity,
        window.regime,
        window.min_end,
        window.later_end,
        window.later_from,
        window.published,
    )


def window_inputs(item: DataItem) -> tuple[str, ...]:
    """The field keys whose values :func:`record_window` reads besides the decision date: rows of ``item`` that
    agree on these and on the decision date have the same window (what intake memoises it by)."""
    roles = item.roles
    if item.publicity_rule != "regime":
        return tuple(dict.fromkeys(k for k in (roles.publicity_end, roles.valid_to) if k))
    matched = publicity_rules().match_fields
    return tuple(dict.fromkeys(k for k in (roles.severity, roles.category, *matched) if k))


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
