"""Benchmark publicity status (issue #5): the status of N credit records as of a date, set-based in the database,
on SQLite and PostgreSQL (target: ≤ 60 s at 10,000,000 records), beside the plain ``COUNT(*)`` of the same table
in the same run.

    .venv/bin/python bench/publicity_status.py [--rows 10000000] [--as-of 2026-11-27] [--pg-url URL] [--no-pg]
        [--no-sqlite] [--json OUT]

Each database is fresh (a SQLite file in a temporary directory, a throw-away PostgreSQL schema) and migrated. The
table is built set-based inside the database: a recursive CTE (SQLite) or ``generate_series`` (PostgreSQL)
inserts N 行政处罚 records decided between 2019-07-01 and 2026-11-26 (spread evenly), 20% 轻微 / 60% 一般 / 20%
严重, whose publicity columns come from a lookup table of ``records.regimes.publicity_window`` for every
(severity, decision date) — the very windows intake stores; the secondary indexes are dropped during the insert
and rebuilt after it. 1% of the records get an effect: objections (half still open), repairs, revocations.

Timed, twice each (the first run right after the build and ANALYZE, the second warm): ``SELECT count(*)``, and
``records.status.count_by_status`` — ``SELECT status, count(*) … GROUP BY status`` over ``status_expr(as_of)`` —
in its two forms: the effects aggregated once and LEFT JOINed (``joined``, the default) and one correlated
look-up per record through ``ix_record_effect_key`` (``correlated``). Both forms must give the same counts.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Column, Date, Engine, Integer, MetaData, String, Table, create_engine, insert, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from xinyong.db.migrate import upgrade
from xinyong.db.session import make_engine
from xinyong.records.models import CreditRecord
from xinyong.records.regimes import SEVERITIES, publicity_rules, publicity_window
from xinyong.records.status import count_by_status

TARGET_S = 60.0
FIRST_DAY = date(2019, 7, 1)
DAYS = 2700  # 2019-07-01 … 2026-11-26
STRIDE = 7919  # prime, coprime with DAYS: record i is decided FIRST_DAY + (i·STRIDE mod DAYS)
LOADED_AT = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
PG_URL = os.environ.get("XINYONG_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")

_meta = MetaData()
WINDOW = Table(
    "bench_window",
    _meta,
    Column("k", Integer, primary_key=True),  # severity index × DAYS + day offset
    Column("decided_on", Date),
    Column("severity", String(8)),
    Column("regime", String(32)),
    Column("min_end", Date),
    Column("end_on", Date),
    Column("later_end", Date),
    Column("later_from", Date),
    Column("publishable", Integer),
)
RECORD_COLUMNS = (
    "item_id, item_version, department_id, batch_id, row_no, doc_no, version, subject_name, subject_kind, "
    "category, decided_on, publicity_end, severity, regime, publicity_min_end, publicity_later_end, "
    "publicity_later_from, publishable, data, content_hash, reported_on, loaded_at"
)
# 20% minor, 60% general, 20% serious
SEVERITY_OF_I = "(CASE WHEN i % 10 < 2 THEN 0 WHEN i % 10 < 8 THEN 1 ELSE 2 END)"


def _record_select(rows: int, dialect: str) -> str:
    key = f"{SEVERITY_OF_I} * {DAYS} + (i * {STRIDE}) % {DAYS}"
    publishable = "w.publishable" if dialect == "sqlite" else "w.publishable <> 0"
    chosen = (
        f"SELECT 'penalty', 2, :department, :batch, i, 'BENCH-' || i, 1, '番禺测试企业' || (i % 100000), "
        "'legal_person', CASE w.severity WHEN 'minor' THEN '警告' WHEN 'serious' THEN '吊销许可证件' ELSE '罚款' END, "
        "w.decided_on, w.end_on, w.severity, w.regime, w.min_end, w.later_end, w.later_from, "
        f"{publishable}, '{{}}', 'bench', w.decided_on, :loaded_at "
    )
    if dialect == "sqlite":
        return (
            f"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {rows}) "
            f"INSERT INTO credit_record ({RECORD_COLUMNS}) {chosen} FROM n JOIN bench_window w ON w.k = {key}"
        )
    return (
        f"INSERT INTO credit_record ({RECORD_COLUMNS}) {chosen} "
        f"FROM generate_series(1::bigint, {rows}) AS g(i) JOIN bench_window w ON w.k = {key}"
    )


def _effects_insert(dialect: str) -> str:
    """About 1% of the records (id divisible by 97, across severities): objections (3 in 5 still open, the others
    closed after 15 days), repairs, revocations; each 100 days after the decision."""

    def plus(days: int) -> str:
        return f"date(decided_on, '+{days} days')" if dialect == "sqlite" else f"decided_on + {days}"

    bucket = "((id / 97) % 10)"
    return (
        "INSERT INTO record_effect (item_id, department_id, doc_no, record_id, kind, starts_on, ends_on, "
        "source_type, source_id, reason, created_by, created_at) "
        f"SELECT item_id, department_id, doc_no, id, "
        f"CASE WHEN {bucket} < 5 THEN 'objection' WHEN {bucket} < 8 THEN 'repaired' ELSE 'revoked' END, "
        f"{plus(100)}, CASE WHEN {bucket} IN (1, 3) THEN {plus(115)} END, "
        f"CASE WHEN {bucket} < 5 THEN 'objection' WHEN {bucket} < 8 THEN 'repair' ELSE 'revocation' END, "
        "NULL, 'bench', 'bench', :loaded_at FROM credit_record WHERE id % 97 = 0"
    )


def _windows() -> list[dict[str, Any]]:
    """The publicity window of every (severity, decision date) the table uses."""
    rules = publicity_rules()
    out = []
    for s_index, severity in enumerate(SEVERITIES):
        for day in range(DAYS):
            decided = FIRST_DAY + timedelta(days=day)
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
    return out


def build(engine: Engine, rows: int) -> dict[str, Any]:
    """Migrate, insert ``rows`` records and their effects set-based; the seconds of each phase."""
    dialect = engine.dialect.name
    phases: dict[str, float] = {}
    t = time.perf_counter()
    upgrade(engine)
    phases["migrate"] = round(time.perf_counter() - t, 1)
    indexes = list(CreditRecord.__table__.indexes)
    with engine.begin() as conn:
        department = conn.execute(
            text(
                "INSERT INTO department (code, name, uscc) VALUES ('scjgj', '广州市番禺区市场监督管理局', "
                "'11440113MB2C94832D') RETURNING id"
            )
        ).scalar_one()
        batch = conn.execute(
            text(
                "INSERT INTO intake_batch (item_id, item_version, department_id, channel, filename, file_sha256, "
                "partial, status, rows, accepted, rejected, unchanged, superseded, warnings, headers, submitted_on, "
                "created_by, created_at) VALUES ('penalty', 2, :d, 'cli', 'bench', '', :f, 'loaded', :n, :n, 0, 0, "
                "0, 0, '[]', :day, 'bench', :at) RETURNING id"
            ),
            {"d": department, "f": False, "n": rows, "day": date(2026, 11, 27), "at": LOADED_AT},
        ).scalar_one()
        t = time.perf_counter()
        WINDOW.create(conn)
        conn.execute(insert(WINDOW), _windows())
        phases["windows"] = round(time.perf_counter() - t, 1)
        for index in indexes:
            index.drop(conn)
    t = time.perf_counter()
    # Foreign-key checks off for the bulk insert only: every row references the department and the batch made
    # above. SQLite: the pragma, outside a transaction; PostgreSQL: the replication role skips the RI triggers.
    with engine.connect() as conn:
        if dialect == "sqlite":
            conn.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
        with conn.begin():
            if dialect == "postgresql":
                conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
            conn.execute(
                text(_record_select(rows, dialect)), {"department": department, "batch": batch, "loaded_at": LOADED_AT}
            )
        if dialect == "sqlite":
            conn.connection.driver_connection.execute("PRAGMA foreign_keys=ON")  # type: ignore[union-attr]
    phases["records"] = round(time.perf_counter() - t, 1)
    t = time.perf_counter()
    with engine.begin() as conn:
        for index in indexes:
            index.create(conn)
    phases["indexes"] = round(time.perf_counter() - t, 1)
    t = time.perf_counter()
    with engine.begin() as conn:
        effects = conn.execute(
            text(_effects_insert(dialect)), {"loaded_at": LOADED_AT}, execution_options={"preserve_rowcount": True}
        ).rowcount
        WINDOW.drop(conn)
    phases["effects"] = round(time.perf_counter() - t, 1)
    t = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(text("ANALYZE"))
    phases["analyze"] = round(time.perf_counter() - t, 1)
    return {"rows": rows, "effects": effects, "phases_s": phases, "build_s": round(sum(phases.values()), 1)}


def _timed(fn: Any) -> tuple[float, Any]:
    t = time.perf_counter()
    value = fn()
    return round(time.perf_counter() - t, 2), value


def measure(engine: Engine, as_of: date) -> dict[str, Any]:
    """COUNT(*), and the status counts in both forms, each twice."""
    out: dict[str, Any] = {"as_of": as_of.isoformat()}
    with Session(engine) as session:
        for run in (1, 2):
            out[f"count_s_{run}"], total = _timed(lambda: session.scalar(text("SELECT count(*) FROM credit_record")))
            out[f"joined_s_{run}"], joined = _timed(lambda: count_by_status(session, as_of, joined=True))
            out[f"correlated_s_{run}"], correlated = _timed(lambda: count_by_status(session, as_of, joined=False))
        session.rollback()
    out["count"] = total
    out["statuses"] = dict(sorted(joined.items()))
    out["forms_agree"] = joined == correlated and sum(joined.values()) == total
    out["count_s"] = max(out["count_s_1"], out["count_s_2"])
    out["joined_s"] = max(out["joined_s_1"], out["joined_s_2"])
    out["correlated_s"] = max(out["correlated_s_1"], out["correlated_s_2"])
    out["target_s"] = TARGET_S
    out["within_target"] = out["joined_s"] <= TARGET_S
    return out


def run_sqlite(rows: int, as_of: date) -> dict[str, Any]:
    """Build and measure in a fresh SQLite file."""
    with tempfile.TemporaryDirectory(prefix="xinyong-status-") as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'status.db'}")
        try:
            report = {"database": "sqlite", "build": build(engine, rows)}
            report["file_mb"] = round(sum(p.stat().st_size for p in Path(tmp).iterdir()) / 1e6)
            report["measure"] = measure(engine, as_of)
        finally:
            engine.dispose()
        return report


def run_postgresql(rows: int, as_of: date, url: str) -> dict[str, Any]:
    """Build and measure in a throw-away PostgreSQL schema."""
    schema = f"bench_status_{uuid.uuid4().hex[:8]}"
    admin = create_engine(make_engine(url).url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    scoped = make_url(admin.url).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        engine = make_engine(scoped.render_as_string(hide_password=False))
        try:
            report = {"database": "postgresql", "build": build(engine, rows)}
            with engine.connect() as conn:
                report["table_mb"] = round(
                    conn.scalar(text("SELECT pg_total_relation_size('credit_record')")) / 1e6  # type: ignore[operator]
                )
                report["server"] = conn.scalar(text("SHOW server_version"))
            report["measure"] = measure(engine, as_of)
        finally:
            engine.dispose()
        return report
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def run(rows: int, as_of: date, pg_url: str | None, sqlite: bool = True) -> dict[str, Any]:
    """Every requested database, in turn."""
    runs = []
    if sqlite:
        print(f"-- publicity status: sqlite, {rows:,} records", flush=True)
        runs.append(run_sqlite(rows, as_of))
    if pg_url:
        print(f"-- publicity status: postgresql, {rows:,} records", flush=True)
        runs.append(run_postgresql(rows, as_of, pg_url))
    return {"rows": rows, "as_of": as_of.isoformat(), "runs": runs}


def main() -> None:
    """CLI entry."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--as-of", type=date.fromisoformat, default=date(2026, 11, 27))
    ap.add_argument("--pg-url", default=PG_URL)
    ap.add_argument("--no-pg", action="store_true")
    ap.add_argument("--no-sqlite", action="store_true")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    report = run(args.rows, args.as_of, None if args.no_pg else args.pg_url, sqlite=not args.no_sqlite)
    report["machine"] = {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()}
    text_out = json.dumps(report, ensure_ascii=False, indent=1)
    if args.json:
        args.json.write_text(text_out, encoding="utf-8")
    print(text_out)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
