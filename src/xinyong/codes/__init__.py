"""Identifier checks: USCC (GB 32100-2015), resident ID numbers (GB 11643-1999), division codes (GB/T 2260).

Rules and their sources: rules.md §1 (identifiers) and §2 (Panyu). Entry point for any text:
:func:`check_code`; hot path for the registry: :func:`uscc_problem_string` / :func:`uscc_problems_bulk`.
"""

from xinyong.codes.check import MAX_INPUT_CHARS, check_code, detect_kind
from xinyong.codes.divisions import (
    DIVISIONS,
    PANYU_DIVISION,
    PANYU_TOWNSHIPS,
    Township,
    division_existed_in,
    division_name,
    division_status,
    township_by_code,
)
from xinyong.codes.normalize import has_control_chars, normalize_code
from xinyong.codes.result import MESSAGES, PROBLEM_MESSAGES, WARNING_MESSAGES, CodeResult, Kind
from xinyong.codes.ric import (
    is_valid_ric,
    ric_15_to_18,
    ric_birth_date,
    ric_check_char,
    ric_findings,
    ric_sex,
)
from xinyong.codes.uscc import (
    ALPHABET,
    AUTHORITY_TYPES,
    PLACEHOLDER,
    is_valid_uscc,
    make_uscc,
    org_check_char,
    uscc_check_char,
    uscc_problem_string,
    uscc_problems,
    uscc_problems_bulk,
)

__all__ = [
    "ALPHABET",
    "AUTHORITY_TYPES",
    "DIVISIONS",
    "MAX_INPUT_CHARS",
    "MESSAGES",
    "PANYU_DIVISION",
    "PANYU_TOWNSHIPS",
    "PLACEHOLDER",
    "PROBLEM_MESSAGES",
    "WARNING_MESSAGES",
    "CodeResult",
    "Kind",
    "Township",
    "check_code",
    "detect_kind",
    "division_existed_in",
    "division_name",
    "division_status",
    "has_control_chars",
    "is_valid_ric",
    "is_valid_uscc",
    "make_uscc",
    "normalize_code",
    "org_check_char",
    "ric_15_to_18",
    "ric_birth_date",
    "ric_check_char",
    "ric_findings",
    "ric_sex",
    "township_by_code",
    "uscc_check_char",
    "uscc_problem_string",
    "uscc_problems",
    "uscc_problems_bulk",
]
