"""Resident ID number rules of rules.md §1 (GB 11643-1999). The pinned clock's today is 2026-11-27."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import ric as stdnum_ric

from xinyong.codes.ric import (
    RIC_WEIGHTS,
    is_valid_ric,
    ric_15_to_18,
    ric_birth_date,
    ric_check_char,
    ric_findings,
    ric_sex,
)


def ric(division: str, birth: str, seq: str = "123") -> str:
    """An 18-digit number with the right check char."""
    first17 = division + birth + seq
    return first17 + ric_check_char(first17)


def test_weights_are_the_published_ones() -> None:
    assert RIC_WEIGHTS == (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    assert tuple(pow(2, 17 - k, 11) for k in range(17)) == RIC_WEIGHTS


@pytest.mark.parametrize("code", ["11010519491231002X", "440524188001010014"])  # the standard's examples
def test_standard_examples(code: str) -> None:
    assert ric_check_char(code[:17]) == code[17]
    assert is_valid_ric(code)


@given(st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_check_char_is_the_rules_md_formula(first17: str) -> None:
    total = sum(int(c) * w for c, w in zip(first17, RIC_WEIGHTS, strict=True))
    assert ric_check_char(first17) == "10X98765432"[total % 11]


def test_wrong_check_char() -> None:
    code = ric("110105", "19491231", "002")
    assert code[17] == "X"
    assert ric_findings(code[:17] + "1").problems == ["check_char"]


def test_check_char_must_be_digit_or_x() -> None:
    assert ric_findings("11010519491231002Y").problems == ["charset"]
    with pytest.raises(ValueError):
        ric_check_char("1101051949123100A")


@pytest.mark.parametrize(
    ("birth", "ok"),
    [
        ("20000229", True),  # 2000 is a leap year
        ("19000229", False),  # 1900 is not (divisible by 100, not by 400)
        ("20010229", False),
        ("19901301", False),  # month 13
        ("19900132", False),  # day 32
        ("18491231", False),  # before EARLIEST_BIRTH_YEAR
        ("20261127", True),  # today (pinned clock)
        ("20261128", False),  # tomorrow
    ],
)
def test_birth_dates(birth: str, ok: bool) -> None:
    findings = ric_findings(ric("110105", birth))
    assert (findings.problems == []) is ok
    assert ok or findings.problems == ["birth_date"]


def test_as_of_overrides_the_clock() -> None:
    code = ric("110105", "20210101")
    assert is_valid_ric(code)
    assert ric_findings(code, as_of=date(2020, 12, 31)).problems == ["birth_date"]


def test_unknown_division_is_an_error() -> None:
    assert ric_findings(ric("990101", "19900101")).problems == ["division"]
    assert ric_findings(ric("100000", "19900101")).problems == ["division"]  # national level: not a birthplace


def test_division_not_existing_in_birth_year_is_a_warning() -> None:
    before = ric("440113", "19950101")  # 番禺区 exists from 2000 (loc.dat); a real person re-registered there
    after = ric("440113", "20010101")
    assert ric_findings(before) == ([], ["division_at_birth"], None)
    assert ric_findings(after) == ([], [], None)


def test_residence_permits_of_hong_kong_macau_taiwan() -> None:
    for division in ("810000", "820000", "830000"):
        assert ric_findings(ric(division, "19800101")) == ([], [], None)


def test_unlisted_division_under_a_known_prefecture_is_a_warning() -> None:
    assert ric_findings(ric("320594", "19900101")) == ([], ["division_unlisted"], None)


def test_legacy_15_digit_numbers_are_valid_with_a_warning_and_converted() -> None:
    findings = ric_findings("440524800101001")
    assert findings.problems == []
    assert "legacy_15" in findings.warnings
    assert findings.converted == "440524198001010013"
    assert ric_15_to_18("440524800101001") == findings.converted
    assert is_valid_ric(findings.converted)


def test_legacy_15_digit_with_impossible_date_is_not_converted() -> None:
    findings = ric_findings("440524800230001")
    assert findings.problems == ["birth_date"]
    assert findings.converted is None


@pytest.mark.parametrize(
    ("code", "problems"),
    [("", ["empty"]), ("1101051949123100", ["length"]), ("11010519491231002XX", ["length", "charset"])],
)
def test_length(code: str, problems: list[str]) -> None:
    assert ric_findings(code).problems == problems


def test_sex_from_sequence_parity_and_birth_date() -> None:
    assert ric_sex("11010519491231002X") == "female"
    assert ric_sex("440524188001010014") == "male"
    assert ric_sex("440524800101001") == "male"
    assert ric_sex("abc") is None
    assert ric_birth_date("440524800101001") == date(1980, 1, 1)
    assert ric_birth_date("11010519491231002X") == date(1949, 12, 31)


# --- why we wrap python-stdnum (rules.md §1) ---------------------------------------------------------------------


def test_stdnum_rejects_a_real_person_whose_division_did_not_exist_in_the_birth_year() -> None:
    code = ric("440113", "19950101")
    assert not stdnum_ric.is_valid(code)
    assert is_valid_ric(code)


def test_stdnum_accepts_a_future_birth_date_we_reject() -> None:
    code = ric("110105", "20300101")
    assert stdnum_ric.is_valid(code)
    assert ric_findings(code).problems == ["birth_date"]


@given(st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_our_check_char_is_stdnums(first17: str) -> None:
    assert ric_check_char(first17) == stdnum_ric.calc_check_digit(first17 + "0")
