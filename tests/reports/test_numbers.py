"""Report numbers and check codes: the shape, leniency toward how people type them, and clear refusals."""

from __future__ import annotations

import re
from datetime import date

import pytest

from xinyong.errors import InvalidInput
from xinyong.reports.numbers import check_code, new_number, parse_check_code, parse_number

SHAPE = re.compile(r"^PY-20261127-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$")


def test_new_numbers_carry_the_day_and_sixty_random_bits() -> None:
    numbers = {new_number(date(2026, 11, 27)) for _ in range(200)}
    assert len(numbers) == 200
    assert all(SHAPE.match(n) for n in numbers)


def test_typed_numbers_are_read_leniently() -> None:
    number = "PY-20261127-7K3M-9QXD-T4WA"
    assert parse_number(" py-20261127-7k3m-9qxd-t4wa ") == number
    assert parse_number("PY202611277K3M9QXDT4WA") == number
    assert parse_number("PY－20261127－7K3M－9QXD－T4WA") == number
    assert parse_number("PY-20261127-IOAB-CDEF-GHLK") == "PY-20261127-10AB-CDEF-GH1K"  # I/L read as 1, O as 0


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ("", "请输入报告编号"),
        ("12345", "报告编号格式不正确"),
        ("PY-20261127-7K3M-9QXD-T4W", "报告编号格式不正确"),
        ("PY-20261127-7K3M-9QXD-T4WU", "报告编号格式不正确"),  # U is not in the alphabet
        ("PY-20261131-7K3M-9QXD-T4WA", "日期 20261131 不存在"),
        ("<script>alert(1)</script>", "报告编号格式不正确"),
        ("P" * 80, "报告编号过长"),
    ],
)
def test_malformed_numbers_are_refused_with_the_expected_shape(raw: str, words: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_number(raw)
    assert words in caught.value.message
    assert caught.value.field == "number"


def test_check_codes_come_from_the_signature() -> None:
    code = check_code(b"signature-one")
    assert len(code) == 8 and code == check_code(b"signature-one") != check_code(b"signature-two")
    assert parse_check_code(code.lower()) == code
    assert parse_check_code(f" {code[:4]}-{code[4:]} ") == code
    assert parse_check_code("") is None and parse_check_code(None) is None
    with pytest.raises(InvalidInput) as caught:
        parse_check_code("ABC")
    assert caught.value.field == "c" and "8 位" in caught.value.message
