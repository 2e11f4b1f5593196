"""Resident identity card numbers (公民身份号码, GB 11643-1999), 18-digit and legacy 15-digit.

python-stdnum's ``cn.ric`` computes the check char correctly (used by :func:`ric_check_char`) but rejects a number
whose division code did not exist in the birth year — real people registered after a boundary change (rules.md
§1) — and accepts birth dates in the future. We report the first as a warning and the second as an error.
"""

from __future__ import annotations

from datetime import date
from typing import Literal, NamedTuple

from stdnum.cn import ric as _stdnum_ric

from xinyong import clock
from xinyong.codes.divisions import DIVISIONS, RESIDENCE_PERMIT_DIVISIONS, division_existed_in, division_status

# GB 11643-1999 / rules.md §1: weights 2^(17−k) mod 11 for 0-based position k; check = "10X98765432"[Σ mod 11].
RIC_WEIGHTS: tuple[int, ...] = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
RIC_CHECK_CHARS = "10X98765432"
# Our assumption (rules.md confidence L): nobody alive or on record was born before this year.
EARLIEST_BIRTH_YEAR = 1850

_DIGITS = frozenset("0123456789")


class RicFindings(NamedTuple):
    """Problems, warnings and (for a legacy 15-digit number) the converted 18-digit form."""

    problems: list[str]
    warnings: list[str]
    converted: str | None


def _digits(text: str) -> bool:
    return bool(text) and all(c in _DIGITS for c in text)


def ric_check_char(first17: str) -> str:
    """The 18th char of an ID number whose first 17 digits are given (GB 11643-1999; computed by python-stdnum)."""
    if len(first17) != 17 or not _digits(first17):
        raise ValueError(f"need 17 digits, got {first17!r}")
    return _stdnum_ric.calc_check_digit(first17 + "0")  # stdnum expects the check position to be present


def _date(yyyymmdd: str) -> date | None:
    try:
        return date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        return None


def ric_birth_date(code: str) -> date | None:
    """Birth date of an 18- or 15-digit number (15-digit: 19YYMMDD), ``None`` if the date does not exist."""
    if len(code) == 18 and _digits(code[6:14]):
        return _date(code[6:14])
    if len(code) == 15 and _digits(code[6:12]):
        return _date("19" + code[6:12])
    return None


def ric_sex(code: str) -> Literal["male", "female"] | None:
    """Sex from the sequence number's parity (GB 11643-1999: odd = male), ``None`` for a malformed number."""
    pos = {18: 16, 15: 14}.get(len(code))
    if pos is None or code[pos] not in _DIGITS:
        return None
    return "male" if int(code[pos]) % 2 else "female"


def ric_15_to_18(code15: str) -> str:
    """The 18-digit form of a legacy 15-digit number: insert the century ``19`` and append the check char."""
    if len(code15) != 15 or not _digits(code15):
        raise ValueError(f"need 15 digits, got {code15!r}")
    first17 = code15[:6] + "19" + code15[6:]
    return first17 + ric_check_char(first17)


def ric_findings(code: str, as_of: date | None = None) -> RicFindings:
    """Check a normalised ID number; ``as_of`` (default ``clock.today()``) bounds the birth date."""
    if not code:
        return RicFindings(["empty"], [], None)
    problems: list[str] = []
    warnings: list[str] = []
    n = len(code)
    shaped = (_digits(code[:17]) and (code[17] in _DIGITS or code[17] == "X")) if n == 18 else _digits(code)
    if n not in (15, 18):
        return RicFindings(["length"] if shaped else ["length", "charset"], [], None)
    if not shaped:
        problems.append("charset")
    # Division (GB 11643-1999 §4.1 → GB/T 2260): unknown is an error; not existing in the birth year a warning.
    division = code[:6]
    if division in DIVISIONS or division in RESIDENCE_PERMIT_DIVISIONS:
        status = "listed"
    else:  # 100000 (national level) is a registration code, never a place of birth: "unknown" here
        status = "unlisted" if division_status(division) == "unlisted" else "unknown"
    if status == "unknown":
        problems.append("division")
    elif status == "unlisted":
        warnings.append("division_unlisted")
    born = ric_birth_date(code)
    today = as_of or clock.today()
    if born is None or born > today or born.year < EARLIEST_BIRTH_YEAR:
        problems.append("birth_date")
    elif (
        status == "listed"
        and division not in RESIDENCE_PERMIT_DIVISIONS
        and not division_existed_in(division, born.year)
    ):
        warnings.append("division_at_birth")
    converted = None
    if n == 18:
        if shaped and ric_check_char(code[:17]) != code[17]:
            problems.append("check_char")
    elif shaped:
        warnings.append("legacy_15")  # GB 11643-1999 replaced the 15-digit form: no check char to verify
        converted = None if problems else ric_15_to_18(code)
    return RicFindings(problems, warnings, converted)


def is_valid_ric(code: str, as_of: date | None = None) -> bool:
    """Whether a normalised 18- or 15-digit number has no problems (warnings allowed)."""
    return not ric_findings(code, as_of).problems
