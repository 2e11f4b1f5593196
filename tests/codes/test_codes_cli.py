"""``xinyong codes check``: one JSON line per input line, whatever the input holds; exit code 0."""

from __future__ import annotations

import json
from typing import Any

from typer.testing import CliRunner

from xinyong.cli import app
from xinyong.codes.result import MESSAGES


def run(stdin: bytes | str, *args: str) -> tuple[int, list[dict[str, Any]]]:
    result = CliRunner().invoke(app, ["codes", "check", *args], input=stdin)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, [json.loads(line) for line in result.stdout.splitlines()]


def test_one_object_per_line_aligned_with_input() -> None:
    code, rows = run("91350100M000100Y43\n\n11010519491231002X\n00000000000000000X\n 9135-0100 m0001tgqxm \r\n")
    assert code == 0
    assert [r["kind"] for r in rows] == ["uscc", "unknown", "ric", "uscc", "uscc"]
    assert [r["valid"] for r in rows] == [True, False, True, False, True]
    assert rows[1]["problems"] == ["empty"]
    assert rows[3]["problems"] == ["placeholder"]
    assert rows[4] == {
        "input": " 9135-0100 m0001tgqxm ",
        "normalized": "91350100M0001TGQXM",
        "kind": "uscc",
        "valid": True,
        "problems": [],
        "warnings": ["fujian_pilot"],
        "messages": {"fujian_pilot": MESSAGES["fujian_pilot"]},
    }


def test_messages_are_chinese_and_not_escaped() -> None:
    result = CliRunner().invoke(app, ["codes", "check"], input="91440113M0001TGQXM\n")
    assert "校验码" in result.stdout
    assert json.loads(result.stdout)["messages"] == {"check_char": MESSAGES["check_char"]}


def test_bad_input_never_crashes() -> None:
    lines = [
        b"\xff\xfe\x80 not utf-8",
        "مرحبا ٩١٣٥".encode(),
        "🙂🙂🙂".encode(),
        b"\x00\x01\x02",
        b"A" * 1_000_000,
        b"   ",
        b"-",
    ]
    code, rows = run(b"\n".join(lines) + b"\n")
    assert code == 0
    assert len(rows) == len(lines)
    assert all(not r["valid"] for r in rows)
    assert "charset" in rows[0]["problems"] and "\ufffd" in rows[0]["input"]
    assert rows[1]["problems"] == ["length", "charset"]
    assert rows[3]["problems"] == ["control_chars", "empty"]
    assert rows[4]["problems"] == ["too_long"]
    assert rows[5]["problems"] == rows[6]["problems"] == ["empty"]


def test_last_line_without_newline_and_no_input() -> None:
    assert len(run("91350100M000100Y43\n11010519491231002X")[1]) == 2
    assert run("")[1] == []


def test_unicode_line_separators_neither_split_input_nor_output_lines() -> None:
    result = CliRunner().invoke(app, ["codes", "check"], input="9135\u20280100\x85\u2029\n")
    assert len(result.stdout.splitlines()) == 1  # escaped in the JSON, so line-based readers stay aligned
    assert json.loads(result.stdout)["input"] == "9135\u20280100\x85\u2029"


def test_kind_option() -> None:
    _, rows = run("91350100M000100Y43\n11010519491231002X\n", "--kind", "ric")
    assert [r["kind"] for r in rows] == ["ric", "ric"]
    assert [r["valid"] for r in rows] == [False, True]
    _, rows = run("11010519491231002X\n", "--kind", "uscc")
    assert rows[0]["kind"] == "uscc" and not rows[0]["valid"]


def test_legacy_15_digit_gets_converted_form() -> None:
    _, rows = run("440524800101001\n")
    assert rows[0]["converted"] == "440524198001010013"
    assert "legacy_15" in rows[0]["warnings"]


def test_as_of_and_encoding_options() -> None:
    # born 2026-11-28: one day after the pinned today
    from xinyong.codes.ric import ric_check_char

    first17 = "11010520261128123"
    code = first17 + ric_check_char(first17)
    assert run(code + "\n", "--kind", "ric")[1][0]["problems"] == ["birth_date"]
    assert run(code + "\n", "--kind", "ric", "--as-of", "2026-11-28")[1][0]["valid"]
    _, rows = run("９１３５０１００Ｍ０００１００Ｙ４３\n".encode("gb18030"), "--encoding", "gb18030")
    assert rows[0]["valid"]


def test_unknown_encoding_is_a_usage_error() -> None:
    result = CliRunner().invoke(app, ["codes", "check", "--encoding", "no-such-codec"], input="")
    assert result.exit_code == 2
