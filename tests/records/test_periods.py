"""``window_inputs`` names every field ``record_window`` reads: intake memoises windows by those fields and the
decision date, so a field it missed would give a row another row's window."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from xinyong.catalog.items import DataItem, FieldSpec, load_catalog
from xinyong.records.periods import record_window, window_inputs
from xinyong.records.regimes import publicity_rules

DECIDED = date(2024, 6, 3)  # under Order 58, which has special cases, and before a later regime (the straddle rule)
ITEMS = sorted(load_catalog().items)


def _keywords() -> list[str]:
    return [k for r in publicity_rules().regimes for case in r.special_cases for k in case.keywords]


def _variants(spec: FieldSpec) -> list[str | None]:
    """Values worth trying in a field: every enumeration value, dates around the decision, special-case words."""
    if spec.type == "enum":
        return [None, *spec.values]
    if spec.type == "date":
        return [None, *(str(DECIDED + timedelta(days=d)) for d in (-30, 10, 200, 400, 2000, 4000))]
    return [None, "x", *_keywords()[:3]]


def _base(item: DataItem) -> dict[str, str | None]:
    values: dict[str, str | None] = {f.key: None for f in item.fields}
    values[item.roles.decided_on] = DECIDED.isoformat()
    return values


@pytest.mark.parametrize("item_id", ITEMS)
def test_fields_outside_the_inputs_never_change_the_window(item_id: str) -> None:
    item = load_catalog().item(item_id)
    inputs = set(window_inputs(item))
    assert item.roles.decided_on not in inputs
    base = _base(item)
    for spec in item.fields:
        if spec.key == item.roles.decided_on:
            continue
        windows = set()
        for value in _variants(spec):
            windows.add(record_window(item, base | {spec.key: value}, DECIDED))
        if spec.key not in inputs:
            assert len(windows) == 1, spec.key


def test_the_inputs_of_the_penalty_do_change_its_window() -> None:
    item = load_catalog().item("penalty")
    base = _base(item)
    inputs = window_inputs(item)
    assert item.roles.severity in inputs and item.roles.category in inputs
    changing = {
        key
        for key in inputs
        if len({record_window(item, base | {key: v}, DECIDED) for v in _variants(item.field(key))}) > 1
    }
    assert changing == set(inputs)
