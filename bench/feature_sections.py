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


FEATURES: dict[str, Feature] = {
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
}


def render(section: str, report: dict[str, Any]) -> list[str]:
    """The section's heading, a pointer to its doc, and its table."""
    feature = FEATURES[section]
    head = ["", f"## {feature.title}", "", f"`bench/{feature.script}`; details in {feature.doc}.", ""]
    return [*head, *feature.render(report)]
