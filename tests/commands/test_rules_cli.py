"""``xinyong rules publicity``: the JSON shape, regime boundaries, the straddle rule on ``--as-of``, unpublished
minor records, special cases from ``--basis``, classification from ``--category``, the table, and exit 2 with
Chinese reasons for bad dates and severities. No database is needed."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner, Result

from xinyong.cli import app


def run(*args: str) -> Result:
    return CliRunner().invoke(app, ["rules", "publicity", *args])


def answer(*args: str) -> dict[str, object]:
    result = run(*args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_json_has_exactly_the_five_keys() -> None:
    assert answer("--severity", "general", "--decided", "2026-05-06", "--as-of", "2026-11-27") == {
        "regime": "ndrc_order_36",
        "min_end": "2026-08-06",
        "max_end": "2027-05-06",
        "published": True,
        "min_period_passed": True,
    }


@pytest.mark.parametrize(
    ("severity", "decided", "regime", "min_end", "max_end"),
    [
        ("general", "2023-04-30", "ndrc_2019_527", "2023-07-30", "2024-04-30"),
        ("serious", "2023-04-30", "ndrc_2019_527", "2023-10-30", "2026-04-30"),
        ("serious", "2023-05-01", "ndrc_order_58", "2023-08-01", "2026-05-01"),
        ("serious", "2026-03-31", "ndrc_order_58", "2026-06-30", "2029-03-31"),
        ("serious", "2026-04-01", "ndrc_order_36", "2027-04-01", "2029-04-01"),
    ],
)
def test_regime_boundaries(severity: str, decided: str, regime: str, min_end: str, max_end: str) -> None:
    got = answer("--severity", severity, "--decided", decided, "--as-of", decided)
    assert (got["regime"], got["min_end"], got["max_end"], got["min_period_passed"]) == (
        regime,
        min_end,
        max_end,
        False,
    )


def test_max_end_is_the_one_in_force_on_as_of() -> None:
    before = answer("--severity", "general", "--decided", "2025-08-31", "--as-of", "2026-03-31")
    after = answer("--severity", "general", "--decided", "2025-08-31", "--as-of", "2026-04-01")
    assert (before["max_end"], after["max_end"]) == ("2028-08-31", "2026-08-31")
    assert before["min_end"] == after["min_end"] == "2025-11-30"  # month-end clamp: no 31 November


def test_minor_under_order_36_is_not_published() -> None:
    assert answer("--severity", "minor", "--decided", "2026-06-01", "--as-of", "2026-06-02") == {
        "regime": "ndrc_order_36",
        "min_end": None,
        "max_end": None,
        "published": False,
        "min_period_passed": True,
    }


def test_category_and_basis() -> None:
    warning = answer("--category", "警告", "--decided", "2026-06-01", "--as-of", "2026-06-02")
    assert warning["published"] is False
    revoked_licence = answer("--category", "吊销许可证件", "--decided", "2026-06-01", "--as-of", "2026-06-02")
    assert revoked_licence["min_end"] == "2027-06-01"  # serious under Order 36
    fire = answer(
        "--severity", "general", "--decided", "2025-02-10", "--as-of", "2026-01-01", "--basis", "《消防法》第六十条"
    )
    assert (fire["min_end"], fire["min_period_passed"]) == ("2026-02-10", False)


def test_table_output() -> None:
    result = run("--severity", "general", "--decided", "2025-08-31", "--as-of", "2026-11-27", "--basis", "特种设备")
    assert result.exit_code == 0, result.output
    for text in (
        "国家发展改革委令第58号",
        "一般（general）",
        "特种设备",
        "2026-08-31",
        "2028-08-31",
        "自 2026-04-01 起",
    ):
        assert text in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--severity", "grave", "--decided", "2025-01-01"], "失信严重程度“grave”无效"),
        (["--severity", "general", "--decided", "2025-02-30"], "--decided 应为日期 YYYY-MM-DD（收到 '2025-02-30'）"),
        (["--severity", "general", "--decided", "2025-01-01", "--as-of", "明天"], "--as-of 应为日期 YYYY-MM-DD"),
        (["--decided", "2025-01-01"], "请给出 --severity"),
    ],
)
def test_bad_input_exits_2_with_a_chinese_reason(args: list[str], message: str) -> None:
    result = run(*args, "--json")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("错误: ") and message in result.stderr
