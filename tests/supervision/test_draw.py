"""The draw algorithm ``xinyong-draw-1``: ceil counts per grade in decimal arithmetic, reproducibility, the canonical
hash, independence of a candidate's key from the others, and bad ratios and seeds refused."""

from __future__ import annotations

import hashlib
from decimal import Decimal

import pytest

from xinyong.supervision.draw import (
    Candidate,
    DrawError,
    candidates_hash,
    candidates_text,
    check_seed,
    draw,
    draw_key,
    parse_ratios,
    quota,
)

RATIOS = parse_ratios("A=0.02,B=0.05,C=1,D=1")


def pool(a: int, b: int, c: int, d: int, start: int = 1) -> list[Candidate]:
    grades = ["A"] * a + ["B"] * b + ["C"] * c + ["D"] * d
    return [Candidate(start + n, g) for n, g in enumerate(grades)]


def test_counts_are_ceil_of_ratio_times_candidates_in_decimal() -> None:
    assert quota(20, Decimal("0.05")) == 1  # 0.05 × 20 is exactly 1 (a float product is 1.0000000000000002)
    assert (quota(21, Decimal("0.05")), quota(1, Decimal("0.02")), quota(0, Decimal("1")), quota(7, Decimal(0))) == (
        2,
        1,
        0,
        0,
    )
    result = draw(pool(120, 20, 3, 1), RATIOS, "42")
    assert result.candidates_by_grade == {"A": 120, "B": 20, "C": 3, "D": 1}
    assert result.drawn_by_grade == {"A": 3, "B": 1, "C": 3, "D": 1}
    assert [c.grade for c in result.drawn] == ["A"] * 3 + ["B"] + ["C"] * 3 + ["D"]


def test_within_a_grade_the_smallest_keys_are_drawn() -> None:
    candidates = pool(50, 0, 0, 0)
    result = draw(candidates, parse_ratios("A=0.1,B=0,C=0,D=0"), "seed-1")
    expected = sorted(candidates, key=lambda c: draw_key("seed-1", c.subject_id))[:5]
    assert result.drawn == expected
    assert draw_key("seed-1", 7) == hashlib.sha256(b"xinyong-draw-1|seed-1|7").hexdigest()


def test_same_input_same_draw_whatever_the_order_and_another_seed_differs() -> None:
    candidates = pool(200, 40, 5, 2)
    one = draw(candidates, RATIOS, "20261127")
    two = draw(list(reversed(candidates)), RATIOS, "20261127")
    assert one == two
    assert draw(candidates, RATIOS, "20261128").drawn != one.drawn


def test_hash_is_sha256_of_sorted_lines() -> None:
    candidates = [Candidate(10, "C"), Candidate(2, "A"), Candidate(33, "B")]
    assert candidates_text(candidates) == b"2,A\n10,C\n33,B\n"
    assert candidates_hash(candidates) == hashlib.sha256(b"2,A\n10,C\n33,B\n").hexdigest()
    assert draw(candidates, RATIOS, "1").candidates_hash == candidates_hash(reversed(candidates))


def test_adding_a_candidate_changes_the_draw_by_at_most_that_candidate() -> None:
    base = pool(300, 0, 0, 0)
    ratios = parse_ratios("A=0.1,B=0,C=0,D=0")
    before = set(draw(base, ratios, "77").drawn)
    for extra in range(1000, 1040):  # 301 candidates: the quota grows from 30 to 31
        after = set(draw([*base, Candidate(extra, "A")], ratios, "77").drawn)
        assert before <= after and len(after - before) == 1
    same_quota = pool(290, 0, 0, 0)
    before = set(draw(same_quota, ratios, "77").drawn)  # 29 of 290; 291 still gives 30
    for extra in range(2000, 2040):
        after = set(draw([*same_quota, Candidate(extra, "A")], ratios, "77").drawn)
        assert len(after ^ before) <= 2 and len(after - before - {Candidate(extra, "A")}) <= 1


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("A=0.02,B=0.05,C=1.01,D=1", "0 到 1"),
        ("A=-0.1,B=0.05,C=1,D=1", "0 到 1"),
        ("A=0.02,B=0.05,C=1", "缺少等级 D"),
        ("A=0.02,A=0.03,B=0.05,C=1,D=1", "重复"),
        ("A=0.02,B=五成,C=1,D=1", "无法解析"),
        ("A=0.02,B=0.05,C=1,E=1", "未知的信用等级"),
        ("A0.02,B=0.05,C=1,D=1", "格式"),
        ("A=NaN,B=0.05,C=1,D=1", "0 到 1"),
    ],
)
def test_bad_ratios_are_refused(text: str, fragment: str) -> None:
    with pytest.raises(DrawError) as caught:
        parse_ratios(text)
    assert fragment in str(caught.value)


@pytest.mark.parametrize("seed", ["", "   ", "a|b", "x" * 65, "tab\there"])
def test_bad_seeds_are_refused(seed: str) -> None:
    with pytest.raises(DrawError):
        check_seed(seed)
    with pytest.raises(DrawError):
        draw(pool(1, 0, 0, 0), RATIOS, seed)


def test_unknown_grades_and_duplicates_are_refused() -> None:
    with pytest.raises(DrawError):
        draw([Candidate(1, "E")], RATIOS, "1")
    with pytest.raises(DrawError):
        draw([Candidate(1, "A"), Candidate(1, "B")], RATIOS, "1")
