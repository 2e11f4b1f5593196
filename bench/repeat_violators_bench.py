"""Benchmark the repeated-violator detection (issue #11 item 6: 屡禁不止、屡罚不改 over 10,000,000 records ≤ 30 s,
set-based) on SQLite and PostgreSQL, beside baselines measured in the same run on the same data: a plain
``SELECT count(*)`` over the records and a plain ``GROUP BY subject_id`` over them.

    .venv/bin/python bench/repeat_violators_bench.py [--subjects 1000000] [--records 10000000] [--as-of 2026-11-26]
        [--pg-url URL] [--no-pg] [--no-sqlite] [--no-index-variant] [--json OUT]

Small scale: ``python bench/repeat_violators_bench.py --subjects 20000 --records 200000``.

Each database is fresh (a SQLite file in a temporary directory, a throw-away PostgreSQL schema) and migrated. The
data are built set-based by bench/evaluation_bench.py's ``build`` with every record a ``penalty`` (its item buckets
replaced: 罚款 / 警告 / 没收违法所得 / 责令停产停业 / 通报批评 from five departments), decided over the 5 years
before 2026-11-27, half of them concentrated on the lower subject ids, every 200th row a corrected version of the
previous one, and the evaluation bench's effects (penalties: 3 % repaired, 1 % revoked, 1 % under objection).

Timed (best of two unless stated): the baselines; ``find_repeat_violators`` (the ad-hoc query: its count and its
first page of 50); ``violators.run_detection`` through a system context, committed (one run: its own ``seconds``
and the wall time). The stored run is checked against the query's total. Then, unless ``--no-index-variant``, the
same detection again after creating the covering index ``INDEX_SQL`` (the "with index" case; the platform's
migrations do not have it). ``/proc/loadavg`` is recorded before and after each database.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parent))
import evaluation_bench as eb

from xinyong.auth.context import system_context
from xinyong.campaigns import violators
from xinyong.campaigns.rules import campaign_rules

TARGET_S = 30.0
AS_OF = date(2026, 11, 26)  # the last decision day of the generated records
# item, buckets below, department code, category: every record a penalty (bench/evaluation_bench.py ITEMS)
PENALTY_ITEMS: tuple[tuple[str, int, str, str], ...] = (
    ("penalty", 45, "scjgj", "罚款"),
    ("penalty", 65, "scjgj", "警告"),
    ("penalty", 80, "zjj", "罚款"),
    ("penalty", 90, "rsj", "没收违法所得、没收非法财物"),
    ("penalty", 96, "gdj", "责令停产停业"),
    ("penalty", 100, "fgj", "通报批评"),
)
INDEX_NAME = "ix_credit_record_item_decided_cover"
INDEX_SQL = (
    f"CREATE INDEX {INDEX_NAME} ON credit_record (item_id, decided_on, subject_id, category, department_id, doc_no, id)"
)
COUNT_SQL = "SELECT count(*) FROM credit_record"
GROUP_SQL = "SELECT count(*), sum(n) FROM (SELECT subject_id, count(*) AS n FROM credit_record GROUP BY subject_id) g"


def loadavg() -> list[float]:
    """``/proc/loadavg``'s three figures."""
    try:
        return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]
    except OSError:  # pragma: no cover - not Linux
        return [round(x, 2) for x in os.getloadavg()]


def build(engine: Engine, subjects: int, records: int) -> dict[str, Any]:
    """The evaluation bench's build with every record a penalty."""
    original = eb.ITEMS
    eb.ITEMS = PENALTY_ITEMS
    try:
        return eb.build(engine, subjects, records)
    finally:
        eb.ITEMS = original


def _best(fn: Any, times: int = 2) -> tuple[float, Any]:
    best, out = float("inf"), None
    for _ in range(times):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return round(best, 3), out


def baselines(engine: Engine) -> dict[str, Any]:
    """The plain count and the plain GROUP BY subject_id."""

    def count() -> int:
        with engine.connect() as conn:
            return int(conn.scalar(text(COUNT_SQL)) or 0)

    def group() -> tuple[int, int]:
        with engine.connect() as conn:
            groups, rows = conn.execute(text(GROUP_SQL)).one()
            return int(groups or 0), int(rows or 0)

    count_s, rows = _best(count)
    group_s, (groups, _) = _best(group)
    return {"count_s": count_s, "rows": rows, "group_by_subject_s": group_s, "groups": groups}


def detection(engine: Engine, as_of: date) -> dict[str, Any]:
    """The ad-hoc query (best of two) and one stored run (committed)."""

    def query() -> Any:
        with Session(engine) as session:
            return violators.find_repeat_violators(session, as_of)

    query_s, page = _best(query)
    t = time.perf_counter()
    with Session(engine) as session:
        stored = violators.run_detection(system_context(session, "bench"), as_of)
        run_id, seconds, rows, subjects = stored.id, stored.seconds, stored.rows, stored.subjects
        session.commit()
    wall = round(time.perf_counter() - t, 3)
    return {
        "query_s": query_s,
        "query_total": page.total,
        "top": page.rows[0].penalties if page.rows else 0,
        "run_id": run_id,
        "run_seconds": seconds,
        "run_wall_s": wall,
        "run_rows": rows,
        "run_subjects": subjects,
        "consistent": rows == page.total,
        "within_target": wall <= TARGET_S,
    }


def _one(engine: Engine, database: str, args: argparse.Namespace, report: dict[str, Any]) -> None:
    print(f"-- repeat violators: {database}, {args.subjects:,} subjects, {args.records:,} records: build", flush=True)
    run: dict[str, Any] = {"database": database, "loadavg_before_build": loadavg()}
    run["build"] = build(engine, args.subjects, args.records)
    if database == "postgresql":
        with engine.connect() as conn:
            run["server"] = conn.scalar(text("SHOW server_version"))
            run["settings"] = {k: conn.scalar(text(f"SHOW {k}")) for k in ("work_mem", "shared_buffers")}
    print(f"-- repeat violators: {database}: baselines and detection", flush=True)
    run["loadavg_before"] = loadavg()
    run["baseline"] = baselines(engine)
    run["without_index"] = detection(engine, args.as_of)
    if not args.no_index_variant:
        t = time.perf_counter()
        with engine.begin() as conn:
            conn.execute(text(INDEX_SQL))
            conn.execute(text("ANALYZE credit_record"))
        index_s = round(time.perf_counter() - t, 1)
        run["with_index"] = detection(engine, args.as_of) | {"index_build_s": index_s}
    run["loadavg_after"] = loadavg()
    report["runs"].append(run)


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Build, baseline and detect per database."""
    rule = campaign_rules().repeat_violators
    report: dict[str, Any] = {
        "subjects": args.subjects,
        "records": args.records,
        "as_of": args.as_of.isoformat(),
        "rule": {"min_count": rule.min_count, "window_days": rule.window_days, "exclude": list(rule.exclude_effects)},
        "target_s": TARGET_S,
        "index": INDEX_SQL,
        "runs": [],
    }
    if not args.no_sqlite:
        with eb.sqlite_engine() as (engine, folder):
            _one(engine, "sqlite", args, report)
            report["runs"][-1]["file_mb"] = round(sum(p.stat().st_size for p in folder.iterdir()) / 1e6)
    if args.pg_url:
        with eb.postgresql_engine(args.pg_url) as engine:
            _one(engine, "postgresql", args, report)
    report["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    report["machine"] = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "loadavg_end": loadavg(),
    }
    return report


def main() -> None:
    """CLI entry."""
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--subjects", type=int, default=1_000_000)
    ap.add_argument("--records", type=int, default=10_000_000)
    ap.add_argument("--as-of", type=date.fromisoformat, default=AS_OF)
    ap.add_argument("--pg-url", default=eb.PG_URL)
    ap.add_argument("--no-pg", action="store_true")
    ap.add_argument("--no-sqlite", action="store_true")
    ap.add_argument("--no-index-variant", action="store_true")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    if args.no_pg:
        args.pg_url = None
    if args.no_sqlite and not args.pg_url:
        ap.error("nothing to run: --no-sqlite with --no-pg")
    report = run(args)
    out = json.dumps(report, ensure_ascii=False, indent=1)
    if args.json:
        args.json.write_text(out, encoding="utf-8")
    print(out)
    bad = [r for r in report["runs"] if not r["without_index"]["consistent"]]
    for r in bad:
        print(f"INCONSISTENT {r['database']}: {r['without_index']}", file=sys.stderr)
    sys.stdout.flush()
    if bad:
        sys.exit(1)


if __name__ == "__main__":
    main()
