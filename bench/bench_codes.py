"""Benchmark: our bulk USCC checker against python-stdnum on the same valid codes (single core).

Run: ``.venv/bin/python bench/bench_codes.py [--n 1000000] [--seed 20251127] [--json OUT]``.

Codes are generated deterministically with ``make_uscc`` from a seeded RNG: numeric authorities only (stdnum
rejects A/N/Y at once, which would flatter it), random allowed type, random GB/T 2260 division, random body.
Each checker runs 3 times over the same list; the best time counts (``time.perf_counter``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

from stdnum.cn import uscc as stdnum_uscc

from xinyong.codes import ALPHABET, check_code, make_uscc, uscc_problems_bulk
from xinyong.codes.divisions import DIVISIONS
from xinyong.codes.uscc import AUTHORITY_PAIRS

REPEATS = 3


def generate(n: int, seed: int) -> list[str]:
    """``n`` valid USCCs, the same for the same seed."""
    rng = random.Random(seed)
    pairs = sorted(p for p in AUTHORITY_PAIRS if p[0].isdigit())
    divisions = sorted(DIVISIONS)
    return [make_uscc(*rng.choice(pairs), rng.choice(divisions), "".join(rng.choices(ALPHABET, k=8))) for _ in range(n)]


def best_rate(fn: Callable[[list[str]], object], codes: list[str]) -> float:
    """Codes per second of the best of REPEATS runs."""
    best = float("inf")
    for _ in range(REPEATS):
        start = time.perf_counter()
        fn(codes)
        best = min(best, time.perf_counter() - start)
    return len(codes) / best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="number of codes (default 1,000,000)")
    parser.add_argument("--seed", type=int, default=20251127)
    parser.add_argument("--json", type=Path, help="write the figures to this JSON file")
    args = parser.parse_args(argv)

    load_before = os.getloadavg()[0]
    codes = generate(args.n, args.seed)
    problems = uscc_problems_bulk(codes)
    assert not any(problems), "generated codes must all be valid"
    stdnum_valid = sum(map(stdnum_uscc.is_valid, codes))

    ours = best_rate(uscc_problems_bulk, codes)
    theirs = best_rate(lambda cs: list(map(stdnum_uscc.is_valid, cs)), codes)
    sample = codes[: min(len(codes), 100_000)]
    full = best_rate(lambda cs: [check_code(c) for c in cs], sample)

    figures = {
        "n": args.n,
        "seed": args.seed,
        "repeats": REPEATS,
        "uscc_problems_bulk_codes_per_s": round(ours),
        "stdnum_is_valid_codes_per_s": round(theirs),
        "speedup": round(ours / theirs, 2),
        "check_code_codes_per_s": round(full),
        "check_code_sample": len(sample),
        "stdnum_valid": stdnum_valid,
        "loadavg_1min_before_after": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "cpus": os.cpu_count(),
        "python": sys.version.split()[0],
        "machine": platform.machine(),
        "processor": platform.processor() or platform.machine(),
    }
    print(f"codes: {args.n:,} (seed {args.seed}), best of {REPEATS}")
    print(f"uscc_problems_bulk      {ours:>12,.0f} codes/s")
    print(f"stdnum.cn.uscc.is_valid {theirs:>12,.0f} codes/s   (ours ×{ours / theirs:.1f})")
    print(f"check_code (full path)  {full:>12,.0f} codes/s   ({len(sample):,} codes, with normalisation)")
    print(f"load average (1 min) before/after: {figures['loadavg_1min_before_after']}, {os.cpu_count()} CPUs")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
