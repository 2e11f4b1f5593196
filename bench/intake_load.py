"""Benchmark intake: N penalty rows from one CSV file through ``intake.service.submit_file`` (parse, normalise,
validate, verify, load) into a fresh SQLite file and a fresh PostgreSQL schema (issue #4: ≥ 50,000 rows/s end to end,
memory bounded), beside the time polars takes merely to parse the same file (all columns as strings).

    .venv/bin/python bench/intake_load.py [--rows 1000000] [--registry 100000] [--known 0.7] [--seed 4]
        [--pg-url URL] [--no-pg] [--no-sqlite] [--json OUT] [--before SRC --before-code LABEL]
        [--floor-without-foreign-keys]

The file is made in a temporary directory with a fixed seed (``demo.records.RecordGenerator.stream``: the demo
casebook's 行政处罚 rows of 区市场监管局, every row valid). Its subjects are drawn from two pools: demo subjects
of a registry of ``--registry`` subjects loaded into the database first (``load_demo``, same seed) — a share
``--known`` of the rows — and subjects unknown to it (same generator, other seed, codes of another district,
440106), which verification creates as unverified subjects; so verification does real work. Each load runs in a
child process that reports its wall time (submit and commit) and its peak RSS (``VmHWM``); its baseline RSS
after imports is reported beside it. The timed call is the service behind ``xinyong intake load``. Beside the
wall time: the CPU seconds of that process, of the intake worker process it starts for a large file
(``intake.worker``) and, on PostgreSQL, of the database backend (``/proc``): on two cores the three share them.

Beside the end-to-end figure, in the same run: the **storage floor** (``storage_floor``), the time the database
takes merely to store the very rows the load stored, by the same driver call, into a table with the same keys,
indexes and foreign keys — what no loader into this schema can beat on the machine. With ``--before SRC`` (the
``src`` directory of another build, e.g. a ``git worktree`` of an earlier commit) that build loads the same file
first, on a fresh database, then this checkout does: a before/after pair measured one after the other.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from xinyong import clock
from xinyong.auth.context import system_context
from xinyong.calendar import WorkCalendar
from xinyong.catalog.departments import load_departments
from xinyong.catalog.items import load_catalog
from xinyong.codes.uscc import PLACEHOLDER, make_uscc
from xinyong.db.migrate import upgrade
from xinyong.db.session import make_engine
from xinyong.demo.generator import DistrictGenerator, department_uscc
from xinyong.demo.records import Authority, Party, RecordGenerator, record_window
from xinyong.settings import get_settings

TARGET_ROWS_PER_S = 50_000
DEPARTMENT = "scjgj"
ITEM = "penalty"
OTHER_DIVISION = "440106"  # 天河区: codes of subjects the Panyu registry cannot know
MAX_FILE_MB = 2048  # Settings.intake_max_file_mb's ceiling: the 1,000,000-row file is ~0.8 GB
PG_URL = os.environ.get("XINYONG_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


# ------------------------------------------------------------------------------------------------ the file


def _parties(subjects: int, seed: int, division: str | None = None) -> list[Party]:
    """Subjects of the demo generator (存续, no planted code error); ``division`` re-homes their codes."""
    gen = DistrictGenerator(subjects, seed)
    found: list[Party] = []
    for row in gen.rows():
        planted = row["id"] in gen.log.erroneous_ids or row["id"] in gen.log.duplicate_ids
        if row["status"] != "存续" or planted or row["kind"] == "government_body":
            continue
        code = row["uscc"]
        if division and code and code != PLACEHOLDER:
            code = make_uscc(code[0], code[1], division, code[8:16])
        known = division is None
        found.append(
            Party(
                row["id"] if known else None,
                row["kind"],
                row["name"],
                code,
                row["reg_no"],
                row["ric"],
                row["legal_representative"],
            )
        )
    return found


def write_csv(path: Path, rows: int, registry: int, known: float, seed: int) -> dict[str, Any]:
    """The benchmark file: ``rows`` valid penalty rows with Chinese headers; returns what it holds."""
    t = time.perf_counter()
    mine = _parties(registry, seed)
    unknown = round(registry * (1 - known) / known) if known > 0 else registry
    others = _parties(unknown, seed + 1, OTHER_DIVISION)
    entry = next(d for d in load_departments().departments if d.code == DEPARTMENT)
    authority = Authority(entry.code, entry.name, department_uscc(entry.code, entry.org_type))
    calendar = WorkCalendar()
    start, end = record_window(calendar, clock.today())
    generator = RecordGenerator(
        mine + others,
        [authority],
        seed=seed,
        penalties=rows,
        licences=0,
        calendar=calendar,
        start=start,
        end=end,
    )
    item = load_catalog().item(ITEM)
    keys = [f.key for f in item.fields]
    other_district = 0
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow([item.field(k).label for k in keys])
        for row in generator.stream(ITEM, rows):
            out.writerow([row.get(k, "") for k in keys])
            other_district += row["uscc"][2:8] == OTHER_DIVISION
    return {
        "rows": rows,
        "file_mb": round(path.stat().st_size / 1e6, 1),
        "registry_subjects": registry,
        "known_pool": len(mine),
        "unknown_pool": len(others),
        "rows_with_unknown_codes": other_district,
        "generate_s": round(time.perf_counter() - t, 1),
        "window": [start.isoformat(), end.isoformat()],
    }


# ------------------------------------------------------------------------------------------------ baselines


def parse_baselines(path: Path) -> dict[str, Any]:
    """Seconds to parse the file with polars (every column a string) and to iterate it with the csv module."""
    import polars as pl

    t = time.perf_counter()
    frame = pl.read_csv(path, infer_schema=False)
    polars_s = time.perf_counter() - t
    height = frame.height
    del frame
    t = time.perf_counter()
    with path.open(encoding="utf-8", newline="") as fh:
        count = sum(1 for _ in csv.reader(fh)) - 1
    csv_s = time.perf_counter() - t
    return {
        "polars_version": pl.__version__,
        "polars_threads": pl.thread_pool_size(),
        "polars_read_csv_s": round(polars_s, 2),
        "polars_rows": height,
        "polars_rows_per_s": round(height / polars_s),
        "csv_module_s": round(csv_s, 2),
        "csv_module_rows_per_s": round(count / csv_s),
    }


# ------------------------------------------------------------------------------------------------ loading


def peak_rss_mb() -> float:
    """This process's peak resident set size in MB: ``VmHWM`` (Linux; reset by ``execve``, unlike ``ru_maxrss``,
    which a child inherits from the parent that forked it), else ``ru_maxrss``."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _spent(before: float | None, after: float | None) -> float | None:
    """CPU seconds between two ``server_cpu_s`` readings (None when the server's time cannot be read)."""
    return round(after - before, 2) if before is not None and after is not None else None


def _children_cpu_s() -> float:
    """CPU seconds of this process's finished child processes (the intake worker, ``intake.worker``)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def server_cpu_s(session: Session) -> float | None:
    """CPU seconds used so far by the session's PostgreSQL backend (``/proc``: a server on this machine), else
    ``None``: the database's share of the work, which runs beside this process."""
    if session.get_bind().dialect.name != "postgresql":
        return None
    pid = session.connection().exec_driver_sql("SELECT pg_backend_pid()").scalar()
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def prepare(url: str, registry: int, seed: int) -> dict[str, Any]:
    """Migrate a fresh database and load the demo registry into it (no records)."""
    from xinyong.demo.service import load_demo

    engine = make_engine(url)
    try:
        upgrade(engine)
        t = time.perf_counter()
        with Session(engine) as session:
            load_demo(system_context(session, actor="bench"), registry, seed)
            session.commit()
        return {"registry_load_s": round(time.perf_counter() - t, 1)}
    finally:
        engine.dispose()


def child(url: str, csv_path: str, out: str) -> None:
    """In a fresh process: submit the file, commit, report time, counts and peak RSS."""
    from xinyong.intake import service
    from xinyong.records.models import CreditRecord
    from xinyong.subjects.departments import department_by_ref
    from xinyong.subjects.models import Subject

    baseline_mb = peak_rss_mb()
    engine = make_engine(url)
    size = Path(csv_path).stat().st_size
    limit = get_settings().intake_max_file_bytes  # XINYONG_INTAKE_MAX_FILE_MB, set by the parent
    overridden = service.max_upload_bytes() < size <= limit
    if overridden:
        # The service does not read Settings.intake_max_file_mb (yet): apply the configured limit for this run.
        service.max_upload_bytes = lambda: limit  # type: ignore[assignment]
    if service.max_upload_bytes() < size:
        raise SystemExit(f"the intake file limit ({service.max_upload_bytes():,} bytes) is below the file's {size:,}")
    last = [time.perf_counter()]

    def progress(done: int) -> None:
        now = time.perf_counter()
        if now - last[0] > 15:
            print(f"  {engine.dialect.name}: {done:,} rows", flush=True)
            last[0] = now

    with Session(engine) as session:
        ctx = system_context(session, actor="bench")
        department = department_by_ref(session, DEPARTMENT)
        before = session.scalar(select(func.count()).select_from(Subject)) or 0
        server_before = server_cpu_s(session)
        children_before = _children_cpu_s()
        t, cpu = time.perf_counter(), time.process_time()
        with open(csv_path, "rb") as fh:
            summary = service.submit_file(
                ctx, ITEM, department.id, fh, Path(csv_path).name, channel="cli", progress=progress
            )
        submit_s = time.perf_counter() - t
        server_after = server_cpu_s(session)
        session.commit()
        total_s = time.perf_counter() - t
        cpu_s = time.process_time() - cpu
        worker_cpu_s = _children_cpu_s() - children_before
    peak_mb = peak_rss_mb()
    with Session(engine) as session:
        records = session.scalar(select(func.count()).select_from(CreditRecord)) or 0
        linked = session.scalar(select(func.count()).where(CreditRecord.subject_id.is_not(None))) or 0
        created = (session.scalar(select(func.count()).select_from(Subject)) or 0) - before
    engine.dispose()
    result = {
        "database": engine.dialect.name,
        "status": summary.status,
        "file_limit_from_settings": overridden,
        "rows": summary.rows,
        "accepted": summary.accepted,
        "rejected": summary.rejected,
        "warnings_listed": len(summary.warnings),
        "errors_listed": [m.model_dump() for m in summary.errors[:5]],
        "records_stored": records,
        "records_linked": linked,
        "subjects_created": created,
        "submit_s": round(submit_s, 2),
        "commit_s": round(total_s - submit_s, 2),
        "total_s": round(total_s, 2),
        "cpu_s_this_process": round(cpu_s, 2),
        "cpu_s_worker_process": round(worker_cpu_s, 2),
        "cpu_s_database_server": _spent(server_before, server_after),
        "rows_per_s": round(summary.rows / total_s) if total_s else None,
        "target_rows_per_s": TARGET_ROWS_PER_S,
        "baseline_rss_mb": round(baseline_mb),
        "peak_rss_mb": round(peak_mb),
        "load_avg_1min_after": round(os.getloadavg()[0], 2),
    }
    Path(out).write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")


FLOOR_TABLE = "bench_floor_record"


def _floor_table(conn: Any, dialect: str, foreign_keys: bool) -> None:
    """``FLOOR_TABLE``: ``credit_record``'s columns, keys, indexes and (with ``foreign_keys``) foreign keys under
    another name. SQLite declares them in the table, so there they are switched off for the connection instead."""
    if dialect == "sqlite":
        if not foreign_keys:
            conn.exec_driver_sql("PRAGMA foreign_keys = OFF")  # before any write: outside a transaction
        ddl = [
            sql
            for (sql,) in conn.exec_driver_sql(
                "SELECT sql FROM sqlite_master WHERE tbl_name = 'credit_record' AND sql IS NOT NULL "
                "ORDER BY type = 'index'"
            )
        ]
        for sql in ddl:  # the table first, then its indexes; the self-reference (supersedes_id) follows
            conn.exec_driver_sql(sql.replace("credit_record", FLOOR_TABLE))
        return
    conn.exec_driver_sql(f"CREATE TABLE {FLOOR_TABLE} (LIKE credit_record INCLUDING ALL)")
    foreign = conn.exec_driver_sql(
        "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = 'credit_record'::regclass AND contype = 'f'"
    ).scalars()
    for definition in list(foreign) if foreign_keys else ():
        conn.exec_driver_sql(f"ALTER TABLE {FLOOR_TABLE} ADD {definition.replace('credit_record', FLOOR_TABLE)}")


def storage_floor(url: str, *, foreign_keys: bool = True) -> dict[str, Any]:
    """The database's own cost of storing the loaded records: the very rows the run stored, read back chunk by
    chunk (not timed) and written again into a table shaped like ``credit_record`` (same keys, indexes and
    foreign keys) by the driver call the service makes (``load.insert_rows``: SQLite executemany with its page
    cache, PostgreSQL COPY), then committed. No parse, check, hash or verification: no loader that stores these
    rows in this schema can be faster than this on this machine. Without ``foreign_keys``: what they cost."""
    from sqlalchemy import Text, cast

    from xinyong.db.base import Base
    from xinyong.intake import load
    from xinyong.intake.service import CHUNK_ROWS
    from xinyong.records.models import CreditRecord

    record = CreditRecord.__table__
    if FLOOR_TABLE not in Base.metadata.tables:  # the same column types, so insert_rows converts as it does
        record.to_metadata(Base.metadata, name=FLOOR_TABLE)
    # Read back as the service hands them over: Python values, the JSON as its text.
    picked = [cast(record.c[c], Text) if c == "data" else record.c[c] for c in load.RECORD_COLUMNS]
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            conn = session.connection()
            dialect = engine.dialect.name
            _floor_table(conn, dialect, foreign_keys)
            server_before = server_cpu_s(session)
            insert_s, cpu, rows, last = 0.0, 0.0, 0, 0
            with load.write_cache(session):
                while chunk := session.execute(
                    select(record.c.id, *picked).where(record.c.id > last).order_by(record.c.id).limit(CHUNK_ROWS)
                ).all():
                    last = chunk[-1][0]
                    values = [tuple(r)[1:] for r in chunk]
                    t, c = time.perf_counter(), time.process_time()
                    load.insert_rows(session, FLOOR_TABLE, load.RECORD_COLUMNS, values)
                    insert_s += time.perf_counter() - t
                    cpu += time.process_time() - c
                    rows += len(values)
            server_after = server_cpu_s(session)
            t, c = time.perf_counter(), time.process_time()
            session.commit()
            commit_s = time.perf_counter() - t
            cpu += time.process_time() - c
        with engine.begin() as conn:
            conn.exec_driver_sql(f"DROP TABLE {FLOOR_TABLE}")
    finally:
        engine.dispose()
    total = insert_s + commit_s
    return {
        "rows": rows,
        "insert_s": round(insert_s, 2),
        "commit_s": round(commit_s, 2),
        "total_s": round(total, 2),
        "rows_per_s": round(rows / total) if total else None,
        "cpu_s_this_process": round(cpu, 2),
        "cpu_s_database_server": _spent(server_before, server_after),
    }


#: A build of the code to run the loads with: (its ``src`` directory or None for this checkout's, its label).
Code = tuple[str | None, str | None]


def _run_child(url: str, csv_path: Path, tmp: Path, src: str | None = None) -> dict[str, Any]:
    out = tmp / f"child-{uuid.uuid4().hex[:6]}.json"
    env = dict(os.environ, XINYONG_INTAKE_MAX_FILE_MB=str(MAX_FILE_MB))
    if src:  # another build of the package (and its intake worker, a child of the child) runs the load
        env["PYTHONPATH"] = src
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", url, str(csv_path), str(out)]
    subprocess.run(cmd, check=True, env=env)
    return json.loads(out.read_text(encoding="utf-8"))


def _tagged(result: dict[str, Any], code: str | None) -> dict[str, Any]:
    return result | {"code": code} if code else result


def _floors(url: str, without_fks: bool) -> dict[str, Any]:
    """The storage floor of the database at ``url`` and, with ``without_fks``, the floor without foreign keys."""
    print(f"  {make_url(url).get_backend_name()}: storage floor …", flush=True)
    floors = {"storage_floor": storage_floor(url)}
    if without_fks:
        floors["storage_floor_without_foreign_keys"] = storage_floor(url, foreign_keys=False)
    return floors


def bench_sqlite(
    csv_path: Path, registry: int, seed: int, tmp: Path, codes: list[Code], without_fks: bool = False
) -> list[dict[str, Any]]:
    """A fresh SQLite file next to the CSV per build of the code, one after the other; then the storage floor."""
    db = tmp / "intake.db"
    url = f"sqlite:///{db}"
    results = []
    for src, code in codes:
        for old in tmp.glob("intake.db*"):
            old.unlink()
        prepared = prepare(url, registry, seed)
        result = _run_child(url, csv_path, tmp, src) | prepared
        result["file_mb"] = round(sum(p.stat().st_size for p in tmp.glob("intake.db*")) / 1e6, 1)
        results.append(_tagged(result, code))
        print(f"intake: {results[-1]}", flush=True)
    results[-1] |= _floors(url, without_fks)
    return results


def bench_postgresql(
    csv_path: Path, registry: int, seed: int, tmp: Path, url: str, codes: list[Code], without_fks: bool = False
) -> list[dict[str, Any]]:
    """A throw-away schema per build of the code, dropped afterwards; the storage floor in the last."""
    admin = create_engine(make_engine(url).url)
    results = []
    try:
        for n, (src, code) in enumerate(codes, start=1):
            schema = f"bench_{uuid.uuid4().hex[:10]}"
            with admin.begin() as conn:
                conn.execute(text(f'CREATE SCHEMA "{schema}"'))
            scoped = make_url(admin.url).update_query_dict({"options": f"-csearch_path={schema}"})
            try:
                scoped_url = scoped.render_as_string(hide_password=False)
                prepared = prepare(scoped_url, registry, seed)
                results.append(_tagged(_run_child(scoped_url, csv_path, tmp, src) | prepared, code))
                print(f"intake: {results[-1]}", flush=True)
                if n == len(codes):
                    results[-1] |= _floors(scoped_url, without_fks)
            finally:
                with admin.begin() as conn:
                    conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    finally:
        admin.dispose()
    return results


def _this_code() -> str | None:
    """This checkout's commit (short), marked when it has uncommitted changes; None outside git."""
    try:
        rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True)
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], capture_output=True, text=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    return rev.stdout.strip() + (" with uncommitted changes" if dirty.stdout.strip() else "")


def run(
    rows: int,
    registry: int,
    known: float,
    seed: int,
    *,
    sqlite: bool = True,
    pg_url: str | None = None,
    before: Code | None = None,
    without_fks: bool = False,
) -> dict[str, Any]:
    """Every figure of the benchmark (see the module docstring)."""
    random.seed(seed)
    report: dict[str, Any] = {
        "benchmark": "intake_load",
        "item": ITEM,
        "department": DEPARTMENT,
        "seed": seed,
        "known_share": known,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
    }
    with tempfile.TemporaryDirectory(prefix="xinyong-intake-bench-") as name:
        tmp = Path(name)
        csv_path = tmp / "penalty.csv"
        print(f"intake: writing {rows:,} penalty rows (seed {seed}) …", flush=True)
        report["file"] = write_csv(csv_path, rows, registry, known, seed)
        print(f"intake: file {report['file']}", flush=True)
        report["parse"] = parse_baselines(csv_path)
        print(f"intake: parse baselines {report['parse']}", flush=True)
        report["runs"] = []
        # With ``before``: that build first, then this checkout, one after the other on the same file.
        codes: list[Code] = [before, (None, _this_code())] if before else [(None, None)]
        if sqlite:
            print("intake: sqlite …", flush=True)
            report["runs"] += bench_sqlite(csv_path, registry, seed, tmp, codes, without_fks)
        if pg_url:
            print("intake: postgresql …", flush=True)
            report["runs"] += bench_postgresql(csv_path, registry, seed, tmp, pg_url, codes, without_fks)
    return report


def main(argv: list[str] | None = None) -> None:
    """CLI entry (``--child URL CSV OUT`` is the internal per-database run)."""
    args_in = sys.argv[1:] if argv is None else argv
    if args_in[:1] == ["--child"]:
        child(*args_in[1:4])
        return
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--registry", type=int, default=100_000, help="demo subjects loaded first")
    ap.add_argument("--known", type=float, default=0.7, help="share of rows whose subject the registry knows")
    ap.add_argument("--seed", type=int, default=4)
    ap.add_argument("--pg-url", default=PG_URL)
    ap.add_argument("--no-pg", action="store_true")
    ap.add_argument("--no-sqlite", action="store_true")
    ap.add_argument("--json", type=Path)
    ap.add_argument(
        "--floor-without-foreign-keys", action="store_true", help="also the storage floor without foreign keys"
    )
    ap.add_argument("--before", metavar="SRC", help="the src directory of another build, run first (e.g. a worktree)")
    ap.add_argument("--before-code", metavar="LABEL", help="that build's label (its commit)")
    args = ap.parse_args(args_in)
    report = run(
        args.rows,
        args.registry,
        args.known,
        args.seed,
        sqlite=not args.no_sqlite,
        pg_url=None if args.no_pg else args.pg_url,
        before=(args.before, args.before_code or args.before) if args.before else None,
        without_fks=args.floor_without_foreign_keys,
    )
    for r in report["runs"]:
        code = f", code of {r['code']}" if r.get("code") else ""
        print(
            f"{r['database']}{code}: {r['rows']:,} rows in {r['total_s']} s = {r['rows_per_s']:,} rows/s "
            f"(target ≥ {TARGET_ROWS_PER_S:,}); peak RSS {r['peak_rss_mb']} MB (baseline {r['baseline_rss_mb']} MB); "
            f"subjects created {r['subjects_created']:,}; status {r['status']}"
        )
        if floor := r.get("storage_floor"):
            print(f"  storage floor: {floor['rows']:,} rows in {floor['total_s']} s = {floor['rows_per_s']:,} rows/s")
        if floor := r.get("storage_floor_without_foreign_keys"):
            print(f"  … without foreign keys: {floor['total_s']} s = {floor['rows_per_s']:,} rows/s")
    p = report["parse"]
    print(f"polars read_csv (strings): {p['polars_read_csv_s']} s = {p['polars_rows_per_s']:,} rows/s")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
        print(f"written {args.json}")


if __name__ == "__main__":
    main()
