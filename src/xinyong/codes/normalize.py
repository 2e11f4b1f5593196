"""Normalisation of identifiers typed or exported by people: the form every check and every stored code uses."""

from __future__ import annotations

import unicodedata

# Whitespace, dashes and invisible formatting marks are separators people and spreadsheets add; they carry
# no information in an identifier (rules.md §1: codes are 18 or 15 plain characters).
_MINUS_SIGNS = frozenset("\u2212\u2043\ufe63\uff0d")  # minus sign, hyphen bullet (not in category Pd)
_KEPT_CONTROLS = frozenset("\t\n\r")  # ordinary whitespace: removed silently, never reported


def _dropped(ch: str) -> bool:
    """Spaces (incl. U+3000), every dash (category Pd and minus signs), control and format characters."""
    return ch.isspace() or ch in _MINUS_SIGNS or unicodedata.category(ch) in ("Pd", "Cc", "Cf")


def normalize_code(raw: str) -> str:
    """NFKC (full-width → half-width), drop spaces, dashes, control/format characters, upper-case.

    ``"９１３５ 0100-m000 100y43"`` → ``"91350100M000100Y43"``. Characters that are neither dropped nor mapped
    (letters of other scripts, U+FFFD from undecodable bytes) are kept, so the checks report them as ``charset``.
    """
    if raw.isascii() and raw.isalnum():  # the common case: already clean
        return raw.upper()
    text = unicodedata.normalize("NFKC", raw)
    return "".join(ch for ch in text if not _dropped(ch)).upper()


def has_control_chars(raw: str) -> bool:
    """Whether ``raw`` holds control characters other than tab, CR and LF (a sign of a broken export)."""
    if raw.isascii() and raw.isprintable():
        return False
    return any(unicodedata.category(ch) == "Cc" and ch not in _KEPT_CONTROLS for ch in raw)
