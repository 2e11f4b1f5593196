"""Set-based loading of many subjects at once (demo district, imports): rows and their name grams.

Used by service functions only (they check permission and write the audit event); this module just writes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from xinyong.subjects.models import Subject
from xinyong.subjects.names import name_grams, normalize_name

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
    "created_at",
)


def next_subject_id(session: Session) -> int:
    """The first free subject id (bulk loads assign ids themselves so grams can be written in the same pass)."""
    return (session.scalar(select(func.max(Subject.id))) or 0) + 1


def gram_rows(rows: Iterable[dict[str, Any]]) -> list[tuple[str, int]]:
    """(gram, subject_id) pairs for the given subject rows."""
    return [(g, row["id"]) for row in rows for g in name_grams(row["name"])]


def insert_subjects(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Insert subject rows (with ids) and their name grams; COPY on PostgreSQL, executemany elsewhere."""
    if not rows:
        return
    for row in rows:
        row["name_key"] = normalize_name(row["name"])
    grams = gram_rows(rows)
    if session.get_bind().dialect.name == "postgresql":
        _copy(session, "subject", SUBJECT_COLUMNS, ([row.get(c) for c in SUBJECT_COLUMNS] for row in rows))
        _copy(session, "subject_name_gram", ("gram", "subject_id"), grams)
        return
    conn = session.connection()
    procs = _bind_processors(session, "subject", SUBJECT_COLUMNS)
    marks = ", ".join("?" for _ in SUBJECT_COLUMNS)
    conn.exec_driver_sql(
        f"INSERT INTO subject ({', '.join(SUBJECT_COLUMNS)}) VALUES ({marks})",
        [
            tuple(p(row.get(c)) if p else row.get(c) for c, p in zip(SUBJECT_COLUMNS, procs, strict=True))
            for row in rows
        ],
    )
    conn.exec_driver_sql("INSERT INTO subject_name_gram (gram, subject_id) VALUES (?, ?)", grams)


def _bind_processors(session: Session, table: str, columns: Sequence[str]) -> list[Any]:
    """SQLAlchemy's own value converters for the columns, so driver-level inserts store what the ORM would."""
    dialect = session.get_bind().dialect
    tbl = Subject.metadata.tables[table]
    return [tbl.c[c].type.bind_processor(dialect) for c in columns]


def _copy(session: Session, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Stream rows through PostgreSQL COPY on the session's own connection (same transaction)."""
    raw = session.connection().connection.driver_connection
    cols = ", ".join(columns)
    with raw.cursor() as cur, cur.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:  # type: ignore[union-attr]
        for row in rows:
            copy.write_row(row)
