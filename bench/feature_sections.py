"""Sections of ``make bench`` for the features built after the foundation: each runs its own benchmark script in a
subprocess (``--json OUT``) and renders its figures for docs/benchmarks.md. ``run_all.py`` loops over ``FEATURES``;
the feature's own doc (named in each entry) explains the set-up and the figures in full."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Feature:
    """One section: its script, the script's arguments at full scale, the doc with the details, the renderer."""

    title: str
    script: str
    args: tuple[str, ...]
    doc: str
    render: Callable[[dict[str, Any]], list[str]]
    pg: bool = True  # the script takes --pg-url / --no-pg


def run_feature(feature: Feature, pg_url: str | None) -> dict[str, Any]:
    """The feature's script at full scale in a subprocess; its JSON report."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out.json"
        cmd = [sys.executable, str(HERE / feature.script), *feature.args, "--json", str(out)]
        if feature.pg:
            cmd += ["--pg-url", pg_url] if pg_url else ["--no-pg"]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        return json.loads(out.read_text(encoding="utf-8"))


def _yes(ok: bool) -> str:
    return "yes" if ok else "**no**"


def render_lending(r: dict[str, Any]) -> list[str]:
    """Statistics and matching at the given number of registered SMEs (no target in the issue)."""
    lines = [
        f"{r['smes']:,} registered SMEs with one financing need each, {r['institutions']} institutions; medians in ms. "
        "Baselines: a plain count of the needs and the registrations grouped by town.",
        "",
        "| database | count needs | group by town | stats by town | by sector | by institution | matching (500) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, d in r["databases"].items():
        lines.append(
            f"| {name} | {d['baseline_count_needs_ms']} | {d['baseline_group_towns_ms']} | {d['stats_town_ms']} | "
            f"{d['stats_sector_ms']} | {d['stats_institution_ms']} | {d['matching_ms']} |"
        )
    return lines


def render_personal_score(r: dict[str, Any]) -> list[str]:
    """Scoring every natural person set-based (target ≤ 60 s) beside a plain GROUP BY of the same rows."""
    lines = [
        f"{r['persons']:,} natural persons, {r['records']:,} records, scored as of {r['as_of']} (model "
        f"`{r['model']['name']}` v{r['model']['version']}); target ≤ {r['target_s']} s. Baseline: "
        "`COUNT(*) … GROUP BY subject_id` over the records, list entries and commitments the model reads.",
        "",
        "| database | build s | baseline s | scoring s (with commit) | within target | every person scored once | "
        "load avg |",
        "|---|---:|---:|---:|---|---|---|",
    ]
    for run in r["runs"]:
        s = run["scoring"]
        lines.append(
            f"| {run['database']} | {run['build']['build_s']} | {run['baseline']['seconds']} | {s['wall_s']} | "
            f"{_yes(run['within_target'])} | {_yes(run['consistent'])} | {run['load_before']} → {run['load_after']} |"
        )
    return lines


def render_eligibility(r: dict[str, Any]) -> list[str]:
    """The eligibility API over HTTP (target p99 ≤ 20 ms) beside ``/healthz`` under the same servers."""
    lines = [
        f"{r['persons']:,} scored persons, {r['consents']:,} consent tokens; {r['server']}; latencies in ms. "
        "`single` = one client, `load` = concurrent clients; `logged` = every answered question has its row. "
        "`code of` rows: the same benchmark run in the same session on the code of the named commit.",
        "",
        "| database | /healthz p50 / p99 | single p50 / p99 | load p50 / p99 (clients) | checks/s under load | "
        "p99 ≤ 20 ms | logged | load avg |",
        "|---|---|---|---|---:|---|---|---|",
    ]
    for run in r["runs"]:
        h, one, lo = run["healthz"], run["single"], run["load"]
        lines.append(
            f"| {run['database']}{', code of ' + run['code'] if run.get('code') else ''} | "
            f"{h['p50_ms']} / {h['p99_ms']} | {one['p50_ms']} / {one['p99_ms']} | "
            f"{lo['p50_ms']} / {lo['p99_ms']} ({lo['concurrency']}) | {lo['per_s']:,} | "
            f"{_yes(run['within_target']['p99'])} | {_yes(run['all_logged'])} | {run['load_before']} → "
            f"{run['load_after']} |"
        )
    return lines


def render_monitoring(r: dict[str, Any]) -> list[str]:
    """The monthly monitoring run (target ≤ 60 s) and the dashboard's first paint in Chromium (≤ 1 s)."""
    lines = [
        f"{r['subjects']:,} subjects, {r['records']:,} records, month {r['month']}; baseline: a plain count of the "
        "records and the records grouped by month. `monthly` = the worst of the steady monthly runs; `first` = the "
        "first run ever (full negative scan); first paint = Chromium's first-contentful-paint of `/dashboard`; "
        "`cold` = a fresh server's first page (without the start-up warm-up: the page shell), `after warm-up` = a "
        "fresh server's first page once its start-up warm-up has cached the figures (when measured).",
        "",
        "| database | count s | by month s | first run s | first ≤ 60 s | monthly s | monthly ≤ 60 s | "
        "paint warm ms (median) | paint cold ms | paint after warm-up ms | paint ≤ 1 s |",
        "|---|---:|---:|---:|---|---:|---|---:|---:|---:|---|",
    ]
    for run in r["runs"]:
        b, m, d = run["baseline"], run["monitoring"], run["dashboard"]
        first_ok = m.get("first_run_within_target", m["first_run"]["wall_s"] <= m["target_s"])
        after = (d.get("cold_after_warmup") or {}).get("paint_ms", "—")
        lines.append(
            f"| {run['database']} | {b['count_records_s']} | {b['count_by_month_s']} | "
            f"{m['first_run']['wall_s']} | {_yes(first_ok)} | {m['steady_worst_s']} | {_yes(m['within_target'])} | "
            f"{d['warm_paint_median_ms']} | {d['cold_paint_ms']} | {after} | {_yes(d['within_target'])} |"
        )
    return lines


def render_psi(r: dict[str, Any]) -> list[str]:
    """PSI through the platform beside plain openmined-psi on the same sets (overhead ≤ 20%), single lookups."""
    p, q, t = r["plain"]["seconds"], r["platform"]["seconds"], r["targets"]
    return [
        f"{r['server']:,} server codes × {r['client']:,} client codes (overlap {r['overlap']:.0%}), openmined-psi "
        f"{r['openmined_psi']}, {r['workers']} worker processes; seconds. Load avg {r['loadavg_start'][0]} → "
        f"{r['loadavg_end'][0]}.",
        "",
        "| run | setup | request | process | intersect | total |",
        "|---|---:|---:|---:|---:|---:|",
        f"| plain openmined-psi | {p['setup_s']} | {p['request_s']} | {p['process_s']} | {p['intersect_s']} | "
        f"{p['total_s']} |",
        f"| platform | {q['rebuild_s']} | {q['request_s']} | {q['process_s']} | {q['intersect_s']} | {q['total_s']} |",
        "",
        f"Server side: plain {r['server_side']['plain_s']} s, platform {r['server_side']['platform_s']} s; overhead "
        f"{r['overhead']:+.1%} (target ≤ {t['overhead_max']:.0%}: {_yes(t['overhead_ok'])}). Single private "
        f"membership query, setup cached: median {r['lookup']['median_ms']} ms, worst {r['lookup']['max_ms']} ms "
        f"(target ≤ {t['lookup_ms_max']:.0f} ms: {_yes(t['lookup_ok'])}).",
    ]


def render_federated(r: dict[str, Any]) -> list[str]:
    """Vertical federated logistic regression under Paillier (target ≤ 10 minutes) beside central training."""
    f, c = r["federated"], r["central"]
    return [
        f"{r['rows']:,} rows × {r['features']} features, {r['key_bits']}-bit Paillier key, {r['iterations']} "
        f"iterations. Load avg {r['loadavg_before'][0]} → {f['loadavg_after'][0]}.",
        "",
        "| training | seconds | accuracy |",
        "|---|---:|---:|",
        f"| federated | {f['seconds']} | {f['accuracy']} |",
        f"| central (same rows) | {c['seconds']} | {c['accuracy']} |",
        "",
        f"Within 10 minutes: {_yes(r['met'])}; accuracy gap {r['accuracy_gap']} (tolerance {r['tolerance']}).",
    ]


def render_repeat_violators(r: dict[str, Any]) -> list[str]:
    """Repeated-violator detection (target ≤ 30 s over 10,000,000 records) beside a plain count and GROUP BY."""
    rule = r["rule"]
    lines = [
        f"{r['records']:,} penalty records of {r['subjects']:,} subjects, as of {r['as_of']}: at least "
        f"{rule['min_count']} current penalties of one type within {rule['window_days']} days; target ≤ "
        f"{r['target_s']} s. Baselines: `SELECT count(*)` and `GROUP BY subject_id` over the records. `with index`: "
        f"after `{r['index']}` (not in the migrations).",
        "",
        "| database | count s | group by s | query s | run s | with index: query s / run s | violators | "
        "run = query | ≤ 30 s | load avg |",
        "|---|---:|---:|---:|---:|---|---:|---|---|---|",
    ]
    for run in r["runs"]:
        b, d, w = run["baseline"], run["without_index"], run.get("with_index")
        indexed = f"{w['query_s']} / {w['run_wall_s']}" if w else "—"
        best = min(d["run_wall_s"], w["run_wall_s"]) if w else d["run_wall_s"]
        lines.append(
            f"| {run['database']} | {b['count_s']} | {b['group_by_subject_s']} | {d['query_s']} | {d['run_wall_s']} | "
            f"{indexed} | {d['run_rows']:,} | {_yes(d['consistent'])} | {_yes(best <= r['target_s'])} | "
            f"{run['loadavg_before'][0]} → {run['loadavg_after'][0]} |"
        )
    return lines


REPORT_NAMES = {
    "public_busiest": "公共信用报告, the enterprise with the most records",
    "special_busiest": "专用信用报告, every domain, the longest period",
    "public_typical": "公共信用报告, a typical enterprise (one penalty)",
}


def render_report_pdf(r: dict[str, Any]) -> list[str]:
    """Warm medians of the PDF with the platform's subset font beside WeasyPrint with the system font."""
    lines = [
        f"A {r['subjects']:,}-subject demo district on SQLite; three reports issued through the service; {r['runs']} "
        "warm renders each after one warm-up; seconds. Baseline: the same HTML with the system Noto Sans CJK SC "
        "(plain WeasyPrint font handling) in the same run. Target: ≤ 1 s median.",
        "",
        "| report | subset median / max | system median / max | pages | KiB (subset / system) |",
        "|---|---|---|---:|---|",
    ]
    warm = r["warm"]
    for name, label in REPORT_NAMES.items():
        sub, sys_ = warm[f"{name}/subset"], warm[f"{name}/system"]
        lines.append(
            f"| {label} | {sub['median_s']} / {sub['max_s']} | {sys_['median_s']} / {sys_['max_s']} | "
            f"{sub['pages']} | {sub['kib']} / {sys_['kib']} |"
        )
    first = r["cold_special_busiest"]
    lines += [
        "",
        f"First render in a fresh process (imports and font loading included): {first['subset']} s subset, "
        f"{first['system']} s system. Median ≤ 1 s for every report: {_yes(r['within_target']['median_le_1s'])}. "
        f"Load avg {r['load_before']} → {r['load_after']}.",
    ]
    return lines


FEATURES: dict[str, Feature] = {
    "report_pdf": Feature(
        "Credit report PDF",
        "report_pdf_bench.py",
        ("--subjects", "3000"),
        "docs/reports.md",
        render_report_pdf,
        pg=False,
    ),
    "lending": Feature(
        "信易贷 statistics and matching", "lending_bench.py", ("--smes", "200000"), "docs/lending.md", render_lending
    ),
    "personal_score": Feature(
        "Personal honesty score",
        "personal_score_bench.py",
        ("--persons", "1000000", "--records", "3000000"),
        "docs/personal_score.md",
        render_personal_score,
    ),
    "eligibility": Feature(
        "Incentive eligibility API", "eligibility_bench.py", (), "docs/incentives.md", render_eligibility
    ),
    "monitoring": Feature(
        "Monthly monitoring and the dashboard",
        "monitoring_bench.py",
        ("--subjects", "1000000", "--records", "5000000"),
        "docs/monitoring.md, docs/dashboard.md",
        render_monitoring,
    ),
    "psi": Feature(
        "Private set intersection",
        "psi_bench.py",
        ("--server", "100000", "--client", "100000"),
        "docs/privacy.md",
        render_psi,
        pg=False,
    ),
    "federated": Feature(
        "Federated logistic regression",
        "federated_bench.py",
        ("--rows", "100000", "--features", "20"),
        "docs/privacy-analytics.md",
        render_federated,
        pg=False,
    ),
    "repeat_violators": Feature(
        "Repeated-violator detection (屡禁不止、屡罚不改)",
        "repeat_violators_bench.py",
        ("--subjects", "1000000", "--records", "10000000"),
        "docs/campaigns.md",
        render_repeat_violators,
    ),
}


def render(section: str, report: dict[str, Any]) -> list[str]:
    """The section's heading, a pointer to its doc, and its table."""
    feature = FEATURES[section]
    head = ["", f"## {feature.title}", "", f"`bench/{feature.script}`; details in {feature.doc}.", ""]
    return [*head, *feature.render(report)]
