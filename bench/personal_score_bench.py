"""Benchmark the personal honesty score (issue #9: scoring 1,000,000 natural persons set-based ≤ 60 s on SQLite
and on PostgreSQL), beside a baseline measured in the same run on the same data: a plain ``COUNT(*) … GROUP BY
subject_id`` over the records and list entries the model reads (no status, no windows, no JSON, nothing stored).

    .venv/bin/python bench/personal_score_bench.py [--persons 1000000] [--records 3000000] [--as-of 2026-10-31]
        [--pg-url URL] [--no-pg] [--no-sqlite] [--json OUT]

Small scale, in seconds: ``python bench/personal_score_bench.py --persons 2000 --records 6000 --no-pg``.

Each database is fresh (a SQLite file in a temporary directory, a throw-away PostgreSQL schema) and migrated. The
data are built set-based inside it by bench/evaluation_bench.py's ``build`` (records decided over the 5 years
before 2026-11-27: licences, penalties by severity with the publicity windows intake stores, arrears, commitment
breaches, half of the negative records concentrated on the lower ids, corrected versions, repairs, revocations,
objections and the daily job's ``expired`` effects) with every subject a natural person instead of an enterprise;
then, set-based too: list entries (1% of the persons on the wage-arrears list — a third as responsible persons —,
0.4% on the serious-dishonesty list, 0.5% on the wage-arrears list but already expired on ``as_of``) and kept
commitments (6% of the persons, 1–3 each, verified over the 3 years before ``as_of``).

Timed: ``xinyong.incentives.scoring.run`` of the ``honesty`` model as of ``as_of`` through a system context —
its own ``seconds`` and the wall time including the commit — and the baseline (best of two). The run's band
counts are checked against the count of natural persons (every one scored once). ``personal_score`` carries
no key check on its subject (derived rows written in bulk, as ``evaluation_result``): with it, PostgreSQL spent
about a third of the run on the row-by-row checks and subject locks (docs/personal_score.md).
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
from xinyong.incentives import scoring
from xinyong.incentives.model_yaml import load_model

TARGET_S = 60.0
MODEL = "honesty"
AS_OF = eb.AS_OF


def _person_insert(subjects: int, dialect: str) -> str:
    """Every subject a natural person (the evaluation bench's subject insert, replaced)."""
    return (
        f"INSERT INTO subject ({eb.SUBJECT_COLUMNS}) SELECT i, 'natural_person', '基准自然人' || i, "
        "'基准自然人' || i, '存续', 'bench', :yes, NULL, '44011300' || (i % 10), :at "
        f"FROM {eb._gen(subjects, dialect)}"
    )


def _plus(column: str, days: str, dialect: str) -> str:
    return f"date({column}, '+' || ({days}) || ' days')" if dialect == "sqlite" else f"{column} + ({days})::int"


def _lists_and_commitments(engine: Engine, persons: int, as_of: date) -> dict[str, int]:
    """List entries and kept commitments, set-based (module docstring)."""
    dialect = engine.dialect.name
    gen = eb._gen(persons, dialect)
    start = "DATE '2024-01-01'" if dialect == "postgresql" else "'2024-01-01'"
    yes = "true" if dialect == "postgresql" else "1"
    with engine.begin() as conn:
        rsj = conn.scalar(text("SELECT id FROM department WHERE code = 'rsj'"))
        fgj = conn.scalar(text("SELECT id FROM department WHERE code = 'fgj'"))
        common = (
            "INSERT INTO list_entry (list_code, list_version, kind, subject_id, role, department_id, status, reasons, "
            "basis, case_ref, defence_text, commitment_text, removal_note, source_authority, source_ref, decision_on, "
            "published_on, expires_on, created_by, created_at, lock_version) "
        )
        published = _plus(start, "i % 900", dialect)
        expires = _plus(published, "1095", dialect)
        conn.execute(
            text(
                f"{common}SELECT 'wage_arrears', 1, 'dishonesty', i, CASE WHEN i % 3 = 0 THEN 'responsible_person' "
                f"ELSE 'subject' END, {rsj}, 'published', '基准', '人社部令第45号', '', '', '', '', '', '', "
                f"{published}, {published}, {expires}, 'bench', :at, 1 FROM {gen} WHERE (i * 7919) % 100 = 1"
            ),
            {"at": eb.LOADED_AT},
        )
        conn.execute(
            text(
                f"{common}SELECT 'serious_dishonesty', 1, 'dishonesty', i, 'subject', {fgj}, 'published', '基准', "
                f"'国办发〔2020〕49号', '', '', '', '', '', '', {published}, {published}, {expires}, 'bench', :at, 1 "
                f"FROM {gen} WHERE (i * 7919) % 1000 BETWEEN 20 AND 23"
            ),
            {"at": eb.LOADED_AT},
        )
        old = "DATE '2021-06-01'" if dialect == "postgresql" else "'2021-06-01'"
        conn.execute(
            text(
                f"{common}SELECT 'wage_arrears', 1, 'dishonesty', i, 'subject', {rsj}, 'published', '基准', "
                f"'人社部令第45号', '', '', '', '', '', '', {old}, {old}, {_plus(old, '1095', dialect)}, "
                "'bench', :at, 1 "
                f"FROM {gen} WHERE (i * 7919) % 1000 BETWEEN 30 AND 34"
            ),
            {"at": eb.LOADED_AT},
        )
        outcome = _plus(
            "DATE '2023-11-01'" if dialect == "postgresql" else "'2023-11-01'", "(i * 31 + n) % 1090", dialect
        )
        signed = "DATE '2023-10-01'" if dialect == "postgresql" else "'2023-10-01'"
        copies = (
            "(SELECT 1 AS n UNION ALL SELECT 2 UNION ALL SELECT 3) AS c"
            if dialect == "postgresql"
            else "(SELECT 1 AS n UNION ALL SELECT 2 UNION ALL SELECT 3) c"
        )
        conn.execute(
            text(
                "INSERT INTO commitment (kind, subject_id, subject_name, department_id, matter, text, signer_name, "
                "recorded_by, signed_on, status, outcome_on, outcome_reason, false_commitment, published, overdue, "
                "rule_version, lock_version, created_at) "
                f"SELECT 'voluntary', i, '基准自然人' || i, {fgj}, '基准承诺事项', '本人承诺', '基准自然人' || i, "
                f"'subject', {_plus(signed, '(i + n) % 30', dialect)}, 'kept', {outcome}, '', "
                f"{'false' if dialect == 'postgresql' else '0'}, {yes}, {'false' if dialect == 'postgresql' else '0'}, "
                f"1, 1, :at FROM {gen} CROSS JOIN {copies} WHERE (i * 104729) % 100 < 6 AND c.n <= 1 + i % 3"
            ),
            {"at": eb.LOADED_AT},
        )
        conn.execute(text("ANALYZE"))
        counts = {
            "list_entries": int(conn.scalar(text("SELECT count(*) FROM list_entry")) or 0),
            "commitments": int(conn.scalar(text("SELECT count(*) FROM commitment")) or 0),
        }
    return counts


def build(engine: Engine, persons: int, records: int, as_of: date) -> dict[str, Any]:
    """The evaluation bench's build with natural persons, then lists and commitments; seconds and counts."""
    original = eb._subject_insert
    eb._subject_insert = _person_insert
    try:
        out = eb.build(engine, persons, records)
    finally:
        eb._subject_insert = original
    t = time.perf_counter()
    out |= _lists_and_commitments(engine, persons, as_of)
    out["phases_s"]["lists_commitments"] = round(time.perf_counter() - t, 1)
    out["build_s"] = round(sum(out["phases_s"].values()), 1)
    return out


def score(engine: Engine, as_of: date) -> dict[str, Any]:
    """``scoring.run`` through a system context, committed; timed; band counts."""
    t = time.perf_counter()
    with Session(engine) as session:
        stored = scoring.run(system_context(session, "bench"), as_of, MODEL)
        run_id, seconds, persons = stored.id, stored.seconds, stored.persons
        session.commit()
    wall = time.perf_counter() - t
    with engine.connect() as conn:
        bands = dict(
            conn.execute(
                text("SELECT band, count(*) FROM personal_score WHERE run_id = :r GROUP BY band"), {"r": run_id}
            ).all()
        )
        moved = conn.scalar(
            text("SELECT count(*) FROM personal_score WHERE run_id = :r AND score <> :base"),
            {"r": run_id, "base": load_model(MODEL).base_score},
        )
        natural = conn.scalar(text("SELECT count(*) FROM subject WHERE kind = 'natural_person'"))
    model = load_model(MODEL)
    return {
        "run_id": run_id,
        "persons": persons,
        "natural_persons": int(natural or 0),
        "bands": {b.code: int(bands.get(b.code, 0)) for b in model.bands},
        "persons_moved": int(moved or 0),
        "seconds": seconds,
        "wall_s": round(wall, 2),
    }


BASELINE = (
    "SELECT count(*), sum(n) FROM (SELECT subject_id, count(*) AS n FROM credit_record "
    "WHERE item_id IN ('penalty', 'commitment_breach') GROUP BY subject_id "
    "UNION ALL SELECT subject_id, count(*) FROM list_entry GROUP BY subject_id "
    "UNION ALL SELECT subject_id, count(*) FROM commitment WHERE status = 'kept' GROUP BY subject_id) AS g"
)


def baseline(engine: Engine) -> dict[str, Any]:
    """The plain GROUP BY (best of two runs)."""
    times = []
    for _ in range(2):
        t = time.perf_counter()
        with engine.connect() as conn:
            groups, rows = conn.execute(text(BASELINE)).one()
        times.append(time.perf_counter() - t)
    return {"groups": int(groups or 0), "rows": int(rows or 0), "seconds": round(min(times), 3)}


def _one(engine: Engine, database: str, args: argparse.Namespace, report: dict[str, Any]) -> None:
    print(f"-- personal score: {database}, {args.persons:,} persons, {args.records:,} records: build", flush=True)
    run: dict[str, Any] = {"database": database, "build": build(engine, args.persons, args.records, args.as_of)}
    if database == "postgresql":
        with engine.connect() as conn:
            run["server"] = conn.scalar(text("SHOW server_version"))
    print(f"-- personal score: {database}: baseline and scoring.run", flush=True)
    run["load_before"] = round(os.getloadavg()[0], 2)
    run["baseline"] = baseline(engine)
    run["scoring"] = score(engine, args.as_of)
    run["load_after"] = round(os.getloadavg()[0], 2)
    s = run["scoring"]
    run["ratio"] = round(s["wall_s"] / run["baseline"]["seconds"], 1) if run["baseline"]["seconds"] else None
    run["within_target"] = s["wall_s"] <= TARGET_S
    run["consistent"] = s["persons"] == s["natural_persons"] == sum(s["bands"].values())
    report["runs"].append(run)


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Build, baseline and score per database."""
    model = load_model(MODEL)
    report: dict[str, Any] = {
        "persons": args.persons,
        "records": args.records,
        "as_of": args.as_of.isoformat(),
        "model": {"name": model.name, "version": model.version},
        "target_s": TARGET_S,
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
        "loadavg_end": [round(x, 2) for x in os.getloadavg()],
    }
    return report


def main() -> None:
    """CLI entry."""
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--persons", type=int, default=1_000_000)
    ap.add_argument("--records", type=int, default=3_000_000)
    ap.add_argument("--as-of", type=date.fromisoformat, default=AS_OF)
    ap.add_argument("--pg-url", default=eb.PG_URL)
    ap.add_argument("--no-pg", action="store_true")
    ap.add_argument("--no-sqlite", action="store_true")
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
    bad = [r for r in report["runs"] if not r["consistent"]]
    for r in bad:
        print(f"INCONSISTENT {r['database']}: {r['scoring']}", file=sys.stderr)
    sys.stdout.flush()
    if bad:
        sys.exit(1)


if __name__ == "__main__":
    main()
