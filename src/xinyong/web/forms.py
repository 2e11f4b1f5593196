"""Values typed into the pages' forms: dates (YYYY-MM-DD) with the Chinese message naming the field."""

from __future__ import annotations

from datetime import date

from xinyong.errors import InvalidInput


def form_day(raw: str, label: str, field: str) -> date | None:
    """The date typed for ``label``; None when blank; ``InvalidInput`` (naming ``field``) when not a date."""
    text = raw.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{label}应为日期（年-月-日），收到 {text[:20]!r}", field=field) from None


def required_day(raw: str, label: str, field: str) -> date:
    """``form_day`` of a field that must be filled (``请填写…`` when blank)."""
    day = form_day(raw, label, field)
    if day is None:
        raise InvalidInput(f"请填写{label}", field=field)
    return day
