"""Benchmark 信易贷's set-based reads (issue #9 item 1; the issue sets no target for lending: this measures that the
promotion statistics and the matching stay one grouped query each at district scale).

    .venv/bin/python bench/lending_bench.py [--smes 200000] [--institutions 50] [--repeat 3] [--pg-url URL]
        [--no-pg] [--json OUT]

For each database (a fresh SQLite file, a throw-away PostgreSQL schema), migrated: ``--smes`` enterprises (ten
Panyu townships) each registered on the platform (sectors cycled) with one financing need (amount 10–500 万元,
6–36 months, loan types cycled; a third met, a tenth withdrawn, the rest open), ``--institutions`` institutions
with three products each, and an outcome for every met need and every fifth open one (credit loans flagged),
inserted in batches. Then, each ``--repeat`` times (the median reported):

* ``stats_town`` / ``stats_sector`` / ``stats_institution``: ``lending.queries.stats`` for the credit office;
* ``matching``: ``lending.queries.matching_needs`` for one bank (the first 500 matches, with the authorised flag);
* baselines of the same run: ``SELECT count(*)`` over the needs, and the registrations grouped by town (one pass).

``/proc/loadavg`` is recorded around each phase (the 2 CPUs are shared with other sessions).
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, insert, select, text
from sqlalchemy.orm import Session

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import portal_bench  # noqa: E402
from portal_bench import loadavg, postgresql_database, sqlite_database  # noqa: E402

from xinyong import clock  # noqa: E402
from xinyong.auth.context import Context  # noqa: E402
from xinyong.codes.divisions import PANYU_TOWNSHIPS  # noqa: E402
from xinyong.db.migrate import upgrade  # noqa: E402
from xinyong.lending import queries  # noqa: E402
from xinyong.lending.models import (  # noqa: E402
    FinancialInstitution,
    FinancingNeed,
    LendingRegistration,
    LoanOutcome,
    LoanProduct,
)
from xinyong.lending.rules import lending_rules  # noqa: E402
from xinyong.subjects.models import Subject  # noqa: E402

NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
TODAY = date(2026, 11, 27)
BATCH = 10_000


def _batches(engine: Engine, table: Any, rows: Callable[[int], dict[str, Any]], count: int) -> None:
    with engine.begin() as conn:
        for start in range(0, count, BATCH):
            conn.execute(insert(table), [rows(i) for i in range(start, min(start + BATCH, count))])


def build(engine: Engine, smes: int, institutions: int) -> dict[str, Any]:
    """The data above, committed; the phases' seconds."""
    phases: dict[str, float] = {}
    t = time.perf_counter()
    upgrade(engine)
    phases["migrate"] = round(time.perf_counter() - t, 1)
    rules = lending_rules()
    towns = [t.code for t in PANYU_TOWNSHIPS[:10]]
    sectors = [s.key for s in rules.sectors]
    types = [t.key for t in rules.loan_types]
    t = time.perf_counter()
    _batches(
        engine,
        Subject.__table__,
        lambda i: {
            "id": i + 1,
            "kind": "legal_person",
            "name": f"番禺基准企业{i + 1}",
            "name_key": f"番禺基准企业{i + 1}",
            "uscc": f"91440113BENCH{i + 1:05d}"[:18],
            "township_code": towns[i % len(towns)],
            "status": "存续",
            "source": "bench",
            "verified": True,
            "created_at": NOW,
        },
        smes,
    )
    _batches(
        engine,
        LendingRegistration.__table__,
        lambda i: {
            "id": i + 1,
            "subject_id": i + 1,
            "town": towns[i % len(towns)],
            "sector": sectors[i % len(sectors)],
            "contact_enc": "",
            "registered_by": "bench",
            "registered_at": NOW,
        },
        smes,
    )

    def status(i: int) -> str:
        return "met" if i % 3 == 0 else "withdrawn" if i % 10 == 1 else "open"

    _batches(
        engine,
        FinancingNeed.__table__,
        lambda i: {
            "id": i + 1,
            "subject_id": i + 1,
            "amount": Decimal(10 + (i * 7) % 491),
            "term_months": 6 + (i % 31),
            "purpose": "流动资金",
            "loan_type": types[i % len(types)],
            "status": status(i),
            "valid_until": TODAY + timedelta(days=(i % 120) - 20),
            "published_by": "bench",
            "published_at": NOW,
            "closed_at": NOW if status(i) != "open" else None,
            "version": 1,
        },
        smes,
    )
    _batches(
        engine,
        FinancialInstitution.__table__,
        lambda i: {
            "id": i + 1,
            "name": f"基准银行{i + 1}",
            "uscc": "91440113MA59BK0001",
            "kind": "bank",
            "contact": "",
            "active": True,
            "registered_by": "bench",
            "registered_at": NOW,
        },
        institutions,
    )
    _batches(
        engine,
        LoanProduct.__table__,
        lambda i: {
            "id": i + 1,
            "institution_id": i // 3 + 1,
            "name": f"产品{i + 1}",
            "loan_type": types[i % len(types)],
            "rate_min": Decimal("3.5"),
            "rate_max": Decimal("4.5"),
            "amount_max": Decimal(100 + (i % 5) * 100),
            "term_months_max": 12 + (i % 3) * 12,
            "conditions": "",
            "active": True,
            "created_by": "bench",
            "created_at": NOW,
        },
        institutions * 3,
    )
    answered = [i for i in range(smes) if status(i) == "met" or (status(i) == "open" and i % 5 == 0)]
    credit = rules.credit_types()
    _batches(
        engine,
        LoanOutcome.__table__,
        lambda k: {
            "id": k + 1,
            "institution_id": answered[k] % institutions + 1,
            "subject_id": answered[k] + 1,
            "need_id": answered[k] + 1,
            "product_id": None,
            "approved": status(answered[k]) == "met",
            "amount": Decimal(10 + (answered[k] * 7) % 491) if status(answered[k]) == "met" else None,
            "rate": Decimal("3.85") if status(answered[k]) == "met" else None,
            "loan_type": types[answered[k] % len(types)],
            "credit_loan": types[answered[k] % len(types)] in credit,
            "reason": "",
            "decided_on": TODAY,
            "recorded_by": "bench",
            "recorded_at": NOW,
        },
        len(answered),
    )
    phases["build"] = round(time.perf_counter() - t, 1)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    return {"phases_s": phases, "outcomes": len(answered)}


def _median(repeat: int, run: Callable[[], object]) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - t)
    return round(statistics.median(times) * 1000, 1), result


def measure(engine: Engine, repeat: int) -> dict[str, Any]:
    """The reads' median milliseconds beside the baselines."""
    out: dict[str, Any] = {"loadavg_before": loadavg()}
    with Session(engine) as session:
        office = Context(session=session, actor="bench:office", role="credit_office_staff", at=NOW)
        banker = Context(session=session, actor="bench:bank", role="bank", institution="基准银行1", at=NOW)
        out["baseline_count_needs_ms"], n = _median(
            repeat, lambda: session.scalar(select(func.count()).select_from(FinancingNeed))
        )
        out["baseline_group_towns_ms"], _ = _median(
            repeat,
            lambda: session.execute(
                select(LendingRegistration.town, func.count()).group_by(LendingRegistration.town)
            ).all(),
        )
        for dimension in ("town", "sector", "institution"):
            out[f"stats_{dimension}_ms"], result = _median(repeat, lambda d=dimension: queries.stats(office, d))  # type: ignore[misc]
            out[f"stats_{dimension}_rows"] = len(result.rows)  # type: ignore[attr-defined]
        out["matching_ms"], rows = _median(repeat, lambda: queries.matching_needs(banker))
        out["matching_rows"] = len(rows)  # type: ignore[arg-type]
        out["needs"] = n
    out["loadavg_after"] = loadavg()
    return out


def run(args: argparse.Namespace) -> dict[str, Any]:
    clock.set_clock(lambda: NOW)
    report: dict[str, Any] = {
        "smes": args.smes,
        "institutions": args.institutions,
        "machine": {"python": platform.python_version(), "cpus": __import__("os").cpu_count()},
        "databases": {},
    }
    targets = [("sqlite", sqlite_database())]
    if not args.no_pg:
        targets.append(("postgresql", postgresql_database(args.pg_url)))
    for name, manager in targets:
        with manager as (_url, engine, _tmp):
            built = build(engine, args.smes, args.institutions)
            report["databases"][name] = {**built, **measure(engine, args.repeat)}
            print(name, json.dumps(report["databases"][name], ensure_ascii=False), flush=True)
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--smes", type=int, default=200_000)
    parser.add_argument("--institutions", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--pg-url", default=portal_bench.PG_URL)
    parser.add_argument("--no-pg", action="store_true")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    report = run(args)
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
