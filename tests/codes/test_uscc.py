"""USCC rules of rules.md §1 (GB 32100-2015, GB 11714-1997), each with a case that fails if the rule breaks."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import uscc as stdnum_uscc

from xinyong.codes.check import check_code
from xinyong.codes.divisions import DIVISIONS
from xinyong.codes.uscc import (
    ALPHABET,
    AUTHORITY_PAIRS,
    AUTHORITY_TYPES,
    CHECK_WEIGHTS,
    PLACEHOLDER,
    is_valid_uscc,
    make_uscc,
    org_check_char,
    uscc_check_char,
    uscc_problem_string,
    uscc_problems,
    uscc_problems_bulk,
)

STANDARD_EXAMPLE = "91350100M000100Y43"  # GB 32100-2015's own example (rules.md §1)
FUJIAN_PILOT = "91350100M0001TGQXM"  # rules.md §1: legal, fails the 18th-char check
BODY = "MA59P2Q1"


def assemble(prefix8: str, body8: str = BODY) -> str:
    """A code with both check chars right, whatever the first 8 chars are (to test one rule at a time)."""
    first17 = prefix8 + body8 + org_check_char(body8)
    return first17 + uscc_check_char(first17)


def test_alphabet_is_31_chars_without_i_o_z_s_v_valued_in_order() -> None:
    assert len(ALPHABET) == 31
    assert not set("IOZSV") & set(ALPHABET)
    assert ALPHABET.index("A") == 10 and ALPHABET.index("Y") == 30


def test_check_weights_are_the_published_ones() -> None:
    assert CHECK_WEIGHTS == (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def test_standard_example() -> None:
    assert uscc_check_char(STANDARD_EXAMPLE[:17]) == "3"
    assert uscc_problem_string(STANDARD_EXAMPLE) == ""
    assert uscc_problems(STANDARD_EXAMPLE) == ([], [])
    assert is_valid_uscc(STANDARD_EXAMPLE)


def test_wrong_18th_char_is_check_char() -> None:
    code = make_uscc("9", "1", "440113", BODY)
    wrong = next(c for c in ALPHABET if c != code[17])
    assert uscc_problem_string(code[:17] + wrong) == "check_char"


def test_wrong_18th_char_of_a_fujian_authority_9_code_passes_as_pilot() -> None:
    # The documented price of the Fujian rule: the standard example itself is such a code.
    assert uscc_problems(STANDARD_EXAMPLE[:17] + "4") == ([], ["fujian_pilot"])


@pytest.mark.parametrize("pair", sorted(AUTHORITY_PAIRS))
def test_every_allowed_authority_type_pair_is_valid(pair: str) -> None:
    assert uscc_problem_string(assemble(pair + "440113")) == ""


def test_the_pair_table_is_rules_md_section_1() -> None:
    expected = {
        "1": "1239", "2": "19", "3": "123459", "4": "19", "5": "1239", "6": "129",
        "7": "129", "8": "19", "9": "123", "A": "19", "N": "1239", "Y": "1",
    }  # fmt: skip
    assert {a: "".join(sorted(t)) for a, t in AUTHORITY_TYPES.items()} == expected


@pytest.mark.parametrize("authority", [*AUTHORITY_TYPES, "0", "B", "X"])
def test_every_disallowed_authority_type_pair_is_rejected(authority: str) -> None:
    allowed = AUTHORITY_TYPES.get(authority, frozenset())
    rejected = [t for t in ALPHABET if t not in allowed]
    assert rejected
    for org_type in rejected:
        assert uscc_problem_string(assemble(authority + org_type + "440113")) == "authority_type", org_type


@pytest.mark.parametrize("letter", list("IOZSV"))
def test_excluded_letters_are_charset(letter: str) -> None:
    code = STANDARD_EXAMPLE[:10] + letter + STANDARD_EXAMPLE[11:]
    problems, _ = uscc_problems(code)
    assert "charset" in problems
    assert not is_valid_uscc(code)


def test_lower_case_is_charset_before_normalisation() -> None:
    assert "charset" in uscc_problem_string(STANDARD_EXAMPLE.lower())


def test_org_check_char_values_10_and_11() -> None:
    # M0001TGQ: 3·22 + 5·1 + 8·29 + 4·16 + 2·26 = 419 ≡ 1 (mod 11) → 11 − 1 = 10 → X
    assert org_check_char("M0001TGQ") == "X"
    # all zeros: Σ = 0 → 11 → 0
    assert org_check_char("00000000") == "0"
    # Σ = 2·1 = 2 → 9
    assert org_check_char("00000001") == "9"
    # known real organisation code 60003734-1 (stdnum's doc example 91110000600037341L)
    assert org_check_char("60003734") == "1"


def test_wrong_17th_char_is_org_check_char() -> None:
    first16 = STANDARD_EXAMPLE[:16]  # body M000100Y, 17th char 4
    assert org_check_char(first16[8:]) == STANDARD_EXAMPLE[16] == "4"
    first17 = first16 + "5"
    code = first17 + uscc_check_char(first17)  # 18th right for the wrong 17th
    assert uscc_problem_string(code) == "org_check_char"


@pytest.mark.parametrize(
    "division",
    [
        "440113",  # county level: Panyu (rules.md §2)
        "440100",  # prefecture level: Guangzhou
        "440101",  # 市辖区
        "440000",  # province level: Guangdong
        "440126",  # historical: 番禺县, until 1992
        "100000",  # national level (central authorities)
    ],
)
def test_divisions_at_every_level_current_or_historical_are_accepted(division: str) -> None:
    code = assemble("91" + division)
    assert uscc_problems(code) == ([], [])


@pytest.mark.parametrize("division", ["990000", "000000", "441A00", "011300"])
def test_unknown_division_is_rejected(division: str) -> None:
    assert uscc_problem_string(assemble("91" + division)) == "division"


@pytest.mark.parametrize(
    "code",
    [
        "91320594780268314T",  # 苏州工业园区: registrar code 320594 is not in GB/T 2260
        "91320594688334374M",
        "91610131668680296Q",  # 西安高新区: 610131
        "916101315784145092",
    ],
)
def test_development_zone_codes_are_valid_with_a_warning(code: str) -> None:
    assert uscc_problems(code) == ([], ["division_unlisted"])
    assert uscc_problem_string(code) == ""


def test_national_level_codes_of_real_organisations() -> None:
    for code in ("51100000500012681T", "51100000500009247D"):  # national social organisations, 民政部
        assert uscc_problem_string(code) == ""


def test_fujian_pilot_is_a_warning_not_an_error() -> None:
    assert uscc_problems(FUJIAN_PILOT) == ([], ["fujian_pilot"])
    assert uscc_problem_string(FUJIAN_PILOT) == ""
    assert is_valid_uscc(FUJIAN_PILOT)
    assert uscc_check_char(FUJIAN_PILOT[:17]) != FUJIAN_PILOT[17]  # it really fails the 18th-char check


@pytest.mark.parametrize(
    ("code", "problems"),
    [
        ("91440113M0001TGQXM", "check_char"),  # same body outside Fujian
        ("11350100M0001TGQXM", "check_char"),  # Fujian, but not authority 9
        ("91350100M0001TGQ5M", "org_check_char,check_char"),  # 17th wrong too
        ("97350100M0001TGQXM", "authority_type,check_char"),  # another rule fails too
    ],
)
def test_fujian_pilot_rule_is_narrow(code: str, problems: str) -> None:
    assert uscc_problem_string(code) == problems


def test_placeholder_is_reported_as_such() -> None:
    assert uscc_problems(PLACEHOLDER) == (["placeholder"], [])
    assert uscc_problem_string(PLACEHOLDER) == "placeholder"


@pytest.mark.parametrize(
    ("code", "problems"),
    [
        ("", "empty"),
        ("91350100M000100Y4", "length"),
        ("91350100M000100Y433", "length"),
        ("9135O100M000100Y4", "length,charset"),
    ],
)
def test_length_and_empty(code: str, problems: str) -> None:
    assert uscc_problem_string(code) == problems


def test_bulk_returns_one_string_per_code_in_order() -> None:
    codes = [STANDARD_EXAMPLE, PLACEHOLDER, "", FUJIAN_PILOT, "91440113M0001TGQXM"]
    assert uscc_problems_bulk(iter(codes)) == ["", "placeholder", "empty", "", "check_char"]


def test_make_uscc_builds_the_standard_example() -> None:
    assert make_uscc("9", "1", "350100", "M000100Y") == STANDARD_EXAMPLE


@pytest.mark.parametrize(
    "parts",
    [
        ("9", "9", "440113", BODY),
        ("9", "1", "990000", BODY),
        ("9", "1", "440113", "MA59P2Q"),
        ("9", "1", "440113", "MA59P2QO"),
    ],
)
def test_make_uscc_refuses_what_it_cannot_make_valid(parts: tuple[str, str, str, str]) -> None:
    with pytest.raises(ValueError):
        make_uscc(*parts)


# --- why we wrap python-stdnum (rules.md §1) ---------------------------------------------------------------------


@pytest.mark.parametrize("authority", ["A", "N", "Y"])
def test_stdnum_rejects_legal_letter_authorities_we_accept(authority: str) -> None:
    code = make_uscc(authority, "1", "440113", BODY)
    assert not stdnum_uscc.is_valid(code)
    assert uscc_problem_string(code) == ""


def test_stdnum_accepts_a_wrong_17th_char_we_reject() -> None:
    first17 = STANDARD_EXAMPLE[:16] + "5"
    code = first17 + uscc_check_char(first17)
    assert stdnum_uscc.is_valid(code)
    assert uscc_problem_string(code) == "org_check_char"


@pytest.mark.parametrize(("prefix8", "token"), [("97440113", "authority_type"), ("91990000", "division")])
def test_stdnum_accepts_what_rules_md_forbids(prefix8: str, token: str) -> None:
    code = assemble(prefix8)
    assert stdnum_uscc.is_valid(code)
    assert uscc_problem_string(code) == token


# --- properties --------------------------------------------------------------------------------------------------

pairs = st.sampled_from(sorted(AUTHORITY_PAIRS))
divisions = st.sampled_from(sorted(DIVISIONS))
bodies = st.text(alphabet=ALPHABET, min_size=8, max_size=8)


@given(pair=pairs, division=divisions, body=bodies)
def test_every_made_code_is_valid(pair: str, division: str, body: str) -> None:
    code = make_uscc(pair[0], pair[1], division, body)
    assert uscc_problem_string(code) == ""
    assert uscc_problems(code) == ([], [])
    assert check_code(code, "uscc").valid
    if pair[0].isdigit():  # stdnum computes the same 18th char (and cannot take letter authorities)
        assert stdnum_uscc.is_valid(code)


@given(first17=st.text(alphabet=ALPHABET, min_size=17, max_size=17), last=st.sampled_from(ALPHABET))
def test_detailed_18th_char_check_agrees_with_stdnum(first17: str, last: str) -> None:
    code = first17 + last
    problems, warnings = uscc_problems(code)
    stdnum_ok = last == stdnum_uscc.calc_check_digit(first17)
    assert ("check_char" in problems or "fujian_pilot" in warnings) != stdnum_ok


@given(
    pair=pairs,
    division=divisions,
    body=bodies,
    position=st.integers(min_value=0, max_value=17),
    replacement=st.sampled_from(ALPHABET + "IOZSV*a"),
)
def test_changing_any_single_char_makes_a_code_invalid(
    pair: str, division: str, body: str, position: int, replacement: str
) -> None:
    code = make_uscc(pair[0], pair[1], division, body)
    if code[position] == replacement:
        return
    mutated = code[:position] + replacement + code[position + 1 :]
    problems, warnings = uscc_problems(mutated)
    if not problems:
        # the one documented exception (rules.md §1): a Fujian authority-9 code failing only the 18th char
        assert warnings[-1:] == ["fujian_pilot"]
        assert mutated[0] == "9" and mutated[2:4] == "35"
    assert uscc_problem_string(mutated) == ",".join(problems)
