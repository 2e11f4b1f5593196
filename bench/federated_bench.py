"""Benchmark the vertical federated logistic regression (issue #10: training on 100,000 × 20 features ≤ 10 minutes).

    .venv/bin/python bench/federated_bench.py [--rows 100000] [--features 20] [--key-bits 2048] [--iterations N]
        [--textbook-iterations 1] [--seed 1] [--json OUT]

Small scale, in under a minute: ``python bench/federated_bench.py --rows 5000 --features 20 --key-bits 1024``.

One process, no database (the protocol runs between two in-memory party objects; storing the run is one row).
Demo data of ``--rows`` subjects × ``--features`` features (``federated.demo_data``; the bank's customers are the
subjects plus 5 % unknown to the platform), then, in the same run:

* ``federated``: ``federated.run_protocol`` in its default ``aggregate`` mode: alignment (HMAC ids), the bank's
  Paillier encryption of one label term per training row, the platform's encrypted aggregation (one modular
  multiplication per row and feature), then every iteration's masked encrypted gradient, the bank's decryption
  and the platform's update, then the evaluation — each phase timed (``seconds``);
* ``central``: the same logistic regression trained centrally on the pooled data, the same rows, split, encoded
  features, iterations and learning rate (plain Python: numpy is not in the environment) — the baseline;
* ``textbook``: ``--textbook-iterations`` iterations of the ``per_iteration`` mode (the encrypted gradient
  recomputed row by row every iteration, as the protocol is usually written), timed to extrapolate what that
  variant would cost for all iterations (it releases the same values: tests/privacy/test_federated.py).

``/proc/loadavg`` is recorded around each phase (the 2 CPUs are shared with other sessions' work).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

from xinyong.privacy import federated  # noqa: E402
from xinyong.privacy.sandbox_rules import load_rules  # noqa: E402

TARGET_SECONDS = 600.0


def loadavg() -> list[float]:
    try:
        return [float(v) for v in Path("/proc/loadavg").read_text().split()[:3]]
    except OSError:
        return []


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--features", type=int, default=20)
    parser.add_argument("--key-bits", type=int, default=2048)
    parser.add_argument("--iterations", type=int, default=None, help="default: the policy's")
    parser.add_argument("--textbook-iterations", type=int, default=1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()

    policy = load_rules().federated.model_copy(update={"max_features": max(args.features, 1)})
    if args.iterations:
        policy = policy.model_copy(update={"iterations": args.iterations})
    out: dict[str, Any] = {
        "target": f"federated training on {args.rows:,} × {args.features} features ≤ {TARGET_SECONDS:.0f} s",
        "rows": args.rows,
        "features": args.features,
        "key_bits": args.key_bits,
        "iterations": policy.iterations,
        "learning_rate": policy.learning_rate,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
    }
    print(f"federated bench: {args.rows:,} × {args.features}, {args.key_bits}-bit key, {policy.iterations} iterations")

    started = time.perf_counter()
    data = federated.demo_data(args.seed, args.rows, args.features)
    out["demo_data_seconds"] = round(time.perf_counter() - started, 2)
    print(f"  demo data: {out['demo_data_seconds']} s")

    out["loadavg_before"] = loadavg()
    platform_party = federated.PlatformParty(data.features, data.feature_names, policy)
    bank = federated.BankParty(data.outcomes, args.key_bits, policy)

    def tick(i: int) -> None:
        if i % 10 == 0 or i == policy.iterations:
            print(f"  iteration {i}/{policy.iterations} ({time.perf_counter() - started:.1f} s)", flush=True)

    started = time.perf_counter()
    result = federated.run_protocol(
        platform_party, bank, policy, channel=federated.Channel(keep_payloads=False), progress=tick
    )
    federated_seconds = time.perf_counter() - started
    out["federated"] = {
        "seconds": round(federated_seconds, 2),
        "phases": result.seconds,
        "accuracy": round(result.accuracy, 4),
        "aligned": result.aligned,
        "train_rows": result.train_rows,
        "test_rows": result.test_rows,
        "exchanged": result.channel.summary(),
        "loadavg_after": loadavg(),
    }
    print(f"  federated: {federated_seconds:.1f} s {result.seconds}, accuracy {result.accuracy:.4f}")

    started = time.perf_counter()
    central = federated.central_baseline(platform_party, data, bank.alignment_key(), policy)
    central_seconds = time.perf_counter() - started
    out["central"] = {"seconds": round(central_seconds, 2), "accuracy": round(central, 4), "loadavg_after": loadavg()}
    print(f"  central: {central_seconds:.1f} s, accuracy {central:.4f}")

    if args.textbook_iterations:
        textbook = policy.model_copy(update={"iterations": args.textbook_iterations})
        p2 = federated.PlatformParty(data.features, data.feature_names, textbook)
        b2 = federated.BankParty(data.outcomes, args.key_bits, textbook)
        res2 = federated.run_protocol(
            p2, b2, textbook, mode="per_iteration", channel=federated.Channel(keep_payloads=False)
        )
        per_iteration = res2.seconds["iterations"] / args.textbook_iterations
        out["textbook"] = {
            "iterations_measured": args.textbook_iterations,
            "seconds_per_iteration": round(per_iteration, 2),
            "extrapolated_seconds": round(
                res2.seconds["align"] + res2.seconds["encrypt"] + per_iteration * policy.iterations, 1
            ),
        }
        print(f"  textbook per-iteration mode: {per_iteration:.1f} s per iteration")

    gap = abs(result.accuracy - central)
    out["accuracy_gap"] = round(gap, 4)
    out["tolerance"] = policy.tolerance
    out["within_tolerance"] = gap <= policy.tolerance
    out["met"] = federated_seconds <= TARGET_SECONDS and gap <= policy.tolerance
    verdict = "met" if out["met"] else "NOT met"
    print(f"  target {verdict}: {federated_seconds:.1f} s ≤ {TARGET_SECONDS:.0f} s, accuracy gap {gap:.4f}")
    if args.json:
        args.json.write_text(json.dumps(out, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
