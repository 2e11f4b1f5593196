"""Writing a batch: current-version look-ups by natural key and bulk inserts of record versions, rejected rows
and issues (PostgreSQL COPY, SQLite executemany), all inside the caller's transaction.

Records are never updated in place (design principle 4): a changed re-send is a new row whose
``supersedes_id`` points at the version it replaces; the current version of a key is the one no row supersedes.
Only the intake service calls this module (it checks permission and writes the audit event).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import date
from operator import itemgetter
from typing import Any

from sqlalchemy import JSON, Date, text
from sqlalchemy.orm import Session

from xinyong.auth.audit import AUDIT_LOCK_KEY
from xinyong.db.base import Base
from xinyong.errors import Conflict
from xinyong.intake.models import IntakeIssue, IntakeRejectedRow
from xinyong.records.models import CreditRecord

# Tables ``insert_rows`` writes (importing the models registers them in ``Base.metadata``).
RECORDS = CreditRecord.__tablename__
ISSUES = IntakeIssue.__tablename__
REJECTED = IntakeRejectedRow.__tablename__

# Keys per look-up query: inside SQLite's bound-parameter limit (32,766) with room to spare.
LOOKUP_CHUNK = 5000

RECORD_COLUMNS: tuple[str, ...] = (
    "item_id",
    "item_version",
    "department_id",
    "subject_id",
    "batch_id",
    "row_no",
    "doc_no",
    "version",
    "supersedes_id",
    "subject_name",
    "subject_kind",
    "subject_uscc",
    "category",
    "decided_on",
    "publicity_end",
    "severity",
    "regime",
    "publicity_min_end",
    "publicity_later_end",
    "publicity_later_from",
    "publishable",
    "data",
    "id_cipher",
    "id_hash",
    "id_masked",
    "content_hash",
    "reported_on",
    "loaded_at",
)
ISSUE_COLUMNS: tuple[str, ...] = ("batch_id", "row_no", "field", "level", "reason")
REJECTED_COLUMNS: tuple[str, ...] = (
    "batch_id",
    "row_no",
    "item_id",
    "department_id",
    "doc_no",
    "valid",
    "values",
    "submitted_on",
)


@dataclass(frozen=True)
class Current:
    """The current stored version of one natural key."""

    id: int
    version: int
    content_hash: str


# One encoder for every row (``json.dumps`` with options builds a new one per call: 20% of its time).
_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def canonical_json(values: Mapping[str, Any]) -> str:
    """Compact JSON with sorted keys and Chinese kept as is: the stored form and the hashed form."""
    return _ENCODER.encode(values)


def without_null_key(text: str, key: str) -> str:
    """``canonical_json`` text without the member ``"key":null`` (same as dumping the mapping without it)."""
    member = f'"{key}":null'
    for form in ("," + member, member + ","):
        if form in text:
            return text.replace(form, "", 1)
    return text.replace(member, "", 1)


class CanonicalForm:
    """``canonical_json`` of rows whose keys are always the same ``keys`` (a checker's values), fast, and the
    same text without the member ``omit`` (the stored ``data`` leaves out the ID number).

    The sorted key order is fixed, so the text is a template filled with ``"value"`` or ``null``; that equals
    the JSON encoder's output exactly when no value needs escaping (no ``"``, ``\\`` or control character:
    counted and tested on the result's UTF-8). Any other row — escapes, other keys, values that are not text — goes
    through ``canonical_json`` itself, so the result is always identical to it."""

    def __init__(self, keys: Iterable[str], omit: str | None = None) -> None:
        ordered = sorted(set(keys))
        self.keys = frozenset(ordered)
        self.omit = omit if omit in self.keys else None
        plain = all(_ENCODER.encode(k) == f'"{k}"' for k in ordered)
        self.fast = bool(ordered) and plain
        head = ordered[: ordered.index(self.omit)] if self.omit else ordered
        tail = ordered[len(head) + 1 :] if self.omit else []
        self._head = "{" + ",".join(f'"{k}":%s' for k in head)
        self._tail = "".join(f',"{k}":%s' for k in tail) + "}"
        self._member = (f',"{self.omit}":' if head else f'"{self.omit}":') if self.omit else ""
        self._joined = bool(head)  # else the text without ``omit`` starts at the tail's first member
        self._head_get = _getter(head)
        self._tail_get = _getter(tail)
        # Quotes in a text without escapes: two per key and two per text value.
        self._key_quotes = 2 * len(ordered)

    def dumps(self, values: Mapping[str, Any]) -> tuple[str, str]:
        """(``canonical_json(values)``, the same without ``omit``)."""
        encoded, without = self.encoded(values)
        return encoded.decode(), without

    def hashed(self, values: Mapping[str, Any]) -> tuple[str, str]:
        """(``content_hash(values)``, ``canonical_json`` of ``values`` without ``omit``)."""
        encoded, without = self.encoded(values)
        return hashlib.sha256(encoded).hexdigest(), without

    def encoded(self, values: Mapping[str, Any]) -> tuple[bytes, str]:
        """(``canonical_json(values)`` in UTF-8, the text without ``omit``)."""
        if self.fast and len(values) == len(self.keys):
            try:
                head_values = self._head_get(values)
                tail_values = self._tail_get(values)
                head = self._head % tuple(["null" if v is None else '"' + v + '"' for v in head_values])
                tail = self._tail % tuple(["null" if v is None else '"' + v + '"' for v in tail_values])
                if self.omit:
                    own = values[self.omit]
                    text = head + self._member + ("null" if own is None else '"' + own + '"') + tail
                    without = head + tail if self._joined else "{" + tail[1:] if len(tail) > 1 else "{}"
                    nulls = head_values.count(None) + tail_values.count(None) + (own is None)
                else:
                    text = without = head + tail
                    nulls = head_values.count(None) + tail_values.count(None)
            except (KeyError, TypeError):  # other keys, or a value that is not text
                pass
            else:
                # Tested on the UTF-8 bytes (C loops): a multi-byte sequence never holds a byte below 0x80, so
                # a quote, backslash or control byte there is one in the text. A lone surrogate cannot be
                # encoded: such a row goes the general way too.
                try:
                    encoded = text.encode()
                except UnicodeEncodeError:
                    pass
                else:
                    quotes = self._key_quotes + 2 * (len(self.keys) - nulls)
                    if (
                        encoded.count(b'"') == quotes
                        and b"\\" not in encoded
                        and len(encoded.translate(None, _CONTROL_BYTES)) == len(encoded)
                    ):
                        return encoded, without
        text = canonical_json(values)
        if self.omit is None or self.omit not in values:
            return text.encode(), text
        return text.encode(), canonical_json({k: v for k, v in values.items() if k != self.omit})


_CONTROL_BYTES = bytes(range(0x20))  # what JSON escapes besides the quote and the backslash


def _getter(keys: Sequence[str]) -> Any:
    """A function from a mapping to the tuple of its values at ``keys`` (KeyError when one is missing)."""
    if not keys:
        return lambda _values: ()
    if len(keys) == 1:
        key = keys[0]
        return lambda values: (values[key],)
    return itemgetter(*keys)


def content_hash(values: Mapping[str, str | None]) -> str:
    """SHA-256 of the canonical JSON of a row's normalised values (ID number included, in clear, only here)."""
    return hashlib.sha256(canonical_json(values).encode()).hexdigest()


@dataclass(frozen=True)
class KeyedQuery:
    """A look-up over a list of text keys, written for each database; the keys are its first parameter.

    PostgreSQL: ``unnest(%s::text[]) AS k(value) CROSS JOIN LATERAL (... = k.value ... OFFSET 0)``; the
    ``OFFSET 0`` keeps the subquery per key, so each key is one index probe (left to itself the planner hashed
    the whole department's records for every chunk). SQLite: ``json_each(?) AS k CROSS JOIN <table> ON ... =
    k.value``; its ``CROSS JOIN`` keeps the keys the outer loop. One parameter either way: SQLAlchemy never
    compiles thousands of bound parameters."""

    postgresql: str
    sqlite: str


def select_in(session: Session, query: KeyedQuery, keys: Sequence[str], params: Sequence[Any] = ()) -> list[Any]:
    """Rows of ``query`` for ``keys`` (in chunks of ``LOOKUP_CHUNK``) and its other ``params``."""
    conn = session.connection()
    if session.get_bind().dialect.name == "postgresql":
        statement, encode = query.postgresql, list
    else:
        statement, encode = query.sqlite, json.dumps  # type: ignore[assignment]
    found: list[Any] = []
    for start in range(0, len(keys), LOOKUP_CHUNK):
        found.extend(conn.exec_driver_sql(statement, (encode(keys[start : start + LOOKUP_CHUNK]), *params)).all())
    return found


# The current version of a key is the one no other row supersedes (ix_credit_record_key, _supersedes).
_CURRENT = KeyedQuery(
    postgresql=(
        "SELECT k.value, r.id, r.version, r.content_hash FROM unnest(%s::text[]) AS k(value) "
        "CROSS JOIN LATERAL (SELECT c.id, c.version, c.content_hash FROM credit_record c "
        "WHERE c.doc_no = k.value AND c.item_id = %s AND c.department_id = %s "
        "AND NOT EXISTS (SELECT 1 FROM credit_record s WHERE s.supersedes_id = c.id) OFFSET 0) r"
    ),
    sqlite=(
        "SELECT c.doc_no, c.id, c.version, c.content_hash FROM json_each(?) AS k CROSS JOIN credit_record c "
        "ON c.doc_no = k.value AND c.item_id = ? AND c.department_id = ? "
        "WHERE NOT EXISTS (SELECT 1 FROM credit_record s WHERE s.supersedes_id = c.id)"
    ),
)
_ANY = "SELECT 1 FROM credit_record WHERE item_id = {p} AND department_id = {p} LIMIT 1"


def has_records(session: Session, item_id: str, department_id: int) -> bool:
    """Whether (item, department) has any stored record (if not, no row of a new batch can be a re-send)."""
    p = "%s" if session.get_bind().dialect.name == "postgresql" else "?"
    return session.connection().exec_driver_sql(_ANY.format(p=p), (item_id, department_id)).first() is not None


def current_versions(
    session: Session, item_id: str, department_id: int, doc_nos: Collection[str]
) -> dict[str, Current]:
    """The current version of each of ``doc_nos`` for (item, department), set-based in chunks."""
    found: dict[str, Current] = {}
    for doc_no, ident, version, digest in select_in(session, _CURRENT, list(doc_nos), (item_id, department_id)):
        seen = found.get(doc_no)
        if seen is None or version > seen.version:
            found[doc_no] = Current(ident, version, digest)
    return found


_HOLDS_AUDIT_LOCK = text(
    "SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted "
    "AND classid = 0 AND objid = :key AND objsubid = 1"
)
# Keys are per schema: the same department id in another schema (another database copy) is another lock.
_KEY = "hashtextextended(current_schema() || ':' || :name, 0)"


def xact_lock(session: Session, name: str, busy: str) -> None:
    """Hold the PostgreSQL advisory lock ``name`` until the transaction ends (nothing on SQLite, which
    serialises writers itself). Waits for it, unless the transaction already holds the audit lock: then
    waiting could deadlock with a holder that appends its own audit event at the end, so ``Conflict(busy)``
    is raised at once instead."""
    if session.get_bind().dialect.name != "postgresql":
        return
    if session.execute(_HOLDS_AUDIT_LOCK, {"key": AUDIT_LOCK_KEY}).first() is None:
        session.execute(text(f"SELECT pg_advisory_xact_lock({_KEY})"), {"name": name})
    elif not session.execute(text(f"SELECT pg_try_advisory_xact_lock({_KEY})"), {"name": name}).scalar():
        raise Conflict(busy)


def no_jit(session: Session) -> None:
    """Switch PostgreSQL's JIT off for the rest of the transaction: the look-ups' cost estimates pass its
    threshold, and compiling took 140 ms per 5,000-key look-up that runs in 35 ms (measured)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL jit = off"))


#: SQLite page cache while a batch is written (KiB): the record indexes take keys all over their B-trees, and with
#: the default 2 MB cache most index pages were read back and spilled to the WAL again and again (measured:
#: 64 MB took a fifth off the CPU and a third off the wall time of inserting 100,000 records).
SQLITE_CACHE_KIB = 64 * 1024


@contextmanager
def write_cache(session: Session) -> Iterator[None]:
    """On SQLite, a page cache of at least ``SQLITE_CACHE_KIB`` for the connection inside the block (restored
    after: the pragma is per connection, not per transaction); elsewhere nothing."""
    if session.get_bind().dialect.name != "sqlite":
        yield
        return
    conn = session.connection()
    before = conn.exec_driver_sql("PRAGMA cache_size").scalar() or 0
    page = conn.exec_driver_sql("PRAGMA page_size").scalar() or 4096
    kib = -before if before < 0 else before * page // 1024
    if kib >= SQLITE_CACHE_KIB:
        yield
        return
    raw = conn.connection.dbapi_connection
    conn.exec_driver_sql(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
    try:
        yield
    finally:
        with suppress(sqlite3.Error):  # a connection that failed keeps the larger cache: memory only
            raw.execute(f"PRAGMA cache_size = {int(before)}")  # type: ignore[union-attr]


def insert_rows(session: Session, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Insert positional ``rows`` into ``table`` on the session's connection (same transaction).

    PostgreSQL streams them through COPY; SQLite gets one driver-level executemany with SQLAlchemy's own value
    converters (dates, booleans) so the stored form is what the ORM writes. JSON columns take their value
    already serialised (``canonical_json``)."""
    if not rows:
        return
    quoted = ", ".join(f'"{c}"' for c in columns)  # "values" is a reserved word
    if session.get_bind().dialect.name == "postgresql":
        raw = session.connection().connection.driver_connection
        with raw.cursor() as cur, cur.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:  # type: ignore[union-attr]
            for row in rows:
                copy.write_row(row)
        return
    converters = [(i, p) for i, p in enumerate(_converters(session, table, columns)) if p]
    marks = ", ".join("?" for _ in columns)
    data: list[Sequence[Any]] = list(rows)
    if converters:  # only the columns that have a converter (dates, times, booleans) are visited
        for n, row in enumerate(data):
            converted = list(row)
            for i, process in converters:
                value = converted[i]
                if value is not None:
                    converted[i] = process(value)
            data[n] = tuple(converted)
    session.connection().exec_driver_sql(f"INSERT INTO {table} ({quoted}) VALUES ({marks})", data)


def _last_value(process: Any) -> Any:
    """``process`` remembering its last argument: batch-wide values (load time, reporting day) repeat on every row."""
    last: list[Any] = [object(), None]

    def cached(value: Any) -> Any:
        if value is not last[0]:
            last[0], last[1] = value, process(value)
        return last[1]

    return cached


def _converters(session: Session, table: str, columns: Sequence[str]) -> list[Any]:
    """SQLAlchemy's value converters of the columns (None where there is none): a ``DATE`` column's is taken as
    ``date.isoformat`` for a date (the same text: SQLite's DATE stores ``%Y-%m-%d``), the others remember their
    last value (load time and reporting day repeat on every row)."""
    tbl = Base.metadata.tables[table]
    found: list[Any] = []
    for column, process in zip(columns, _bind_processors(session, table, columns), strict=True):
        if process is None:
            found.append(None)
        elif type(tbl.c[column].type) is Date:
            found.append(_iso_date(process))
        else:
            found.append(_last_value(process))
    return found


def _iso_date(process: Any) -> Any:
    """``process`` of a SQLite DATE column, taking ``date.isoformat`` for a plain date; text is taken as the ISO
    date it must be (the intake service passes dates that way)."""

    def convert(value: Any) -> Any:
        kind = type(value)
        return value if kind is str else value.isoformat() if kind is date else process(value)

    return convert


def _bind_processors(session: Session, table: str, columns: Sequence[str]) -> list[Any]:
    dialect = session.get_bind().dialect
    tbl = Base.metadata.tables[table]
    # dialect_impl: the generic Date/DateTime have no processor of their own (SQLite's DATE/DATETIME do).
    return [
        None if isinstance(tbl.c[c].type, JSON) else tbl.c[c].type.dialect_impl(dialect).bind_processor(dialect)
        for c in columns
    ]
