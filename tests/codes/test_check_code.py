"""check_code: any text in, one CodeResult out; kind detection; messages."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xinyong.codes.check import MAX_INPUT_CHARS, check_code, detect_kind
from xinyong.codes.result import MESSAGES, PROBLEM_MESSAGES, WARNING_MESSAGES, CodeResult
from xinyong.codes.ric import is_valid_ric
from xinyong.codes.uscc import PLACEHOLDER, is_valid_uscc

USCC = "91350100M000100Y43"
DIGIT_USCC = "916101315784145092"  # all digits, a real code (西安高新区)
RIC = "11010519491231002X"
AMBIGUOUS = "131101198001011253"  # valid as both: USCC 1/3 registered at 110119; ID number born 1980 in 131101


def test_required_tokens_have_chinese_messages() -> None:
    required = {
        "empty", "length", "charset", "check_char", "org_check_char", "authority_type", "division", "placeholder",
        "birth_date", "too_long", "control_chars", "fujian_pilot", "division_at_birth", "legacy_15",
    }  # fmt: skip
    assert required <= set(MESSAGES)
    assert not set(PROBLEM_MESSAGES) & set(WARNING_MESSAGES)
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in message) for message in MESSAGES.values())


def test_valid_uscc_keeps_original_and_normalised() -> None:
    result = check_code(" ９１３５０１００-ｍ０００１００ｙ４３ ")
    assert result == CodeResult(" ９１３５０１００-ｍ０００１００ｙ４３ ", USCC, "uscc", True, [], [])
    assert result.messages == {}


def test_result_is_frozen() -> None:
    result = check_code(USCC)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.valid = False  # type: ignore[misc]


def test_messages_cover_problems_and_warnings() -> None:
    result = check_code("91350100M0001TGQ5M")
    assert result.problems == ["org_check_char", "check_char"]
    assert result.messages == {t: MESSAGES[t] for t in result.problems}
    pilot = check_code("91350100M0001TGQXM")
    assert pilot.valid and pilot.messages == {"fujian_pilot": MESSAGES["fujian_pilot"]}


@pytest.mark.parametrize(
    ("raw", "kind"),
    [
        (USCC, "uscc"),
        (DIGIT_USCC, "uscc"),
        (RIC, "ric"),
        ("440524188001010014", "ric"),
        ("440524800101001", "ric"),  # 15 digits: legacy ID number
        (PLACEHOLDER, "uscc"),
        (USCC[:17] + "O", "uscc"),  # 18 chars with letters: a USCC with a typo
        (RIC[:17] + "1", "ric"),  # an ID number with a wrong check char: fewer problems as ric
        (DIGIT_USCC[:17] + "3", "uscc"),  # an all-digit USCC with a wrong check char
        ("12345", "unknown"),
        ("9135010", "unknown"),
    ],
)
def test_auto_detection(raw: str, kind: str) -> None:
    assert check_code(raw).kind == kind
    assert detect_kind(raw) == kind


def test_auto_error_reports_are_of_the_detected_kind() -> None:
    assert check_code(RIC[:17] + "1").problems == ["check_char"]
    assert check_code(DIGIT_USCC[:17] + "3").problems == ["check_char"]
    assert check_code("12345").problems == ["length"]


def test_ambiguous_18_digit_code_is_a_uscc_with_a_warning() -> None:
    assert is_valid_uscc(AMBIGUOUS) and is_valid_ric(AMBIGUOUS)
    result = check_code(AMBIGUOUS)
    assert (result.kind, result.valid, result.warnings) == ("uscc", True, ["ambiguous_kind"])
    assert "ambiguous_kind" not in check_code(AMBIGUOUS, "ric").warnings  # only auto mode has to choose


def test_explicit_kind_is_obeyed() -> None:
    assert check_code(USCC, "ric").problems == ["charset", "division", "birth_date"]
    assert check_code(RIC, "uscc").kind == "uscc"
    assert not check_code(RIC, "uscc").valid
    assert check_code("", "ric").kind == "ric"


def test_legacy_15_digit_result_carries_the_converted_form() -> None:
    result = check_code("440524800101001")
    assert result.valid and "legacy_15" in result.warnings
    assert result.converted == "440524198001010013"
    assert result.to_json()["converted"] == "440524198001010013"
    assert "converted" not in check_code(USCC).to_json()


def test_placeholder() -> None:
    result = check_code(PLACEHOLDER)
    assert (result.kind, result.valid, result.problems) == ("uscc", False, ["placeholder"])
    assert check_code("00000000000000000x").problems == ["placeholder"]


@pytest.mark.parametrize("raw", ["", "   ", "\u3000", "--", "\ufeff"])
def test_empty(raw: str) -> None:
    result = check_code(raw)
    assert (result.kind, result.valid, result.problems, result.normalized) == ("unknown", False, ["empty"], "")


def test_too_long_input_is_cut_and_not_processed() -> None:
    raw = "9" * 1_000_000
    result = check_code(raw)
    assert result.problems == ["too_long"]
    assert result.input == raw[:MAX_INPUT_CHARS]
    assert result.normalized == ""


def test_padding_does_not_count_as_too_long() -> None:
    assert check_code(" " * 1_000_000 + USCC + "\u3000" * 1000).valid


def test_control_characters_make_the_input_invalid() -> None:
    result = check_code("9135\x000100M000100Y43")
    assert result.normalized == USCC
    assert result.problems == ["control_chars"]
    assert not result.valid
    assert check_code(USCC + "\x1f").problems == ["control_chars"]  # Python counts \x1f as whitespace: not trimmed


def test_future_birth_date_uses_the_pinned_clock_or_as_of() -> None:
    from datetime import date

    from xinyong.codes.ric import ric_check_char

    first17 = "110105" + "20261128" + "123"  # the day after the pinned today (2026-11-27)
    code = first17 + ric_check_char(first17)
    assert check_code(code, "ric").problems == ["birth_date"]
    assert check_code(code, "ric", as_of=date(2026, 11, 28)).valid


@given(st.text(max_size=40))
def test_any_text_gives_a_consistent_result(raw: str) -> None:
    result = check_code(raw)
    assert result.kind in ("uscc", "ric", "unknown")
    assert result.valid is (not result.problems)
    assert set(result.problems) <= set(PROBLEM_MESSAGES)
    assert set(result.warnings) <= set(WARNING_MESSAGES)
    assert result.input == raw
