"""Unified Social Credit Code (统一社会信用代码, GB 32100-2015) checks, check characters and a fast bulk checker.

python-stdnum's ``cn.uscc`` checks only length, alphabet and the 18th char, demands digits in chars 1–8 (so it
rejects legal codes of authorities A, N, Y) and runs at ~100k codes/s (rules.md §1, §11). We use it for the
18th-char computation in :func:`uscc_check_char` (it is right there) and do the rest ourselves: all rules of
rules.md §1 with precomputed per-position dict lookups on the hot path.

All functions here take an already normalised code (:func:`xinyong.codes.normalize.normalize_code`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from stdnum.cn import uscc as _stdnum_uscc

from xinyong.codes.divisions import REGISTRATION_DIVISIONS, division_status

# GB 32100-2015 §4.1 / rules.md §1: 31 characters, never I O Z S V; value = position (0–9, A=10 … Y=30).
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
VALUES: dict[str, int] = {c: i for i, c in enumerate(ALPHABET)}

# rules.md §1: 双公示 feeds give this for 个体工商户 without a code (then 工商注册号 is mandatory).
PLACEHOLDER = "00000000000000000X"

# GB 32100-2015 表1 (with XG1-2016) / rules.md §1: registration authority → allowed organisation types.
AUTHORITY_TYPES: dict[str, frozenset[str]] = {
    "1": frozenset("1239"),  # 机构编制
    "2": frozenset("19"),  # 外交
    "3": frozenset("123459"),  # 司法行政
    "4": frozenset("19"),  # 文化
    "5": frozenset("1239"),  # 民政
    "6": frozenset("129"),  # 旅游
    "7": frozenset("129"),  # 宗教
    "8": frozenset("19"),  # 工会
    "9": frozenset("123"),  # 工商/市场监管: 1 企业, 2 个体工商户, 3 农民专业合作社
    "A": frozenset("19"),  # 军队编制
    "N": frozenset("1239"),  # 农业
    "Y": frozenset("1"),  # 其他
}
AUTHORITY_PAIRS: frozenset[str] = frozenset(a + t for a, types in AUTHORITY_TYPES.items() for t in types)

# GB 32100-2015 §5 / rules.md §1: 18th-char weights 3^(i-1) mod 31; check = 31 − (Σ mod 31), 31 → 0.
CHECK_WEIGHTS: tuple[int, ...] = tuple(pow(3, i, 31) for i in range(17))
# GB 11714-1997 / rules.md §1: 17th char over chars 9–16 valued base 36; check = 11 − (Σ mod 11), 10 → X, 11 → 0.
ORG_WEIGHTS: tuple[int, ...] = (3, 7, 9, 10, 5, 8, 4, 2)

# Hot-path tables. Per position, {char: packed weighted value}: the 18th-char term in the low 14 bits
# (Σ ≤ 17·30·30 < 2^14) and, for chars 9–16, the GB 11714 term shifted above it, so one sum serves both checks.
_SHIFT = 14
_LOW = (1 << _SHIFT) - 1
_PACKED = tuple(
    {c: v * w + ((int(c, 36) * ORG_WEIGHTS[i - 8]) << _SHIFT if 8 <= i < 16 else 0) for c, v in VALUES.items()}
    for i, w in enumerate(CHECK_WEIGHTS)
)
_CHECK18 = tuple(ALPHABET[-r % 31] for r in range(31))
_ORG_CHECK = tuple("0" if r == 0 else "X" if r == 1 else str(11 - r) for r in range(11))
_getitem = dict.__getitem__


def _passes_fast(code: str) -> bool:
    """All rules at once for the common case (listed division); ``False`` means "take the detailed path"."""
    try:
        if len(code) == 18 and code[:2] in AUTHORITY_PAIRS and code[2:8] in REGISTRATION_DIVISIONS:
            packed = sum(map(_getitem, _PACKED, code))  # zip-like: 17 tables over the first 17 chars
            return _ORG_CHECK[(packed >> _SHIFT) % 11] == code[16] and _CHECK18[(packed & _LOW) % 31] == code[17]
    except KeyError:  # a char outside the alphabet
        pass
    return False


def uscc_check_char(first17: str) -> str:
    """The 18th char of a USCC whose first 17 chars are given (GB 32100-2015; computed by python-stdnum)."""
    if len(first17) != 17 or any(c not in VALUES for c in first17):
        raise ValueError(f"need 17 characters of {ALPHABET}, got {first17!r}")
    return _stdnum_uscc.calc_check_digit(first17)


def org_check_char(body8: str) -> str:
    """The GB 11714-1997 check char of an 8-char organisation code body (chars 9–16 of a USCC)."""
    if len(body8) != 8 or not body8.isascii() or not body8.isalnum() or body8.upper() != body8:
        raise ValueError(f"need 8 digits or upper-case letters, got {body8!r}")
    return _ORG_CHECK[sum(int(c, 36) * w for c, w in zip(body8, ORG_WEIGHTS, strict=True)) % 11]


def make_uscc(authority: str, org_type: str, division: str, body8: str) -> str:
    """A valid USCC from its parts, both check chars computed (e.g. ``make_uscc("9", "1", "440113", "MA59XXXX")``).

    Raises ``ValueError`` for a disallowed authority/type pair, an unknown division or a body outside the alphabet.
    """
    if authority + org_type not in AUTHORITY_PAIRS:
        raise ValueError(f"authority/type {authority}{org_type} not allowed by GB 32100-2015")
    if division_status(division) == "unknown":
        raise ValueError(f"division {division!r} is not a GB/T 2260 code")
    if len(body8) != 8 or any(c not in VALUES for c in body8):
        raise ValueError(f"body must be 8 characters of {ALPHABET}, got {body8!r}")
    first17 = authority + org_type + division + body8 + org_check_char(body8)
    return first17 + uscc_check_char(first17)


def uscc_problems(code: str) -> tuple[list[str], list[str]]:
    """Problem and warning tokens of a normalised code (the detailed path; see :func:`uscc_problem_string`)."""
    if _passes_fast(code):
        return [], []
    if not code:
        return ["empty"], []
    if code == PLACEHOLDER:
        return ["placeholder"], []
    problems: list[str] = []
    warnings: list[str] = []
    clean = all(c in VALUES for c in code)
    if len(code) != 18:
        problems.append("length")
        if not clean:
            problems.append("charset")
        return problems, warnings
    if not clean:
        problems.append("charset")
    if code[:2] not in AUTHORITY_PAIRS:
        problems.append("authority_type")
    status = division_status(code[2:8])
    if status == "unknown":
        problems.append("division")
    elif status == "unlisted":
        warnings.append("division_unlisted")
    if all(c in VALUES for c in code[8:17]):
        org_sum = sum(map(_getitem, _PACKED[8:16], code[8:16])) >> _SHIFT
        if _ORG_CHECK[org_sum % 11] != code[16]:
            problems.append("org_check_char")
    if clean and _CHECK18[(sum(map(_getitem, _PACKED, code)) & _LOW) % 31] != code[17]:
        problems.append("check_char")
    # rules.md §1 (legal oddity): early Fujian pilot codes fail only the 18th-char check and are legal, e.g.
    # 91350100M0001TGQXM. Narrow rule: authority 9 (工商), division 35xxxx (福建), every other check passes.
    if problems == ["check_char"] and code[0] == "9" and code[2:4] == "35":
        return [], [*warnings, "fujian_pilot"]
    return problems, warnings


def _build_problem_string() -> Callable[[str], str]:
    # The hot path of the registry: the tables are bound as closure variables (fast local-style loads).
    pairs, divisions, packed_tables = AUTHORITY_PAIRS, REGISTRATION_DIVISIONS, _PACKED
    org_check, check18, getitem, shift, low = _ORG_CHECK, _CHECK18, _getitem, _SHIFT, _LOW

    def uscc_problem_string(code: str) -> str:
        """``""`` for a valid normalised code, else its problem tokens joined by commas (``subject.uscc_problems``).

        Warnings (``fujian_pilot``, ``division_unlisted``) do not make a code invalid and are not included. Valid
        codes with a listed division take the fast path: dict lookups only, ≥ 300k codes/s (bench/bench_codes.py).
        """
        try:
            if len(code) == 18 and code[:2] in pairs and code[2:8] in divisions:
                packed = sum(map(getitem, packed_tables, code))
                if org_check[(packed >> shift) % 11] == code[16] and check18[(packed & low) % 31] == code[17]:
                    return ""
        except KeyError:  # a char outside the alphabet: the detailed path reports it
            pass
        return ",".join(uscc_problems(code)[0])

    return uscc_problem_string


uscc_problem_string = _build_problem_string()


def uscc_problems_bulk(codes: Iterable[str]) -> list[str]:
    """:func:`uscc_problem_string` of every normalised code, in order."""
    return list(map(uscc_problem_string, codes))


def is_valid_uscc(code: str) -> bool:
    """Whether a normalised code passes every rule of rules.md §1 (warnings allowed)."""
    return not uscc_problem_string(code)
