"""Per-type normalisers of intake cells: every accepted form, and a specific reason for what is refused."""

from __future__ import annotations

from datetime import date

import pytest

from xinyong.intake import normalise
from xinyong.intake.normalise import EnumValues, NormaliseError


def reason_of(fn: object, value: str) -> str:
    with pytest.raises(NormaliseError) as caught:
        fn(value)  # type: ignore[operator]
    return caught.value.reason


# --- trimming and width ---------------------------------------------------------------------------------------


def test_clean_trims_full_width_spaces_nbsp_and_zero_width_marks() -> None:
    assert normalise.clean("\u3000\u00a0 番禺区\u200b\ufeff\t") == "番禺区"
    assert normalise.clean("a b") == "a b"


def test_text_is_only_trimmed_never_nfkc() -> None:
    assert normalise.text("\u3000广州（番禺）有限公司\u00a0") == "广州（番禺）有限公司"
    assert normalise.text("ＡＢＣ１２３") == "ＡＢＣ１２３"
    assert normalise.text(" \u3000 ") is None


def test_half_width_only_for_non_ascii() -> None:
    assert normalise.half_width("ＭＡ５９") == "MA59"
    assert normalise.half_width("ma59") == "ma59"


def test_code_is_half_width_upper_case_without_spaces() -> None:
    assert normalise.code(" ｍａ５９ ａｂ ") == "MA59AB"
    assert normalise.code("12345678-9") == "12345678-9"
    assert normalise.code("440113000123456") == "440113000123456"
    assert normalise.code("") is None


def test_uscc_normalised_like_the_code_checker() -> None:
    assert normalise.uscc(" ９１３５ 0100-m000 100y43 ") == "91350100M000100Y43"
    assert normalise.uscc("91350100m000100y43") == "91350100M000100Y43"
    assert normalise.uscc("\u3000") is None


@pytest.mark.parametrize("value", ["9.14401E+17", "9.144011300E17", "１.２Ｅ＋１７"])
def test_codes_turned_into_scientific_notation_are_refused(value: str) -> None:
    assert "科学计数法" in reason_of(normalise.uscc, value)
    assert "科学计数法" in reason_of(normalise.code, value)


# --- dates ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "2021-03-05",
        "2021/3/5",
        "2021/03/05",
        "2021.3.5",
        "2021-3-5",
        "20210305",
        "2021年3月5日",
        "2021年03月05日",
        "2021-03-05 14:30:00",
        "2021-03-05 00:00:00",
        "2021/3/5 9:05",
        "2021-03-05T14:30:00+08:00",
        "2021-03-05T06:30:00.000Z",
        "2021年3月5日 14:30",
        "44260",
        "44260.5",
        "２０２１－０３－０５",
        "\u3000 2021-03-05\u00a0",
    ],
)
def test_dates_in_every_accepted_form_become_iso(value: str) -> None:
    assert normalise.iso_date(value) == "2021-03-05"


def test_blank_date_is_none() -> None:
    assert normalise.iso_date(" ") is None


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("2021-02-29", "日期不存在"),
        ("2021-13-01", "日期不存在"),
        ("2021年2月30日", "日期不存在"),
        ("20211301", "日期不存在"),
        ("05/03/2021", "日期格式不正确"),
        ("21-3-5", "日期格式不正确"),
        ("1234", "日期格式不正确"),
        ("长期", "日期格式不正确"),
        ("2021-03-05 25", "日期格式不正确"),
    ],
)
def test_bad_dates_are_refused_with_a_reason(value: str, words: str) -> None:
    assert words in reason_of(normalise.iso_date, value)


def test_excel_serials_use_the_1900_date_system() -> None:
    assert normalise.excel_serial_date(44260) == date(2021, 3, 5)
    assert normalise.excel_serial_date(1) == date(1900, 1, 1)
    assert normalise.excel_serial_date(59) == date(1900, 2, 28)
    assert normalise.excel_serial_date(61) == date(1900, 3, 1)
    assert normalise.excel_serial_date(45000.75) == date(2023, 3, 15)
    assert "1900-02-29" in reason_of(normalise.excel_serial_date, 60)  # type: ignore[arg-type]


# --- amounts (万元, 6 decimals) -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0.5", "0.500000"),
        ("5", "5.000000"),
        ("1,234.5", "1234.500000"),
        ("1,234,567", "1234567.000000"),
        ("5万元", "5.000000"),
        ("2.5 万元", "2.500000"),
        ("１２.５", "12.500000"),
        (".5", "0.500000"),
        ("007.25", "7.250000"),
        ("0", "0.000000"),
        ("-0", "0.000000"),
        ("+3", "3.000000"),
        ("1.123456", "1.123456"),
        ("1.1234560000", "1.123456"),
        ("\u3000 3 ", "3.000000"),
    ],
)
def test_amounts_have_exactly_six_decimals(value: str, expected: str) -> None:
    assert normalise.amount(value) == expected


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("-1", "金额不能为负数"),
        ("-0.01", "金额不能为负数"),
        ("1.1234567", "金额最多6位小数（单位万元）"),
        ("0.0000001", "金额最多6位小数（单位万元）"),
        ("5000元", "金额单位应为万元"),
        ("￥5", "金额单位应为万元"),
        ("1,23", "千位分隔符"),
        ("12,34.5", "千位分隔符"),
        ("abc", "金额格式不正确"),
        ("1e3", "金额格式不正确"),
        ("1.2.3", "金额格式不正确"),
    ],
)
def test_bad_amounts_are_refused_with_a_reason(value: str, words: str) -> None:
    assert words in reason_of(normalise.amount, value)


def test_blank_amount_is_none() -> None:
    assert normalise.amount("") is None


# --- integers and phones --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"), [("1,200", "1200"), ("12.0", "12"), ("１２", "12"), ("-3", "-3"), ("007", "7")]
)
def test_integers(value: str, expected: str) -> None:
    assert normalise.integer(value) == expected


@pytest.mark.parametrize("value", ["12.5", "abc", "1,2"])
def test_bad_integers_are_refused(value: str) -> None:
    assert reason_of(normalise.integer, value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("138 1234 5678", "13812345678"),
        ("+86 138-1234-5678", "13812345678"),
        ("020-12345678", "020-12345678"),
        ("(020)12345678", "020-12345678"),
        ("02012345678", "02012345678"),
    ],
)
def test_phones(value: str, expected: str) -> None:
    assert normalise.phone(value) == expected


def test_bad_phone_is_refused() -> None:
    assert "电话号码格式不正确" in reason_of(normalise.phone, "12345")


# --- enumerations ---------------------------------------------------------------------------------------------

STATUS = EnumValues(["有效", "无效"], {"1": "有效", "2": "无效"})
ID_TYPES = EnumValues(["身份证", "护照号"], {"001": "身份证", "002": "护照号"})
CATEGORIES = EnumValues(["警告", "罚款", "没收违法所得、没收非法财物"], {})


@pytest.mark.parametrize(("value", "label"), [("有效", "有效"), (" 有效\u3000", "有效"), ("1", "有效"), ("２", "无效")])
def test_enum_label_or_code(value: str, label: str) -> None:
    assert STATUS(value) == label


def test_enum_codes_that_lost_leading_zeros_in_excel_are_accepted() -> None:
    assert ID_TYPES("001") == "身份证"
    assert ID_TYPES("1") == "身份证"
    assert ID_TYPES("2") == "护照号"


def test_enum_refusal_lists_the_allowed_values() -> None:
    reason = reason_of(STATUS, "3")
    assert "“3”" in reason and "有效、无效" in reason
    assert STATUS("") is None


def test_several_values_separated_by_semicolons_give_the_first() -> None:
    assert CATEGORIES.first_of_many("罚款;警告") == "罚款"
    assert CATEGORIES.first_of_many("罚款；没收违法所得、没收非法财物") == "罚款"
    assert CATEGORIES.first_of_many("罚款;吊销") is None
    assert CATEGORIES.first_of_many("罚款") is None
