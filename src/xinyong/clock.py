"""The platform's notion of 'now', injectable so that every rule is testable on a pinned date."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from xinyong.settings import get_settings

CHINA_TZ = ZoneInfo("Asia/Shanghai")

_override: Callable[[], datetime] | None = None


def now() -> datetime:
    """Current time, timezone-aware (UTC)."""
    if _override is not None:
        return _override()
    pinned = get_settings().today
    if pinned is not None:
        return datetime(pinned.year, pinned.month, pinned.day, 4, 0, tzinfo=UTC)
    return datetime.now(UTC)


def today() -> date:
    """Today's date in China (Asia/Shanghai), the date every deadline is counted from."""
    return now().astimezone(CHINA_TZ).date()


def set_clock(fn: Callable[[], datetime] | None) -> None:
    """Replace the clock (tests); ``None`` restores the real one."""
    global _override
    _override = fn
