"""Benchmark the demo district: generate + load N subjects into a fresh database, then time the code-quality check.

    .venv/bin/python bench/bench_demo.py --subjects 1000000 [--seed 2021] [--json OUT] [--pg-url URL]

SQLite: a new file in a temporary directory, migrated with ``xinyong.db.migrate.upgrade``. PostgreSQL (optional):
a throw-away schema in the given database (``-csearch_path=<schema>``), dropped afterwards. Targets (issue):
SQLite load ≤ 120 s for 1,000,000 subjects, ``code_quality`` ≤ 10 s.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.orm import Session

from xinyong.auth.context import system_context
from xinyong.db.migrate import upgrade
from xinyong.db.session import make_engine
from xinyong.demo.service import load_demo
from xinyong.subjects.models import Subject, SubjectNameGram
from xinyong.subjects.queries import code_quality, search_subjects

LOAD_TARGET_S = 120.0
QUALITY_TARGET_S = 10.0


def _run(engine: Engine, subjects: int, seed: int, label: str) -> dict[str, Any]:
    t = time.perf_counter()
    upgrade(engine)
    migrate_s = time.perf_counter() - t
    with Session(engine) as session:
        ctx = system_context(session, actor="bench")
        last = [0.0]

        def progress(done: int) -> None:
            now = time.perf_counter()
            if now - last[0] > 10:
                print(f"  {label}: {done:,} rows", flush=True)
                last[0] = now

        t, cpu = time.perf_counter(), time.process_time()
        summary = load_demo(ctx, subjects, seed, progress=progress)
        load_s = time.perf_counter() - t
        t = time.perf_counter()
        session.commit()
        commit_s = time.perf_counter() - t
        cpu_s = time.process_time() - cpu
    with Session(engine) as session:
        grams = session.scalar(select(func.count()).select_from(SubjectNameGram))
        stored = session.scalar(select(func.count()).select_from(Subject))
        t = time.perf_counter()
        quality = code_quality(session)
        quality_s = time.perf_counter() - t
        t = time.perf_counter()
        hits = search_subjects(session, "禾丰").total
        search_s = time.perf_counter() - t
    total = load_s + commit_s
    return {
        "database": label,
        "subjects": stored,
        "name_grams": grams,
        "migrate_s": round(migrate_s, 2),
        "load_s": round(load_s, 2),
        "commit_s": round(commit_s, 2),
        "load_total_s": round(total, 2),
        "load_target_s": LOAD_TARGET_S if label == "sqlite" else None,
        "load_cpu_s_this_process": round(cpu_s, 2),
        "load_avg_1min_after": round(os.getloadavg()[0], 2),
        "phases_s": summary.phases,
        "rows_per_s": round(subjects / total),
        "code_quality_s": round(quality_s, 2),
        "code_quality_target_s": QUALITY_TARGET_S,
        "code_quality": quality.model_dump(),
        "planted": {"erroneous": summary.erroneous, "duplicates": summary.duplicates},
        "quality_matches_planted": (quality.erroneous_codes, quality.duplicate_codes)
        == (summary.erroneous, summary.duplicates),
        "by_kind": summary.by_kind,
        "search_hefeng_s": round(search_s, 3),
        "search_hefeng_total": hits,
    }


def bench_sqlite(subjects: int, seed: int) -> dict[str, Any]:
    """Fresh SQLite file in a temporary directory."""
    with tempfile.TemporaryDirectory(prefix="xinyong-bench-") as tmp:
        path = Path(tmp) / "demo.db"
        engine = make_engine(f"sqlite:///{path}")
        try:
            result = _run(engine, subjects, seed, "sqlite")
        finally:
            engine.dispose()
        result["file_mb"] = round(sum(p.stat().st_size for p in Path(tmp).iterdir()) / 1e6, 1)
        result["sqlite_version"] = sqlite3.sqlite_version
    return result


def bench_postgresql(subjects: int, seed: int, url: str) -> dict[str, Any]:
    """A throw-away schema, dropped afterwards."""
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(make_engine(url).url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = create_engine(admin.url, connect_args={"options": f"-csearch_path={schema}"})
    try:
        return _run(engine, subjects, seed, "postgresql")
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subjects", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2021)
    parser.add_argument("--json", type=Path, help="write the figures here")
    parser.add_argument("--pg-url", help="also run against PostgreSQL (a throw-away schema)")
    parser.add_argument("--skip-sqlite", action="store_true")
    args = parser.parse_args()
    report: dict[str, Any] = {
        "benchmark": "demo",
        "subjects": args.subjects,
        "seed": args.seed,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "runs": [],
    }
    runs = [] if args.skip_sqlite else [("sqlite", lambda: bench_sqlite(args.subjects, args.seed))]
    if args.pg_url:
        runs.append(("postgresql", lambda: bench_postgresql(args.subjects, args.seed, args.pg_url)))
    for label, run in runs:
        print(f"{label}: loading {args.subjects:,} subjects (seed {args.seed}) …", flush=True)
        result = run()
        report["runs"].append(result)
        target = f" (target ≤ {LOAD_TARGET_S:.0f} s)" if label == "sqlite" else ""
        print(
            f"{label}: load {result['load_total_s']} s{target} (CPU of this process "
            f"{result['load_cpu_s_this_process']} s, load average {result['load_avg_1min_after']}), "
            f"phases {result['phases_s']}, commit {result['commit_s']} s, {result['rows_per_s']:,} rows/s, "
            f"{result['name_grams']:,} grams"
        )
        quality = result["code_quality"]
        print(
            f"{label}: code_quality {result['code_quality_s']} s (target ≤ {QUALITY_TARGET_S:.0f} s); "
            f"erroneous {quality['erroneous_codes']} / duplicate {quality['duplicate_codes']}"
            f" (planted {result['planted']}); search 禾丰 {result['search_hefeng_s']} s"
        )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
        print(f"written {args.json}")


if __name__ == "__main__":
    main()
