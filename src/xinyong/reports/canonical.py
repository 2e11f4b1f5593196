"""Canonical JSON of a report's content: the exact bytes that are digested and signed.

Keys sorted, no insignificant whitespace, UTF-8 without escapes. Only strings, integers, booleans, None, lists
and string-keyed objects are allowed: a float (whose text form differs between serialisers) or any other type is
refused, so the bytes are the same whichever database the content was stored in and read back from.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any


def _check(value: Any, where: str = "$") -> None:
    if value is None or isinstance(value, str | bool):
        return
    if isinstance(value, int):
        return
    if isinstance(value, list):
        for n, item in enumerate(value):
            _check(item, f"{where}[{n}]")
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"报告内容的键必须是字符串：{where} 中的 {key!r}")
            _check(item, f"{where}.{key}")
        return
    raise TypeError(f"报告内容不能包含 {type(value).__name__}：{where}")


def canonical(value: Any) -> bytes:
    """The canonical JSON bytes of ``value`` (``TypeError`` for floats and other non-JSON types)."""
    _check(value)
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def digest(value: Any) -> str:
    """SHA-256 (hex) of the canonical JSON of ``value``."""
    return hashlib.sha256(canonical(value)).hexdigest()
