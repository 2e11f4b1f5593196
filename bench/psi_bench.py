"""Benchmark PSI through the platform beside plain openmined-psi (issue #10: 100,000 × 100,000 with the platform's
overhead ≤ 20%; a single private membership query ≤ 200 ms once the setup is cached).

    .venv/bin/python bench/psi_bench.py [--server 100000] [--client 100000] [--overlap 0.1] [--lookups 20]
        [--workers 2] [--json OUT]

Small scale, in a minute: ``python bench/psi_bench.py --server 5000 --client 5000``.

A fresh SQLite file (migrated) holds ``--server`` enterprises, each on the wage-arrears list (set-based inserts);
the bank's portfolio is ``--client`` codes, ``--overlap`` of them listed. Both runs use the scope's policy
(``rules/privacy.yaml`` lists_dishonesty: GCS, fpr 1e-9, setup sized for its 200,000-element request limit):

* ``plain``: openmined-psi alone, in this process, single-threaded: the server's ``CreateSetupMessage`` of the
  listed codes, the client's ``CreateRequest``, the server's ``ProcessRequest``, the client's ``GetIntersection``;
* ``platform``: ``privacy.psi_sets.rebuild`` (the set-based query of the codes, the setup under a fresh key, the
  key encrypted, the version stored and committed), ``privacy.service.setup`` (the stored setup fetched), the
  same client ``CreateRequest``, ``privacy.service.process`` (authorisation, rate limit, checks, replay digest,
  the request answered in ``--workers`` chunks on worker processes, the exchange logged and committed), and the
  client's ``GetIntersection``. The worker pool is started before the clock (a server keeps it alive); its start
  is reported separately.

The two intersections must equal each other and the planted overlap. Then ``--lookups`` private membership
queries (one code each, half listed) through the platform with the client's setup cached: the client's request,
``service.process`` in its own transaction, the client's answer; median and worst in ms. ``/proc/loadavg`` is
recorded (the 2 CPUs are shared with other sessions).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import private_set_intersection.python as psi
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from xinyong import clock
from xinyong.auth.context import Context
from xinyong.db.migrate import upgrade
from xinyong.db.session import make_engine
from xinyong.lending.models import FinancialInstitution
from xinyong.lists.models import ListEntry
from xinyong.privacy import psi_sets, psi_worker, service
from xinyong.privacy.policy import load_policy, scope_policy
from xinyong.subjects.models import Department, Subject

SCOPE = "lists_dishonesty"
BANK = "基准测试银行"
TARGET_OVERHEAD = 0.20
TARGET_LOOKUP_MS = 200.0
NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)


def loadavg() -> list[float]:
    return [round(float(x), 2) for x in Path("/proc/loadavg").read_text().split()[:3]]


def code(n: int) -> str:
    return f"91440113MA{n:08d}"


def build(session: Session, server: int) -> None:
    """``server`` enterprises, each on the wage-arrears list since 2026-03-02 (set-based inserts)."""
    session.add(Department(code="rsj", name="广州市番禺区人力资源和社会保障局", uscc="11440113MB0000003X"))
    session.flush()
    dept = session.scalar(select(Department.id).where(Department.code == "rsj"))
    subjects = [
        {"kind": "legal_person", "name": f"基准{n}有限公司", "uscc": code(n), "created_at": NOW} for n in range(server)
    ]
    session.execute(insert(Subject), subjects)
    ids = list(session.scalars(select(Subject.id).order_by(Subject.id)))
    entries = [
        {
            "list_code": "wage_arrears",
            "list_version": 1,
            "kind": "dishonesty",
            "subject_id": sid,
            "department_id": dept,
            "status": "published",
            "reasons": "基准",
            "basis": "基准",
            "published_on": date(2026, 3, 2),
            "created_by": "bench",
            "created_at": NOW,
        }
        for sid in ids
    ]
    session.execute(insert(ListEntry), entries)
    session.add(
        FinancialInstitution(
            name=BANK, uscc="91440113MA59BM0001", kind="bank", active=True, registered_by="bench", registered_at=NOW
        )
    )
    session.commit()


def portfolio(server: int, client: int, overlap: float) -> tuple[list[str], set[str]]:
    hits = int(client * overlap)
    listed = [code(n) for n in range(0, server, max(1, server // max(hits, 1)))][:hits]
    rest = [code(10**7 + n) for n in range(client - len(listed))]
    return listed + rest, set(listed)


def plain_run(codes: list[str], items: list[str]) -> dict[str, Any]:
    policy = scope_policy(SCOPE)
    t: dict[str, float] = {}
    start = time.perf_counter()
    server = psi.server.CreateWithNewKey(True)
    setup = server.CreateSetupMessage(policy.fpr, policy.max_client_elements, codes, psi.DataStructure.GCS)
    t["setup_s"] = time.perf_counter() - start
    mark = time.perf_counter()
    client = psi.client.CreateWithNewKey(True)
    request = client.CreateRequest(items)
    t["request_s"] = time.perf_counter() - mark
    mark = time.perf_counter()
    response = server.ProcessRequest(request)
    t["process_s"] = time.perf_counter() - mark
    mark = time.perf_counter()
    found = {items[i] for i in client.GetIntersection(setup, response)}
    t["intersect_s"] = time.perf_counter() - mark
    t["total_s"] = time.perf_counter() - start
    return {"seconds": {k: round(v, 3) for k, v in t.items()}, "found": found}


def platform_run(engine: Any, items: list[str]) -> dict[str, Any]:
    t: dict[str, float] = {}
    start = time.perf_counter()
    with Session(engine) as session:
        result = psi_sets.rebuild(Context(session=session, actor="bench", role="system", at=NOW), SCOPE, force=True)
        session.commit()
    t["rebuild_s"] = time.perf_counter() - start
    mark = time.perf_counter()
    with Session(engine) as session:
        found_setup = service.setup(_bank(session), SCOPE)
        session.commit()
    message = psi.ServerSetup()
    message.ParseFromString(found_setup.setup)
    t["fetch_setup_s"] = time.perf_counter() - mark
    mark = time.perf_counter()
    client = psi.client.CreateWithNewKey(True)
    body = client.CreateRequest(items).SerializeToString()
    t["request_s"] = time.perf_counter() - mark
    mark = time.perf_counter()
    with Session(engine) as session:
        answer = service.process(_bank(session), SCOPE, found_setup.version, body)
        session.commit()
    if answer.error is not None:
        raise RuntimeError(answer.error.message)
    t["process_s"] = time.perf_counter() - mark
    mark = time.perf_counter()
    response = psi.Response()
    response.ParseFromString(answer.response or b"")
    found = {items[i] for i in client.GetIntersection(message, response)}
    t["intersect_s"] = time.perf_counter() - mark
    t["total_s"] = time.perf_counter() - start
    out = {"seconds": {k: round(v, 3) for k, v in t.items()}, "found": found, "elements": result.elements}
    out["setup_bytes"] = len(found_setup.setup)
    out["request_bytes"] = len(body)
    out["data_structure"] = found_setup.data_structure
    out["_message"] = message
    out["_version"] = found_setup.version
    return out


def _bank(session: Session) -> Context:
    return Context(session=session, actor="bench:bank", role="bank", institution=BANK, at=clock.now())


def lookups(engine: Any, message: psi.ServerSetup, version: int, codes: list[str]) -> dict[str, Any]:
    """Single membership queries with the setup cached on the client."""
    times, hits = [], 0
    for item in codes:
        mark = time.perf_counter()
        client = psi.client.CreateWithNewKey(True)
        body = client.CreateRequest([item]).SerializeToString()
        with Session(engine) as session:
            answer = service.process(_bank(session), SCOPE, version, body)
            session.commit()
        if answer.error is not None:
            raise RuntimeError(answer.error.message)
        response = psi.Response()
        response.ParseFromString(answer.response or b"")
        hits += len(client.GetIntersection(message, response))
        times.append((time.perf_counter() - mark) * 1000)
    return {
        "count": len(times),
        "hits": hits,
        "median_ms": round(statistics.median(times), 1),
        "max_ms": round(max(times), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--server", type=int, default=100_000)
    parser.add_argument("--client", type=int, default=100_000)
    parser.add_argument("--overlap", type=float, default=0.1)
    parser.add_argument("--lookups", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    policy = load_policy()
    policy.parallel.workers = args.workers
    policy.rate.per_minute = max(policy.rate.per_minute, args.lookups + 10)
    report: dict[str, Any] = {
        "benchmark": "psi",
        "server": args.server,
        "client": args.client,
        "overlap": args.overlap,
        "workers": args.workers,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "openmined_psi": psi.__version__,
        "loadavg_start": loadavg(),
    }
    clock.set_clock(lambda: NOW)
    with tempfile.TemporaryDirectory(prefix="xinyong-psi-") as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'psi.db'}")
        upgrade(engine)
        mark = time.perf_counter()
        with Session(engine) as session:
            build(session, args.server)
        report["build_s"] = round(time.perf_counter() - mark, 2)
        items, expected = portfolio(args.server, args.client, args.overlap)
        codes = [code(n) for n in range(args.server)]
        mark = time.perf_counter()
        key = psi.server.CreateWithNewKey(True).GetPrivateKeyBytes()  # a throw-away key: start and warm the workers
        warm = psi_worker.pool(args.workers)
        list(warm.map(psi_worker.process_chunk, [key] * args.workers, [True] * args.workers, [[]] * args.workers))
        report["pool_start_s"] = round(time.perf_counter() - mark, 2)
        print(f"data built in {report['build_s']} s; pool started in {report['pool_start_s']} s", file=sys.stderr)
        plain = plain_run(codes, items)
        print(f"plain: {plain['seconds']}", file=sys.stderr)
        report["loadavg_mid"] = loadavg()
        ours = platform_run(engine, items)
        print(f"platform: {ours['seconds']}", file=sys.stderr)
        assert plain.pop("found") == expected == ours.pop("found"), "intersections differ"
        message, version = ours.pop("_message"), ours.pop("_version")
        sample = [code(n) for n in range(0, args.server, max(1, args.server // args.lookups))][: args.lookups // 2]
        sample += [code(10**8 + n) for n in range(args.lookups - len(sample))]
        report["lookup"] = lookups(engine, message, version, sample)
        psi_worker.shutdown()
        engine.dispose()
    report["plain"] = plain
    report["platform"] = ours
    report["intersection"] = len(expected)
    report["overhead"] = round(ours["seconds"]["total_s"] / plain["seconds"]["total_s"] - 1, 3)
    report["server_side"] = {
        "plain_s": round(plain["seconds"]["setup_s"] + plain["seconds"]["process_s"], 3),
        "platform_s": round(
            ours["seconds"]["rebuild_s"] + ours["seconds"]["fetch_setup_s"] + ours["seconds"]["process_s"], 3
        ),
    }
    report["targets"] = {
        "overhead_max": TARGET_OVERHEAD,
        "overhead_ok": report["overhead"] <= TARGET_OVERHEAD,
        "lookup_ms_max": TARGET_LOOKUP_MS,
        "lookup_ok": report["lookup"]["max_ms"] <= TARGET_LOOKUP_MS,
    }
    report["loadavg_end"] = loadavg()
    text = json.dumps(report, ensure_ascii=False, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
