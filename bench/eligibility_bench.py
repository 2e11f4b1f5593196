"""Benchmark the incentive eligibility API over HTTP (issue #9: eligibility API p99 ≤ 20 ms), beside ``/healthz``.

    .venv/bin/python bench/eligibility_bench.py [--persons 100000] [--consents 20000] [--seconds 10]
        [--concurrency 4] [--processes 2] [--pg-url URL] [--no-pg] [--json OUT]

For each database (a fresh SQLite file, a throw-away PostgreSQL schema): migrate; bulk-insert ``--persons`` natural
persons, a current personal-score run scoring every one of them (bands spread over the five), the five demo
providers and ``--consents`` consent tokens of the rental provider for ``rental_deposit_waiver`` (90% live, 5%
revoked, 5% expired; their raw tokens kept by the bench); issue the rental provider an API token (scope
``incentives.check``); serve the app with uvicorn on 127.0.0.1 (``checks_bench.served``: single-worker processes,
``--http httptools --loop uvloop`` as ``xinyong serve``); wait until the servers are idle (their start-up warm-up
of the dashboard's figures done: ``checks_bench.settle``, the seconds in ``settle_s``); then measure, after a
warm-up:

* ``healthz``: ``GET /healthz`` by one client (the floor: no credential, a trivial query and the schema revision;
  ``checks_bench.load``);
* ``single``: ``POST /api/v1/incentives/eligibility`` by one client on one keep-alive connection (the latency the
  target is about: token look-up, provider, consent by its hash, current score, the check row, the audit event,
  the commit);
* ``load``: the same by ``--concurrency`` clients (one process and keep-alive connection each).

Every answered question must be logged: ``eligibility_check`` rows are counted against the answers
(``all_logged``). The rate limiter runs as in production, its cap raised for the bench (``bench_app``): one client
asks far more than a provider's default 600 a minute.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import random
import signal
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, insert, select, text
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).parent))
import checks_bench as cb

from xinyong.auth import tokens
from xinyong.auth.context import Context
from xinyong.auth.pii import encrypt, lookup_hash, mask_id
from xinyong.codes.uscc import make_uscc
from xinyong.db.migrate import upgrade
from xinyong.demo.lifecycle_incentives import PROVIDERS
from xinyong.incentives import service
from xinyong.incentives.models import (
    ConsentToken,
    EligibilityCheck,
    IncentiveProvider,
    PersonalScore,
    PersonalScoreRun,
)
from xinyong.subjects.models import Subject

TARGET_P99_MS = 20.0
SCENARIO = "rental_deposit_waiver"
PATH = "/api/v1/incentives/eligibility"
BANDS = (("excellent", 780, 0.1), ("very_good", 720, 0.25), ("good", 650, 0.45), ("fair", 570, 0.1), ("poor", 480, 0.1))
CHUNK = 20_000


def bench_app() -> Any:
    """The app as served, with the eligibility rate limit raised (the limiter itself still runs on every call)."""
    from xinyong.web import middleware
    from xinyong.web.app import create_app

    original = middleware._per_minute
    middleware._per_minute = lambda bucket: 10_000_000 if bucket == middleware.ELIGIBILITY_BUCKET else original(bucket)
    return create_app()


def _token(rng: random.Random) -> str:
    body = "".join(rng.choice(service.TOKEN_ALPHABET) for _ in range(service.TOKEN_BODY))
    return "-".join([service.TOKEN_PREFIX] + [body[i : i + 5] for i in range(0, service.TOKEN_BODY, 5)])


def build(engine: Engine, persons: int, consents: int) -> dict[str, Any]:
    """Persons, their scores, providers and consents bulk-inserted; the live and dead raw tokens."""
    t0 = time.perf_counter()
    upgrade(engine)
    phases: dict[str, float] = {"migrate": round(time.perf_counter() - t0, 2)}
    now = datetime.now(UTC)
    rng = random.Random(2026)
    t = time.perf_counter()
    with engine.begin() as conn:
        rows: list[dict[str, Any]] = []
        for n in range(persons):
            code = cb._ric(n)
            name = f"基准测试居民{n:07d}"
            rows.append(
                {"kind": "natural_person", "name": name, "name_key": name, "created_at": now, "uscc": None}
                | {"ric_cipher": encrypt(code), "ric_hash": lookup_hash(code), "ric_masked": mask_id(code)}
            )
            if len(rows) == CHUNK:
                conn.execute(insert(Subject), rows)
                rows = []
        if rows:
            conn.execute(insert(Subject), rows)
        first = int(conn.scalar(select(func.min(Subject.id))) or 0)
    phases["persons"] = round(time.perf_counter() - t, 2)
    t = time.perf_counter()
    with engine.begin() as conn:
        run_id = conn.execute(
            insert(PersonalScoreRun).returning(PersonalScoreRun.id),
            {
                "model": "honesty",
                "model_version": 1,
                "as_of": date.today(),
                "current": True,
                "persons": persons,
                "seconds": 0.0,
                "actor": "bench",
                "started_at": now,
            },
        ).scalar_one()
        cuts = []
        acc = 0.0
        for band, score, share in BANDS:
            acc += share
            cuts.append((acc, band, score))
        rows = []
        for n in range(persons):
            r = rng.random()
            _, band, score = next(c for c in cuts if r <= c[0] + 1e-9)
            rows.append({"run_id": run_id, "subject_id": first + n, "score": score, "band": band, "reasons": []})
            if len(rows) == CHUNK:
                conn.execute(insert(PersonalScore), rows)
                rows = []
        if rows:
            conn.execute(insert(PersonalScore), rows)
        for name, kind, body in PROVIDERS:
            conn.execute(
                insert(IncentiveProvider),
                {
                    "name": name,
                    "uscc": make_uscc("9", "1", "440113", body),
                    "kind": kind,
                    "active": True,
                    "registered_by": "bench",
                    "registered_at": now,
                },
            )
        rental_name = next(name for name, kind, _ in PROVIDERS if kind == "rental")
        rental = conn.scalar(select(IncentiveProvider.id).where(IncentiveProvider.name == rental_name))
    phases["scores"] = round(time.perf_counter() - t, 2)
    t = time.perf_counter()
    live: list[str] = []
    dead: list[str] = []
    with engine.begin() as conn:
        rows = []
        for k in range(consents):
            raw = _token(rng)
            state = "live" if k % 20 < 18 else ("revoked" if k % 20 == 18 else "expired")
            (live if state == "live" else dead).append(raw)
            issued = now - timedelta(days=20 if state == "expired" else 2)
            rows.append(
                {
                    "subject_id": first + rng.randrange(persons),
                    "provider_id": rental,
                    "scenario": SCENARIO,
                    "token_hash": service.token_hash(raw),
                    "issued_at": issued,
                    "expires_at": issued + timedelta(days=14),
                    "revoked_at": now if state == "revoked" else None,
                    "uses": 0,
                }
            )
            if len(rows) == CHUNK:
                conn.execute(insert(ConsentToken), rows)
                rows = []
        if rows:
            conn.execute(insert(ConsentToken), rows)
    phases["consents"] = round(time.perf_counter() - t, 2)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            for table in ("subject", "personal_score", "personal_score_run", "consent_token", "incentive_provider"):
                conn.execute(text(f"ANALYZE {table}"))
        else:
            conn.execute(text("ANALYZE"))
    return {
        "persons": persons,
        "consents": consents,
        "phases_s": phases,
        "build_s": round(time.perf_counter() - t0, 2),
        "live": live,
        "dead": dead,
        "rental": rental_name,
    }


def issue_token(engine: Engine, institution: str) -> str:
    """The rental provider's API token (scope ``incentives.check``)."""
    with Session(engine) as session:
        ctx = Context(session=session, actor="bench:admin", role="credit_office_admin")
        raw, _ = tokens.create_token(
            ctx,
            "租房平台核验系统（基准测试）",
            "provider",
            institution=institution,
            scopes=["incentives.check"],
            expires_on=ctx.today + timedelta(days=7),
        )
        session.commit()
    return raw


# --------------------------------------------------------------------------------------------- the load
def _request(bearer: str, consent: str) -> bytes:
    body = json.dumps({"token": consent, "scenario": SCENARIO}).encode()
    head = (
        f"POST {PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {bearer}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


def _stats(latencies: list[float], statuses: dict[int, int], wall: float) -> dict[str, Any]:
    latencies = sorted(latencies)

    def pct(p: float) -> float:
        return round(latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000, 2) if latencies else 0.0

    answered = statuses.get(200, 0) + statuses.get(403, 0)
    return {
        "requests": len(latencies),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "answered": answered,
        "per_s": round(len(latencies) / wall) if wall else 0,
        "p50_ms": pct(0.50),
        "p90_ms": pct(0.90),
        "p99_ms": pct(0.99),
        "max_ms": pct(1.0),
        "wall_s": round(wall, 1),
    }


def _run(port: int, requests: list[bytes], seconds: float) -> tuple[list[float], dict[int, int], float]:
    conn = cb._Connection(port)
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    started = time.perf_counter()
    stop_at = started + seconds
    i = 0
    while time.perf_counter() < stop_at:
        t = time.perf_counter()
        try:
            status = conn.get(requests[i % len(requests)])
        except (OSError, ValueError):
            conn.close()
            conn = cb._Connection(port)
            status = 0
        latencies.append(time.perf_counter() - t)
        statuses[status] = statuses.get(status, 0) + 1
        i += 1
    conn.close()
    return latencies, statuses, time.perf_counter() - started


def single(port: int, requests: list[bytes], seconds: float) -> dict[str, Any]:
    """One client, one keep-alive connection, in this process."""
    return _stats(*_run(port, requests, seconds))


def _client(args: tuple[int, list[bytes], float, Any, Any, Any]) -> None:
    port, requests, seconds, queue, ready, go = args
    ready.put(1)
    go.wait()
    queue.put(_run(port, requests, seconds)[:2])


def loaded(ports: list[int], requests: list[bytes], concurrency: int, seconds: float) -> dict[str, Any]:
    """``concurrency`` client processes (spread over the servers' ports) started together."""
    ctx = multiprocessing.get_context("spawn")
    queue, ready, go = ctx.Queue(), ctx.Queue(), ctx.Event()
    procs = [
        ctx.Process(
            target=_client, args=((ports[c % len(ports)], requests[c::concurrency], seconds, queue, ready, go),)
        )
        for c in range(concurrency)
    ]
    for p in procs:
        p.start()
    for _ in procs:
        ready.get(timeout=180)
    started = time.perf_counter()
    go.set()
    results = [queue.get(timeout=seconds + 120) for _ in procs]
    wall = time.perf_counter() - started
    for p in procs:
        p.join()
    latencies = [x for lat, _ in results for x in lat]
    statuses: dict[int, int] = {}
    for _, st in results:
        for k, v in st.items():
            statuses[k] = statuses.get(k, 0) + v
    return _stats(latencies, statuses, wall) | {"concurrency": concurrency}


def _checks(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(EligibilityCheck)) or 0)


def measure(url: str, engine: Engine, built: dict[str, Any], args: argparse.Namespace) -> dict[str, Any]:
    """Serve the database and run every phase against it."""
    bearer = issue_token(engine, built["rental"])
    rng = random.Random(7)
    mix = [rng.choice(built["dead"]) if rng.random() < 0.1 else rng.choice(built["live"]) for _ in range(20_000)]
    requests = [_request(bearer, c) for c in mix]
    out: dict[str, Any] = {"processes": args.processes, "load_before": round(os.getloadavg()[0], 2)}
    with cb.served(url, args.processes, "eligibility_bench:bench_app") as (ports, pids):
        out["settle_s"] = cb.settle(pids)  # the start-up warm-up done: steady traffic is measured
        single(ports[0], requests[:500], 2.0)  # warm-up: connections, caches
        before = _checks(engine)
        out["healthz"] = cb.load(ports[:1], ["/healthz"], {}, 1, 3.0)
        out["single"] = single(ports[0], requests, args.seconds)
        cpu = cb._cpu_seconds(pids)
        out["load"] = loaded(ports, requests, args.concurrency, args.seconds)
        out["load"]["server_cpu_share"] = round((cb._cpu_seconds(pids) - cpu) / out["load"]["wall_s"] / cb.CPUS, 2)
        time.sleep(0.5)
        logged = _checks(engine) - before
    answered = out["single"]["answered"] + out["load"]["answered"]
    out["logged_rows"] = logged
    out["answered"] = answered
    out["all_logged"] = answered <= logged <= answered + args.concurrency
    out["load_after"] = round(os.getloadavg()[0], 2)
    out["within_target"] = {
        "p99": out["single"]["p99_ms"] <= TARGET_P99_MS,
        "p99_under_load": out["load"]["p99_ms"] <= TARGET_P99_MS,
    }
    return out


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Every database in turn."""
    report: dict[str, Any] = {
        "persons": args.persons,
        "consents": args.consents,
        "targets": {"p99_ms": TARGET_P99_MS},
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "server": f"uvicorn --http {cb.SERVER_HTTP} --loop {cb.SERVER_LOOP}",
        "loadavg_start": [round(x, 2) for x in os.getloadavg()],
        "runs": [],
    }
    databases: list[tuple[str, Callable[[], Any]]] = [("sqlite", cb.sqlite_database)]
    if args.pg_url:
        databases.append(("postgresql", lambda: cb.postgresql_database(args.pg_url)))
    for name, opener in databases:
        with opener() as (url, engine):
            print(f"-- eligibility: {name}: building {args.persons:,} persons, {args.consents:,} consents", flush=True)
            built = build(engine, args.persons, args.consents)
            entry: dict[str, Any] = {"database": name} | {
                k: v for k, v in built.items() if k not in ("live", "dead", "rental")
            }
            if name == "postgresql":
                entry["settings"] = cb._pg_settings(engine)
            print(f"-- eligibility: {name}: serving and measuring", flush=True)
            entry |= measure(url, engine, built, args)
            report["runs"].append(entry)
            print(json.dumps({k: entry[k] for k in ("healthz", "single", "load", "all_logged", "within_target")}))
    report["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    return report


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--persons", type=int, default=100_000)
    ap.add_argument("--consents", type=int, default=20_000)
    ap.add_argument("--processes", type=int, default=2, help="single-worker uvicorn servers, one port each")
    ap.add_argument("--concurrency", type=int, default=4, help="clients of the load phase")
    ap.add_argument("--seconds", type=float, default=10.0, help="length of the single and load phases")
    ap.add_argument("--pg-url", default=cb.PG_URL)
    ap.add_argument("--no-pg", action="store_true")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # a terminated run still stops its servers
    if args.no_pg:
        args.pg_url = None
    report = run(args)
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
