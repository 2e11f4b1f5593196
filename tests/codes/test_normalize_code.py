"""Normalisation: what people and spreadsheets add to identifiers."""

from __future__ import annotations

import pytest

from xinyong.codes.normalize import has_control_chars, normalize_code

CODE = "91350100M000100Y43"


@pytest.mark.parametrize(
    "raw",
    [
        "９１３５０１００Ｍ０００１００Ｙ４３",  # full-width
        "91350100m000100y43",  # lower case
        " 9135 0100 M000 100Y 43 ",  # spaces
        "9135\u30000100\u00a0M000100Y43\t",  # ideographic space, no-break space, tab
        "91-350100-M000100Y4-3",  # ASCII hyphen-minus
        "91‐350100‑M000100Y4–3",  # hyphen, non-breaking hyphen, en dash
        "91—350100―M000100Y4－3",  # em dash, horizontal bar, full-width hyphen-minus
        "91−350100﹣M000100Y4⸺3",  # minus sign, small hyphen-minus, two-em dash
        "\ufeff91350100M000100Y43\u200b",  # BOM, zero-width space
        "９１３５\u3000０１００－ｍ０００\u3000１００ｙ４３",  # all at once
    ],
)
def test_variants_normalise_to_the_code(raw: str) -> None:
    assert normalize_code(raw) == CODE


def test_other_scripts_are_kept_for_the_charset_check() -> None:
    assert normalize_code("٩١٣٥") == "٩١٣٥"  # Arabic-Indic digits are not ASCII digits
    assert normalize_code("🙂 x") == "🙂X"
    assert normalize_code("\ufffd12") == "\ufffd12"


def test_control_characters_are_dropped_and_detected() -> None:
    assert normalize_code("9135\x000100\x7f") == "91350100"
    assert has_control_chars("9135\x000100")
    assert has_control_chars("\x1c")
    assert not has_control_chars(" 91\t35\r\n")
    assert not has_control_chars("９１３５")


def test_empty_and_blank() -> None:
    assert normalize_code("") == ""
    assert normalize_code(" \u3000\t-") == ""
