"""Name normalisation and the character-bigram keys of the name index."""

from __future__ import annotations

import unicodedata

GRAM_END = "\x03"  # closes the last character's gram so one-character queries have a posting


def normalize_name(name: str) -> str:
    """NFKC (full-width → half-width), drop spaces and control characters, upper-case Latin letters."""
    text = unicodedata.normalize("NFKC", name)
    return "".join(ch for ch in text if not ch.isspace() and unicodedata.category(ch)[0] != "C").upper()


def name_grams(name: str) -> set[str]:
    """The distinct bigrams of the normalised name, plus ``last char + GRAM_END``."""
    text = normalize_name(name)
    if not text:
        return set()
    grams = {text[i : i + 2] for i in range(len(text) - 1)}
    grams.add(text[-1] + GRAM_END)
    return grams


def query_grams(query: str) -> list[str]:
    """Bigrams of a search fragment (a single character yields itself, searched as a gram prefix)."""
    text = normalize_name(query)
    if len(text) <= 1:
        return [text] if text else []
    return list(dict.fromkeys(text[i : i + 2] for i in range(len(text) - 1)))
