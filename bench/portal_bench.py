"""Benchmark the public portal over HTTP (issue #8: home page and subject page median ≤ 100 ms at 1,000,000 subjects;
200 concurrent public readers on loopback with no errors).

    .venv/bin/python bench/portal_bench.py [--subjects 1000000] [--records 5000000] [--entries N] [--readers 200]
        [--seconds 30] [--sample 300] [--processes 2] [--pg-url URL] [--no-pg] [--json OUT]

Small scale, in a minute: ``python bench/portal_bench.py --subjects 20000 --records 100000 --seconds 5 --no-pg``.

For each database (a fresh SQLite file, a throw-away PostgreSQL schema), built with the existing fast builders:

* ``--subjects`` subjects of the demo district through ``demo.service.load_demo`` (bulk insert, the name index in
  one sorted pass; real names, so the public search has something to find), no demo records;
* ``--records`` credit records with their effects, set-based, as bench/evaluation_bench.py builds them (its
  ``_record_insert`` and ``_effects_insert``: licences, penalties by severity, arrears and commitment breaches
  decided over the 5 years before 2026-11-27, corrected versions, repairs, revocations, objections and the daily
  job's ``expired`` effects; half of the negative records concentrated on the lower ids), here joined with the
  loaded registry so each record carries its subject's name, kind and code;
* ``--entries`` list entries over the six list types (a tenth removed again) and as many commitments, on
  organisations spread over the id range (Core bulk inserts); 60 published portal articles; then one
  ``evaluation.service.run_evaluation`` of the general model as of today, as a district in service has one.

The app is served as checks_bench.py serves it (``checks_bench.served``: ``--processes`` single-worker uvicorn
processes, ``--http httptools --loop uvloop`` as ``xinyong serve``, one port each) with the production settings,
except ``XINYONG_RATE_SEARCH_PER_MINUTE`` raised to 1,000,000: the public search and 双公示 pages are limited per
client address, and the readers all come from 127.0.0.1, which is not one person. Then:

* ``sequential``: one client, one keep-alive connection, one request at a time (latency without queueing), after a
  warm-up on other URLs: ``/healthz`` and a static file (the framework's floor), the home page ``/`` (its first
  request — ``home_first``, before the page's in-process cache of figures is filled — then repeated), ``--sample``
  subject pages ``/subjects/{id}`` each requested once (organisations with public records, one from each of
  ``--sample`` equal slices of the id range, so neither a database cache nor a page cache answers twice), the
  subject with the most records (``subject_heaviest``), public search (queries drawn as bench_search.py draws
  them), ``/lists/public`` and ``/gongshi/penalty`` (each phase stops after a minute);
* loaded phases, ``--readers`` concurrent keep-alive readers for ``--seconds`` each with wrk (one instance per
  server port, a Lua script rotating the paths; without wrk, checks_bench's Python generator): ``baseline`` — the
  static file (the framework's floor: no database); ``healthz`` — ``GET /healthz`` (one trivial query, a JSON
  response model); ``load_no_gongshi`` — home, search, subject pages and ``/lists/public`` in turn; ``load`` — the
  same with ``/gongshi/penalty`` (the 双公示 list) as every fifth request. Figures:
  requests/s, latency percentiles of the answered requests, answers other than 2xx by class, socket errors by
  kind (a timeout = no answer within 10 s), readers left without any answer for the whole phase (at least the
  readers minus the answers: wrk does not count a request that is never answered), the servers' CPU share;

``/proc/loadavg`` is recorded before the build, before and after the measurements and around each loaded phase
(the 2 CPUs are shared with other sessions' test runs).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import Engine, create_engine, insert, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench_search  # noqa: E402
import checks_bench  # noqa: E402
import evaluation_bench as ev  # noqa: E402

from xinyong import clock  # noqa: E402
from xinyong.auth.context import Context, system_context  # noqa: E402
from xinyong.catalog.items import load_catalog  # noqa: E402
from xinyong.db.migrate import upgrade  # noqa: E402
from xinyong.db.session import make_engine  # noqa: E402
from xinyong.demo.service import load_demo  # noqa: E402
from xinyong.evaluation.service import run_evaluation  # noqa: E402
from xinyong.lists.models import ListEntry  # noqa: E402
from xinyong.lists.types import list_catalogue  # noqa: E402
from xinyong.portal.models import ARTICLE_KINDS, Article  # noqa: E402
from xinyong.records import publication  # noqa: E402
from xinyong.records.commitment_rules import commitment_rules  # noqa: E402
from xinyong.records.models import Commitment, CreditRecord, RecordEffect  # noqa: E402
from xinyong.subjects.models import Department, Subject  # noqa: E402

PG_URL = os.environ.get("XINYONG_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
TARGET_MEDIAN_MS = 100.0
TARGET_READERS = 200
SEED = 2021
RATE_SEARCH_PER_MINUTE = 1_000_000
PUBLIC_ITEMS = ("licence", "penalty")
CHUNK = 20_000
CPUS = os.cpu_count() or 1
STATIC = "/static/css/app.css"
HOME_REPEATS = 200
WRK_TIMEOUT_S = 10
APP = "xinyong.web.app:create_app"
PHASE_SECONDS = 60.0  # a sequential phase stops after this long even if it has not made all its requests


def loadavg() -> list[float]:
    """The 1-, 5- and 15-minute load averages (``/proc/loadavg``)."""
    return [round(float(x), 2) for x in Path("/proc/loadavg").read_text().split()[:3]]


# --------------------------------------------------------------------------------------------- data
def build_subjects(engine: Engine, subjects: int) -> dict[str, Any]:
    """The demo district's subjects (and departments) through ``load_demo``, committed; ids 1 … subjects."""
    with Session(engine) as session:
        summary = load_demo(system_context(session, "bench"), subjects, SEED, records=0)
        session.commit()
    if summary.first_id != 1:
        raise RuntimeError(f"expected a fresh registry starting at id 1, got {summary.first_id}")
    return {"by_kind": summary.by_kind, "phases_s": summary.phases}


def _record_sql(records: int, subjects: int, dialect: str) -> str:
    """evaluation_bench's record insert, each record taking its subject's name, kind and code from the registry
    (a LEFT JOIN on the subject id it drew; the records without a matched subject keep the bench name)."""
    sql = ev._record_insert(records, subjects, dialect)
    columns = "subject_name, subject_kind, category"
    values = "'番禺基准企业' || coalesce(r.subject_id, 0), 'legal_person', r.category"
    tail = "JOIN bench_day w ON w.k = r.day_key"
    if sql.count(columns) != 1 or sql.count(values) != 1 or not sql.endswith(tail):
        raise RuntimeError("evaluation_bench._record_insert changed: adapt portal_bench._record_sql")
    sql = sql.replace(columns, "subject_name, subject_kind, subject_uscc, category")
    sql = sql.replace(values, "coalesce(s.name, '番禺基准企业'), coalesce(s.kind, 'legal_person'), s.uscc, r.category")
    return sql + " LEFT JOIN subject s ON s.id = r.subject_id"


def _batches(conn: Any, departments: dict[str, int]) -> list[dict[str, Any]]:
    """One intake batch per item of evaluation_bench.ITEMS; its bucket rows (item, department, batch, class)."""
    catalog = load_catalog().items
    buckets: list[dict[str, Any]] = []
    low = 0
    for item, below, dept, category in ev.ITEMS:
        batch = conn.execute(
            text(
                "INSERT INTO intake_batch (item_id, item_version, department_id, channel, filename, file_sha256, "
                "partial, status, rows, accepted, rejected, unchanged, superseded, warnings, headers, "
                "submitted_on, created_by, created_at) VALUES (:i, :v, :d, 'cli', 'bench', '', :f, 'loaded', 0, "
                "0, 0, 0, 0, 0, '[]', :day, 'bench', :at) RETURNING id"
            ),
            {"i": item, "v": catalog[item].version, "d": departments[dept], "f": False}
            | {"day": ev.LOADED_AT.date(), "at": ev.LOADED_AT},
        ).scalar_one()
        klass = {"penalty": -1, "licence": -2, "commitment_breach": ev.CLASS_BREACH}.get(item, ev.CLASS_ARREARS)
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
    return buckets


def build_records(engine: Engine, subjects: int, records: int) -> dict[str, Any]:
    """Records and effects set-based (indexes dropped during the inserts and rebuilt after, foreign-key checks off
    for the inserts only, as evaluation_bench.build does); the seconds of each phase."""
    dialect = engine.dialect.name
    phases: dict[str, float] = {}
    indexes = [*CreditRecord.__table__.indexes, *RecordEffect.__table__.indexes]
    t = time.perf_counter()
    with engine.begin() as conn:
        departments = dict(conn.execute(select(Department.code, Department.id)).all())
        for code, (name, uscc) in ev.DEPARTMENTS.items():  # the utilities and the housing fund are not in the catalogue
            if code not in departments:
                departments[code] = conn.execute(
                    text("INSERT INTO department (code, name, uscc) VALUES (:c, :n, :u) RETURNING id"),
                    {"c": code, "n": name, "u": uscc},
                ).scalar_one()
        buckets = _batches(conn, departments)
        ev.DAY.create(conn)
        conn.execute(insert(ev.DAY), ev._days())
        ev.BUCKET.create(conn)
        conn.execute(insert(ev.BUCKET), buckets)
        for index in indexes:
            index.drop(conn)
    phases["lookups"] = round(time.perf_counter() - t, 1)
    with engine.connect() as conn:
        if dialect == "sqlite":
            conn.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
        with conn.begin():
            if dialect == "postgresql":
                conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
            t = time.perf_counter()
            conn.execute(text(_record_sql(records, subjects, dialect)), {"loaded_at": ev.LOADED_AT})
            phases["records"] = round(time.perf_counter() - t, 1)
        if dialect == "sqlite":
            conn.connection.driver_connection.execute("PRAGMA foreign_keys=ON")  # type: ignore[union-attr]
    t = time.perf_counter()
    with engine.begin() as conn:
        if dialect == "postgresql":
            conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
        for statement in ev._effects_insert(dialect).split(";\n"):
            conn.execute(text(statement), {"loaded_at": ev.LOADED_AT})
        ev.DAY.drop(conn)
        ev.BUCKET.drop(conn)
        if dialect == "postgresql":  # explicit ids: move the sequence past them
            top = "(SELECT max(id) FROM credit_record)"
            conn.execute(text(f"SELECT setval(pg_get_serial_sequence('credit_record', 'id'), {top})"))
    phases["effects"] = round(time.perf_counter() - t, 1)
    t = time.perf_counter()
    with engine.begin() as conn:
        for index in indexes:
            index.create(conn)
    phases["indexes"] = round(time.perf_counter() - t, 1)
    return phases


def _organisations(engine: Engine, n: int) -> list[tuple[int, str, str | None]]:
    """``n`` organisations (id, name, code) spread evenly over the id range."""
    with engine.connect() as conn:
        top = int(conn.scalar(text("SELECT max(id) FROM subject")) or 0)
        step = max(1, top // max(1, n))
        rows = conn.execute(
            select(Subject.id, Subject.name, Subject.uscc)
            .where(Subject.kind != "natural_person", Subject.id % step == 0)
            .order_by(Subject.id)
            .limit(n)
        ).all()
    return [(int(i), str(name), uscc) for i, name, uscc in rows]


def build_lists_and_commitments(engine: Engine, entries: int) -> dict[str, int]:
    """``entries`` list entries (one list per subject, the six types in turn, a tenth removed again) and as many
    published commitments, on organisations spread over the id range; Core bulk inserts in chunks."""
    rng = random.Random(8)
    now = datetime.now(UTC)
    today = clock.today()
    catalogue = list(list_catalogue().types.values())
    rules = commitment_rules()
    kinds = [k for k, spec in rules.types.items() if spec.published]
    with engine.connect() as conn:
        departments = dict(conn.execute(select(Department.code, Department.id)).all())
    dept_ids = sorted(departments.values())
    orgs = _organisations(engine, entries)
    made = {"entries": 0, "commitments": 0}
    with engine.begin() as conn:
        rows: list[dict[str, Any]] = []
        for k, (subject_id, _, _) in enumerate(orgs):
            kind = catalogue[k % len(catalogue)]
            published = min(date(2023, 1, 2) + timedelta(days=rng.randrange(0, 1400)), today - timedelta(days=1))
            gone = rng.random() < 0.1
            rows.append(
                checks_bench.list_entry_row(kind, subject_id, departments[kind.department], published, gone, now)
            )
            if len(rows) == CHUNK:
                conn.execute(insert(ListEntry), rows)
                made["entries"] += len(rows)
                rows = []
        if rows:
            conn.execute(insert(ListEntry), rows)
            made["entries"] += len(rows)
        rows = []
        for k, (subject_id, name, uscc) in enumerate(reversed(orgs)):
            kind = kinds[k % len(kinds)]
            signed = today - timedelta(days=rng.randrange(1, 700))
            kept = rng.random() < 0.4
            due = rules.types[kind].verify_days
            rows.append(
                {
                    "kind": kind,
                    "subject_id": subject_id,
                    "subject_name": name,
                    "subject_uscc": uscc,
                    "department_id": dept_ids[k % len(dept_ids)],
                    "matter": "食品经营许可（基准测试）",
                    "text": "本单位郑重承诺所填写的信息和提交的材料真实、准确、完整、有效。",
                    "signer_name": "基准测试",
                    "recorded_by": "department",
                    "signed_on": signed,
                    "verify_due": signed + timedelta(days=due) if due else None,
                    "status": "kept" if kept else "signed",
                    "outcome_on": signed + timedelta(days=20) if kept else None,
                    "published": True,
                    "rule_version": rules.version,
                    "created_at": now,
                }
            )
            if len(rows) == CHUNK:
                conn.execute(insert(Commitment), rows)
                made["commitments"] += len(rows)
                rows = []
        if rows:
            conn.execute(insert(Commitment), rows)
            made["commitments"] += len(rows)
    return made


def build_articles(engine: Engine, n: int = 60) -> int:
    """``n`` published portal articles of every kind, newest about a day ago."""
    now = datetime.now(UTC)
    kinds = list(ARTICLE_KINDS)
    rows = [
        {
            "kind": kinds[k % len(kinds)],
            "title": f"番禺区社会信用体系建设动态（基准测试第{k + 1}期）",
            "summary": "基准测试文章摘要：区信用办发布本月信用体系建设工作进展。",
            "body_html": "<p>基准测试文章正文。</p>" * 20,
            "campaign": "诚信宣传月" if k % 4 == 2 else "",
            "source": "区发展和改革局",
            "status": "published",
            "published_at": now - timedelta(days=1 + 6 * k),
            "author": "bench",
            "created_at": now,
            "updated_at": now,
        }
        for k in range(n)
    ]
    with engine.begin() as conn:
        conn.execute(insert(Article), rows)
    return n


def build(engine: Engine, subjects: int, records: int, entries: int) -> dict[str, Any]:
    """Every table the public pages read, filled; the seconds of each phase and the row counts."""
    phases: dict[str, float] = {}
    t = time.perf_counter()
    upgrade(engine)
    phases["migrate"] = round(time.perf_counter() - t, 1)
    t = time.perf_counter()
    demo = build_subjects(engine, subjects)
    phases["subjects"] = round(time.perf_counter() - t, 1)
    for name, seconds in build_records(engine, subjects, records).items():
        phases[f"records_{name}"] = seconds
    t = time.perf_counter()
    build_lists_and_commitments(engine, entries)
    build_articles(engine)
    phases["lists_commitments_articles"] = round(time.perf_counter() - t, 1)
    t = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(text("ANALYZE"))
    phases["analyze"] = round(time.perf_counter() - t, 1)
    t = time.perf_counter()
    with Session(engine) as session:
        ctx = system_context(session, "bench")
        graded = run_evaluation(ctx, ctx.today, "general")
        session.commit()
    phases["evaluation"] = round(time.perf_counter() - t, 1)
    tables = ("subject", "subject_name_gram", "credit_record", "record_effect", "list_entry", "commitment")
    tables += ("portal_article", "evaluation_result")
    with engine.connect() as conn:
        counts = {table: int(conn.scalar(text(f"SELECT count(*) FROM {table}")) or 0) for table in tables}
        public_items = ", ".join(f"'{i}'" for i in PUBLIC_ITEMS)
        counts["public_item_records"] = int(
            conn.scalar(text(f"SELECT count(*) FROM credit_record WHERE item_id IN ({public_items})")) or 0
        )
    return {
        "counts": counts,
        "subjects_by_kind": demo["by_kind"],
        "grades": {str(k): int(v) for k, v in graded.grades.items()},
        "phases_s": phases,
        "build_s": round(sum(phases.values()), 1),
    }


# --------------------------------------------------------------------------------------------- what to request
def _public_rows(session: Session, subject_id: int) -> int:
    ctx = Context(session=session, actor="public", role="public")
    return len(publication.public_records_of_subject(ctx, subject_id))


def pick_subjects(engine: Engine, n: int) -> list[int]:
    """One organisation with public 双公示 records from each of ``n`` equal slices of the id range (its page has a
    records table to show), in an order that jumps across the range."""
    items = ", ".join(f"'{i}'" for i in PUBLIC_ITEMS)
    picked: list[int] = []
    with Session(engine) as session:
        top = int(session.scalar(text("SELECT max(id) FROM subject")) or 0)
        width = max(1, top // n)
        for k in range(n):
            candidates = session.execute(
                text(
                    "SELECT DISTINCT r.subject_id FROM credit_record r JOIN subject s ON s.id = r.subject_id "
                    f"WHERE r.subject_id BETWEEN :lo AND :hi AND r.item_id IN ({items}) "
                    "AND s.kind <> 'natural_person' ORDER BY r.subject_id LIMIT 10"
                ),
                {"lo": k * width + 1, "hi": (k + 1) * width},
            ).scalars()
            found = next((int(c) for c in candidates if _public_rows(session, int(c)) > 0), None)
            if found is not None:
                picked.append(found)
    random.Random(5).shuffle(picked)
    return picked


def heaviest_subject(engine: Engine) -> dict[str, int]:
    """The organisation with the most 双公示 records (the lower ids carry the concentrated negative records)."""
    items = ", ".join(f"'{i}'" for i in PUBLIC_ITEMS)
    with Session(engine) as session:
        rows = session.execute(
            text(
                f"SELECT subject_id, count(*) AS n FROM credit_record WHERE item_id IN ({items}) "
                "AND subject_id IS NOT NULL GROUP BY subject_id ORDER BY n DESC LIMIT 20"
            )
        ).all()
        for subject_id, count in rows:
            kind = session.scalar(select(Subject.kind).where(Subject.id == subject_id))
            if kind != "natural_person":
                return {
                    "id": int(subject_id),
                    "records": int(count),
                    "shown": _public_rows(session, int(subject_id)),
                }
    raise RuntimeError("no organisation with records")


def search_paths(engine: Engine, n: int) -> list[str]:
    """``/search?q=…`` for queries drawn as bench_search.py draws them (fragments, names, code prefixes, a few
    very common fragments and some matching nothing)."""
    with Session(engine) as session:
        queries = bench_search.draw_queries(session, n, 7)
    random.Random(6).shuffle(queries)
    return ["/search?" + urlencode({"q": q}) for _, q in queries]


def rotation(subjects: list[int], searches: list[str], n: int) -> list[str]:
    """``n`` rounds of home, a search, a subject page, /gongshi/penalty and /lists/public."""
    paths: list[str] = []
    for k in range(n):
        paths += ["/", searches[k % len(searches)], f"/subjects/{subjects[k % len(subjects)]}"]
        paths += ["/gongshi/penalty", "/lists/public"]
    return paths


# --------------------------------------------------------------------------------------------- the measurements
def _summary(latencies: list[float], statuses: dict[int, int], wall: float) -> dict[str, Any]:
    ms = sorted(x * 1000 for x in latencies)

    def pct(p: float) -> float:
        return round(ms[min(len(ms) - 1, int(p * len(ms)))], 2) if ms else 0.0

    return {
        "requests": len(ms),
        "ok": sum(v for k, v in statuses.items() if 200 <= k < 300),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "p50_ms": round(statistics.median(ms), 2) if ms else 0.0,
        "p90_ms": pct(0.90),
        "p99_ms": pct(0.99),
        "max_ms": round(ms[-1], 2) if ms else 0.0,
        "mean_ms": round(statistics.fmean(ms), 2) if ms else 0.0,
        "wall_s": round(wall, 2),
    }


def sequential(
    port: int, paths: Sequence[str], warm: Sequence[str] = (), max_seconds: float = PHASE_SECONDS
) -> dict[str, Any]:
    """One keep-alive connection, one request at a time: ``warm`` first (not timed), then each of ``paths`` once,
    in order, until all are done or ``max_seconds`` have passed."""
    conn = checks_bench._Connection(port)
    try:
        for path in warm:
            conn.get(checks_bench._prepared(path, {}))
        requests = [checks_bench._prepared(p, {}) for p in paths]
        latencies: list[float] = []
        statuses: dict[int, int] = {}
        started = time.perf_counter()
        for request in requests:
            t = time.perf_counter()
            try:
                status = conn.get(request)
            except (OSError, ValueError):
                conn.close()
                conn = checks_bench._Connection(port)
                status = 0
            latencies.append(time.perf_counter() - t)
            statuses[status] = statuses.get(status, 0) + 1
            if time.perf_counter() - started > max_seconds:
                break
        return _summary(latencies, statuses, time.perf_counter() - started)
    finally:
        conn.close()


WRK_LUA = r"""
local threads = {}
local paths = {}
local i = 0
setup = function(thread) table.insert(threads, thread) end
init = function(args)
  for line in io.lines(args[1]) do paths[#paths + 1] = line end
  i = tonumber(args[2]) or 0
  s3, s4, s5 = 0, 0, 0
end
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
response = function(status, headers, body)
  if status >= 500 then s5 = s5 + 1 elseif status >= 400 then s4 = s4 + 1 elseif status >= 300 then s3 = s3 + 1 end
end
done = function(summary, latency, requests)
  local c3, c4, c5 = 0, 0, 0
  for _, t in ipairs(threads) do c3 = c3 + t:get("s3"); c4 = c4 + t:get("s4"); c5 = c5 + t:get("s5") end
  local e = summary.errors
  io.write(string.format(
    '\nWRKJSON {"requests": %d, "micros": %d, "s3xx": %d, "s4xx": %d, "s5xx": %d, "connect": %d, "read": %d, '
    .. '"write": %d, "timeout": %d, "p50": %d, "p90": %d, "p99": %d, "max": %d}\n',
    summary.requests, summary.duration, c3, c4, c5, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
"""


def wrk_run(ports: list[int], paths: list[str], readers: int, seconds: float) -> dict[str, Any] | None:
    """``readers`` keep-alive connections for ``seconds`` with wrk, one instance per port (``readers / ports``
    connections and one thread each), rotating over ``paths``; ``None`` without wrk. Answers by class (2xx = the
    rest), socket errors by kind (a timeout: no answer within ``WRK_TIMEOUT_S``); latency percentiles are the worst
    of the instances (wrk counts answered requests only)."""
    exe = shutil.which("wrk")
    if exe is None:
        return None
    with tempfile.TemporaryDirectory(prefix="xinyong-wrk-") as tmp:
        script = Path(tmp) / "rotate.lua"
        script.write_text(WRK_LUA, encoding="utf-8")
        listing = Path(tmp) / "paths.txt"
        listing.write_text("\n".join(paths) + "\n", encoding="utf-8")
        per_port = max(1, readers // len(ports))
        procs = []
        for k, port in enumerate(ports):
            cmd = [exe, "-t1", f"-c{per_port}", f"-d{seconds:g}s", "--timeout", f"{WRK_TIMEOUT_S}s", "-s", str(script)]
            cmd += [f"http://127.0.0.1:{port}", "--", str(listing), str(k * len(paths) // len(ports))]
            procs.append(subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
        outs = [p.communicate(timeout=seconds + 120) for p in procs]
    parts = []
    for out, err in outs:
        line = next((x for x in out.splitlines() if x.startswith("WRKJSON ")), None)
        if line is None:
            raise RuntimeError(f"wrk gave no summary: {out[-500:]} {err[-500:]}")
        parts.append(json.loads(line[8:]))
    wall = max(p["micros"] for p in parts) / 1e6

    def total(key: str) -> int:
        return sum(int(p[key]) for p in parts)

    requests = total("requests")
    non_2xx = total("s3xx") + total("s4xx") + total("s5xx")
    sockets = {k: total(k) for k in ("connect", "read", "write", "timeout")}
    return {
        "generator": "wrk",
        "readers": per_port * len(ports),
        "seconds": round(seconds, 1),
        "requests": requests,
        "ok": requests - non_2xx,
        "non_2xx": non_2xx,
        "status_3xx_4xx_5xx": [total("s3xx"), total("s4xx"), total("s5xx")],
        "socket_errors": sum(sockets.values()),
        "socket_errors_by_kind": sockets,
        "per_s": round(requests / wall, 1),
        "ok_per_s": round((requests - non_2xx) / wall, 1),
        "p50_ms": round(max(p["p50"] for p in parts) / 1000, 1),
        "p90_ms": round(max(p["p90"] for p in parts) / 1000, 1),
        "p99_ms": round(max(p["p99"] for p in parts) / 1000, 1),
        "max_ms": round(max(p["max"] for p in parts) / 1000, 1),
        "wall_s": round(wall, 1),
    }


def loaded(ports: list[int], pids: list[int], paths: list[str], readers: int, seconds: float) -> dict[str, Any]:
    """``readers`` concurrent readers for ``seconds``: wrk when installed, else checks_bench's Python generator
    (one process per reader; a dropped connection counts as a socket error); the servers' CPU share."""
    cpu = checks_bench._cpu_seconds(pids)
    before = loadavg()
    out = wrk_run(ports, paths, readers, seconds)
    if out is None:
        out = checks_bench.load(ports, paths, {}, readers, seconds) | {"generator": "python", "readers": readers}
        out["socket_errors"] = out["statuses"].get("0", 0)
        out["non_2xx"] = out["requests"] - out["ok"] - out["socket_errors"]
    # wrk counts only the requests that were answered: a reader whose request is never answered during the phase
    # (a stalled server) shows as nothing. Fewer answers than readers means at least the difference waited the
    # whole phase, longer than any timeout: counted as errors.
    out["unanswered_readers_min"] = max(0, out["readers"] - out["requests"])
    out["errors"] = out["non_2xx"] + out["socket_errors"] + out["unanswered_readers_min"]
    out["server_cpu_share"] = round((checks_bench._cpu_seconds(pids) - cpu) / out["wall_s"] / CPUS, 2)
    out["loadavg"] = [before[0], loadavg()[0]]
    return out


def settle(port: int, pids: list[int], max_seconds: float = 300.0) -> float:
    """Wait until the servers are idle again (under 5% of a CPU over half a second, and ``/healthz`` answered
    within 50 ms three times in a row): the requests a loaded phase left queued when its generator stopped are
    still being answered, by the servers or, on PostgreSQL, by the database's own processes. Returns the seconds
    waited."""
    started = time.perf_counter()
    fast = 0
    while time.perf_counter() - started < max_seconds and fast < 3:
        cpu = checks_bench._cpu_seconds(pids)
        time.sleep(0.5)
        if checks_bench._cpu_seconds(pids) - cpu >= 0.025:
            fast = 0
            continue
        probe = sequential(port, ["/healthz"], max_seconds=30)
        fast = fast + 1 if probe["ok"] and probe["max_ms"] < 50 else 0
    return round(time.perf_counter() - started, 1)


def measure_loads(ports: list[int], pids: list[int], paths: list[str], args: argparse.Namespace) -> dict[str, Any]:
    """The loaded phases, the heaviest last (what it leaves queued is not waited for: the servers are stopped):
    ``baseline`` (a static file), ``healthz``, ``load_no_gongshi`` (the rotation without ``/gongshi/penalty``),
    ``load``."""
    out: dict[str, Any] = {}
    out["baseline"] = loaded(ports, pids, [STATIC], args.readers, args.seconds)
    out["baseline"]["drain_s"] = settle(ports[0], pids)
    out["healthz"] = loaded(ports, pids, ["/healthz"], args.readers, args.seconds)
    out["healthz"]["drain_s"] = settle(ports[0], pids)
    light = [p for p in paths if not p.startswith("/gongshi/")]
    out["load_no_gongshi"] = loaded(ports, pids, light, args.readers, args.seconds)
    out["load_no_gongshi"]["drain_s"] = settle(ports[0], pids)
    out["load"] = loaded(ports, pids, paths, args.readers, args.seconds)
    out["servers_alive"] = all(os.path.exists(f"/proc/{pid}") for pid in pids)
    return out


def measure(url: str, engine: Engine, args: argparse.Namespace) -> dict[str, Any]:
    """Pick the URLs, serve the database, run every phase."""
    subjects = pick_subjects(engine, args.sample + 30)
    heavy = heaviest_subject(engine)
    searches = search_paths(engine, 200)
    warm_subjects, sample = subjects[:30], subjects[30:]
    out: dict[str, Any] = {
        "sample_subjects": len(sample),
        "heaviest": heavy,
        "search_queries": len(searches),
        "rate_search_per_minute": RATE_SEARCH_PER_MINUTE,
    }
    os.environ["XINYONG_RATE_SEARCH_PER_MINUTE"] = str(RATE_SEARCH_PER_MINUTE)  # read by the servers started below
    paths = rotation(subjects, searches, 2000)
    out["loadavg_before"] = loadavg()
    with checks_bench.served(url, args.processes, APP) as (ports, pids):
        port = ports[0]
        warm = ["/healthz", STATIC, *[f"/subjects/{i}" for i in warm_subjects[:10]], searches[-1]]
        warm += ["/lists/public/wage_arrears", "/commitments/public"]
        seq: dict[str, Any] = {}
        seq["healthz"] = sequential(port, ["/healthz"] * 300, warm)
        seq["static"] = sequential(port, [STATIC] * 300)
        seq["home_first"] = sequential(port, ["/"])
        seq["home"] = sequential(port, ["/"] * HOME_REPEATS)
        seq["subject"] = sequential(port, [f"/subjects/{i}" for i in sample], [f"/subjects/{i}" for i in warm_subjects])
        seq["subject_heaviest"] = sequential(port, [f"/subjects/{heavy['id']}"] * 20)
        seq["search"] = sequential(port, searches)
        seq["lists"] = sequential(port, ["/lists/public"] * 50)
        seq["gongshi"] = sequential(port, ["/gongshi/penalty"] * 10)
        out["sequential"] = seq
        for other in ports[1:]:  # the other servers' first requests (templates, pools, figures) before the load
            sequential(other, [*warm, "/"])
        out |= measure_loads(ports, pids, paths, args)
    out["loadavg_after"] = loadavg()
    out["within_target"] = {
        "home_median": seq["home"]["p50_ms"] <= TARGET_MEDIAN_MS,
        "subject_median": seq["subject"]["p50_ms"] <= TARGET_MEDIAN_MS,
        "readers_no_errors": out["load"]["errors"] == 0 and out["load"]["readers"] >= TARGET_READERS,
    }
    return out


# --------------------------------------------------------------------------------------------- databases
@contextmanager
def sqlite_database() -> Iterator[tuple[str, Engine, Path]]:
    with tempfile.TemporaryDirectory(prefix="xinyong-portal-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'portal.db'}"
        engine = make_engine(url)
        try:
            yield url, engine, Path(tmp)
        finally:
            engine.dispose()


@contextmanager
def postgresql_database(base: str) -> Iterator[tuple[str, Engine, None]]:
    schema = f"bench_portal_{uuid.uuid4().hex[:8]}"
    admin = create_engine(make_engine(base).url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    scoped = make_url(admin.url).update_query_dict({"options": f"-csearch_path={schema}"})
    url = scoped.render_as_string(hide_password=False)
    try:
        engine = make_engine(url)
        try:
            yield url, engine, None
        finally:
            engine.dispose()
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Every database in turn."""
    wrk = shutil.which("wrk")
    report: dict[str, Any] = {
        "subjects": args.subjects,
        "records": args.records,
        "entries": args.entries,
        "readers": args.readers,
        "seconds": args.seconds,
        "processes": args.processes,
        "targets": {"median_ms": TARGET_MEDIAN_MS, "readers": TARGET_READERS},
        "machine": {"cpus": CPUS, "python": platform.python_version(), "platform": platform.platform()},
        "server": f"{args.processes} × uvicorn --http {checks_bench.SERVER_HTTP} --loop {checks_bench.SERVER_LOOP}",
        "load_generator": "wrk (one instance per server port, one thread, Lua script rotating the paths)"
        if wrk
        else "Python, one process per reader, keep-alive raw-socket HTTP/1.1 (checks_bench.load)",
        "wrk": checks_bench._wrk_version(),
        "loadavg_start": loadavg(),
        "runs": [],
    }
    databases: list[tuple[str, Callable[[], Any]]] = [("sqlite", sqlite_database)]
    if args.pg_url:
        databases.append(("postgresql", lambda: postgresql_database(args.pg_url)))
    for name, opener in databases:
        with opener() as (url, engine, folder):
            print(f"-- portal: {name}: building {args.subjects:,} subjects, {args.records:,} records", flush=True)
            entry: dict[str, Any] = {"database": name, "loadavg_before_build": loadavg()}
            entry["build"] = build(engine, args.subjects, args.records, args.entries)
            if folder is not None:
                entry["file_mb"] = round(sum(p.stat().st_size for p in folder.iterdir()) / 1e6)
            if name == "postgresql":
                entry["settings"] = checks_bench._pg_settings(engine)
            print(f"-- portal: {name}: built in {entry['build']['build_s']} s; serving and measuring", flush=True)
            entry |= measure(url, engine, args)
            report["runs"].append(entry)
            print(
                json.dumps(
                    {k: entry.get(k) for k in ("database", "sequential", "load", "load_no_gongshi", "within_target")},
                    ensure_ascii=False,
                ),
                flush=True,
            )
    report["loadavg_end"] = loadavg()
    return report


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--subjects", type=int, default=1_000_000)
    ap.add_argument("--records", type=int, default=5_000_000)
    ap.add_argument("--entries", type=int, help="list entries, and as many commitments (default: subjects / 20)")
    ap.add_argument("--readers", type=int, default=TARGET_READERS, help="concurrent readers of the loaded phases")
    ap.add_argument("--seconds", type=float, default=30.0, help="length of each loaded phase")
    ap.add_argument("--sample", type=int, default=300, help="subject pages timed one by one")
    ap.add_argument("--processes", type=int, default=2, help="single-worker uvicorn servers, one port each")
    ap.add_argument("--pg-url", default=PG_URL)
    ap.add_argument("--no-pg", action="store_true")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # a terminated run still stops its servers
    if args.no_pg:
        args.pg_url = None
    if args.entries is None:
        args.entries = max(1, args.subjects // 20)
    report = run(args)
    out = json.dumps(report, ensure_ascii=False, indent=1)
    if args.json:
        args.json.write_text(out, encoding="utf-8")


if __name__ == "__main__":
    main()
