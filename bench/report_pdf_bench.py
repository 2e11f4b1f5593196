"""Benchmark credit-report PDFs (issue #8: a report renders in ≤ 1 s median, beside WeasyPrint with the system font
in the same run).

    .venv/bin/python bench/report_pdf_bench.py [--subjects 3000] [--runs 9] [--json OUT]

A fresh SQLite file gets the demo district (``--subjects`` subjects with their licence and penalty records and the
lifecycle steps); three reports are then issued through ``reports.service.issue_report`` as the console operator:
the public report and the 专用信用报告 (every domain, the longest period the rules allow) of the enterprise with the
most records, and the public report of a typical enterprise with one penalty. Each is rendered with
``reports.render.render_pdf`` using the platform's CJK subset font (``font="subset"``) and, as the baseline, the
same HTML with the system Noto Sans CJK SC (``font="system"``: plain WeasyPrint font handling): one warm-up, then
``--runs`` timed renders each (median, max, pages, bytes). ``cold`` is the first render in a fresh process, which
also loads the font (one subprocess per font). The 1-minute load average before and after is recorded: other
work on this 2-core machine shows in the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

FONTS = ("subset", "system")
PURPOSE = "性能测试"


def _load() -> float:
    return float(Path("/proc/loadavg").read_text().split()[0])


def prepare(subjects: int) -> dict[str, str]:
    """Migrate, load the demo district and issue the three reports; their numbers by name."""
    from sqlalchemy import func, select

    from xinyong.auth.context import system_context
    from xinyong.db.migrate import upgrade
    from xinyong.db.session import get_engine, session_scope
    from xinyong.demo.service import load_demo
    from xinyong.records.models import CreditRecord
    from xinyong.reports import service
    from xinyong.reports.rules import report_rules
    from xinyong.subjects.models import Subject

    upgrade(get_engine())
    with session_scope() as session:
        load_demo(system_context(session, actor="bench"), subjects=subjects, seed=2021, records=1.0)
    with session_scope() as session:
        ctx = system_context(session, actor="bench")
        enterprise = (
            select(CreditRecord.subject_id, func.count().label("n"))
            .join(Subject, Subject.id == CreditRecord.subject_id)
            .where(Subject.kind == "legal_person")
            .group_by(CreditRecord.subject_id)
        )
        busiest = session.execute(enterprise.order_by(func.count().desc()).limit(1)).one()
        typical = session.execute(enterprise.having(func.count() == 1).limit(1)).one()
        rules = report_rules()
        domains = [d.id for d in rules.special.domains]
        start = service.years_before(ctx.today, rules.special.period.max_years)
        made = {
            "public_busiest": service.issue_report(ctx, busiest.subject_id, "public", purpose=PURPOSE),
            "special_busiest": service.issue_report(
                ctx,
                busiest.subject_id,
                "special",
                period_start=start,
                period_end=ctx.today,
                domains=domains,
                purpose=PURPOSE,
            ),
            "public_typical": service.issue_report(ctx, typical.subject_id, "public", purpose=PURPOSE),
        }
        return {name: report.number for name, report in made.items()}


def _render(number: str, font: str) -> bytes:
    from xinyong.db.session import session_scope
    from xinyong.reports import service
    from xinyong.reports.render import render_pdf

    with session_scope() as session:
        report = service.find(session, number)
        assert report is not None
        return render_pdf(report, font=font)  # type: ignore[arg-type]


def _pages(pdf: bytes) -> int:
    import io

    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


def measure(numbers: dict[str, str], runs: int) -> dict[str, Any]:
    """Warm medians per report and font."""
    out: dict[str, Any] = {}
    for name, number in numbers.items():
        for font in FONTS:
            pdf = _render(number, font)  # warm-up
            times = []
            for _ in range(runs):
                started = time.perf_counter()
                pdf = _render(number, font)
                times.append(time.perf_counter() - started)
            out[f"{name}/{font}"] = {
                "median_s": round(statistics.median(times), 3),
                "max_s": round(max(times), 3),
                "pages": _pages(pdf),
                "kib": round(len(pdf) / 1024),
            }
    return out


def cold(number: str, font: str) -> float:
    """The first render in a fresh process (font loading included), seconds."""
    code = (
        "import sys, time; sys.path.insert(0, sys.argv[1]); import report_pdf_bench as b; "
        "t = time.perf_counter(); b._render(sys.argv[2], sys.argv[3]); print(time.perf_counter() - t)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(Path(__file__).parent), number, font],
        check=True,
        capture_output=True,
        text=True,
        env=os.environ.copy(),
    )
    return round(float(done.stdout.strip().splitlines()[-1]), 3)


def run(subjects: int, runs: int) -> dict[str, Any]:
    """The whole benchmark in a temporary directory (database and signing key)."""
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["XINYONG_DATABASE_URL"] = f"sqlite:///{Path(tmp) / 'reports.db'}"
        os.environ["XINYONG_REPORT_KEY_FILE"] = str(Path(tmp) / "report-key.pem")
        from xinyong.reports.fonts import ensure_subset
        from xinyong.settings import get_settings

        get_settings.cache_clear()
        _, font_build_s = ensure_subset()
        load_before = _load()
        numbers = prepare(subjects)
        warm = measure(numbers, runs)
        first = {font: cold(numbers["special_busiest"], font) for font in FONTS}
        medians = [v["median_s"] for k, v in warm.items() if k.endswith("/subset")]
        return {
            "subjects": subjects,
            "runs": runs,
            "font_build_s": round(font_build_s, 1),
            "warm": warm,
            "cold_special_busiest": first,
            "load_before": load_before,
            "load_after": _load(),
            "within_target": {"median_le_1s": max(medians) <= 1.0},
        }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--subjects", type=int, default=3000)
    ap.add_argument("--runs", type=int, default=9)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    result = run(args.subjects, args.runs)
    text = json.dumps(result, ensure_ascii=False)
    if args.json:
        args.json.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
