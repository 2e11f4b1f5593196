"""The hash-chained audit log: append (with personal data scrubbed), verify, search and export.

Every state change and every read of non-public data appends one event inside the caller's transaction.
Each event's ``hash`` covers its content and the previous event's hash, so changing, deleting or
reordering a stored event breaks the chain at that event (``verify_chain``). The chain detects
tampering; it does not prevent it (someone with write access to the database can rewrite the whole
tail): docs/threat-model.md says how the head hash is anchored outside the database.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal

from sqlalchemy import Select, func, select, text
from sqlalchemy.orm import Session

from xinyong import clock
from xinyong.auth.context import Context
from xinyong.auth.models import AuditEvent
from xinyong.auth.permissions import require
from xinyong.errors import InvalidInput

GENESIS = "0" * 64
# PostgreSQL advisory lock serialising appenders so the chain never forks (held until commit).
AUDIT_LOCK_KEY = 7355608
MAX_PAGE = 1000
EXPORT_CHUNK = 1000
EXPORT_COLUMNS = (
    "id",
    "at",
    "actor",
    "role",
    "action",
    "target_type",
    "target_id",
    "outcome",
    "request_id",
    "detail",
    "prev_hash",
    "hash",
)
ExportFormat = Literal["csv", "jsonl"]

# --- personal data never enters the log -------------------------------------------------------------

_EDGE_BEFORE = r"(?<![0-9A-Za-z])"
_EDGE_AFTER = r"(?![0-9A-Za-z])"
# 18-digit resident ID (GB 11643): area, birth date 18xx–20xx, sequence, check digit or X.
RIC_PATTERN = re.compile(
    _EDGE_BEFORE + r"[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx]" + _EDGE_AFTER
)
# Mainland mobile numbers, with an optional +86/86 prefix and - or space separators (138-1234-5678).
PHONE_PATTERN = re.compile(_EDGE_BEFORE + r"(?:\+?86[-\s]?)?(1[3-9]\d)[-\s]?(\d{4})[-\s]?(\d{4})" + _EDGE_AFTER)
# A whole API token (prefix + secret): keep the public prefix only.
TOKEN_PATTERN = re.compile(r"\b(xy_[0-9a-f]{8})_[A-Za-z0-9_-]{20,}")
SECRET_KEYS = frozenset({"password", "old_password", "new_password", "secret", "csrf_token", "session_token"})


def scrub_text(value: str) -> str:
    """Mask resident-ID-shaped and phone-shaped substrings (``4401**********001X``, ``138****5678``)."""
    value = RIC_PATTERN.sub(lambda m: m.group(0)[:4] + "*" * 10 + m.group(0)[-4:], value)
    value = PHONE_PATTERN.sub(lambda m: f"{m.group(1)}****{m.group(3)}", value)
    return TOKEN_PATTERN.sub(lambda m: f"{m.group(1)}_***", value)


def scrub(detail: Any) -> Any:
    """A copy of ``detail`` with personal identifiers masked in every string (and number) it contains;
    values under secret-looking keys (password, secret, ...) are replaced by ``***``."""
    if isinstance(detail, str):
        return scrub_text(detail)
    if isinstance(detail, bool) or detail is None or isinstance(detail, float):
        return detail
    if isinstance(detail, int):
        masked = scrub_text(str(detail))
        return detail if masked == str(detail) else masked
    if isinstance(detail, Mapping):
        return {k: "***" if str(k).lower() in SECRET_KEYS and v else scrub(v) for k, v in detail.items()}
    if isinstance(detail, list | tuple | set | frozenset):
        return [scrub(v) for v in detail]
    return detail


# --- the chain ------------------------------------------------------------------------------------------


def _canonical(event: AuditEvent) -> bytes:
    at = event.at if event.at.tzinfo else event.at.replace(tzinfo=UTC)
    body = {
        "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor": event.actor,
        "role": event.role,
        "action": event.action,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "outcome": event.outcome,
        "request_id": event.request_id,
        "detail": event.detail,
        "prev_hash": event.prev_hash,
    }
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def _digest(event: AuditEvent) -> str:
    return hashlib.sha256(_canonical(event)).hexdigest()


_CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")
TARGET_ID_MAX = 64


def _target_id(value: str | int) -> str:
    """Scrubbed, without control characters (PostgreSQL refuses NUL) and cut to the column's 64 characters."""
    return _CONTROL_CHARS.sub("?", scrub_text(str(value)))[:TARGET_ID_MAX]


def record(
    ctx: Context,
    action: str,
    target_type: str,
    target_id: str | int,
    detail: dict[str, Any] | None = None,
    outcome: str = "ok",
) -> AuditEvent:
    """Append one event to the chain inside the caller's transaction (``detail`` is scrubbed first)."""
    session = ctx.session
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": AUDIT_LOCK_KEY})
    prev = session.scalar(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1))
    event = AuditEvent(
        at=ctx.at.astimezone(UTC),
        actor=ctx.actor,
        role=ctx.role,
        action=action,
        target_type=target_type,
        target_id=_target_id(target_id),
        outcome=outcome,
        request_id=ctx.request_id,
        detail=scrub(detail or {}),
        prev_hash=prev or GENESIS,
    )
    event.hash = _digest(event)
    session.add(event)
    session.flush()
    return event


def record_read(
    ctx: Context, target_type: str, target_id: str | int, detail: dict[str, Any] | None = None
) -> AuditEvent:
    """Record a read of non-public data (action ``read.<target_type>``)."""
    return record(ctx, f"read.{target_type}", target_type, target_id, detail)


@dataclass(frozen=True)
class ChainReport:
    """Outcome of ``verify_chain``."""

    events: int
    ok: bool
    first_bad_id: int | None = None
    reason: str = ""
    head: str = GENESIS  # hash of the last event checked: record it outside the database as an anchor


def verify_chain(session: Session) -> ChainReport:
    """Recompute every hash in order; report the first event that does not match."""
    prev = GENESIS
    count = 0
    for event in session.scalars(select(AuditEvent).order_by(AuditEvent.id)).yield_per(1000):
        count += 1
        if event.prev_hash != prev:
            return ChainReport(count, False, event.id, "prev_hash 不连续 (chain broken)", prev)
        if _digest(event) != event.hash:
            return ChainReport(count, False, event.id, "内容与哈希不符 (event modified)", prev)
        prev = event.hash
    return ChainReport(count, True, head=prev)


def anchored(session: Session, anchor: str) -> bool:
    """Whether an event with hash ``anchor`` (a head recorded earlier, outside the database) is still in the log.

    With an intact chain this proves nothing up to that event was rewritten, even wholesale."""
    return session.scalar(select(AuditEvent.id).where(AuditEvent.hash == anchor.strip().lower())) is not None


def verify(ctx: Context) -> ChainReport:
    """``verify_chain`` for an auditor or admin (``audit.verify``); the check itself is audited."""
    require(ctx, "audit.verify")
    report = verify_chain(ctx.session)
    detail = {"events": report.events, "first_bad_id": report.first_bad_id, "reason": report.reason}
    record(ctx, "audit.verify", "audit", "chain", detail, outcome="ok" if report.ok else "failed")
    return report


# --- search and export ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class EventFilter:
    """Conditions of a search or export; all optional. ``action`` ending in ``*`` matches a prefix."""

    actor: str | None = None
    action: str | None = None
    target_type: str | None = None
    target_id: str | None = None
    since: datetime | date | None = None
    until: datetime | date | None = None
    outcome: str | None = None

    def as_detail(self) -> dict[str, str]:
        """The non-empty conditions, for the audit event of the search itself."""
        return {k: (v.isoformat() if isinstance(v, date) else str(v)) for k, v in vars(self).items() if v}


@dataclass(frozen=True)
class EventPage:
    """One page of search results, newest first."""

    items: list[AuditEvent]
    total: int
    limit: int
    offset: int


def _instant(value: datetime | date, *, end_of_day: bool = False) -> datetime:
    """A UTC instant; a bare date is a day in China (``until`` of a date includes that whole day)."""
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=clock.CHINA_TZ)
    else:
        day = value + timedelta(days=1) if end_of_day else value
        aware = datetime.combine(day, time(0), tzinfo=clock.CHINA_TZ)
    return aware.astimezone(UTC)


def _like_prefix(prefix: str) -> str:
    return prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


SEARCH_YEARS = (2000, 2100)


def parse_when(text: str | None, field: str) -> datetime | date | None:
    """``YYYY-MM-DD`` (a day in China) or an ISO 8601 time (without offset: Beijing time); blank → None."""
    value = (text or "").strip()
    if not value:
        return None
    try:
        parsed = date.fromisoformat(value) if len(value) == 10 else datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"{field} 应为日期（YYYY-MM-DD）或 ISO 8601 时间", field=field) from None
    if not SEARCH_YEARS[0] <= parsed.year <= SEARCH_YEARS[1]:
        # Far years overflow once shifted to UTC; no audit event is older than the platform.
        raise InvalidInput(f"{field} 超出可查询的年份范围（{SEARCH_YEARS[0]}–{SEARCH_YEARS[1]}）", field=field)
    return parsed


def _filtered(query: Select[Any], f: EventFilter) -> Select[Any]:
    if f.actor:
        query = query.where(AuditEvent.actor == f.actor.strip())
    if f.action:
        action = f.action.strip()
        if action.endswith("*"):
            query = query.where(AuditEvent.action.like(_like_prefix(action.rstrip("*")), escape="\\"))
        else:
            query = query.where(AuditEvent.action == action)
    if f.target_type:
        query = query.where(AuditEvent.target_type == f.target_type.strip())
    if f.target_id:
        query = query.where(AuditEvent.target_id == f.target_id.strip())
    if f.outcome:
        query = query.where(AuditEvent.outcome == f.outcome.strip())
    if f.since is not None:
        query = query.where(AuditEvent.at >= _instant(f.since))
    if f.until is not None:
        if isinstance(f.until, datetime):
            query = query.where(AuditEvent.at <= _instant(f.until))
        else:
            query = query.where(AuditEvent.at < _instant(f.until, end_of_day=True))
    return query


_TEXT_FILTERS = ("actor", "action", "target_type", "target_id", "outcome")


def _check_filter(f: EventFilter) -> None:
    """Refuse control characters (PostgreSQL rejects NUL in text) and an empty time range."""
    for name in _TEXT_FILTERS:
        value = getattr(f, name)
        if value and _CONTROL_CHARS.search(value):
            raise InvalidInput("筛选条件含有不可见的控制字符", field=name)
    _check_range(f)


def _check_range(f: EventFilter) -> None:
    if f.since is not None and f.until is not None:
        since = _instant(f.since)
        if isinstance(f.until, datetime):
            empty = since > _instant(f.until)
        else:
            empty = since >= _instant(f.until, end_of_day=True)
        if empty:
            raise InvalidInput("起始时间晚于截止时间", field="since")


def search_events(
    ctx: Context,
    *,
    actor: str | None = None,
    action: str | None = None,
    target_type: str | None = None,
    target_id: str | None = None,
    since: datetime | date | None = None,
    until: datetime | date | None = None,
    outcome: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> EventPage:
    """Search the log, newest first (``audit.read``). The search is itself recorded (``read.audit``)."""
    require(ctx, "audit.read")
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(f"每页条数应在 1 到 {MAX_PAGE} 之间", field="limit")
    if offset < 0:
        raise InvalidInput("偏移量不能为负数", field="offset")
    f = EventFilter(actor, action, target_type, target_id, since, until, outcome)
    _check_filter(f)
    session = ctx.session
    total = session.scalar(_filtered(select(func.count()).select_from(AuditEvent), f)) or 0
    items = list(
        session.scalars(_filtered(select(AuditEvent), f).order_by(AuditEvent.id.desc()).limit(limit).offset(offset))
    )
    record_read(ctx, "audit", "events", {"filters": f.as_detail(), "limit": limit, "offset": offset, "found": total})
    return EventPage(items, total, limit, offset)


def event_row(event: AuditEvent) -> dict[str, Any]:
    """An event as plain data (time in China, ISO 8601 with offset)."""
    at = event.at if event.at.tzinfo else event.at.replace(tzinfo=UTC)
    return {
        "id": event.id,
        "at": at.astimezone(clock.CHINA_TZ).isoformat(),
        "actor": event.actor,
        "role": event.role,
        "action": event.action,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "outcome": event.outcome,
        "request_id": event.request_id,
        "detail": event.detail,
        "prev_hash": event.prev_hash,
        "hash": event.hash,
    }


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(cell: str) -> str:
    """Neutralise spreadsheet formulas (CSV injection): a cell starting with = + - @ gets a leading '."""
    return "'" + cell if cell.startswith(_FORMULA_START) else cell


def _csv_line(values: list[Any]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(values)
    return buffer.getvalue()


def export_events(ctx: Context, fmt: ExportFormat = "csv", **filters: Any) -> Iterator[str]:
    """Stream the matching events in chain order (oldest first) as CSV (with a UTF-8 BOM for Excel) or JSON
    Lines, for ``audit.export``. The export is recorded before the first line is produced and covers the
    events logged before that record."""
    require(ctx, "audit.export")
    if fmt not in ("csv", "jsonl"):
        raise InvalidInput("导出格式应为 csv 或 jsonl", field="format")
    unknown = set(filters) - set(EventFilter.__dataclass_fields__)
    if unknown:
        raise InvalidInput(f"未知的筛选条件：{', '.join(sorted(unknown))}", field=sorted(unknown)[0])
    f = EventFilter(**filters)
    _check_filter(f)
    marker = record(ctx, "audit.export", "audit", "events", {"format": fmt, "filters": f.as_detail()})
    # Everything logged before the export's own event: a fixed end even while others keep appending.
    query = _filtered(select(AuditEvent).where(AuditEvent.id < marker.id), f).order_by(AuditEvent.id)
    session = ctx.session

    def lines() -> Iterator[str]:
        if fmt == "csv":
            yield "\ufeff" + _csv_line(list(EXPORT_COLUMNS))
        for event in session.scalars(query.execution_options(yield_per=EXPORT_CHUNK)):
            row = event_row(event)
            if fmt == "jsonl":
                yield json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n"
            else:
                row["detail"] = json.dumps(row["detail"], ensure_ascii=False, sort_keys=True)
                yield _csv_line([csv_safe(str(row[c])) for c in EXPORT_COLUMNS])

    return lines()
