"""The live figures and chart series of the portal's home page, and their in-process cache.

``home_figures(session, as_of)`` answers, as of ``as_of`` (a day in China):

* subjects in the registry, by kind (``ix_subject_kind``);
* 双公示 records published this month: records of the 双公示 items decided from the first of ``as_of``'s month
  to ``as_of`` that are on the public pages on ``as_of`` (``records.publication.public_condition``), by item
  (a range of ``ix_credit_record_item_decided``);
* records published per month over the twelve months ending with ``as_of``'s, by item. The current month's bar
  is the figure above. A completed month counts the records whose publicity started in it: decided in the month,
  published under their rule (``publishable``), each record once by its first version (``supersedes_id``
  empty) — a history that later repairs or expiry do not rewrite;
* entries in force on the public lists on ``as_of`` (employers, not their responsible persons), by list type,
  split into dishonesty lists (失信 and received lists) and red lists (``lists.active.in_force``);
* credit repairs granted (准予修复) this year, in all and per month (``ix_repair_status``);
* objections handled (办结, withdrawals left out) this year and in all (``ix_objection_status``).

Every figure is a set-based count or grouped count; nothing loops over subjects or records in Python. Measured
at 1,000,000 subjects and 10,000,000 records (the publicity benchmark's records): the live figures take about
0.8 s on PostgreSQL and 0.8–1.4 s on SQLite, the completed months about 2 s on PostgreSQL and 6–11 s on SQLite
(1.2 million records read). So ``cached_home_figures`` keeps them apart, per database:

* the live figures per day for ``portal_figures_ttl_seconds`` (default 60);
* the completed months per month for ``HISTORY_TTL_SECONDS`` (6 hours: only late reports change them).

Served from a database engine (the web), a reader never waits for a refresh: an expired entry is refreshed in a
background thread on a session of its own while readers keep the previous figures; only the very first live
figures of a process and day are computed while readers wait (one computation, the others wait for it). The
completed months are never waited for: until their first computation ends the page says they are being counted
(``history_ready`` false). On a caller's own transaction (a connection: the tests) everything is computed inline.
The reads never run in the request's transaction (on SQLite a web request begins IMMEDIATE and holds the write
lock: a long read there would stall every other request).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import Engine, and_, func, select
from sqlalchemy.orm import Session

from xinyong import clock
from xinyong.catalog.items import load_catalog
from xinyong.db.session import IMMEDIATE
from xinyong.lists.entry_queries import public_list_counts
from xinyong.lists.types import LIST_KINDS, list_catalogue
from xinyong.records.models import CreditRecord, Objection, RepairApplication
from xinyong.records.publication import dual_publicity_item_ids, public_condition
from xinyong.settings import get_settings
from xinyong.subjects.models import SUBJECT_KIND_LABELS, SUBJECT_KINDS, Subject

log = logging.getLogger(__name__)

HISTORY_TTL_SECONDS = 6 * 3600
MONTHS = 12
DISHONESTY_KINDS = ("dishonesty", "received")  # what the home page counts as 失信名单
RED_KIND = "red"
V = TypeVar("V")


# --------------------------------------------------------------------------------------------- shapes
@dataclass(frozen=True)
class Count:
    """One labelled count (a subject kind, a 双公示 item)."""

    key: str
    label: str
    count: int


@dataclass(frozen=True)
class ListCount:
    """Entries in force on one public list type."""

    code: str
    name: str
    kind: str
    kind_label: str
    count: int


@dataclass(frozen=True)
class Series:
    """One chart series: a value per month of ``HomeFigures.months`` (None: not counted yet)."""

    key: str
    label: str
    values: list[int | None]


@dataclass(frozen=True)
class HomeFigures:
    """The home page's figures on ``as_of`` (see the module docstring for what each counts)."""

    as_of: date
    computed_at: datetime
    subjects_total: int
    subjects_by_kind: list[Count]
    records_this_month: int
    records_this_month_by_item: list[Count]
    lists_dishonesty: int
    lists_red: int
    lists_by_type: list[ListCount]
    repairs_this_year: int
    repairs_total: int
    objections_this_year: int
    objections_total: int
    months: list[str] = field(default_factory=list)  # "2025-12" … "2026-11"
    records_by_month: list[Series] = field(default_factory=list)
    repairs_by_month: list[int] = field(default_factory=list)
    history_ready: bool = True  # False while the completed months are first being counted

    def as_json(self) -> dict[str, Any]:
        """The figures as JSON-ready data (dates as ISO text)."""
        data = asdict(self)
        data["as_of"] = self.as_of.isoformat()
        data["computed_at"] = self.computed_at.isoformat()
        return data


@dataclass(frozen=True)
class _Live:
    """The figures of the day (everything but the completed months of the series)."""

    computed_at: datetime
    subjects: list[Count]
    this_month: list[Count]
    lists: list[ListCount]
    granted: list[tuple[date, int]]  # repairs granted per day, from the series' first month or the year's start
    repairs_total: int
    objections_this_year: int
    objections_total: int


# --------------------------------------------------------------------------------------------- months
def month_start(day: date) -> date:
    """The first day of ``day``'s month."""
    return day.replace(day=1)


def months_back(day: date, count: int = MONTHS) -> list[date]:
    """The first days of the ``count`` months ending with ``day``'s month, oldest first."""
    year, month = day.year, day.month
    firsts = []
    for _ in range(count):
        firsts.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return firsts[::-1]


def _month_key(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def _bucket(rows: list[tuple[date, int]], firsts: list[date]) -> list[int]:
    """Per-day counts summed into the months starting at ``firsts``."""
    index = {_month_key(first): i for i, first in enumerate(firsts)}
    values = [0] * len(firsts)
    for day, n in rows:
        slot = index.get(_month_key(day))
        if slot is not None:
            values[slot] += int(n)
    return values


def _item_label(item_id: str) -> str:
    return load_catalog().item(item_id).name.removesuffix("信息")


# --------------------------------------------------------------------------------------------- the queries
def _subjects(session: Session) -> list[Count]:
    counts = dict(session.execute(select(Subject.kind, func.count()).group_by(Subject.kind)).all())
    kinds = [k for k in SUBJECT_KINDS if k in counts] + sorted(k for k in counts if k not in SUBJECT_KINDS)
    return [Count(k, SUBJECT_KIND_LABELS.get(k, k), int(counts[k])) for k in kinds]


def _records_this_month(session: Session, as_of: date, items: list[str]) -> list[Count]:
    if not items:
        return []
    counts = dict(
        session.execute(
            select(CreditRecord.item_id, func.count())
            .where(
                CreditRecord.decided_on >= month_start(as_of),
                CreditRecord.decided_on <= as_of,
                public_condition(as_of),
            )
            .group_by(CreditRecord.item_id)
        ).all()
    )
    return [Count(i, _item_label(i), int(counts.get(i, 0))) for i in items]


def completed_months(session: Session, as_of: date, items: list[str]) -> dict[str, dict[str, int]]:
    """Item → "YYYY-MM" → records whose publicity started in that month, for the eleven completed months of the
    series ending with ``as_of``'s (first versions of publishable records, by decision date)."""
    firsts = months_back(as_of)
    found: dict[str, dict[str, int]] = {i: {} for i in items}
    if not items:
        return found
    rows = session.execute(
        select(CreditRecord.item_id, CreditRecord.decided_on, func.count())
        .where(
            CreditRecord.item_id.in_(items),
            CreditRecord.decided_on >= firsts[0],
            CreditRecord.decided_on < month_start(as_of),
            CreditRecord.supersedes_id.is_(None),
            CreditRecord.publishable.is_(True),
        )
        .group_by(CreditRecord.item_id, CreditRecord.decided_on)
    ).all()
    for item, day, n in rows:
        months = found.setdefault(item, {})
        months[_month_key(day)] = months.get(_month_key(day), 0) + int(n)
    return found


def _lists(session: Session, as_of: date) -> list[ListCount]:
    counts = public_list_counts(session, as_of)
    return [
        ListCount(t.code, t.name, t.kind, LIST_KINDS.get(t.kind, t.kind), counts.get(t.code, 0))
        for t in list_catalogue().types.values()
        if t.public
    ]


def _granted_by_day(session: Session, since: date, as_of: date) -> list[tuple[date, int]]:
    rows = session.execute(
        select(RepairApplication.decided_on, func.count())
        .where(
            RepairApplication.status == "granted",
            RepairApplication.decided_on >= since,
            RepairApplication.decided_on <= as_of,
        )
        .group_by(RepairApplication.decided_on)
    ).all()
    return [(d, int(n)) for d, n in rows if d is not None]


def _count(session: Session, *conditions: Any) -> int:
    return int(session.scalar(select(func.count()).where(and_(*conditions))) or 0)


def _live(session: Session, as_of: date) -> _Live:
    """Every figure but the completed months (seven counting queries)."""
    year_start = date(as_of.year, 1, 1)
    closed = and_(
        Objection.status == "closed",
        Objection.closed_on.is_not(None),
        Objection.closed_on <= as_of,
        Objection.outcome.is_distinct_from("withdrawn"),
    )
    return _Live(
        computed_at=clock.now(),
        subjects=_subjects(session),
        this_month=_records_this_month(session, as_of, dual_publicity_item_ids()),
        lists=_lists(session, as_of),
        granted=_granted_by_day(session, min(months_back(as_of)[0], year_start), as_of),
        repairs_total=_count(session, RepairApplication.status == "granted", RepairApplication.decided_on <= as_of),
        objections_this_year=_count(session, closed, Objection.closed_on >= year_start),
        objections_total=_count(session, closed),
    )


def _assemble(as_of: date, live: _Live, history: dict[str, dict[str, int]] | None) -> HomeFigures:
    """The figures from the live part and the completed months (None: not counted yet)."""
    firsts = months_back(as_of)
    months = [_month_key(f) for f in firsts]
    year_start = date(as_of.year, 1, 1)
    this_month = {c.key: c.count for c in live.this_month}

    def past(item: str) -> list[int | None]:
        if history is None:
            return [None] * (len(months) - 1)
        return [history.get(item, {}).get(m, 0) for m in months[:-1]]

    series = [Series(i, _item_label(i), [*past(i), this_month.get(i, 0)]) for i in dual_publicity_item_ids()]
    return HomeFigures(
        as_of=as_of,
        computed_at=live.computed_at,
        subjects_total=sum(c.count for c in live.subjects),
        subjects_by_kind=live.subjects,
        records_this_month=sum(c.count for c in live.this_month),
        records_this_month_by_item=live.this_month,
        lists_dishonesty=sum(x.count for x in live.lists if x.kind in DISHONESTY_KINDS),
        lists_red=sum(x.count for x in live.lists if x.kind == RED_KIND),
        lists_by_type=live.lists,
        repairs_this_year=sum(n for d, n in live.granted if d >= year_start),
        repairs_total=live.repairs_total,
        objections_this_year=live.objections_this_year,
        objections_total=live.objections_total,
        months=months,
        records_by_month=series,
        repairs_by_month=_bucket(live.granted, firsts),
        history_ready=history is not None,
    )


def home_figures(session: Session, as_of: date) -> HomeFigures:
    """The home page's figures on ``as_of``, computed now on ``session`` (see the module docstring)."""
    return _assemble(as_of, _live(session, as_of), completed_months(session, as_of, dual_publicity_item_ids()))


# --------------------------------------------------------------------------------------------- the cache
@dataclass
class _Entry(Generic[V]):
    at: float
    value: V


class FiguresCache(Generic[V]):
    """Values kept for a while per key.

    A fresh entry is returned as is. An expired one is refreshed by the first reader that finds it while the
    others keep getting the previous value (a failed refresh keeps it too); a missing one is computed by the
    first reader while the others wait for it (one computation per key at a time). Only the ``keep`` newest keys
    are held."""

    def __init__(self, monotonic: Callable[[], float] = time.monotonic, keep: int = 4) -> None:
        self._monotonic = monotonic
        self._keep = keep
        self._lock = threading.Lock()
        self._entries: dict[Any, _Entry[V]] = {}
        self._gates: dict[Any, threading.Lock] = {}
        self._refreshing: set[Any] = set()
        self._warming: set[Any] = set()

    def clear(self) -> None:
        """Forget every entry."""
        with self._lock:
            self._entries.clear()
            self._refreshing.clear()

    def _fresh(self, key: Any, ttl: float) -> _Entry[V] | None:
        entry = self._entries.get(key)
        return entry if entry is not None and self._monotonic() - entry.at < ttl else None

    def _store(self, key: Any, value: V) -> None:
        with self._lock:
            self._entries[key] = _Entry(self._monotonic(), value)
            for old in sorted(self._entries, key=lambda k: self._entries[k].at)[: -self._keep]:
                del self._entries[old]
                self._gates.pop(old, None)

    def peek(self, key: Any, ttl: float) -> tuple[V | None, bool]:
        """The value held for ``key`` (None: none) and whether it is younger than ``ttl`` seconds."""
        with self._lock:
            entry = self._entries.get(key)
            fresh = entry is not None and self._monotonic() - entry.at < ttl
        return (entry.value if entry is not None else None), fresh

    def refresh_in_background(
        self, key: Any, compute: Callable[[], V], spawn: Callable[[Callable[[], None]], None]
    ) -> None:
        """Have ``spawn`` run ``compute()`` and store its value, unless a refresh of ``key`` is already running
        (a failure is logged and leaves the previous value)."""
        with self._lock:
            if key in self._refreshing:
                return
            self._refreshing.add(key)

        def job() -> None:
            try:
                self._store(key, compute())
            except Exception:
                log.exception("portal figures: background refresh failed, keeping the previous figures")
            finally:
                with self._lock:
                    self._refreshing.discard(key)

        try:
            spawn(job)
        except Exception:
            with self._lock:
                self._refreshing.discard(key)
            raise

    def warm(self, key: Any, ttl: float, compute: Callable[[], V], spawn: Callable[[Callable[[], None]], None]) -> None:
        """Have ``spawn`` compute a missing (or expired) value of ``key`` through ``get``, unless it is fresh or
        already being warmed: a reader calling ``get`` meanwhile waits for that computation instead of starting
        another (one computation per key at a time); a failure is logged."""
        with self._lock:
            if self._fresh(key, ttl) is not None or key in self._warming:
                return
            self._warming.add(key)

        def job() -> None:
            try:
                self.get(key, ttl, compute)
            except Exception:
                log.exception("portal figures: background computation failed")
            finally:
                with self._lock:
                    self._warming.discard(key)

        try:
            spawn(job)
        except Exception:
            with self._lock:
                self._warming.discard(key)
            raise

    def get(self, key: Any, ttl: float, compute: Callable[[], V]) -> V:
        """The value of ``key`` if younger than ``ttl`` seconds, else ``compute()`` (see the class)."""
        with self._lock:
            fresh = self._fresh(key, ttl)
            if fresh is not None:
                return fresh.value
            stale = self._entries.get(key)
            if stale is not None:
                if key in self._refreshing:
                    return stale.value
                self._refreshing.add(key)
            gate = self._gates.setdefault(key, threading.Lock())
        if stale is not None:
            try:
                value = compute()
            except Exception:
                log.exception("portal figures: refresh failed, serving the previous figures")
                return stale.value
            finally:
                with self._lock:
                    self._refreshing.discard(key)
            self._store(key, value)
            return value
        with gate:
            with self._lock:
                fresh = self._fresh(key, ttl)
            if fresh is not None:
                return fresh.value
            value = compute()
            self._store(key, value)
            return value


_live_cache: FiguresCache[_Live] = FiguresCache()
_history_cache: FiguresCache[dict[str, dict[str, int]]] = FiguresCache()


def ttl_seconds() -> int:
    """``Settings.portal_figures_ttl_seconds`` (default 60; 0 turns the cache off)."""
    return get_settings().portal_figures_ttl_seconds


def database_key(session: Session) -> str:
    """The cache's name for ``session``'s database (its URL, password hidden)."""
    return session.get_bind().engine.url.render_as_string(hide_password=True)


def spawn_thread(job: Callable[[], None]) -> None:
    """Run ``job`` in a daemon thread (the caches' background computations)."""
    threading.Thread(target=job, name="portal-figures", daemon=True).start()


def reader_engine(session: Session) -> Engine | None:
    """The engine the figures are read from in sessions of their own (a plain BEGIN on SQLite: no write lock),
    or None when ``session`` is bound to a connection (a caller's transaction: read it as it is)."""
    bind = session.get_bind()
    return bind.execution_options(**{IMMEDIATE: False}) if isinstance(bind, Engine) else None


def on_own_session(engine: Engine, read: Callable[[Session], V]) -> V:
    """``read`` on a session of its own on ``engine``, rolled back afterwards (it writes nothing)."""
    with Session(bind=engine) as own:
        try:
            return read(own)
        finally:
            own.rollback()


def cached_home_figures(
    session: Session,
    as_of: date,
    *,
    ttl: float | None = None,
    spawn: Callable[[Callable[[], None]], None] = spawn_thread,
) -> HomeFigures:
    """``home_figures`` through the in-process caches: the live figures for ``ttl`` seconds (default
    ``ttl_seconds()``; 0 computes everything now), the completed months for ``HISTORY_TTL_SECONDS``; refreshes
    run through ``spawn`` (a background thread) when ``session`` is bound to an engine (see the module
    docstring)."""
    seconds = ttl_seconds() if ttl is None else ttl
    items = dual_publicity_item_ids()
    engine = reader_engine(session)
    if seconds <= 0:
        if engine is None:
            return home_figures(session, as_of)
        return on_own_session(engine, lambda own: home_figures(own, as_of))
    database = database_key(session)
    live_key, history_key = (database, as_of), (database, month_start(as_of))
    history_ttl = max(HISTORY_TTL_SECONDS, seconds)
    if engine is None:
        live = _live_cache.get(live_key, seconds, lambda: _live(session, as_of))
        history = _history_cache.get(history_key, history_ttl, lambda: completed_months(session, as_of, items))
        return _assemble(as_of, live, history)
    reader = engine

    def fresh_live() -> _Live:
        return on_own_session(reader, lambda own: _live(own, as_of))

    def fresh_history() -> dict[str, dict[str, int]]:
        return on_own_session(reader, lambda own: completed_months(own, as_of, items))

    held, fresh = _live_cache.peek(live_key, seconds)
    if held is None:
        held = _live_cache.get(live_key, seconds, fresh_live)
    elif not fresh:
        _live_cache.refresh_in_background(live_key, fresh_live, spawn)
    history, history_fresh = _history_cache.peek(history_key, history_ttl)
    if not history_fresh:
        _history_cache.refresh_in_background(history_key, fresh_history, spawn)
    return _assemble(as_of, held, history)


def clear_cache() -> None:
    """Forget the cached figures of every database and day (tests; after a bulk load)."""
    _live_cache.clear()
    _history_cache.clear()
