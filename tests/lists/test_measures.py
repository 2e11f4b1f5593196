"""The measures ledger: validation at load (no basis → not active), overdue tasks by as_of, applicable measures."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from pydantic import ValidationError

from xinyong.lists.measures import MeasureLedger, ledger_report, measure_ledger


def _ledger(**change: Any) -> MeasureLedger:
    data = measure_ledger().model_dump(mode="json")
    first = data["measures"][0] | change
    data["measures"] = [first, *data["measures"][1:]]
    return MeasureLedger.model_validate(data)


def test_shipped_ledger_cites_a_basis_for_every_active_measure() -> None:
    ledger = measure_ledger()
    active = [m for m in ledger.measures if m.status != "abolish"]
    assert active
    assert all(m.legal_basis for m in active)
    assert {m.kind for m in ledger.measures} == {"punishment", "incentive"}


def test_a_punishment_without_a_founding_basis_cannot_be_active() -> None:
    district = [{"document": "某区通知", "level": "normative_document"}]
    with pytest.raises(ValidationError, match="不得保留或修订"):
        _ledger(legal_basis=district, status="retain")
    assert _ledger(legal_basis=district, status="abolish", deadline="2026-01-31").measures[0].status == "abolish"


def test_a_measure_without_any_basis_cannot_be_active() -> None:
    with pytest.raises(ValidationError, match="没有依据"):
        _ledger(legal_basis=[], kind="incentive", lists=["contract_honouring"])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"status": "revise", "deadline": None}, "须写明完成时限"),
        ({"lists": ["no_such_list"]}, "未知的名单类型"),
        ({"department": "nowhere"}, "部门目录中没有部门代码"),
        ({"scenario": "space_travel"}, "未知的应用场景"),
        ({"id": "wage_bidding"}, "措施编号重复"),
    ],
)
def test_bad_measures_are_refused(change: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        _ledger(**change)


def test_overdue_follows_as_of_and_done() -> None:
    ledger = _ledger(status="revise", deadline="2026-06-30", progress="起草中")
    first = ledger.measures[0].id
    assert first not in ledger_report(date(2026, 6, 30), ledger).overdue
    assert first in ledger_report(date(2026, 7, 1), ledger).overdue
    finished = _ledger(status="revise", deadline="2026-06-30", done=True)
    assert first not in ledger_report(date(2026, 7, 1), finished).overdue


def test_report_counts_by_status() -> None:
    report = ledger_report(date(2026, 11, 27))
    ledger = measure_ledger()
    assert sum(report.by_status.values()) == len(ledger.measures)
    assert report.by_status["废止"] == sum(m.status == "abolish" for m in ledger.measures)


def test_applicable_measures_skip_abolished_and_filter_by_scenario() -> None:
    ledger = measure_ledger()
    found = ledger.applicable({"wage_arrears"}, "procurement")
    assert found
    assert all(m.scenario == "procurement" and "wage_arrears" in m.lists for m in found)
    assert all(m.status != "abolish" for m in ledger.applicable({"wage_arrears"}))
    assert "district_travel_ban" not in {m.id for m in ledger.applicable({"wage_arrears"})}
    assert {m.kind for m in ledger.applicable({"contract_honouring"})} == {"incentive"}
