"""``xinyong lists types|type``: the list type catalogue on the console."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from xinyong.cli import app


def test_types_json_lists_every_type_with_its_basis() -> None:
    result = CliRunner().invoke(app, ["lists", "types", "--json"])
    assert result.exit_code == 0
    types = {t["code"]: t for t in json.loads(result.stdout)}
    assert types["wage_arrears"]["duration"]["months"] == 36
    assert all(t["legal_basis"] for t in types.values())


def test_type_shows_periods_and_early_removal() -> None:
    result = CliRunner().invoke(app, ["lists", "type", "wage_arrears"])
    assert result.exit_code == 0
    assert "列入期限：36 个月" in result.stdout
    assert "自改正之日起满 6 个月" in result.stdout
    assert "作出信用承诺" in result.stdout


def test_unknown_type_exits_2_with_the_known_codes() -> None:
    result = CliRunner().invoke(app, ["lists", "type", "nope"])
    assert result.exit_code == 2
    assert "未知的名单类型" in result.stderr
    assert "wage_arrears" in result.stderr


def test_measures_overdue_exits_1_and_names_the_task() -> None:
    result = CliRunner().invoke(app, ["lists", "measures", "--as-of", "2027-01-05", "--overdue", "--json"])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["overdue"] == [m["id"] for m in report["measures"]]
    assert report["overdue"]


def test_measures_before_the_deadline_has_nothing_overdue() -> None:
    result = CliRunner().invoke(app, ["lists", "measures", "--as-of", "2026-11-27", "--overdue"])
    assert result.exit_code == 0
    assert "逾期 0 项" in result.stdout


def test_measures_bad_date_exits_2() -> None:
    result = CliRunner().invoke(app, ["lists", "measures", "--as-of", "2026-13-01"])
    assert result.exit_code == 2
    assert "错误" in result.stderr
