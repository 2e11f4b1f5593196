"""One entry point for any identifier text: normalise, decide the kind, check, explain.

Kind detection in ``auto`` mode (after normalisation):

* ``00000000000000000X`` → ``uscc`` (the placeholder, rules.md §1);
* 15 digits → ``ric`` (legacy ID number; a 15-digit 工商注册号 is not recognised and will fail as an ID number);
* 18 chars that are 17 digits + digit/X could be either: both checks run; the one that passes wins; if both
  pass → ``uscc`` with warning ``ambiguous_kind``; if neither, the one with fewer problems wins, ties → ``uscc``;
* other 18-char text → ``uscc``;
* anything else → ``unknown`` with ``length`` (and ``charset``).
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from xinyong.codes.normalize import has_control_chars, normalize_code
from xinyong.codes.result import CodeResult, Kind
from xinyong.codes.ric import ric_findings
from xinyong.codes.uscc import PLACEHOLDER, VALUES, uscc_problems

RequestedKind = Literal["uscc", "ric", "auto"]

#: Longer input (after trimming surrounding padding) is not a code: reported as ``too_long``, not normalised.
MAX_INPUT_CHARS = 256

_DIGITS = frozenset("0123456789")
_PADDING = " \t\r\n\u3000\u00a0\ufeff"  # fixed-width exports pad with these: trimmed before anything else


def _ric_shaped(code: str) -> bool:
    return len(code) == 18 and all(c in _DIGITS for c in code[:17]) and (code[17] in _DIGITS or code[17] == "X")


def _checked(kind: Kind, code: str, as_of: date | None) -> tuple[Kind, list[str], list[str], str | None]:
    if kind == "uscc":
        problems, warnings = uscc_problems(code)
        return "uscc", problems, warnings, None
    if kind == "ric":
        found = ric_findings(code, as_of)
        return "ric", found.problems, found.warnings, found.converted
    problems = ["length"] if all(c in VALUES for c in code) else ["length", "charset"]
    return "unknown", problems, [], None


def _detect(code: str, as_of: date | None) -> tuple[Kind, bool]:
    """(kind, ambiguous): ``ambiguous`` when an 18-digit code passes both the USCC and the ID-number checks."""
    if code == PLACEHOLDER:
        return "uscc", False
    if len(code) == 15 and all(c in _DIGITS for c in code):
        return "ric", False
    if _ric_shaped(code):
        u_problems = uscc_problems(code)[0]
        r_problems = ric_findings(code, as_of).problems
        if not u_problems:
            return "uscc", not r_problems
        if not r_problems:
            return "ric", False
        return ("ric" if len(r_problems) < len(u_problems) else "uscc"), False
    return ("uscc" if len(code) == 18 else "unknown"), False


def detect_kind(code: str, as_of: date | None = None) -> Kind:
    """The kind ``auto`` mode checks a normalised code as (rules in the module docstring)."""
    return _detect(code, as_of)[0]


def check_code(raw: str, kind: RequestedKind = "auto", as_of: date | None = None) -> CodeResult:
    """Check one identifier as typed or exported (any text, never raises).

    ``kind`` forces ``uscc`` or ``ric``; ``auto`` detects it. ``as_of`` (default ``clock.today()``) is the day
    a birth date may not be after.
    """
    fallback: Kind = "unknown" if kind == "auto" else kind
    text = raw.strip(_PADDING)
    if len(text) > MAX_INPUT_CHARS:
        return CodeResult(raw[:MAX_INPUT_CHARS], "", fallback, False, ["too_long"], [])
    before = ["control_chars"] if has_control_chars(text) else []
    code = normalize_code(text)
    if not code:
        return CodeResult(raw, "", fallback, False, [*before, "empty"], [])
    ambiguous = False
    used: Kind = fallback
    if kind == "auto":
        used, ambiguous = _detect(code, as_of)
    used, problems, warnings, converted = _checked(used, code, as_of)
    if ambiguous:
        warnings = [*warnings, "ambiguous_kind"]
    problems = before + problems
    return CodeResult(raw, code, used, not problems, problems, warnings, converted)
