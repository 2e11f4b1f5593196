"""Working-day calendar: which dates are working days, and deadlines counted in working days.

Sources of the rules encoded here:

* Holidays and make-up working days (调休上班) are fixed each year by the State Council's notice
  (国务院办公厅关于XXXX年部分节假日安排的通知), under 全国年节及纪念日放假办法. For the years it covers, the
  ``chinesecalendar`` package transcribes those notices; for later years the operator enters the notice into
  the override table (``calendar_day``) and declares the year complete (``calendar_year``). design.md:
  "it raises for years it does not cover: never guess silently".
* Deadlines in working days (rules.md §3: publish within 7 working days; §4: objections accepted within
  2 working days, verified within 10; repair reviews): 行政许可法 第八十二条 / 行政处罚法 第八十五条 — periods
  in working days exclude statutory holidays; 民法典 第二百零一条 — the day a period starts from is not
  counted, counting begins the next day.

Resolution order for one date (``WorkCalendar.decide``):

1. an override row in ``calendar_day`` wins;
2. else, if chinesecalendar covers the year, it decides;
3. else, if the year is declared in ``calendar_year`` (its schedule was entered as overrides), Monday–Friday
   are working days and weekends are not;
4. else, with ``XINYONG_CALENDAR_FALLBACK=weekends_only``, Monday–Friday are working days (a guess: it ignores
   holidays, even 1 January);
5. else (``strict``, the default) ``CalendarRangeError``.

Counting convention (``add_workdays``/``deadline``): day 1 is the first working day strictly after the start
date; the start date itself is never counted, whether or not it is a working day. ``n = 0`` returns the start
date if it is a working day, else the next working day. Negative ``n`` counts backwards the same way.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

import chinese_calendar
import yaml
from sqlalchemy import Boolean, Date, Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from xinyong.auth import audit
from xinyong.auth.context import Context
from xinyong.auth.permissions import require
from xinyong.db.base import Base
from xinyong.errors import InvalidInput, NotFound
from xinyong.settings import get_settings


class CalendarDay(Base):
    """An override of one date: declared a working day or a day off, with its source."""

    __tablename__ = "calendar_day"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    is_workday: Mapped[bool] = mapped_column(Boolean)
    name: Mapped[str] = mapped_column(String(64), default="")
    source: Mapped[str] = mapped_column(String(200))
    created_by: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime]


class CalendarYear(Base):
    """A year whose complete holiday schedule has been entered as overrides (so it counts as known)."""

    __tablename__ = "calendar_year"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    source: Mapped[str] = mapped_column(String(200))
    declared_by: Mapped[str] = mapped_column(String(128))
    declared_at: Mapped[datetime]


# --------------------------------------------------------------------------------------------------- errors


class CalendarError(InvalidInput, ValueError):
    """Invalid calendar input (bad date, empty source, malformed schedule file)."""

    code = "calendar_invalid"


class CalendarRangeError(CalendarError):
    """A date whose year no source covers, in ``strict`` mode. Fix: enter the year's schedule, or set a fallback."""

    status = 409
    code = "calendar_not_covered"

    def __init__(self, year: int) -> None:
        lo, hi = CHINESECALENDAR_YEARS
        super().__init__(
            f"工作日历未覆盖 {year} 年：chinesecalendar {CHINESECALENDAR_VERSION} 仅含 {lo}–{hi} 年，"
            f"数据库中也未声明 {year} 年。请按国务院办公厅放假安排通知录入后执行 "
            f"`xinyong calendar import FILE.yaml` 或 `xinyong calendar set ...` + "
            f"`xinyong calendar declare-year {year} --source ...`；或临时设置 XINYONG_CALENDAR_FALLBACK=weekends_only "
            f"(按周一至周五计算，不含节假日) "
            f"(working-day calendar does not cover {year}: chinesecalendar covers {lo}-{hi} and {year} is not "
            f"declared; enter the State Council holiday schedule and declare the year, or set "
            f"XINYONG_CALENDAR_FALLBACK=weekends_only)"
        )
        self.year = year


class OverrideNotFound(NotFound, CalendarError):
    """``remove_day`` on a date that has no override."""

    code = "calendar_override_not_found"


# ------------------------------------------------------------------------------------------ chinesecalendar


def _chinesecalendar_years() -> tuple[int, int]:
    # The package validates a date against min/max year of its ``holidays`` table (chinese_calendar.utils.
    # _validate_date), so the same table gives the covered range; nothing is hard-coded here.
    years = [d.year for d in chinese_calendar.holidays]
    return min(years), max(years)


CHINESECALENDAR_YEARS: tuple[int, int] = _chinesecalendar_years()
"""First and last year chinesecalendar covers (2004–2026 for version 1.11.0)."""
CHINESECALENDAR_VERSION: str = chinese_calendar.__version__


def chinesecalendar_covers(year: int) -> bool:
    """Whether chinesecalendar has the State Council schedule of ``year``."""
    return CHINESECALENDAR_YEARS[0] <= year <= CHINESECALENDAR_YEARS[1]


@lru_cache(maxsize=16384)
def _cc_decision(d: date) -> tuple[bool, str] | None:
    """(is_workday, name) per chinesecalendar (State Council notices), or None outside its range (~20 µs: cached)."""
    try:
        is_workday = chinese_calendar.is_workday(d)
        _, name = chinese_calendar.get_holiday_detail(d)
    except NotImplementedError:  # outside the package's data, should its range test differ from ours
        return None
    # Chinese name of the holiday; a name the enum does not know keeps the package's English text.
    with contextlib.suppress(ValueError):
        name = chinese_calendar.Holiday(name).chinese if name else ""
    return bool(is_workday), name or ""


# ------------------------------------------------------------------------------------------------ calendar

Fallback = Literal["strict", "weekends_only"]
FALLBACKS: tuple[str, ...] = ("strict", "weekends_only")
Basis = Literal["override", "chinesecalendar", "declared_year", "fallback"]


@dataclass(frozen=True)
class DayOverride:
    """One row of ``calendar_day`` as the calendar sees it."""

    is_workday: bool
    name: str = ""
    source: str = ""


@dataclass(frozen=True)
class DayDecision:
    """Whether a date is a working day, and which source said so."""

    day: date
    is_workday: bool
    basis: Basis
    name: str = ""
    source: str = ""


def _check_date(d: object) -> date:
    # datetime is a subclass of date; its date part depends on the time zone, so callers must decide it.
    if isinstance(d, datetime) or not isinstance(d, date):
        raise TypeError(f"expected a datetime.date (the date in China), got {type(d).__name__}: {d!r}")
    return d


def _check_int(n: object, what: str) -> int:
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"{what} must be an int, got {type(n).__name__}: {n!r}")
    return n


class WorkCalendar:
    """An immutable snapshot of the override table plus chinesecalendar, with a per-date cache.

    Build it with ``load_calendar(session)``, or directly: ``WorkCalendar({date(2027, 1, 1): False},
    declared_years={2027})`` (override values are ``DayOverride`` or plain bools). Every method takes explicit
    dates; none looks at "today". Rebuild it after the override tables change.
    """

    def __init__(
        self,
        overrides: Mapping[date, DayOverride | bool] | None = None,
        declared_years: Iterable[int] = (),
        fallback: Fallback = "strict",
    ) -> None:
        if fallback not in FALLBACKS:
            raise ValueError(f"calendar fallback must be one of {FALLBACKS}, got {fallback!r}")
        self.fallback: Fallback = fallback
        self.overrides: Mapping[date, DayOverride] = MappingProxyType(
            {
                _check_date(d): (o if isinstance(o, DayOverride) else DayOverride(bool(o)))
                for d, o in (overrides or {}).items()
            }
        )
        self.declared_years: frozenset[int] = frozenset(declared_years)
        self._cache: dict[date, DayDecision] = {}

    def __repr__(self) -> str:
        return (
            f"WorkCalendar(overrides={len(self.overrides)}, declared_years={sorted(self.declared_years)}, "
            f"fallback={self.fallback!r})"
        )

    # -- single dates

    def decide(self, d: date) -> DayDecision:
        """The decision for ``d`` and its basis, following the resolution order in the module docstring."""
        cached = self._cache.get(d)
        if cached is not None:
            return cached
        decision = self._decide(_check_date(d))
        self._cache[d] = decision
        return decision

    def _decide(self, d: date) -> DayDecision:
        override = self.overrides.get(d)
        if override is not None:
            return DayDecision(d, override.is_workday, "override", override.name, override.source)
        if chinesecalendar_covers(d.year):
            cc = _cc_decision(d)
            if cc is not None:
                # State Council holiday notice for d.year, as transcribed by chinesecalendar.
                return DayDecision(d, cc[0], "chinesecalendar", cc[1], f"chinesecalendar {CHINESECALENDAR_VERSION}")
        weekday = d.weekday() < 5  # Monday–Friday (国务院关于职工工作时间的规定: 5-day week)
        if d.year in self.declared_years:
            # The year's notice has been entered as overrides (checked above); every other day is ordinary.
            return DayDecision(d, weekday, "declared_year")
        if self.fallback == "weekends_only":
            return DayDecision(d, weekday, "fallback")
        raise CalendarRangeError(d.year)

    def is_workday(self, d: date) -> bool:
        """Whether ``d`` is a working day. Raises ``CalendarRangeError`` for an uncovered year in strict mode."""
        return self.decide(d).is_workday

    def covers(self, year: int) -> bool:
        """Whether ``year`` is known without guessing (chinesecalendar or declared)."""
        return chinesecalendar_covers(year) or year in self.declared_years

    # -- counting

    def add_workdays(self, d: date, n: int) -> date:
        """The ``n``-th working day after ``d`` (``d`` itself never counts; day 1 is the first working day after ``d``).

        ``n = 0``: ``d`` if it is a working day, else the next working day. ``n < 0``: the ``|n|``-th working day
        before ``d``. Source of the convention: 民法典 第二百零一条 (the start day is not counted).
        """
        _check_date(d)
        _check_int(n, "n")
        if n == 0:
            return d if self.is_workday(d) else self.add_workdays(d, 1)
        step = timedelta(days=1 if n > 0 else -1)
        remaining = abs(n)
        current = d
        while remaining:
            current += step
            if self.is_workday(current):
                remaining -= 1
        return current

    def next_workday(self, d: date) -> date:
        """The first working day strictly after ``d``."""
        return self.add_workdays(d, 1)

    def previous_workday(self, d: date) -> date:
        """The last working day strictly before ``d``."""
        return self.add_workdays(d, -1)

    def workdays_between(self, start: date, end: date) -> int:
        """Working days counted from ``start`` to ``end``: those after ``start`` up to and including ``end``.

        Negative when ``end`` is before ``start`` (then: working days in ``[end, start)``), so that
        ``workdays_between(d, add_workdays(d, n)) == n`` for every ``n != 0``. ``start == end`` gives 0.
        """
        _check_date(start)
        _check_date(end)
        if end < start:
            return -self.workdays_between(end - timedelta(days=1), start - timedelta(days=1))
        count = 0
        current = start
        while current < end:
            current += timedelta(days=1)
            if self.is_workday(current):
                count += 1
        return count

    def deadline(self, start: date, workdays: int) -> date:
        """Last day of a period of ``workdays`` working days starting from ``start`` (the day of the event).

        The ``workdays``-th working day after ``start``; ``start`` itself is not counted (民法典 第二百零一条;
        行政许可法 第八十二条: working-day periods exclude statutory holidays). Used for rules.md §3 (publish
        within 7 working days) and §4 (objections: accept within 2, verify within 10 working days; repair).
        ``workdays = 0`` gives ``start`` if it is a working day, else the next working day.
        """
        _check_int(workdays, "workdays")
        if workdays < 0:
            raise CalendarError(f"期限工作日数不能为负 (deadline working days must be >= 0): {workdays}")
        return self.add_workdays(start, workdays)


def declared_years(session: Session) -> list[tuple[int, str]]:
    """The declared years and the notice each was entered from, oldest first."""
    rows = session.execute(select(CalendarYear.year, CalendarYear.source).order_by(CalendarYear.year))
    return [(row.year, row.source) for row in rows]


def load_calendar(session: Session, fallback: Fallback | None = None) -> WorkCalendar:
    """The calendar from the override tables; ``fallback`` defaults to ``Settings.calendar_fallback``."""
    overrides = {
        row.day: DayOverride(row.is_workday, row.name, row.source)
        for row in session.execute(
            select(CalendarDay.day, CalendarDay.is_workday, CalendarDay.name, CalendarDay.source)
        )
    }
    years = session.scalars(select(CalendarYear.year)).all()
    return WorkCalendar(overrides, years, fallback or get_settings().calendar_fallback)


# ---------------------------------------------------------------------------------------------- validation

MIN_YEAR = 2000
"""Earliest year the platform keeps calendar entries for (data older than the 2004 chinesecalendar start is rare)."""
MAX_YEAR = 2100
SOURCE_MAX = 200  # calendar_day.source / calendar_year.source column width
NAME_MAX = 64  # calendar_day.name column width


def _valid_year(year: object) -> int:
    if isinstance(year, bool) or not isinstance(year, int):
        raise CalendarError(f"年份必须是整数 (year must be an integer): {year!r}", field="year")
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise CalendarError(f"年份超出范围 {MIN_YEAR}–{MAX_YEAR} (year out of range): {year}", field="year")
    return year


def _valid_day(day: object) -> date:
    if isinstance(day, datetime) or not isinstance(day, date):
        raise CalendarError(f"日期无效 (not a date): {day!r}", field="day")
    _valid_year(day.year)
    return day


def _valid_source(source: object) -> str:
    # The source names the State Council notice (e.g. 国务院办公厅关于2027年部分节假日安排的通知): never empty.
    if not isinstance(source, str) or not source.strip():
        raise CalendarError(
            "来源不能为空：请填写国务院办公厅放假安排通知的名称和文号 (source must name the State Council notice)",
            field="source",
        )
    source = source.strip()
    if len(source) > SOURCE_MAX:
        raise CalendarError(f"来源过长，最多 {SOURCE_MAX} 字 (source too long)", field="source")
    return source


def _valid_name(name: object) -> str:
    if name is None:
        return ""
    if not isinstance(name, str):
        raise CalendarError(f"名称必须是文字 (name must be text): {name!r}", field="name")
    name = name.strip()
    if len(name) > NAME_MAX:
        raise CalendarError(f"名称过长，最多 {NAME_MAX} 字 (name too long)", field="name")
    return name


def _valid_not_covered(year: int) -> None:
    if chinesecalendar_covers(year):
        lo, hi = CHINESECALENDAR_YEARS
        raise CalendarError(
            f"{year} 年已由 chinesecalendar 覆盖 ({lo}–{hi})，无需声明；个别日期的调整请用 `xinyong calendar set` "
            f"(year {year} is covered by chinesecalendar; enter single corrections as overrides)",
            field="year",
        )


def _row_view(row: CalendarDay) -> dict[str, Any]:
    return {"is_workday": row.is_workday, "name": row.name, "source": row.source}


# ------------------------------------------------------------------------------------------------- actions


def _upsert_day(ctx: Context, day: date, is_workday: bool, name: str, source: str) -> tuple[CalendarDay, dict | None]:
    """Write one override; returns the row and its previous values (None if new). No audit, no checks."""
    row = ctx.session.get(CalendarDay, day)
    if row is None:
        row = CalendarDay(
            day=day, is_workday=is_workday, name=name, source=source, created_by=ctx.actor, created_at=ctx.at
        )
        ctx.session.add(row)
        return row, None
    old = _row_view(row)
    row.is_workday, row.name, row.source = is_workday, name, source
    row.created_by, row.created_at = ctx.actor, ctx.at
    return row, old


def set_day(ctx: Context, day: date, is_workday: bool, name: str, source: str) -> CalendarDay:
    """Declare ``day`` a working day or a day off (an override that beats chinesecalendar).

    A change of an existing override records the old and new values in the audit event; setting the same
    values again changes nothing and records nothing.
    """
    require(ctx, "calendar.write")
    day = _valid_day(day)
    if not isinstance(is_workday, bool):
        raise CalendarError(f"is_workday 必须是 true/false: {is_workday!r}", field="is_workday")
    name, source = _valid_name(name), _valid_source(source)
    existing = ctx.session.get(CalendarDay, day)
    if existing is not None and _row_view(existing) == {"is_workday": is_workday, "name": name, "source": source}:
        return existing
    row, old = _upsert_day(ctx, day, is_workday, name, source)
    ctx.session.flush()
    audit.record(ctx, "calendar.set_day", "calendar_day", day.isoformat(), {"old": old, "new": _row_view(row)})
    return row


def remove_day(ctx: Context, day: date, source: str) -> None:
    """Delete the override of ``day`` (chinesecalendar or the weekday rule applies again); ``source`` says why."""
    require(ctx, "calendar.write")
    day = _valid_day(day)
    source = _valid_source(source)
    row = ctx.session.get(CalendarDay, day)
    if row is None:
        raise OverrideNotFound(f"{day.isoformat()} 没有覆盖记录 (no override for this date)", field="day")
    old = _row_view(row)
    ctx.session.delete(row)
    ctx.session.flush()
    audit.record(ctx, "calendar.remove_day", "calendar_day", day.isoformat(), {"old": old, "reason": source})


def _has_weekday_off(session: Session, year: int) -> bool:
    rows = session.scalars(
        select(CalendarDay.day).where(
            CalendarDay.day >= date(year, 1, 1),
            CalendarDay.day <= date(year, 12, 31),
            CalendarDay.is_workday.is_(False),
        )
    )
    return any(d.weekday() < 5 for d in rows)


def declare_year(ctx: Context, year: int, source: str) -> CalendarYear:
    """Mark ``year``'s schedule as completely entered, so its other dates follow the Monday–Friday rule.

    Refused for years chinesecalendar covers, and for a year with no weekday day off entered yet (every
    State Council schedule has some: 元旦, 春节, 劳动节, 国庆节 cannot all fall on weekends). Re-declaring with
    the same source changes nothing; with another source it updates and records old and new.
    """
    require(ctx, "calendar.write")
    year = _valid_year(year)
    source = _valid_source(source)
    _valid_not_covered(year)
    if not _has_weekday_off(ctx.session, year):
        raise CalendarError(
            f"{year} 年尚未录入任何放假日期：请先录入放假安排 (`xinyong calendar set` 或 `xinyong calendar import`) "
            f"再声明 (enter the year's holidays before declaring it)",
            field="year",
        )
    row = ctx.session.get(CalendarYear, year)
    if row is not None and row.source == source:
        return row
    old = None if row is None else {"source": row.source, "declared_by": row.declared_by}
    if row is None:
        row = CalendarYear(year=year, source=source, declared_by=ctx.actor, declared_at=ctx.at)
        ctx.session.add(row)
    else:
        row.source, row.declared_by, row.declared_at = source, ctx.actor, ctx.at
    ctx.session.flush()
    audit.record(ctx, "calendar.declare_year", "calendar_year", year, {"old": old, "new": {"source": source}})
    return row


# ------------------------------------------------------------------------------------------ schedule files


@dataclass(frozen=True)
class Schedule:
    """A year's holiday schedule as published by the State Council: days off and make-up working days."""

    year: int
    source: str
    days: Mapping[date, DayOverride]


@dataclass(frozen=True)
class ImportResult:
    """What ``import_schedule`` changed."""

    year: int
    added: list[str]
    changed: list[str]
    removed: list[str]
    declared: bool


def _parse_date(value: object, where: str) -> date:
    if isinstance(value, datetime):
        raise CalendarError(f"{where}: 只要日期，不要时间 (date only, no time): {value!r}")
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise CalendarError(f"{where}: 日期无效，应为 YYYY-MM-DD (invalid date): {value!r}")


def _entry_dates(entry: dict, where: str) -> list[date]:
    if "dates" in entry:
        if "from" in entry or "to" in entry:
            raise CalendarError(f"{where}: `dates` 与 `from`/`to` 只能用一种 (use dates or from/to, not both)")
        values = entry["dates"]
        if not isinstance(values, list) or not values:
            raise CalendarError(f"{where}: `dates` 应为非空列表 (dates must be a non-empty list)")
        return [_parse_date(v, where) for v in values]
    if "from" in entry and "to" in entry:
        first, last = _parse_date(entry["from"], where), _parse_date(entry["to"], where)
        if last < first:
            raise CalendarError(f"{where}: `to` 早于 `from` (to is before from)")
        return [first + timedelta(days=i) for i in range((last - first).days + 1)]
    raise CalendarError(f"{where}: 需要 `dates` 列表或 `from` + `to` (needs dates or from/to)")


def parse_schedule(data: object) -> Schedule:
    """Validate a schedule mapping (the YAML file's content); raises ``CalendarError`` naming the first problem.

    Checks: known keys only; a sane year; a non-empty source; every date in that year; no date listed twice,
    and none both a day off and a working day; make-up working days fall on Saturday or Sunday (调休上班 is
    always a weekend day; a weekday would change nothing, so it is a typo); at least one day off.
    """
    if not isinstance(data, dict):
        raise CalendarError("日程文件应为 YAML 映射，含 year/source/holidays/workdays (schedule must be a mapping)")
    unknown = set(data) - {"year", "source", "holidays", "workdays"}
    if unknown:
        raise CalendarError(f"未知字段 (unknown keys): {', '.join(sorted(map(str, unknown)))}")
    year = _valid_year(data.get("year"))
    source = _valid_source(data.get("source"))
    days: dict[date, DayOverride] = {}
    for section, is_workday in (("holidays", False), ("workdays", True)):
        entries = data.get(section) or []
        if not isinstance(entries, list):
            raise CalendarError(f"`{section}` 应为列表 (must be a list)")
        for i, entry in enumerate(entries, 1):
            where = f"{section}[{i}]"
            if not isinstance(entry, dict):
                raise CalendarError(f"{where}: 应为含 name 和 dates 的映射 (must be a mapping with name and dates)")
            unknown = set(entry) - {"name", "dates", "from", "to"}
            if unknown:
                raise CalendarError(f"{where}: 未知字段 (unknown keys): {', '.join(sorted(map(str, unknown)))}")
            name = _valid_name(entry.get("name"))
            for d in _entry_dates(entry, where):
                if d.year != year:
                    raise CalendarError(f"{where}: {d.isoformat()} 不在 {year} 年 (date outside the year)")
                if d in days:
                    both = days[d].is_workday != is_workday
                    raise CalendarError(
                        f"{where}: {d.isoformat()} "
                        + ("同时列为放假和上班 (both a day off and a working day)" if both else "重复 (listed twice)")
                    )
                if is_workday and d.weekday() < 5:
                    raise CalendarError(
                        f"{where}: {d.isoformat()} 是周一至周五，调休上班应在周六或周日 "
                        "(make-up working day must be a Saturday or Sunday)"
                    )
                days[d] = DayOverride(is_workday, name, source)
    if not any(not o.is_workday for o in days.values()):
        raise CalendarError("`holidays` 不能为空 (a schedule has days off)")
    return Schedule(year, source, days)


def _read_schedule(path: Path) -> tuple[Schedule, str]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise CalendarError(f"无法读取文件 (cannot read) {path}: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CalendarError(f"文件不是 UTF-8 编码 (not UTF-8): {path}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" 第 {mark.line + 1} 行 (line {mark.line + 1})" if mark is not None else ""
        raise CalendarError(f"YAML 格式错误{at}: {path}") from None
    return parse_schedule(data), hashlib.sha256(raw).hexdigest()


def load_schedule(path: str | Path) -> Schedule:
    """Read and validate a schedule YAML file (UTF-8, with or without BOM)."""
    return _read_schedule(Path(path))[0]


def import_schedule(ctx: Context, yaml_path: str | Path) -> ImportResult:
    """Replace ``year``'s overrides by the file's schedule and declare the year, all or nothing.

    Overrides of that year not in the file are removed. One audit event records the file's hash and every
    added, changed (old and new) and removed date.
    """
    require(ctx, "calendar.write")
    path = Path(yaml_path)
    schedule, sha256 = _read_schedule(path)
    _valid_not_covered(schedule.year)
    session = ctx.session
    added: list[str] = []
    changed: list[dict[str, Any]] = []
    removed: list[dict[str, Any]] = []
    with session.begin_nested():
        existing = {
            row.day: row
            for row in session.scalars(
                select(CalendarDay).where(
                    CalendarDay.day >= date(schedule.year, 1, 1), CalendarDay.day <= date(schedule.year, 12, 31)
                )
            )
        }
        for day, row in sorted(existing.items()):
            if day not in schedule.days:
                removed.append({"day": day.isoformat(), "old": _row_view(row)})
                session.delete(row)
        for day, o in sorted(schedule.days.items()):
            new = {"is_workday": o.is_workday, "name": o.name, "source": o.source}
            if day in existing and _row_view(existing[day]) == new:
                continue
            _, old = _upsert_day(ctx, day, o.is_workday, o.name, o.source)
            if old is None:
                added.append(day.isoformat())
            else:
                changed.append({"day": day.isoformat(), "old": old, "new": new})
        year_row = session.get(CalendarYear, schedule.year)
        declared = year_row is None or year_row.source != schedule.source
        old_year = None if year_row is None else {"source": year_row.source, "declared_by": year_row.declared_by}
        if year_row is None:
            session.add(
                CalendarYear(year=schedule.year, source=schedule.source, declared_by=ctx.actor, declared_at=ctx.at)
            )
        elif declared:
            year_row.source, year_row.declared_by, year_row.declared_at = schedule.source, ctx.actor, ctx.at
        session.flush()
        if added or changed or removed or declared:
            audit.record(
                ctx,
                "calendar.import_schedule",
                "calendar_year",
                schedule.year,
                {
                    "file": path.name,
                    "sha256": sha256,
                    "source": schedule.source,
                    "added": added,
                    "changed": changed,
                    "removed": removed,
                    "declared": {"old": old_year, "new": {"source": schedule.source}} if declared else None,
                },
            )
    return ImportResult(schedule.year, added, [c["day"] for c in changed], [r["day"] for r in removed], declared)


def schedule_from_chinesecalendar(year: int) -> dict[str, Any]:
    """A covered year's schedule in the import file's shape (to show the format; its source is chinesecalendar)."""
    if not chinesecalendar_covers(year):
        raise CalendarRangeError(year)
    groups: dict[tuple[bool, str], list[date]] = {}
    d = date(year, 1, 1)
    while d.year == year:
        is_workday, name = _cc_decision(d) or (d.weekday() < 5, "")
        if is_workday != (d.weekday() < 5) or (not is_workday and name):
            groups.setdefault((is_workday, f"{name}调休上班" if is_workday and name else name), []).append(d)
        d += timedelta(days=1)
    out: dict[str, Any] = {"year": year, "source": f"chinesecalendar {CHINESECALENDAR_VERSION}"}
    for section, flag in (("holidays", False), ("workdays", True)):
        entries = []
        for (is_workday, name), dates in groups.items():
            if is_workday != flag:
                continue
            contiguous = all((b - a).days == 1 for a, b in itertools.pairwise(dates))
            if not is_workday and contiguous and len(dates) > 1:
                entries.append({"name": name, "from": dates[0], "to": dates[-1]})
            else:
                entries.append({"name": name, "dates": dates})
        out[section] = entries
    return out
