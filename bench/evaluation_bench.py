"""Benchmark the batch credit evaluation (issue #6: 1,000,000 subjects with 10,000,000 records ≤ 60 s on SQLite
and on PostgreSQL), beside the same aggregation written by hand in DuckDB over the same data exported to Parquet,
in the same run; the ratio platform / DuckDB is the figure to report.

    .venv/bin/python bench/evaluation_bench.py [--subjects 1000000] [--records 10000000] [--as-of 2026-10-31]
        [--pg-url URL] [--no-pg] [--no-sqlite] [--json OUT]

Small scale, in seconds: ``python bench/evaluation_bench.py --subjects 2000 --records 20000 --no-pg``.

Each database is fresh (a SQLite file in a temporary directory, a throw-away PostgreSQL schema) and migrated; the
data are built set-based inside it (a recursive CTE on SQLite, ``generate_series`` on PostgreSQL, the secondary
indexes dropped during the inserts and rebuilt after, as bench/publicity_status.py does), identically in both:

- subjects: 60% 法人, 5% 非法人组织, 35% 个体工商户 (every kind the general model covers), 40% with an industry;
- records, decided evenly over the 5 years before 2026-11-27, by a fixed hash of the row number: 45% licences
  (valid 1–5 years: in force until then), 25% penalties (30% 轻微 / 55% 一般 / 15% 严重, publicity windows from
  ``records.regimes`` as intake stores them), 10% social-insurance, 6% housing-fund and 8% utility arrears
  (no end), 6% commitment breaches (public for 365 days); licences spread evenly over the subjects, half of
  the other records too and half concentrated on the lower ids (density ∝ 1/√id); 0.3% of the records without
  a matched subject, 0.5% of the rows a corrected second version of the row before (``supersedes_id``), a
  ``data`` value of about 300 bytes;
- effects on the natural key: repairs (3% of penalties, 30% of arrears, 10% of breaches), revocations (1% of
  penalties, 2% of licences), open objections (1% of penalties), each 100 days after the decision (so some only
  after ``as_of``), and the ``expired`` effect the daily job writes for every record whose publicity ended.

Timed: ``xinyong.evaluation.service.run_evaluation`` (the general model) as of ``as_of`` — its own ``seconds``
and the wall time including the commit (on PostgreSQL with the transaction-local settings it sets itself,
``evaluation.queries.BATCH_SETTINGS``, recorded as ``batch_settings`` beside the server's ``settings``). Then the
subject and record columns the aggregation needs and the effects are exported to Parquet (from the first database
built) and the aggregation is run by DuckDB SQL written here — in force on ``as_of`` (published or under
objection: current version, publishable, decided, not expired, not repaired or revoked), decay bands,
per-indicator sums or extremes, caps, weights, the score and the grade — materialising the indicator rows and the
per-subject results as the platform does. The grade counts of every platform run must equal DuckDB's exactly (a
mismatch is printed and the script exits 1).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Column, Date, Engine, Integer, MetaData, String, Table, create_engine, insert, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from xinyong.auth.context import system_context
from xinyong.catalog.items import load_catalog
from xinyong.db.migrate import upgrade
from xinyong.db.session import make_engine
from xinyong.evaluation.models_yaml import GRADES, EvaluationModel, load_model
from xinyong.evaluation.queries import BATCH_SETTINGS
from xinyong.evaluation.service import run_evaluation
from xinyong.records.models import CreditRecord, RecordEffect
from xinyong.records.regimes import SEVERITIES, publicity_rules, publicity_window
from xinyong.subjects.models import Subject

TARGET_S = 60.0
MODEL = "general"
AS_OF = date(2026, 10, 31)  # a month end: the monthly evaluation; records decided up to 2026-11-26 are pending
FIRST_DAY = date(2021, 11, 27)
DAYS = 1826  # 2021-11-27 … 2026-11-26
STRIDE = 7919  # prime, coprime with DAYS (2 × 11 × 83): row j is decided FIRST_DAY + (j·STRIDE mod DAYS)
PRIME = 2147483647  # the two row hashes are j·48271 and j·69621 modulo this prime
LICENCE_YEARS = 5  # classes 3 … 7: licences valid 1 … 5 years
CLASS_BREACH, CLASS_ARREARS = 8, 9
LOADED_AT = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
PG_URL = os.environ.get("XINYONG_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")

# Item buckets: hash c = j·69621 mod PRIME, bucket (c / 7) mod 100 → item, its department, category.
ITEMS: tuple[tuple[str, int, str, str], ...] = (
    # item, buckets below, department code, category
    ("licence", 45, "zjj", "经营许可"),
    ("penalty", 70, "scjgj", "罚款"),
    ("social_insurance_arrears", 80, "rsj", "养老保险"),
    ("housing_fund_arrears", 86, "gjj", "住房公积金"),
    ("utility_arrears", 94, "gdj", "电费"),
    ("commitment_breach", 100, "fgj", "告知承诺"),
)
DEPARTMENTS = {
    "zjj": ("广州市番禺区住房和城乡建设局", "11440113MB2C1234XA"),
    "scjgj": ("广州市番禺区市场监督管理局", "11440113MB2C94832D"),
    "rsj": ("广州市番禺区人力资源和社会保障局", "11440113MB2C5678XB"),
    "gjj": ("广州住房公积金管理中心番禺办事处", "12440100MB2C0001XC"),
    "gdj": ("广州供电局番禺供电局", "91440113MB2C0002XD"),
    "fgj": ("广州市番禺区发展和改革局", "11440113MB2C0003XE"),
}

_meta = MetaData()
DAY = Table(
    "bench_day",
    _meta,
    Column("k", Integer, primary_key=True),  # class × DAYS + day offset
    Column("decided_on", Date),
    Column("severity", String(8)),
    Column("regime", String(32)),
    Column("min_end", Date),
    Column("end_on", Date),
    Column("later_end", Date),
    Column("later_from", Date),
    Column("publishable", Integer),
)
BUCKET = Table(
    "bench_bucket",
    _meta,
    Column("b", Integer, primary_key=True),
    Column("item_id", String(40)),
    Column("item_version", Integer),
    Column("department_id", Integer),
    Column("batch_id", Integer),
    Column("category", String(64)),
    Column("skewed", Integer),  # 1: half the records on the lower subject ids (negative information)
    Column("klass", Integer),  # -1: penalty (class from the severity), -2: licence (class from the years)
)

SUBJECT_COLUMNS = "id, kind, name, name_key, status, source, verified, industry, township_code, created_at"
RECORD_COLUMNS = (
    "id, item_id, item_version, department_id, subject_id, batch_id, row_no, doc_no, version, supersedes_id, "
    "subject_name, subject_kind, category, decided_on, publicity_end, severity, regime, publicity_min_end, "
    "publicity_later_end, publicity_later_from, publishable, data, content_hash, reported_on, loaded_at"
)


# --------------------------------------------------------------------------------------------- generation
def _days() -> list[dict[str, Any]]:
    """Every (class, decision day) the records use, with the publicity columns intake would store."""
    rules = publicity_rules()
    out: list[dict[str, Any]] = []
    for day in range(DAYS):
        decided = FIRST_DAY + timedelta(days=day)
        for s_index, severity in enumerate(SEVERITIES):  # classes 0–2: penalties
            w = publicity_window(severity, decided, rules=rules)
            out.append(
                {
                    "k": s_index * DAYS + day,
                    "decided_on": decided,
                    "severity": severity,
                    "regime": w.regime,
                    "min_end": w.min_end,
                    "end_on": w.max_end,
                    "later_end": w.later_end,
                    "later_from": w.later_from,
                    "publishable": int(w.published),
                }
            )
        plain = {"severity": None, "regime": None, "min_end": None, "later_end": None, "later_from": None}
        for years in range(1, LICENCE_YEARS + 1):  # classes 3–7: licences, valid until 有效期至
            end = decided + timedelta(days=365 * years - 1)
            out.append({"k": (2 + years) * DAYS + day, "decided_on": decided, "end_on": end, "publishable": 1, **plain})
        out.append(
            {"k": CLASS_BREACH * DAYS + day, "decided_on": decided, "end_on": decided + timedelta(days=365)}
            | {"publishable": 1, **plain}
        )
        out.append({"k": CLASS_ARREARS * DAYS + day, "decided_on": decided, "end_on": None, "publishable": 1, **plain})
    return out


def _gen(n: int, dialect: str) -> str:
    """A row source ``g(i)`` of 1 … n."""
    if dialect == "sqlite":
        return f"(WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < {n}) SELECT i FROM g) g"
    return f"generate_series(1::bigint, {n}) AS g(i)"


def _subject_insert(subjects: int, dialect: str) -> str:
    industry = (
        "CASE (i / 20) % 10 WHEN 0 THEN 'construction' WHEN 1 THEN 'off_campus_training' "
        "WHEN 2 THEN 'fire_safety_service' WHEN 3 THEN 'internet' END"
    )
    return (
        f"INSERT INTO subject ({SUBJECT_COLUMNS}) SELECT i, "
        "CASE WHEN i % 20 < 12 THEN 'legal_person' WHEN i % 20 = 12 THEN 'unincorporated_org' "
        "ELSE 'individual_business' END, '番禺基准企业' || i, '番禺基准企业' || i, '存续', 'bench', :yes, "
        f"{industry}, '44011300' || (i % 10), :at FROM {_gen(subjects, dialect)}"
    )


def _record_insert(records: int, subjects: int, dialect: str) -> str:
    """INSERT … SELECT of every record; row i is a new version of row i − 1 when i % 200 = 0 (row j = i − 1 gives
    its values). Hashes of j: ``a`` picks the subject, ``c`` the item bucket and the severity or licence years."""
    s = subjects
    klass = (
        "CASE k.klass WHEN -1 THEN (CASE WHEN (h.c / 700) % 20 < 6 THEN 0 WHEN (h.c / 700) % 20 < 17 THEN 1 "
        "ELSE 2 END) "
        f"WHEN -2 THEN 3 + (h.c / 700) % {LICENCE_YEARS} ELSE k.klass END"
    )
    v = f"(h.a % {s})"
    subject = (
        f"CASE WHEN h.a % 1000 < 3 THEN NULL WHEN k.skewed = 1 AND h.a % 2 = 1 THEN 1 + {v} * {v} / {s} "
        f"ELSE 1 + {v} END"
    )
    data = (
        '\'{"subject_category": "法人及非法人组织", "doc_no": "BENCH-\' || r.j || \'", "content": '
        '"经查，当事人未按规定履行相关义务，违反有关法律法规规定，依法作出决定，'
        "本记录为基准测试数据，序号 ' || r.j || "
        '\'", "legal_basis": "《中华人民共和国行政处罚法》第九条", "remarks": "基准"}\''
    )
    if dialect == "postgresql":
        data = f"CAST({data} AS json)"
    publishable = "w.publishable" if dialect == "sqlite" else "w.publishable <> 0"
    hashed = (
        f"SELECT i, j, (j * 48271) % {PRIME} AS a, (j * 69621) % {PRIME} AS c FROM "
        f"(SELECT i, CASE WHEN i % 200 = 0 THEN i - 1 ELSE i END AS j FROM {_gen(records, dialect)}) AS src"
    )
    rows = (
        "SELECT h.i, h.j, k.item_id, k.item_version, k.department_id, k.batch_id, k.category, "
        f"{subject} AS subject_id, {klass} * {DAYS} + (h.j * {STRIDE}) % {DAYS} AS day_key "
        f"FROM ({hashed}) AS h JOIN bench_bucket k ON k.b = (h.c / 7) % 100"
    )
    return (
        f"INSERT INTO credit_record ({RECORD_COLUMNS}) "
        "SELECT r.i, r.item_id, r.item_version, r.department_id, r.subject_id, r.batch_id, r.i, 'BENCH-' || r.j, "
        "CASE WHEN r.i = r.j THEN 1 ELSE 2 END, CASE WHEN r.i = r.j THEN NULL ELSE r.j END, "
        "'番禺基准企业' || coalesce(r.subject_id, 0), 'legal_person', r.category, w.decided_on, w.end_on, w.severity, "
        f"w.regime, w.min_end, w.later_end, w.later_from, {publishable}, {data}, 'bench', w.decided_on, :loaded_at "
        f"FROM ({rows}) AS r JOIN bench_day w ON w.k = r.day_key"
    )


def _effects_insert(dialect: str) -> str:
    """Repairs, revocations and open objections 100 days after the decision; ``expired`` effects (starting the
    day after) for every record whose publicity ended before the load day, as the daily job leaves them. One
    effect per natural key: the superseded first versions (``id % 200 = 199``) get none of their own."""

    def plus(column: str, days: int) -> str:
        return f"date({column}, '+{days} days')" if dialect == "sqlite" else f"{column} + {days}"

    e = f"((id * 16807) % {PRIME}) % 1000"
    kind = (
        f"CASE WHEN item_id = 'penalty' AND {e} < 30 THEN 'repaired' "
        f"WHEN item_id = 'penalty' AND {e} < 40 THEN 'revoked' "
        f"WHEN item_id = 'penalty' AND {e} < 50 THEN 'objection' "
        f"WHEN item_id LIKE '%arrears' AND {e} < 300 THEN 'repaired' "
        f"WHEN item_id = 'commitment_breach' AND {e} < 100 THEN 'repaired' "
        f"WHEN item_id = 'licence' AND {e} < 20 THEN 'revoked' END"
    )
    columns = (
        "INSERT INTO record_effect (item_id, department_id, doc_no, record_id, kind, starts_on, ends_on, "
        "source_type, source_id, reason, created_by, created_at) "
    )
    source = "CASE kind WHEN 'objection' THEN 'objection' WHEN 'repaired' THEN 'repair' ELSE 'revocation' END"
    decided = (
        f"{columns}SELECT item_id, department_id, doc_no, id, kind, {plus('decided_on', 100)}, NULL, {source}, "
        "NULL, 'bench', 'bench', :loaded_at FROM "
        f"(SELECT *, {kind} AS kind FROM credit_record WHERE id % 200 <> 199) AS x WHERE kind IS NOT NULL"
    )
    expired = (
        f"{columns}SELECT item_id, department_id, doc_no, id, 'expired', {plus('publicity_end', 1)}, NULL, 'job', "
        "NULL, '公示期满，自动停止公示', 'bench', :loaded_at FROM credit_record "
        f"WHERE id % 200 <> 199 AND publicity_end < '{LOADED_AT.date().isoformat()}'"
    )
    return decided + ";\n" + expired


def build(engine: Engine, subjects: int, records: int) -> dict[str, Any]:
    """Migrate, insert the subjects, records and effects set-based; the seconds of each phase and the counts."""
    dialect = engine.dialect.name
    phases: dict[str, float] = {}
    t = time.perf_counter()
    upgrade(engine)
    phases["migrate"] = round(time.perf_counter() - t, 1)
    catalog = load_catalog().items
    indexes = [*Subject.__table__.indexes, *CreditRecord.__table__.indexes, *RecordEffect.__table__.indexes]
    with engine.begin() as conn:
        t = time.perf_counter()
        departments: dict[str, int] = {}
        for code, (name, uscc) in DEPARTMENTS.items():
            departments[code] = conn.execute(
                text("INSERT INTO department (code, name, uscc) VALUES (:c, :n, :u) RETURNING id"),
                {"c": code, "n": name, "u": uscc},
            ).scalar_one()
        buckets: list[dict[str, Any]] = []
        low = 0
        for item, below, dept, category in ITEMS:
            batch = conn.execute(
                text(
                    "INSERT INTO intake_batch (item_id, item_version, department_id, channel, filename, file_sha256, "
                    "partial, status, rows, accepted, rejected, unchanged, superseded, warnings, headers, "
                    "submitted_on, created_by, created_at) VALUES (:i, :v, :d, 'cli', 'bench', '', :f, 'loaded', 0, "
                    "0, 0, 0, 0, 0, '[]', :day, 'bench', :at) RETURNING id"
                ),
                {"i": item, "v": catalog[item].version, "d": departments[dept], "f": False, "day": LOADED_AT.date()}
                | {"at": LOADED_AT},
            ).scalar_one()
            klass = {"penalty": -1, "licence": -2, "commitment_breach": CLASS_BREACH}.get(item, CLASS_ARREARS)
            buckets += [
                {
                    "b": b,
                    "item_id": item,
                    "item_version": catalog[item].version,
                    "department_id": departments[dept],
                    "batch_id": batch,
                    "category": category,
                    "skewed": int(item != "licence"),
                    "klass": klass,
                }
                for b in range(low, below)
            ]
            low = below
        DAY.create(conn)
        conn.execute(insert(DAY), _days())
        BUCKET.create(conn)
        conn.execute(insert(BUCKET), buckets)
        phases["lookups"] = round(time.perf_counter() - t, 1)
        for index in indexes:
            index.drop(conn)
    # Foreign-key checks off for the bulk inserts only (every reference is made above or is a row of the same
    # insert). SQLite: the pragma, outside a transaction; PostgreSQL: the replication role skips the RI triggers.
    with engine.connect() as conn:
        if dialect == "sqlite":
            conn.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
        with conn.begin():
            if dialect == "postgresql":
                conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
            t = time.perf_counter()
            conn.execute(text(_subject_insert(subjects, dialect)), {"yes": True, "at": LOADED_AT})
            phases["subjects"] = round(time.perf_counter() - t, 1)
            t = time.perf_counter()
            conn.execute(text(_record_insert(records, subjects, dialect)), {"loaded_at": LOADED_AT})
            phases["records"] = round(time.perf_counter() - t, 1)
        if dialect == "sqlite":
            conn.connection.driver_connection.execute("PRAGMA foreign_keys=ON")  # type: ignore[union-attr]
    t = time.perf_counter()
    with engine.begin() as conn:
        if dialect == "postgresql":  # every effect names a record and a department of the rows above
            conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
        for statement in _effects_insert(dialect).split(";\n"):
            conn.execute(text(statement), {"loaded_at": LOADED_AT})
        DAY.drop(conn)
        BUCKET.drop(conn)
        if dialect == "postgresql":  # explicit ids: move the sequences past them
            for table in ("subject", "credit_record"):
                conn.execute(
                    text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
                )
    phases["effects"] = round(time.perf_counter() - t, 1)
    t = time.perf_counter()
    with engine.begin() as conn:
        for index in indexes:
            index.create(conn)
    phases["indexes"] = round(time.perf_counter() - t, 1)
    t = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(text("ANALYZE"))
    phases["analyze"] = round(time.perf_counter() - t, 1)
    with engine.connect() as conn:
        counts = {
            table: int(conn.scalar(text(f"SELECT count(*) FROM {table}")) or 0)
            for table in ("subject", "credit_record", "record_effect")
        }
        by_kind = dict(conn.execute(text("SELECT kind, count(*) FROM record_effect GROUP BY kind ORDER BY kind")).all())
    return {
        "subjects": counts["subject"],
        "records": counts["credit_record"],
        "effects": counts["record_effect"],
        "effects_by_kind": {str(k): int(v) for k, v in by_kind.items()},
        "phases_s": phases,
        "build_s": round(sum(phases.values()), 1),
    }


# --------------------------------------------------------------------------------------------- the platform
def evaluate(engine: Engine, as_of: date) -> dict[str, Any]:
    """``run_evaluation`` of the general model through a system context, committed; timed."""
    t = time.perf_counter()
    with Session(engine) as session:
        summary = run_evaluation(system_context(session, "bench"), as_of, MODEL)
        session.commit()
    wall = time.perf_counter() - t
    return {
        "model": summary.model,
        "version": summary.version,
        "as_of": summary.as_of.isoformat(),
        "subjects": summary.subjects,
        "grades": {g: int(summary.grades.get(g, 0)) for g in GRADES},
        "seconds": summary.seconds,
        "wall_s": round(wall, 2),
    }


# --------------------------------------------------------------------------------------------- Parquet + DuckDB
EXPORT_RECORDS = (
    "SELECT id, subject_id, item_id, department_id, doc_no, supersedes_id, severity, category, decided_on, "
    "publicity_end, publicity_later_end, publicity_later_from, publishable FROM credit_record"
)
EXPORT_EFFECTS = "SELECT item_id, department_id, doc_no, kind, starts_on, ends_on FROM record_effect"
EXPORT_SUBJECTS = "SELECT id, kind, industry FROM subject"
DATE_COLUMNS = ("decided_on", "publicity_end", "publicity_later_end", "publicity_later_from", "starts_on", "ends_on")


def export(engine: Engine, directory: Path, chunk: int = 1_000_000) -> dict[str, Any]:
    """The subjects, records and effects (the columns the aggregation needs) as Parquet files, in chunks."""
    import polars as pl

    t = time.perf_counter()
    sizes: dict[str, int] = {}
    raw = engine.raw_connection()
    try:
        for name, query in (("subjects", EXPORT_SUBJECTS), ("records", EXPORT_RECORDS), ("effects", EXPORT_EFFECTS)):
            folder = directory / name
            folder.mkdir(parents=True)
            cursor = raw.cursor()
            cursor.execute(query)
            columns = [d[0] for d in cursor.description]
            part = 0
            while rows := cursor.fetchmany(chunk):
                frame = pl.DataFrame(rows, schema=columns, orient="row", infer_schema_length=None)
                for column in set(columns) & set(DATE_COLUMNS):
                    if frame.schema[column] == pl.String:
                        frame = frame.with_columns(pl.col(column).str.to_date("%Y-%m-%d"))
                    elif frame.schema[column] == pl.Null:
                        frame = frame.with_columns(pl.col(column).cast(pl.Date))
                if "publishable" in columns:
                    frame = frame.with_columns(pl.col("publishable").cast(pl.Boolean))
                for column in ("subject_id", "supersedes_id"):
                    if column in columns:
                        frame = frame.with_columns(pl.col(column).cast(pl.Int64))
                for column in ("severity", "category", "industry"):
                    if column in columns:
                        frame = frame.with_columns(pl.col(column).cast(pl.String))
                frame.write_parquet(folder / f"part-{part:04d}.parquet")
                sizes[name] = sizes.get(name, 0) + frame.height
                part += 1
            cursor.close()
    finally:
        raw.close()
    mb = sum(p.stat().st_size for p in directory.rglob("*.parquet")) / 1e6
    return {"rows": sizes, "parquet_mb": round(mb, 1), "export_s": round(time.perf_counter() - t, 1)}


def _decay_sql(model: EvaluationModel, as_of: str) -> str:
    """DuckDB: the decay factor of a record ``l`` for the indicator parameters ``p``."""
    whens = []
    for name, schedule in model.decay.items():
        bands = " ".join(
            f"WHEN l.decided_on > {as_of} - INTERVAL {band.within_months} MONTH THEN {band.factor!r}"
            for band in schedule.bands
        )
        whens.append(f"WHEN '{name}' THEN CASE {bands} ELSE {schedule.beyond!r} END")
    return f"CASE p.decay {' '.join(whens)} ELSE 1.0 END"


def duckdb_sql(model: EvaluationModel, as_of: date, files: dict[str, str]) -> list[str]:
    """The aggregation by hand: one pass over the records in force, joined with a table of indicator
    parameters (one row per item / severity / category an indicator counts), then caps, weights, scores and
    grades; the indicator rows and the results are materialised as the platform stores them."""
    kinds = ", ".join(f"'{k}'" for k in model.applies_to.subject_kinds)
    industries = ", ".join(f"'{k}'" for k in model.applies_to.industries)
    covered = f"s.kind IN ({kinds})" + (f" AND s.industry IN ({industries})" if industries else "")
    day = f"DATE '{as_of.isoformat()}'"
    records, effects, subjects = (f"read_parquet('{files[n]}')" for n in ("records", "effects", "subjects"))
    grade = " ".join(f"WHEN score >= {band.min!r} THEN '{band.grade}'" for band in model.grades if band.min is not None)
    return [
        f"""CREATE OR REPLACE TEMP TABLE live AS
        SELECT r.subject_id, r.item_id, r.severity, r.category, r.decided_on
        FROM {records} r
        WHERE r.subject_id IS NOT NULL AND r.publishable AND r.decided_on <= {day}
          AND NOT coalesce(r.publicity_end < {day}, false)
          AND NOT coalesce(r.publicity_later_from <= {day} AND r.publicity_later_end < {day}, false)
          AND NOT EXISTS (SELECT 1 FROM {records} n WHERE n.supersedes_id = r.id)
          AND NOT EXISTS (
            SELECT 1 FROM {effects} e
            WHERE e.item_id = r.item_id AND e.department_id = r.department_id AND e.doc_no = r.doc_no
              AND e.kind IN ('revoked', 'repaired') AND e.starts_on <= {day})""",
        f"""CREATE OR REPLACE TEMP TABLE indicator_rows AS
        WITH hits AS (
          SELECT l.subject_id, p.code, p.kind, p.points, p.cap, p.weight, p.points * ({_decay_sql(model, day)}) AS c
          FROM live l JOIN params p ON p.item = l.item_id
            AND (p.severity IS NULL OR p.severity = l.severity) AND (p.category IS NULL OR p.category = l.category)
        ), summed AS (
          SELECT subject_id, code, count(*) AS records, any_value(cap) AS cap, any_value(weight) AS weight,
                 round(CASE WHEN any_value(kind) = 'per_record' THEN sum(c)
                            WHEN any_value(points) < 0 THEN min(c) ELSE max(c) END, 2) AS raw
          FROM hits GROUP BY subject_id, code
        )
        SELECT subject_id, code, records, raw, greatest(least(raw, cap), -cap) AS points,
               round(greatest(least(raw, cap), -cap) * weight, 2) AS weighted
        FROM summed""",
        f"""CREATE OR REPLACE TEMP TABLE results AS
        WITH totals AS (SELECT subject_id, sum(weighted) AS total FROM indicator_rows GROUP BY subject_id),
        scored AS (
          SELECT s.id AS subject_id,
                 round(greatest(least({model.base_score!r} + coalesce(t.total, 0), {model.score_max!r}),
                                {model.score_min!r}), 2) AS score
          FROM {subjects} s LEFT JOIN totals t ON t.subject_id = s.id
          WHERE {covered})
        SELECT subject_id, score, CASE {grade} ELSE '{model.grades[-1].grade}' END AS grade FROM scored""",
    ]


def _params(model: EvaluationModel) -> list[tuple[Any, ...]]:
    """One row per (indicator, severity, category) the indicator counts (None: any)."""
    rows = []
    for dimension in model.dimensions:
        for i in dimension.indicators:
            for severity in i.severity or (None,):
                for category in i.categories or (None,):
                    weight = i.weight * dimension.weight
                    rows.append((i.code, i.item, severity, category, i.kind, i.points, i.cap, weight, i.decay))
    return rows


def run_duckdb(directory: Path, as_of: date, model: EvaluationModel) -> dict[str, Any]:
    """The hand-written aggregation over the Parquet files; timed (reading the Parquet files included)."""
    import duckdb

    con = duckdb.connect()
    try:
        con.execute(
            "CREATE TEMP TABLE params (code VARCHAR, item VARCHAR, severity VARCHAR, category VARCHAR, kind VARCHAR, "
            "points DOUBLE, cap DOUBLE, weight DOUBLE, decay VARCHAR)"
        )
        con.executemany("INSERT INTO params VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", _params(model))
        files = {name: str(directory / name / "*.parquet") for name in ("subjects", "records", "effects")}
        t = time.perf_counter()
        for statement in duckdb_sql(model, as_of, files):
            con.execute(statement)
        counts = dict(con.execute("SELECT grade, count(*) FROM results GROUP BY grade").fetchall())
        seconds = time.perf_counter() - t
        live = dict(con.execute("SELECT item_id, count(*) FROM live GROUP BY item_id ORDER BY item_id").fetchall())
        indicator_rows = con.execute("SELECT count(*) FROM indicator_rows").fetchone()
        threads = con.execute("SELECT current_setting('threads')").fetchone()
    finally:
        con.close()
    grades = {g: int(counts.get(g, 0)) for g in GRADES}
    return {
        "duckdb_version": duckdb.__version__,
        "threads": int(threads[0]) if threads else None,
        "seconds": round(seconds, 2),
        "subjects": sum(grades.values()),
        "grades": grades,
        "records_in_force": {str(k): int(v) for k, v in live.items()},
        "indicator_rows": int(indicator_rows[0]) if indicator_rows else 0,
    }


# --------------------------------------------------------------------------------------------- databases
@contextmanager
def sqlite_engine() -> Iterator[tuple[Engine, Path]]:
    """A fresh SQLite file in a temporary directory."""
    with tempfile.TemporaryDirectory(prefix="xinyong-eval-") as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'eval.db'}")
        try:
            yield engine, Path(tmp)
        finally:
            engine.dispose()


@contextmanager
def postgresql_engine(url: str) -> Iterator[Engine]:
    """A throw-away PostgreSQL schema, dropped afterwards."""
    schema = f"bench_eval_{uuid.uuid4().hex[:8]}"
    admin = create_engine(make_engine(url).url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    scoped = make_url(admin.url).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        engine = make_engine(scoped.render_as_string(hide_password=False))
        try:
            yield engine
        finally:
            engine.dispose()
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _rss_mb() -> int:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def _one(engine: Engine, database: str, args: argparse.Namespace, parquet: Path, report: dict[str, Any]) -> None:
    print(f"-- evaluation: {database}, {args.subjects:,} subjects, {args.records:,} records: build", flush=True)
    run: dict[str, Any] = {"database": database, "build": build(engine, args.subjects, args.records)}
    if database == "postgresql":
        with engine.connect() as conn:
            run["server"] = conn.scalar(text("SHOW server_version"))
            run["settings"] = {
                k: conn.scalar(text(f"SHOW {k}"))
                for k in ("work_mem", "shared_buffers", "max_parallel_workers_per_gather")
            }
            run["batch_settings"] = dict(BATCH_SETTINGS)  # set by run_evaluation for its own statements
    print(f"-- evaluation: {database}: run_evaluation", flush=True)
    run["load_before"] = round(os.getloadavg()[0], 2)
    run["evaluation"] = evaluate(engine, args.as_of)
    run["load_after"] = round(os.getloadavg()[0], 2)
    if "export" not in report:
        print(f"-- evaluation: exporting {database} to Parquet", flush=True)
        report["export"] = export(engine, parquet) | {"from": database}
    report["runs"].append(run)


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Build, evaluate and export per database; then DuckDB; then compare and rate."""
    model = load_model(MODEL)
    report: dict[str, Any] = {
        "subjects": args.subjects,
        "records": args.records,
        "as_of": args.as_of.isoformat(),
        "model": {"name": model.name, "version": model.version},
        "target_s": TARGET_S,
        "runs": [],
    }
    with tempfile.TemporaryDirectory(prefix="xinyong-parquet-") as parquet_dir:
        parquet = Path(parquet_dir)
        if not args.no_sqlite:
            with sqlite_engine() as (engine, folder):
                _one(engine, "sqlite", args, parquet, report)
                report["runs"][-1]["file_mb"] = round(sum(p.stat().st_size for p in folder.iterdir()) / 1e6)
        if args.pg_url:
            with postgresql_engine(args.pg_url) as engine:
                _one(engine, "postgresql", args, parquet, report)
        print("-- evaluation: DuckDB over Parquet", flush=True)
        report["duckdb"] = run_duckdb(parquet, args.as_of, model)
    duck = report["duckdb"]
    for r in report["runs"]:
        ev = r["evaluation"]
        r["agrees"] = ev["grades"] == duck["grades"]
        r["ratio"] = round(ev["wall_s"] / duck["seconds"], 1) if duck["seconds"] else None
        r["within_target"] = ev["wall_s"] <= TARGET_S
    report["peak_rss_mb"] = _rss_mb()
    report["machine"] = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "loadavg_end": [round(x, 2) for x in os.getloadavg()],
    }
    return report


def main() -> None:
    """CLI entry."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--subjects", type=int, default=1_000_000)
    ap.add_argument("--records", type=int, default=10_000_000)
    ap.add_argument("--as-of", type=date.fromisoformat, default=AS_OF)
    ap.add_argument("--pg-url", default=PG_URL)
    ap.add_argument("--no-pg", action="store_true")
    ap.add_argument("--no-sqlite", action="store_true")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    if args.no_pg:
        args.pg_url = None
    if args.no_sqlite and not args.pg_url:
        ap.error("nothing to run: --no-sqlite with --no-pg")
    report = run(args)
    text_out = json.dumps(report, ensure_ascii=False, indent=1)
    if args.json:
        args.json.write_text(text_out, encoding="utf-8")
    print(text_out)
    bad = [r for r in report["runs"] if not r["agrees"]]
    for r in bad:
        print(
            f"MISMATCH {r['database']}: platform {r['evaluation']['grades']} != DuckDB {report['duckdb']['grades']}",
            file=sys.stderr,
        )
    sys.stdout.flush()
    if bad:
        sys.exit(1)


if __name__ == "__main__":
    main()
