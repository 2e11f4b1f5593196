"""Set-based loading of many subjects at once (demo district, imports): rows and their name grams.

Used by service functions only (they check permission and write the audit event); this module just writes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from xinyong.subjects.models import Subject
from xinyong.subjects.names import normalize_name

SUBJECT_COLUMNS: tuple[str, ...] = (
    "id",
    "kind",
    "name",
    "name_key",
    "uscc",
    "uscc_problems",
    "reg_no",
    "ric_cipher",
    "ric_hash",
    "ric_masked",
    "legal_representative",
    "organisation_type",
    "township_code",
    "address",
    "registered_on",
    "status",
    "source",
    "verified",
    "created_at",
)


def next_subject_id(session: Session) -> int:
    """The first free subject id (bulk loads assign ids themselves so grams can be written in the same pass)."""
    return (session.scalar(select(func.max(Subject.id))) or 0) + 1


# The name index built inside the database from ``subject.name_key`` (same grams as ``names.name_grams``:
# every bigram, plus the last character followed by GRAM_END = char(3)); a test keeps the two in step.
# SQLite has no generate_series by default: a small temporary table of positions 1..200 (names are at most
# 200 characters) lets each name visit only its own positions by rowid range (3x faster than a CTE join).
_POSITIONS_SQLITE = (
    "CREATE TEMP TABLE IF NOT EXISTS gram_positions (i INTEGER PRIMARY KEY)",
    "INSERT OR IGNORE INTO temp.gram_positions (i) "
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200) SELECT i FROM n",
)
_GRAMS_SQLITE = """
INSERT OR IGNORE INTO subject_name_gram (gram, subject_id)
SELECT g, id FROM (
  SELECT substr(s.name_key, n.i, 2) AS g, s.id AS id
  FROM subject s JOIN temp.gram_positions n ON n.i < length(s.name_key)
  WHERE s.id BETWEEN :lo AND :hi
  UNION ALL
  SELECT substr(s.name_key, length(s.name_key), 1) || char(3), s.id
  FROM subject s WHERE s.id BETWEEN :lo AND :hi AND length(s.name_key) > 0
) ORDER BY g, id
"""
_GRAMS_POSTGRESQL = """
INSERT INTO subject_name_gram (gram, subject_id)
SELECT DISTINCT g, id FROM (
  SELECT substr(s.name_key, i, 2) AS g, s.id AS id
  FROM subject s CROSS JOIN LATERAL generate_series(1, length(s.name_key) - 1) AS i
  WHERE s.id BETWEEN :lo AND :hi
  UNION ALL
  SELECT right(s.name_key, 1) || chr(3), s.id
  FROM subject s WHERE s.id BETWEEN :lo AND :hi AND s.name_key <> ''
) grams
ON CONFLICT DO NOTHING
"""


def index_names(session: Session, lo: int, hi: int) -> None:
    """(Re)build the name grams of subjects ``lo``..``hi`` from their ``name_key``, set-based in the database."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(_GRAMS_POSTGRESQL), {"lo": lo, "hi": hi})
        return
    for statement in _POSITIONS_SQLITE:
        session.execute(text(statement))
    session.execute(text(_GRAMS_SQLITE), {"lo": lo, "hi": hi})


def defer_subject_indexes(session: Session) -> Callable[[], None]:
    """Before a bulk load into an empty SQLite registry, drop the secondary indexes of ``subject``; returns the
    function that builds them again (one sort each instead of a million scattered inserts). Elsewhere, or
    when the registry already holds subjects, it changes nothing and returns a no-op."""
    if session.get_bind().dialect.name != "sqlite" or session.scalar(select(Subject.id).limit(1)) is not None:
        return lambda: None
    conn = session.connection()
    indexes = list(Subject.__table__.indexes)
    for index in indexes:
        index.drop(conn)

    def rebuild() -> None:
        for index in indexes:
            index.create(conn)

    return rebuild


def insert_subjects(session: Session, rows: Sequence[dict[str, Any]], *, index: bool = True) -> None:
    """Insert subject rows (with ids) and index their names; COPY on PostgreSQL, executemany on SQLite.

    A large load passes ``index=False`` for each chunk and calls ``index_names`` once over the whole id
    range at the end: one sorted pass appends to the gram index instead of inserting all over it.
    """
    if not rows:
        return
    for row in rows:
        row["name_key"] = normalize_name(row["name"])
        row.setdefault("verified", True)
    if session.get_bind().dialect.name == "postgresql":
        _copy(session, "subject", SUBJECT_COLUMNS, ([row.get(c) for c in SUBJECT_COLUMNS] for row in rows))
    else:
        procs = _bind_processors(session, "subject", SUBJECT_COLUMNS)
        marks = ", ".join("?" for _ in SUBJECT_COLUMNS)
        session.connection().exec_driver_sql(
            f"INSERT INTO subject ({', '.join(SUBJECT_COLUMNS)}) VALUES ({marks})",
            [
                tuple(p(row.get(c)) if p else row.get(c) for c, p in zip(SUBJECT_COLUMNS, procs, strict=True))
                for row in rows
            ],
        )
    if index:
        ids = [row["id"] for row in rows]
        index_names(session, min(ids), max(ids))


def _bind_processors(session: Session, table: str, columns: Sequence[str]) -> list[Any]:
    """SQLAlchemy's own value converters for the columns, so driver-level inserts store what the ORM would
    (the dialect's implementation type: SQLite's DATE/DATETIME store ISO text the ORM reads back)."""
    dialect = session.get_bind().dialect
    tbl = Subject.metadata.tables[table]
    return [tbl.c[c].type.dialect_impl(dialect).bind_processor(dialect) for c in columns]


def _copy(session: Session, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Stream rows through PostgreSQL COPY on the session's own connection (same transaction)."""
    raw = session.connection().connection.driver_connection
    cols = ", ".join(columns)
    with raw.cursor() as cur, cur.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:  # type: ignore[union-attr]
        for row in rows:
            copy.write_row(row)
