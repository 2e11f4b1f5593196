"""Benchmark: public subject search over a loaded registry (issue #2: median ≤ 50 ms at 1,000,000 subjects).

Usage: python bench/bench_search.py --url DATABASE_URL [--queries 200] [--seed 7] [--json OUT]

Queries are drawn reproducibly from the registry itself: 2–4 character fragments of random names (the
way people type a 字号), whole names, code prefixes, very common fragments (有限公司, 广州) and fragments that
match nothing. Each query is timed end to end through ``search_subjects`` (count + first page).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from xinyong.db.session import make_engine
from xinyong.subjects.models import Subject
from xinyong.subjects.queries import search_subjects


def draw_queries(session: Session, n: int, seed: int) -> list[tuple[str, str]]:
    """(class, query) pairs drawn from the registry with a fixed seed."""
    rng = random.Random(seed)
    max_id = session.scalar(select(func.max(Subject.id))) or 0
    if max_id == 0:
        raise SystemExit("registry is empty: load the demo district first")
    picked: list[Subject] = []
    while len(picked) < n:
        s = session.get(Subject, rng.randint(1, max_id))
        if s is not None and s.kind != "natural_person":
            picked.append(s)
    queries: list[tuple[str, str]] = []
    for i, s in enumerate(picked):
        kind = i % 5
        if kind in (0, 1, 2):
            core = s.name.removeprefix("广州市").removeprefix("广州").removeprefix("番禺区")
            size = rng.choice((2, 2, 3, 4))
            start = rng.randint(0, max(0, min(4, len(core) - size)))
            queries.append(("fragment", core[start : start + size]))
        elif kind == 3:
            queries.append(("full_name", s.name))
        else:
            queries.append(("code_prefix", (s.uscc or "")[: rng.choice((8, 12, 18))] or s.name))
    queries += [("common", q) for q in ("有限公司", "广州", "公司", "贸易", "科技有限公司")]
    queries += [("no_match", q) for q in ("量子纠缠", "不存在的名字", "ZZZZZZZZ")]
    return queries


def run(url: str, n: int = 200, seed: int = 7) -> dict[str, object]:
    """Time every drawn query once after one warm-up pass; return medians and p95 per class and overall."""
    engine = make_engine(url)
    with Session(engine) as session:
        subjects = session.scalar(select(func.count()).select_from(Subject)) or 0
        queries = draw_queries(session, n, seed)
        for _, q in queries[:20]:
            search_subjects(session, q)
        timings: dict[str, list[float]] = {}
        for cls, q in queries:
            t0 = time.perf_counter()
            search_subjects(session, q)
            timings.setdefault(cls, []).append((time.perf_counter() - t0) * 1000)
    engine.dispose()
    every = [t for ts in timings.values() for t in ts]

    def summary(ts: list[float]) -> dict[str, float]:
        ts = sorted(ts)
        return {
            "n": len(ts),
            "median_ms": round(statistics.median(ts), 2),
            "p95_ms": round(ts[min(len(ts) - 1, int(len(ts) * 0.95))], 2),
            "max_ms": round(ts[-1], 2),
        }

    return {
        "database": engine.dialect.name,
        "subjects": subjects,
        "overall": summary(every),
        "by_class": {cls: summary(ts) for cls, ts in timings.items()},
    }


def main() -> None:
    """CLI entry."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--url", required=True)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    result = run(args.url, args.queries, args.seed)
    print(json.dumps(result, ensure_ascii=False, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
