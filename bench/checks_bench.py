"""Benchmark the joint check over HTTP (issue #7: single check p99 ≤ 20 ms and ≥ 1,000 checks/s on this 2-core
machine with 100,000 list entries; a batch of 10,000 codes ≤ 2 s).

    .venv/bin/python bench/checks_bench.py [--entries 100000] [--workers 2] [--concurrency 8] [--seconds 10]
        [--pg-url URL] [--no-pg] [--no-sqlite] [--json OUT]

For each database (a fresh SQLite file, a throw-away PostgreSQL schema): migrate; bulk-insert the departments,
``1.2 × entries`` subjects (95% enterprises by USCC, 5% natural persons by the keyed hash of their ID number) and
``--entries`` list entries over the six list types (a tenth of the listed subjects on two lists; a tenth of the
entries expired or removed, so membership really depends on the day); issue a department API token (区财政局,
scopes ``checks.run``); serve ``xinyong.web.app:create_app`` with uvicorn (``--http httptools --loop uvloop``, as
``xinyong serve`` does) on 127.0.0.1 in a subprocess; then a Python load generator (one process per client, each
with one keep-alive connection on a raw socket and prepared requests, bounded by time and count) measures, once the
servers are idle (their start-up warm-up done: ``settle``) and after a warm-up:

* ``healthz``: ``GET /healthz`` by one client (the floor: no credential, a trivial query and the schema
  revision), and by ``--concurrency`` clients (``healthz_load``: the most requests per second this stack answers
  here at all);
* ``auth``: ``GET /api/v1/me`` with the token by one client (framework + token look-up + last-use write +
  commit: what every authenticated call pays before its own work);
* ``single``: ``GET /api/v1/checks?code=…&scenario=procurement`` by one client (latency without queueing);
* ``load``: the same by ``--concurrency`` clients (throughput, and latency under load);
* ``batch``: ``POST /api/v1/checks/batch`` of 10,000 codes, three times (seconds each, client side).

When ``wrk`` is installed (Debian package ``wrk``; ``make bench`` installs it), the two loaded phases are measured
again with it (``healthz_load_wrk``, ``load_wrk``: one wrk per server port, one thread and ``--concurrency`` /
ports keep-alive connections each, a Lua script rotating the same codes; p50/p99 = the worse of the instances): a C
generator takes far less of the 2 CPUs than the Python one, so the server's own capacity shows. Without wrk the
Python generator's figures stand alone.

Codes are drawn from a fixed mix: 50% listed subjects, 38% registered unlisted ones, 10% valid codes nobody
registered, 2% ID numbers of listed natural persons. Every answered check must be logged: the ``list_check`` rows
are counted afterwards against the 200 answers (``all_logged``). The servers' and the clients' CPU use during the
load phase are recorded as shares of the machine's CPUs (the generator runs on the same 2 cores), and the 1-minute
load average before and after each run (other sessions' tests share the machine).

With ``--proposed`` each database is also measured with ``proposed_app`` (SQLite ``BEGIN IMMEDIATE`` everywhere; an
API token's last-use time written at most once a minute): both are now in the app itself, so it is off by default.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import platform
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Depends, Request
from sqlalchemy import Engine, create_engine, func, insert, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from xinyong.auth import tokens
from xinyong.auth.context import Context
from xinyong.auth.pii import encrypt, lookup_hash, mask_id
from xinyong.catalog.departments import load_departments
from xinyong.codes.ric import ric_check_char
from xinyong.codes.uscc import make_uscc
from xinyong.db.migrate import upgrade
from xinyong.db.session import make_engine
from xinyong.lists.models import ListCheck, ListEntry
from xinyong.lists.types import list_catalogue
from xinyong.subjects.models import Department, Subject

PG_URL = os.environ.get("XINYONG_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
TARGET_P99_MS = 20.0
TARGET_PER_S = 1000.0
TARGET_BATCH_S = 2.0
BATCH = 10_000
SCENARIO = "procurement"
LISTS = ("wage_arrears", "serious_dishonesty", "samr_serious_illegal", "abnormal_operation", "contract_honouring")
RED = ("contract_honouring", "integrity_model_sme")
TODAY = date.today()
CHUNK = 20_000
CPUS = os.cpu_count() or 1


# --------------------------------------------------------------------------------------------- data
def _uscc(n: int) -> str:
    return make_uscc("9", "1", "440113", f"M{n:07d}")


def _ric(n: int) -> str:
    first = f"440113{1960 + n % 40}{1 + n % 12:02d}{1 + n % 28:02d}{n % 1000:03d}"
    return first + ric_check_char(first)


def list_entry_row(kind: Any, subject_id: int, department_id: int, published: date, gone: bool, now: datetime) -> dict:
    """One ``list_entry`` row of list type ``kind`` published on ``published`` (removed 30 days later if ``gone``)."""
    return {
        "list_code": kind.code,
        "list_version": kind.version,
        "kind": kind.kind,
        "subject_id": subject_id,
        "role": "subject",
        "department_id": department_id,
        "status": "removed" if gone else "published",
        "reasons": "基准测试列入事由",
        "basis": kind.legal_basis[0].document,
        "decision_on": published if kind.kind == "dishonesty" else None,
        "published_on": published,
        "removed_on": published + timedelta(days=30) if gone else None,
        "removal_reason": "expiry" if gone else None,
        "source_authority": kind.source_authority,
        "created_by": "bench",
        "created_at": now,
    }


def build(engine: Engine, entries: int) -> dict[str, Any]:
    """Departments, subjects and list entries bulk-inserted; the token's department; the code pools."""
    t0 = time.perf_counter()
    upgrade(engine)
    phases: dict[str, float] = {"migrate": round(time.perf_counter() - t0, 2)}
    now = datetime.now(UTC)
    catalogue = list_catalogue().types
    subjects = int(entries * 1.2)
    people = subjects // 20  # the last 5% are natural persons
    listed = int(entries * 0.9)  # subjects 0 … listed-1 are on a list; the first tenth on two
    rng = random.Random(2026)
    t = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(
            insert(Department),
            [
                {"code": d.code, "name": d.name, "uscc": make_uscc("1", d.org_type, "440113", f"MB{i:06d}")}
                for i, d in enumerate(load_departments().departments)
            ],
        )
        dept_ids = dict(conn.execute(select(Department.code, Department.id)).all())
    phases["departments"] = round(time.perf_counter() - t, 2)
    t = time.perf_counter()
    ric_of: dict[int, str] = {}
    with engine.begin() as conn:
        rows: list[dict[str, Any]] = []
        for n in range(subjects):
            person = n >= subjects - people
            base = {"name": f"番禺基准测试主体{n:07d}", "name_key": f"番禺基准测试主体{n:07d}", "created_at": now}
            if person:
                code = _ric(n)
                ric_of[n] = code
                base |= {"kind": "natural_person", "ric_cipher": encrypt(code), "ric_hash": lookup_hash(code)}
                base |= {"ric_masked": mask_id(code), "uscc": None, "uscc_problems": None}
            else:
                base |= {"kind": "legal_person", "uscc": _uscc(n), "uscc_problems": ""}
            rows.append(base)
            if len(rows) == CHUNK:
                conn.execute(insert(Subject), rows)
                rows = []
        if rows:
            conn.execute(insert(Subject), rows)
        first_id = conn.scalar(select(func.min(Subject.id)))
    phases["subjects"] = round(time.perf_counter() - t, 2)
    # subject n has id first_id + n (inserted in order into a fresh table)
    t = time.perf_counter()
    listed_people = [n for n in range(subjects - people, subjects)][: max(1, people // 4)]
    owners: list[tuple[int, str]] = []
    for k in range(entries):
        if k < len(listed_people):
            owners.append((listed_people[k], "wage_arrears"))
            continue
        n = k % listed
        second = k >= listed
        lists = RED if n % 10 == 0 else LISTS
        owners.append((n, lists[(n + (1 if second else 0)) % len(lists)]))
    seen: set[tuple[int, str]] = set()
    made = 0
    with engine.begin() as conn:
        rows = []
        for n, code in owners:
            if (n, code) in seen:
                continue
            seen.add((n, code))
            kind = catalogue[code]
            published = date(2023, 1, 2) + timedelta(days=rng.randrange(0, 1300))
            published = min(published, TODAY - timedelta(days=1))
            gone = rng.random() < 0.1
            rows.append(list_entry_row(kind, first_id + n, dept_ids[kind.department], published, gone, now))
            made += 1
            if len(rows) == CHUNK:
                conn.execute(insert(ListEntry), rows)
                rows = []
        if rows:
            conn.execute(insert(ListEntry), rows)
    phases["entries"] = round(time.perf_counter() - t, 2)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("ANALYZE subject"))
            conn.execute(text("ANALYZE list_entry"))
    else:
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    listed_n = sorted({n for n, _ in owners if n not in ric_of})
    clean_n = [n for n in range(listed, subjects - people)]
    codes = {
        "listed": [_uscc(n) for n in listed_n],
        "clean": [_uscc(n) for n in clean_n],
        "unknown": [_uscc(subjects + n) for n in range(5000)],
        "people": [ric_of[n] for n in listed_people],
    }
    return {
        "subjects": subjects,
        "entries": made,
        "natural_persons": people,
        "phases_s": phases,
        "build_s": round(time.perf_counter() - t0, 2),
        "codes": codes,
        "czj": dept_ids["czj"],
    }


def code_mix(pools: dict[str, list[str]], n: int, seed: int) -> list[str]:
    """``n`` codes: 50% listed, 38% clean, 10% unknown, 2% ID numbers of listed persons."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        r = rng.random()
        pool = "listed" if r < 0.5 else "clean" if r < 0.88 else "unknown" if r < 0.98 else "people"
        out.append(rng.choice(pools[pool]))
    return out


def issue_token(engine: Engine, department_id: int) -> str:
    with Session(engine) as session:
        ctx = Context(session=session, actor="bench:admin", role="credit_office_admin")
        raw, _ = tokens.create_token(
            ctx,
            "财政局采购系统（基准测试）",
            "department_officer",
            department_id=department_id,
            scopes=["checks.run", "checks.feedback"],
            expires_on=ctx.today + timedelta(days=7),
        )
        session.commit()
    return raw


# --------------------------------------------------------------------------------------------- the server
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


TOKEN_TOUCH_SECONDS = 60
SERVER_HTTP = "httptools"  # as ``xinyong serve`` (commands/serve.py)
SERVER_LOOP = "uvloop"


def proposed_app() -> Any:
    """The app with the two changes docs/checks.md proposes outside this slice (a bench-only variant, measured
    beside the app as it is; ``--proposed``):

    * SQLite transactions begun ``BEGIN IMMEDIATE`` (``db.session``): the write lock is taken at the start instead
      of upgrading a read transaction, which SQLite refuses (``database is locked``) when another connection
      committed in between;
    * an API token's ``last_used_at`` written at most once a minute (``web.deps.get_context`` writes it on every
      request: one row every request of that token updates, so on PostgreSQL they queue on its row lock through
      each commit's WAL flush).
    """
    from sqlalchemy import event

    from xinyong import clock
    from xinyong.auth.credentials import SESSION_COOKIE, account_context, resolve_session, resolve_token
    from xinyong.auth.credentials import token_context as make_token_context
    from xinyong.db import session as db_session
    from xinyong.web import deps
    from xinyong.web.app import create_app

    engine = db_session.get_engine()
    if engine.dialect.name == "sqlite":
        event.remove(engine, "begin", db_session._sqlite_begin)
        event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN IMMEDIATE"))

    def get_context(request: Request, session: Session = Depends(deps.get_session)) -> Context:
        now = clock.now()
        extra: dict[str, Any] = {"ip": request.client.host if request.client else "", "at": now}
        if getattr(request.state, "request_id", None):
            extra["request_id"] = request.state.request_id
        auth = request.headers.get("authorization", "")
        if auth:
            scheme, _, raw = auth.partition(" ")
            token = resolve_token(session, raw.strip(), now) if scheme.lower() == "bearer" else None
            if token is None:
                raise deps.NotAuthenticated("令牌无效、已过期或已吊销")
            last = token.last_used_at
            if (
                last is None
                or (now - (last if last.tzinfo else last.replace(tzinfo=UTC))).total_seconds() > TOKEN_TOUCH_SECONDS
            ):
                token.last_used_at = now
            return make_token_context(session, token, **extra)
        cookie = request.cookies.get(SESSION_COOKIE, "")
        if cookie:
            found = resolve_session(session, cookie, now)
            if found is not None:
                request.state.login_session = found[0]
                return account_context(session, found[1], **extra)
        return Context(session=session, actor=deps.PUBLIC_ACTOR, role="public", **extra)

    app = create_app()
    app.dependency_overrides[deps.get_context] = get_context
    return app


def _wait(port: int, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 90
    while True:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                conn.close()
                return
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.3)


@contextmanager
def served(url: str, processes: int, app: str) -> Iterator[tuple[list[int], list[int]]]:
    """``processes`` single-worker uvicorn servers of ``app`` on 127.0.0.1, one port each, each in its own process
    group; stopped (those groups only) afterwards. Separate processes rather than ``--workers``: uvicorn's
    multi-worker mode binds a socket whose accepted connections do not get ``TCP_NODELAY``, which costs every
    keep-alive request a delayed-ACK stall of about 40 ms on Linux (measured: /healthz 45 ms vs 1.7 ms)."""
    env = os.environ | {"XINYONG_DATABASE_URL": url, "XINYONG_COOKIE_SECURE": "false"}
    procs: list[tuple[int, subprocess.Popen[bytes]]] = []
    try:
        for _ in range(processes):
            port = _free_port()
            cmd = [sys.executable, "-m", "uvicorn", app, "--factory", "--app-dir", str(Path(__file__).parent)]
            cmd += ["--host", "127.0.0.1", "--port", str(port), "--no-access-log", "--log-level", "warning"]
            cmd += ["--http", SERVER_HTTP, "--loop", SERVER_LOOP]
            procs.append((port, subprocess.Popen(cmd, env=env, start_new_session=True)))
        for port, proc in procs:
            _wait(port, proc)
        yield [port for port, _ in procs], [proc.pid for _, proc in procs]
    finally:
        for _, proc in procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for _, proc in procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def settle(pids: list[int], idle_share: float = 0.05, most_s: float = 180.0) -> float:
    """Wait until the servers are idle: their CPU use over one second below ``idle_share`` of one CPU (the start-up
    warm-up of the dashboard's and home page's figures, ``dashboard/warmup.py``, runs once per process in a
    background thread; a benchmark of steady traffic starts after it, as a provider's or department's requests
    meet a server that has been up for a while). The seconds waited (at most ``most_s``)."""
    started = time.perf_counter()
    while time.perf_counter() - started < most_s:
        cpu = _cpu_seconds(pids)
        time.sleep(1.0)
        if _cpu_seconds(pids) - cpu < idle_share:
            break
    return round(time.perf_counter() - started, 1)


def _cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds used so far by the server processes (``/proc/<pid>/stat``)."""
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of the line)
    return total / os.sysconf("SC_CLK_TCK")


# --------------------------------------------------------------------------------------------- the load
class _Connection:
    """A minimal keep-alive HTTP/1.1 client on a raw socket: one prepared request per path, the answer read by its
    ``Content-Length`` (far cheaper per request than ``http.client``, so the generator is not what saturates)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""

    def close(self) -> None:
        self.sock.close()

    def get(self, request: bytes) -> int:
        """Send a prepared request, read the whole answer, return its status."""
        self.sock.sendall(request)
        buf = self.buf
        while (end := buf.find(b"\r\n\r\n")) < 0:
            chunk = self.sock.recv(262144)
            if not chunk:
                raise ConnectionError("closed")
            buf += chunk
        head = buf[:end].lower()
        found = head.find(b"content-length:")
        if found < 0:
            raise ConnectionError("no content-length")
        stop = head.find(b"\r\n", found)
        length = int(head[found + 15 : stop if stop > 0 else len(head)])
        body_end = end + 4 + length
        while len(buf) < body_end:
            chunk = self.sock.recv(262144)
            if not chunk:
                raise ConnectionError("closed")
            buf += chunk
        self.buf = buf[body_end:]
        return int(buf[9:12])


def _prepared(path: str, headers: dict[str, str]) -> bytes:
    lines = [f"GET {path} HTTP/1.1", "Host: 127.0.0.1", *(f"{k}: {v}" for k, v in headers.items()), "", ""]
    return "\r\n".join(lines).encode()


def _client(args: tuple[int, list[str], dict[str, str], float, int, Any, Any, Any]) -> None:
    """One client process, one keep-alive connection: GET ``paths`` in turn until the time or count bound. Every
    client connects, says it is ready, and starts when all are (so the clients really run at the same time)."""
    port, paths, headers, seconds, limit, queue, ready, go = args
    requests = [_prepared(p, headers) for p in paths]
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    conn = _Connection(port)
    ready.put(1)
    go.wait()
    cpu = time.process_time()
    stop_at = time.perf_counter() + seconds
    i = 0
    while i < limit and time.perf_counter() < stop_at:
        t = time.perf_counter()
        try:
            status = conn.get(requests[i % len(requests)])
        except (OSError, ValueError):
            conn.close()
            conn = _Connection(port)
            status = 0
        latencies.append(time.perf_counter() - t)
        statuses[status] = statuses.get(status, 0) + 1
        i += 1
    conn.close()
    queue.put((latencies, statuses, time.process_time() - cpu))


def load(
    ports: list[int], paths: list[str], headers: dict[str, str], concurrency: int, seconds: float
) -> dict[str, Any]:
    """``concurrency`` client processes (one keep-alive connection each, spread over the servers' ports) for
    ``seconds``; latency percentiles."""
    limit = 500_000  # per client: the time bound ends every run long before
    ctx = multiprocessing.get_context("spawn")
    queue, ready, go = ctx.Queue(), ctx.Queue(), ctx.Event()
    procs = [
        ctx.Process(
            target=_client,
            args=((ports[c % len(ports)], paths[c::concurrency] or paths, headers, seconds, limit, queue, ready, go),),
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
    latencies = sorted(x for lat, _, _ in results for x in lat)
    client_cpu = sum(c for _, _, c in results)
    statuses: dict[int, int] = {}
    for _, st, _ in results:
        for k, v in st.items():
            statuses[k] = statuses.get(k, 0) + v
    ok = statuses.get(200, 0)

    def pct(p: float) -> float:
        return round(latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000, 2) if latencies else 0.0

    return {
        "concurrency": concurrency,
        "seconds": round(seconds, 1),
        "requests": len(latencies),
        "ok": ok,
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "per_s": round(len(latencies) / wall),
        "ok_per_s": round(ok / wall),
        "p50_ms": pct(0.50),
        "p90_ms": pct(0.90),
        "p99_ms": pct(0.99),
        "max_ms": pct(1.0),
        "wall_s": round(wall, 1),
        "client_cpu_share": round(client_cpu / wall / CPUS, 2),
    }


WRK_LUA = r"""
local paths = {}
local i = 0
init = function(args)
  for line in io.lines(args[1]) do paths[#paths + 1] = line end
  i = tonumber(args[2]) or 0
end
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '\nWRKJSON {"requests": %d, "micros": %d, "status_errors": %d, "socket_errors": %d, '
    .. '"p50": %d, "p90": %d, "p99": %d, "max": %d}\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
"""


def wrk_load(
    ports: list[int], paths: list[str], headers: dict[str, str], concurrency: int, seconds: float
) -> dict[str, Any] | None:
    """The loaded phase again with ``wrk`` (one instance per port, run together); ``None`` without wrk. wrk counts
    answers other than 2xx/3xx as ``status_errors``; p50/p90/p99/max are the worst of the instances."""
    exe = shutil.which("wrk")
    if exe is None:
        return None
    with tempfile.TemporaryDirectory(prefix="xinyong-wrk-") as tmp:
        script = Path(tmp) / "rotate.lua"
        script.write_text(WRK_LUA, encoding="utf-8")
        listing = Path(tmp) / "paths.txt"
        listing.write_text("\n".join(paths) + "\n", encoding="utf-8")
        per_port = max(1, concurrency // len(ports))
        cpu0 = _children_cpu()
        procs = []
        for k, port in enumerate(ports):
            cmd = [exe, "-t1", f"-c{per_port}", f"-d{seconds:g}s", "--timeout", "10s", "-s", str(script)]
            for name, value in headers.items():
                cmd += ["-H", f"{name}: {value}"]
            cmd += [f"http://127.0.0.1:{port}", "--", str(listing), str(k * len(paths) // len(ports))]
            procs.append(subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
        outs = [p.communicate(timeout=seconds + 60) for p in procs]
        client_cpu = _children_cpu() - cpu0
    parts = []
    for out, err in outs:
        line = next((x for x in out.splitlines() if x.startswith("WRKJSON ")), None)
        if line is None:
            raise RuntimeError(f"wrk gave no summary: {out[-500:]} {err[-500:]}")
        parts.append(json.loads(line[8:]))
    wall = max(p["micros"] for p in parts) / 1e6
    requests = sum(p["requests"] for p in parts)
    ok = requests - sum(p["status_errors"] for p in parts)
    return {
        "generator": "wrk",
        "concurrency": per_port * len(ports),
        "seconds": round(seconds, 1),
        "requests": requests,
        "ok": ok,
        "socket_errors": sum(p["socket_errors"] for p in parts),
        "per_s": round(requests / wall),
        "ok_per_s": round(ok / wall),
        "p50_ms": round(max(p["p50"] for p in parts) / 1000, 2),
        "p90_ms": round(max(p["p90"] for p in parts) / 1000, 2),
        "p99_ms": round(max(p["p99"] for p in parts) / 1000, 2),
        "max_ms": round(max(p["max"] for p in parts) / 1000, 2),
        "wall_s": round(wall, 1),
        "client_cpu_share": round(client_cpu / wall / CPUS, 2),
    }


def _children_cpu() -> float:
    """User + system CPU seconds of this process's waited-for children (the wrk instances)."""
    usage = os.times()
    return usage.children_user + usage.children_system


def batch(ports: list[int], codes: list[str], headers: dict[str, str]) -> dict[str, Any]:
    """One batch of ``len(codes)`` codes, timed from sending to the parsed answer."""
    body = json.dumps({"scenario": SCENARIO, "codes": codes}).encode()
    conn = http.client.HTTPConnection("127.0.0.1", ports[0], timeout=120)
    t = time.perf_counter()
    conn.request("POST", "/api/v1/checks/batch", body=body, headers=headers | {"Content-Type": "application/json"})
    resp = conn.getresponse()
    data = resp.read()
    answered = json.loads(data) if resp.status == 200 else {}
    seconds = time.perf_counter() - t
    conn.close()
    return {
        "status": resp.status,
        "seconds": round(seconds, 3),
        "checked": answered.get("checked", 0),
        "hits": answered.get("hits", 0),
        "response_mb": round(len(data) / 1e6, 1),
    }


def measure(url: str, engine: Engine, built: dict[str, Any], args: argparse.Namespace, app: str) -> dict[str, Any]:
    """Serve the database and run every phase against it."""
    raw = issue_token(engine, built["czj"])
    auth = {"Authorization": f"Bearer {raw}", "Connection": "keep-alive"}
    codes = code_mix(built["codes"], 40_000, 7)
    paths = [f"/api/v1/checks?{urlencode({'code': c, 'scenario': SCENARIO})}" for c in codes]
    with engine.connect() as conn:
        before = conn.scalar(select(func.count()).select_from(ListCheck)) or 0
    out: dict[str, Any] = {"app": app, "processes": args.processes, "load_before": round(os.getloadavg()[0], 2)}
    with served(url, args.processes, app) as (ports, pids):
        out["settle_s"] = settle(pids)
        load(ports, paths[:2000], auth, 4, 3.0)  # warm-up: connections, caches, the ledger
        with engine.connect() as conn:
            warm = (conn.scalar(select(func.count()).select_from(ListCheck)) or 0) - before
        out["healthz"] = load(ports[:1], ["/healthz"], {}, 1, 3.0)
        out["healthz_load"] = load(ports, ["/healthz"], {}, args.concurrency, 4.0)
        out["auth"] = load(ports[:1], ["/api/v1/me"], auth, 1, 3.0)
        out["single"] = load(ports[:1], paths, auth, 1, args.seconds / 2)
        cpu = _cpu_seconds(pids)
        out["load"] = load(ports, paths, auth, args.concurrency, args.seconds)
        out["load"]["server_cpu_share"] = round((_cpu_seconds(pids) - cpu) / out["load"]["wall_s"] / CPUS, 2)
        out["load"]["generator"] = "python"
        if shutil.which("wrk"):
            out["healthz_load_wrk"] = wrk_load(ports, ["/healthz"], {}, args.concurrency, 4.0)
            cpu = _cpu_seconds(pids)
            with engine.connect() as conn:
                wrk_before = conn.scalar(select(func.count()).select_from(ListCheck)) or 0
            out["load_wrk"] = wrk_load(ports, paths, auth, args.concurrency, args.seconds)
            if out["load_wrk"] is not None:
                share = (_cpu_seconds(pids) - cpu) / out["load_wrk"]["wall_s"] / CPUS
                out["load_wrk"]["server_cpu_share"] = round(share, 2)
                time.sleep(0.5)  # the checks in flight when wrk stopped: answered and logged, but not counted by wrk
                with engine.connect() as conn:
                    wrk_logged = (conn.scalar(select(func.count()).select_from(ListCheck)) or 0) - wrk_before
                # every answer wrk counted is logged; at most one in-flight check per connection more
                ok_wrk = out["load_wrk"]["ok"]
                out["load_wrk"]["logged_rows"] = wrk_logged
                out["load_wrk"]["all_logged"] = ok_wrk <= wrk_logged <= ok_wrk + out["load_wrk"]["concurrency"]
        runs = [batch(ports, code_mix(built["codes"], BATCH, 100 + i), auth) for i in range(3)]
    out["batch"] = {"runs": runs, "max_s": max(r["seconds"] for r in runs)}
    out["load_after"] = round(os.getloadavg()[0], 2)
    with engine.connect() as conn:
        logged = (conn.scalar(select(func.count()).select_from(ListCheck)) or 0) - before - warm
    wrk_part = out.get("load_wrk") or {}
    logged -= wrk_part.get("logged_rows", 0)  # checked on its own above (wrk does not count in-flight answers)
    answered = sum(out[k]["ok"] for k in ("single", "load")) + sum(r["checked"] for r in runs)
    out["logged_rows"] = logged
    out["answered"] = answered
    out["all_logged"] = logged == answered and wrk_part.get("all_logged", True)
    load_out = out.get("load_wrk") or out["load"]  # the C generator's figures when there are any
    out["within_target"] = {
        "p99": out["single"]["p99_ms"] <= TARGET_P99_MS,
        "p99_under_load": load_out["p99_ms"] <= TARGET_P99_MS,
        "per_s": load_out["ok_per_s"] >= TARGET_PER_S,
        "batch": out["batch"]["max_s"] <= TARGET_BATCH_S,
    }
    return out


# --------------------------------------------------------------------------------------------- databases
@contextmanager
def sqlite_database() -> Iterator[tuple[str, Engine]]:
    with tempfile.TemporaryDirectory(prefix="xinyong-checks-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'checks.db'}"
        engine = make_engine(url)
        try:
            yield url, engine
        finally:
            engine.dispose()


@contextmanager
def postgresql_database(base: str) -> Iterator[tuple[str, Engine]]:
    schema = f"bench_checks_{uuid.uuid4().hex[:8]}"
    admin = create_engine(make_engine(base).url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    scoped = make_url(admin.url).update_query_dict({"options": f"-csearch_path={schema}"})
    url = scoped.render_as_string(hide_password=False)
    try:
        engine = make_engine(url)
        try:
            yield url, engine
        finally:
            engine.dispose()
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _pg_settings(engine: Engine) -> dict[str, str]:
    with engine.connect() as conn:
        keys = ("server_version", "synchronous_commit", "fsync", "shared_buffers")
        return {k: str(conn.scalar(text(f"SHOW {k}"))) for k in keys}


def _wrk_version() -> str | None:
    exe = shutil.which("wrk")
    if exe is None:
        return None
    done = subprocess.run([exe, "-v"], capture_output=True, text=True, check=False)
    return (done.stdout + done.stderr).strip().splitlines()[0] if (done.stdout + done.stderr).strip() else "wrk"


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Every database in turn."""
    report: dict[str, Any] = {
        "entries": args.entries,
        "scenario": SCENARIO,
        "targets": {"p99_ms": TARGET_P99_MS, "per_s": TARGET_PER_S, "batch_s": TARGET_BATCH_S},
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "load_generator": "Python, one process per client, keep-alive raw-socket HTTP/1.1"
        + ("; and wrk (one instance per server port, Lua script rotating the codes)" if shutil.which("wrk") else ""),
        "wrk": _wrk_version(),
        "server": f"uvicorn --http {SERVER_HTTP} --loop {SERVER_LOOP}",
        "loadavg_start": [round(x, 2) for x in os.getloadavg()],
        "runs": [],
    }
    databases: list[tuple[str, Callable[[], Any]]] = [] if args.no_sqlite else [("sqlite", sqlite_database)]
    if args.pg_url:
        databases.append(("postgresql", lambda: postgresql_database(args.pg_url)))
    for name, opener in databases:
        with opener() as (url, engine):
            print(f"-- checks: {name}: building {args.entries:,} entries", flush=True)
            built = build(engine, args.entries)
            entry: dict[str, Any] = {"database": name} | {k: v for k, v in built.items() if k not in ("codes", "czj")}
            if name == "postgresql":
                entry["settings"] = _pg_settings(engine)
            apps = ["xinyong.web.app:create_app"]
            if args.proposed:
                apps.append("checks_bench:proposed_app")
            for app in apps:
                print(f"-- checks: {name}: serving {app} ({args.processes} process(es)) and measuring", flush=True)
                run_entry = entry | measure(url, engine, built, args, app)
                report["runs"].append(run_entry)
                print(json.dumps({k: run_entry[k] for k in ("single", "load", "batch", "within_target")}))
    report["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    return report


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--entries", type=int, default=100_000)
    ap.add_argument("--processes", type=int, default=2, help="single-worker uvicorn servers, one port each")
    ap.add_argument(
        "--proposed",
        action=argparse.BooleanOptionalAction,
        default=False,
        help="also measure proposed_app (the fixes it carries are now in the app itself)",
    )
    ap.add_argument("--concurrency", type=int, default=8, help="clients of the load phase")
    ap.add_argument("--seconds", type=float, default=10.0, help="length of the load phase")
    ap.add_argument("--pg-url", default=PG_URL)
    ap.add_argument("--no-pg", action="store_true")
    ap.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    # a terminated run still stops the servers it started (the ``finally`` of ``served``)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if args.no_pg:
        args.pg_url = None
    report = run(args)
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
