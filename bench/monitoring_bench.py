"""Benchmark city credit monitoring and the leadership dashboard (issue #12: the monthly indicator computation over
the 1,000,000-subject demo district ≤ 60 s; the dashboard's first paint ≤ 1 s).

    .venv/bin/python bench/monitoring_bench.py [--subjects 1000000] [--records 5000000] [--entries N] [--pages 5]
        [--pg-url URL] [--no-pg | --no-sqlite] [--json OUT]

Small scale, in a minute or two: ``python bench/monitoring_bench.py --subjects 20000 --records 100000 --no-pg``.

For each database (a fresh SQLite file, a throw-away PostgreSQL schema), the data are built with the existing
fast builders, imported: ``evaluation_bench.build`` (``--subjects`` enterprises in ten township codes and
``--records`` credit records with their effects, set-based: licences, penalties by severity, arrears and
commitment breaches decided over the five years before 2026-11-27, each reported on its decision day, corrected
versions, repairs, revocations, objection effects), the catalogue's other departments, then
``portal_bench.build_lists_and_commitments`` (``--entries`` list entries and as many commitments), one
``evaluation.service.run_evaluation`` of the general model and the district's 2021 work plan. Then:

* ``monitoring``: ``monitoring.service.run_month`` — every computed indicator for the district and the townships,
  the manual ones, the negative check, stored and committed, each run timed from the call to the commit: first
  2026-10, the first run ever (its negative check scans every record: ``negative_check``), then 2026-11 twice as
  the monthly job runs afterwards (the subjects are registered on 2026-11-27, so November is the month with
  enterprises; about a sixtieth of the records are reported in it; the check scans the records loaded since the
  last passing run — none here, so the cost of a month's new records is added as the first run's extra time
  scaled by the month's share of the records); beside the baselines of the same run: ``SELECT count(*)`` over
  the records and the subjects, and the records counted by month of ``reported_on`` (one pass over the records);
* ``dashboard``: the live figures computed without the cache (``dashboard.figures._live``: what the figures'
  first computation in a process costs, and a refresh in the background; the quality ranking is computed in a
  background thread of the server, never waited for by a reader); then headless Chromium (Playwright,
  ``/usr/bin/chromium``) logs in as a credit-office reader and opens ``/dashboard`` in a new tab per load, each
  server one fresh uvicorn process (``checks_bench.served``): ``cold_no_warmup`` (``XINYONG_WARM_FIGURES_ON_START``
  false: the process's first dashboard request; the page comes as its shell and its script fetches the figures,
  computed for that request) then ``--pages`` warm loads; ``cold_warmup_running`` (warm-up on, the page opened
  as soon as the server listens, the warm-up still computing); ``cold_after_warmup`` (warm-up on, the page
  opened once the warm-up ended: the JSON endpoint reports the quality ranking ready and ``/portal/figures.json``
  the completed months: ``warmup_wait_s``). For each load:
  ``paint_ms``, the first-contentful-paint from ``performance.getEntriesByType('paint')`` (the shell's, or the
  full page's when the figures came inline), and ``filled_ms``, when the figures were drawn
  (``window.__dashboardFilled``, set by ``dashboard.js``: at once for an inline page, after the fetch for the
  shell), both from the navigation's start; beside the login page's first paint (no figures: the floor of the
  same browser and server) and the JSON endpoint's warm latency.

``/proc/loadavg`` is recorded around each phase (the 2 CPUs are shared with other sessions' test runs).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import checks_bench  # noqa: E402
import portal_bench  # noqa: E402
from portal_bench import ev, loadavg, postgresql_database, sqlite_database  # noqa: E402

from xinyong import clock  # noqa: E402
from xinyong.auth import accounts  # noqa: E402
from xinyong.auth.context import system_context  # noqa: E402
from xinyong.catalog.departments import load_departments  # noqa: E402
from xinyong.dashboard import figures  # noqa: E402
from xinyong.dashboard.config import dashboard_config  # noqa: E402
from xinyong.evaluation.service import run_evaluation  # noqa: E402
from xinyong.monitoring import service as monitoring  # noqa: E402
from xinyong.subjects.models import Department  # noqa: E402
from xinyong.workplan import service as workplan  # noqa: E402
from xinyong.workplan.data import PLAN_2021_FILE  # noqa: E402

PG_URL = portal_bench.PG_URL
TARGET_MONTHLY_S = 60.0
TARGET_PAINT_MS = 1000.0
MONTH = "2026-11"
APP = "xinyong.web.app:create_app"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
USER, PASSWORD = "bench_office", "Bench-Monitoring-2026!"
PAINT_JS = (
    "() => (performance.getEntriesByType('paint').find(e => e.name === 'first-contentful-paint') || {}).startTime"
)


def _timed(run: Callable[[], Any]) -> tuple[float, Any]:
    t = time.perf_counter()
    value = run()
    return round(time.perf_counter() - t, 3), value


# --------------------------------------------------------------------------------------------- data
def build(engine: Engine, subjects: int, records: int, entries: int) -> dict[str, Any]:
    """The district (see the module docstring); the seconds of each phase and the counts."""
    out = ev.build(engine, subjects, records)
    phases = dict(out["phases_s"])
    with Session(engine) as session:  # the catalogue's other departments (the list types name them)
        known = set(session.scalars(select(Department.code)))
        for n, d in enumerate(load_departments().departments):
            if d.code not in known:
                session.add(Department(code=d.code, name=d.name, uscc=f"11440113BENCH{n:04d}X"[:18]))
        session.commit()
    seconds, _ = _timed(lambda: portal_bench.build_lists_and_commitments(engine, entries))
    phases["lists_commitments"] = seconds
    with Session(engine) as session:
        ctx = system_context(session, "bench")
        seconds, graded = _timed(lambda: run_evaluation(ctx, ctx.today, "general"))
        phases["evaluation"] = seconds
        workplan.load_plan(ctx, PLAN_2021_FILE.read_text(encoding="utf-8"), 2021)
        accounts.create_account(
            ctx, USER, "基准测试信用办", PASSWORD, "credit_office_staff", must_change_password=False
        )
        session.commit()
    return {
        "subjects": out["subjects"],
        "records": out["records"],
        "effects": out["effects"],
        "entries": entries,
        "graded": graded.subjects,
        "phases_s": phases,
        "build_s": round(sum(phases.values()), 1),
    }


# --------------------------------------------------------------------------------------------- monitoring
def baselines(engine: Engine) -> dict[str, float]:
    """The plain counts beside the computation (see the module docstring)."""
    month = "strftime('%Y-%m', reported_on)" if engine.dialect.name == "sqlite" else "to_char(reported_on, 'YYYY-MM')"
    out: dict[str, float] = {}
    with engine.connect() as conn:
        out["count_records_s"], _ = _timed(lambda: conn.scalar(text("SELECT count(*) FROM credit_record")))
        out["count_by_month_s"], _ = _timed(
            lambda: conn.execute(text(f"SELECT {month}, count(*) FROM credit_record GROUP BY 1")).all()
        )
        out["count_subjects_s"], _ = _timed(lambda: conn.scalar(text("SELECT count(*) FROM subject")))
    return out


def _run(engine: Engine, month: str) -> dict[str, Any]:
    with Session(engine) as session:
        ctx = system_context(session, "bench")
        t = time.perf_counter()
        out = monitoring.run_month(ctx, month)
        session.commit()
        wall = round(time.perf_counter() - t, 3)
    return {
        "month": month,
        "wall_s": wall,
        "run_seconds": out.seconds,
        "district_score": out.district_score,
        "warnings": out.warnings,
        "negative_ok": out.negative_ok,
    }


def monthly(engine: Engine, records: int) -> dict[str, Any]:
    """The first run ever (the negative check scans every record), then the month twice as the monthly job
    runs it afterwards (the check scans the records loaded since the last passing run: none were loaded here,
    so the cost of a month's new records is estimated from the first run's full scan)."""
    first = _run(engine, "2026-10")
    steady = [_run(engine, MONTH) for _ in range(2)]
    worst = max(r["wall_s"] for r in steady)
    full_scan = max(0.0, first["wall_s"] - worst)  # the first run's extra: the full negative scan
    with engine.connect() as conn:
        month_rows = int(
            conn.scalar(
                text("SELECT count(*) FROM credit_record WHERE reported_on >= :a AND reported_on <= :b"),
                {"a": date(2026, 11, 1), "b": date(2026, 11, 30)},
            )
            or 0
        )
    estimate = round(worst + full_scan * month_rows / max(1, records), 3)
    return {
        "first_run": first,
        "steady_runs": steady,
        "steady_worst_s": worst,
        "full_negative_scan_s": round(full_scan, 3),
        "month_new_records": month_rows,
        "steady_with_month_scan_estimate_s": estimate,
        "target_s": TARGET_MONTHLY_S,
        "within_target": estimate <= TARGET_MONTHLY_S,
        "first_run_within_target": first["wall_s"] <= TARGET_MONTHLY_S,
    }


# --------------------------------------------------------------------------------------------- dashboard
FILLED_JS = "() => window.__dashboardFilled"
SHELL_JS = "() => !document.getElementById('dashboard').hasAttribute('data-figures')"
WARM_ENV = "XINYONG_WARM_FIGURES_ON_START"


def _load(context: Any, url: str) -> dict[str, Any]:
    """One load of ``url`` in a new tab: its first-contentful-paint and, for the dashboard, when the figures
    were drawn (``window.__dashboardFilled``: inline at once, or after the shell's fetch) and whether the page
    came as the shell."""
    page = context.new_page()
    try:
        t = time.perf_counter()
        page.goto(url, wait_until="load")
        paint = page.evaluate(PAINT_JS)
        out: dict[str, Any] = {"paint_ms": round(float(paint), 1) if paint is not None else None}
        if url.endswith("/dashboard"):
            page.wait_for_function(f"{FILLED_JS} !== undefined", timeout=600_000)
            out["filled_ms"] = round(float(page.evaluate(FILLED_JS)), 1)
            out["shell"] = bool(page.evaluate(SHELL_JS))
        out["wall_s"] = round(time.perf_counter() - t, 3)
        return out
    finally:
        page.close()


@contextmanager
def _server(url: str, warm: bool) -> Iterator[str]:
    """One uvicorn process of the app with the start-up warm-up on or off; its base address."""
    before = os.environ.get(WARM_ENV)
    os.environ[WARM_ENV] = "true" if warm else "false"
    try:
        with checks_bench.served(url, 1, APP) as (ports, _pids):
            yield f"http://127.0.0.1:{ports[0]}"
    finally:
        if before is None:
            os.environ.pop(WARM_ENV, None)
        else:
            os.environ[WARM_ENV] = before


def _wait_for_warmup(client: httpx.Client, limit_s: float = 3600.0) -> float:
    """Seconds until the start-up warm-up has ended: the dashboard's figures with their quality ranking and the
    home page's with their completed months are cached (a request meanwhile waits for the live figures being
    computed, never starts another computation)."""
    t = time.perf_counter()
    while time.perf_counter() - t < limit_s:
        board = client.get("/api/v1/dashboard/figures").json()
        home = client.get("/portal/figures.json").json()
        if board["quality"]["ready"] and home.get("history_ready", True):
            return round(time.perf_counter() - t, 3)
        time.sleep(2)
    raise RuntimeError("the warm-up did not end")


def _median(values: list[float | None]) -> float | None:
    found = [v for v in values if v is not None]
    return round(statistics.median(found), 1) if found else None


def dashboard(url: str, engine: Engine, pages: int) -> dict[str, Any]:
    """Uncached figures, then the page in Chromium against served apps, each a fresh process (see the module
    docstring): ``cold_no_warmup`` (warm-up off: the process's first request; the page is the shell, the
    figures are computed for its fetch), then ``pages`` warm loads; ``cold_warmup_running`` (warm-up on, the
    page opened as soon as the server listens); ``cold_after_warmup`` (warm-up on, the page opened once it
    ended: ``_wait_for_warmup``)."""
    from playwright.sync_api import sync_playwright

    with Session(engine) as session:
        compute_s, live = _timed(lambda: figures._live(session, clock.today(), dashboard_config().due_soon_workdays))
        session.rollback()
    out: dict[str, Any] = {
        "live_figures_uncached_s": compute_s,
        "records_total": sum(r.records for r in live.records),
        "graded": live.grades.total,
    }
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            context = browser.new_context(locale="zh-CN", viewport={"width": 1920, "height": 1080})
            with _server(url, warm=False) as base:
                login = context.new_page()
                login.goto(f"{base}/login")
                out["login_paint_ms"] = login.evaluate(PAINT_JS)
                login.fill("#username", USER)
                login.fill("#password", PASSWORD)
                login.locator("main form button[type=submit]").click()
                login.wait_for_load_state("networkidle")
                login.close()
                out["cold_no_warmup"] = _load(context, f"{base}/dashboard")
                time.sleep(2)  # the quality ranking's first computation runs in the background meanwhile
                warm = [_load(context, f"{base}/dashboard") for _ in range(pages)]
                floor = [_load(context, f"{base}/login")["paint_ms"] for _ in range(pages)]
                cookies = {c["name"]: c["value"] for c in context.cookies()}
                with httpx.Client(base_url=base, cookies=cookies) as client:
                    client.get("/api/v1/dashboard/figures")
                    api = []
                    for _ in range(pages):
                        t = time.perf_counter()
                        assert client.get("/api/v1/dashboard/figures").status_code == 200
                        api.append(round((time.perf_counter() - t) * 1000, 1))
            out["loadavg_cold_running"] = loadavg()
            with _server(url, warm=True) as base:
                out["cold_warmup_running"] = _load(context, f"{base}/dashboard")
            with _server(url, warm=True) as base:
                with httpx.Client(base_url=base, cookies=cookies, timeout=3600) as client:
                    out["warmup_wait_s"] = _wait_for_warmup(client)
                out["cold_after_warmup"] = _load(context, f"{base}/dashboard")
            context.close()
        finally:
            browser.close()
    paints = [w["paint_ms"] for w in warm]
    colds = [out[k] for k in ("cold_no_warmup", "cold_warmup_running", "cold_after_warmup")]
    out |= {
        "cold_paint_ms": out["cold_no_warmup"]["paint_ms"],
        "cold_filled_ms": out["cold_no_warmup"]["filled_ms"],
        "warm_paint_ms": paints,
        "warm_filled_ms": [w["filled_ms"] for w in warm],
        "warm_paint_median_ms": _median(paints),
        "login_paint_median_ms": _median(floor),
        "api_warm_ms": api,
        "target_ms": TARGET_PAINT_MS,
    }
    every = [p for p in [*paints, *(c["paint_ms"] for c in colds)] if p is not None]
    out["within_target"] = bool(every) and max(every) <= TARGET_PAINT_MS
    out["cold_after_warmup_filled_within_target"] = out["cold_after_warmup"]["filled_ms"] <= TARGET_PAINT_MS
    return out


# --------------------------------------------------------------------------------------------- runs
def run(args: argparse.Namespace) -> dict[str, Any]:
    report: dict[str, Any] = {
        "subjects": args.subjects,
        "records": args.records,
        "entries": args.entries,
        "month": MONTH,
        "targets": {"monthly_s": TARGET_MONTHLY_S, "first_paint_ms": TARGET_PAINT_MS},
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "loadavg_start": loadavg(),
        "runs": [],
    }
    databases: list[tuple[str, Callable[[], Any]]] = [] if args.no_sqlite else [("sqlite", sqlite_database)]
    if args.pg_url:
        databases.append(("postgresql", lambda: postgresql_database(args.pg_url)))
    for name, opener in databases:
        with opener() as (url, engine, _folder):
            print(f"-- monitoring: {name}: building {args.subjects:,} subjects, {args.records:,} records", flush=True)
            entry: dict[str, Any] = {"database": name, "loadavg_before_build": loadavg()}
            entry["build"] = build(engine, args.subjects, args.records, args.entries)
            print(f"-- monitoring: {name}: built in {entry['build']['build_s']} s", flush=True)
            entry["loadavg_before_measure"] = loadavg()
            entry["baseline"] = baselines(engine)
            entry["monitoring"] = monthly(engine, args.records)
            entry["dashboard"] = dashboard(url, engine, args.pages)
            entry["loadavg_after"] = loadavg()
            report["runs"].append(entry)
            summary = {k: entry[k] for k in ("database", "baseline", "monitoring")}
            summary["dashboard"] = {k: v for k, v in entry["dashboard"].items() if not isinstance(v, list)}
            print(json.dumps(summary, ensure_ascii=False), flush=True)
            if args.json:  # kept as each database ends: a later failure does not lose the earlier figures
                args.json.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    report["loadavg_end"] = loadavg()
    return report


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--subjects", type=int, default=1_000_000)
    ap.add_argument("--records", type=int, default=5_000_000)
    ap.add_argument("--entries", type=int, help="list entries, and as many commitments (default: subjects / 20)")
    ap.add_argument("--pages", type=int, default=5, help="warm dashboard loads measured")
    ap.add_argument("--pg-url", default=PG_URL)
    ap.add_argument("--no-pg", action="store_true")
    ap.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    if args.no_pg:
        args.pg_url = None
    if args.entries is None:
        args.entries = max(1, args.subjects // 20)
    report = run(args)
    out = json.dumps(report, ensure_ascii=False, indent=1)
    if args.json:
        args.json.write_text(out + "\n", encoding="utf-8")
    print(out)


if __name__ == "__main__":
    main()
