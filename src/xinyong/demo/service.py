"""``load_demo``: fill the registry with the synthetic district of ``demo.generator`` (the only writer of demo data).

Rows go through ``subjects.bulk.insert_subjects`` (executemany on SQLite, COPY on PostgreSQL) in chunks, with
every code checked by ``codes.uscc.uscc_problem_string`` and every ID number encrypted by ``auth.pii`` on the way,
inside the caller's transaction; the name index is built in one sorted pass at the end (and, into an empty
SQLite registry, the subject indexes are dropped for the load and rebuilt after it). One audit event records the
load and its seed. With ``records`` > 0 the district's licence and penalty records follow, through the intake
pipeline (``demo.records``).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, text

from xinyong.auth import audit, pii
from xinyong.auth.context import Context
from xinyong.auth.permissions import require
from xinyong.catalog.departments import load_departments
from xinyong.demo.generator import DistrictGenerator, department_uscc, plan_of
from xinyong.demo.lifecycle import LifecycleSummary, plant_lifecycle
from xinyong.demo.records import RecordSummary, RecordWindowError, Shares, load_demo_records
from xinyong.demo.worker import WorkerChunks, check_codes
from xinyong.errors import Conflict, InvalidInput
from xinyong.subjects.bulk import defer_subject_indexes, index_names, insert_subjects, next_subject_id
from xinyong.subjects.models import Department, Subject

DEFAULT_SUBJECTS = 20_000
DEFAULT_SEED = 2021
CHUNK = 50_000
PARALLEL_MIN_SUBJECTS = 200_000
MAX_SUBJECTS = 10_000_000
SQLITE_LOAD_CACHE_KIB = 1024 * 1024  # page cache for the duration of the load (restored after)

Progress = Callable[[int], None]


@dataclass
class DemoSummary:
    """What ``load_demo`` did. ``skipped`` with a ``message`` when ``if_empty`` found subjects already there."""

    subjects: int
    seed: int
    skipped: bool = False
    message: str = ""
    departments_added: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    by_profile: dict[str, int] = field(default_factory=dict)
    erroneous: int = 0
    duplicates: int = 0
    erroneous_ids: list[int] = field(default_factory=list)
    duplicate_ids: list[int] = field(default_factory=list)
    placeholders: int = 0
    first_id: int | None = None
    last_id: int | None = None
    hefeng_id: int | None = None
    seconds: float = 0.0
    phases: dict[str, float] = field(default_factory=dict)
    records: RecordSummary | None = None
    records_skipped: str = ""  # why no records were loaded although asked for
    lifecycle: LifecycleSummary | None = None  # objections, repairs and commitments planted on the records


def _add_departments(ctx: Context) -> int:
    """Insert the catalogue's departments that are not there yet (matched by code or name)."""
    existing = ctx.session.execute(select(Department.code, Department.name)).all()
    codes = {c for c, _ in existing}
    names = {n for _, n in existing}
    added = 0
    for entry in load_departments().departments:
        if entry.code in codes or entry.name in names:
            continue
        ctx.session.add(Department(code=entry.code, name=entry.name, uscc=department_uscc(entry.code, entry.org_type)))
        added += 1
    ctx.session.flush()
    return added


def _protect(rows: list[dict[str, Any]], ctx: Context) -> None:
    """Encrypt ID numbers (cipher, keyed hash, masked form; the plaintext is dropped) and stamp the load time."""
    encrypt, lookup_hash, mask_id = pii.encrypt, pii.lookup_hash, pii.mask_id
    at = ctx.at
    for row in rows:
        ric = row.pop("ric")
        if ric is not None:
            row["ric_cipher"] = encrypt(ric)
            row["ric_hash"] = lookup_hash(ric)
            row["ric_masked"] = mask_id(ric)
        else:
            row["ric_cipher"] = row["ric_hash"] = row["ric_masked"] = None
        row["created_at"] = at


def load_demo(
    ctx: Context,
    subjects: int = DEFAULT_SUBJECTS,
    seed: int = DEFAULT_SEED,
    *,
    if_empty: bool = False,
    progress: Progress | None = None,
    chunk: int = CHUNK,
    parallel: bool | None = None,
    records: float = 0.0,
    record_shares: Shares | None = None,
    record_progress: Callable[[int, int], None] | None = None,
    lifecycle: bool = True,
) -> DemoSummary:
    """Load ``subjects`` synthetic subjects generated from ``seed`` plus the district departments.

    With ``if_empty``, do nothing (and say so) when the registry already holds subjects. Refuses to load a second
    demo district on top of one (its codes would all be duplicates). ``progress`` is called with the number of
    rows written after each chunk. ``parallel`` generates in a second process (default: for ≥ 200,000 subjects
    on a machine with two or more cores); the rows are the same either way. ``records`` (a scale, 1.0 = one
    penalty per 20 subjects and one licence per 10; 0 = none) then loads licence and penalty records with the
    ``record_shares`` of late, bad and omitted ones through the intake pipeline (``demo.records``), calling
    ``record_progress(batches_done, batches)``; skipped with ``records_skipped`` when the working-day calendar
    covers no recent year. With ``lifecycle`` (default) objections, repair applications and commitments in
    every state are then planted on those records through their services (``demo.lifecycle``). The caller
    commits.
    """
    require(ctx, "demo.load")
    if not 0 < subjects <= MAX_SUBJECTS:
        raise InvalidInput(f"主体数量应在 1 至 {MAX_SUBJECTS} 之间", field="subjects")
    started = time.perf_counter()
    session = ctx.session
    if if_empty and session.scalar(select(Subject.id).limit(1)) is not None:
        return DemoSummary(subjects=0, seed=seed, skipped=True, message="主体库已有数据，未载入演示数据（--if-empty）")
    if session.scalar(select(Subject.id).where(Subject.source == "demo").limit(1)) is not None:
        raise Conflict("主体库中已有演示数据；再次载入会使全部代码重复。请使用新的数据库，或加 --if-empty")

    # Phases as seen by this process; with a worker, "generate" is the time spent waiting for it.
    phases = dict.fromkeys(("departments", "generate", "prepare", "insert", "index", "finish"), 0.0)
    t = time.perf_counter()
    added = _add_departments(ctx)
    phases["departments"] = time.perf_counter() - t

    first_id = next_subject_id(session)
    if parallel is None:
        parallel = subjects >= PARALLEL_MIN_SUBJECTS and (os.cpu_count() or 1) > 1
    source: WorkerChunks | DistrictGenerator
    if parallel:
        source = WorkerChunks(subjects, seed, first_id, chunk)
        chunks = iter(source)
    else:
        source = DistrictGenerator(subjects, seed, first_id=first_id)
        chunks = source.chunks(chunk)
    restore = _speed_up_sqlite(ctx)
    rebuild = defer_subject_indexes(session)
    try:
        done = 0
        while True:
            t = time.perf_counter()
            rows = next(chunks, None)
            if rows is not None and not parallel:
                check_codes(rows)
            phases["generate"] += time.perf_counter() - t
            if rows is None:
                break
            t = time.perf_counter()
            _protect(rows, ctx)
            phases["prepare"] += time.perf_counter() - t
            t = time.perf_counter()
            insert_subjects(session, rows, index=False)
            phases["insert"] += time.perf_counter() - t
            done += len(rows)
            if progress:
                progress(done)
        # One pass over the whole load: the grams arrive sorted, so the index grows by appending.
        t = time.perf_counter()
        index_names(session, first_id, first_id + subjects - 1)
        rebuild()
        phases["index"] = time.perf_counter() - t
    finally:
        if isinstance(source, WorkerChunks):
            source.close()
        restore()

    t = time.perf_counter()
    if session.get_bind().dialect.name == "postgresql":
        # Rows carry their own ids: move the id sequence past them for later inserts that rely on it.
        session.execute(text("SELECT setval(pg_get_serial_sequence('subject', 'id'), (SELECT max(id) FROM subject))"))
        # Fresh statistics, so the planner does not treat the bulk-loaded tables as empty until autovacuum runs.
        session.execute(text("ANALYZE subject"))
        session.execute(text("ANALYZE subject_name_gram"))
    plan = plan_of(subjects, seed)
    log = source.log
    assert log is not None
    summary = DemoSummary(
        subjects=subjects,
        seed=seed,
        departments_added=added,
        by_kind=dict(plan.by_kind),
        by_profile=dict(plan.by_profile),
        erroneous=len(log.erroneous_ids),
        duplicates=len(log.duplicate_ids),
        erroneous_ids=list(log.erroneous_ids),
        duplicate_ids=list(log.duplicate_ids),
        placeholders=log.placeholders,
        first_id=first_id,
        last_id=first_id + subjects - 1,
        hefeng_id=log.hefeng_id,
    )
    audit.record(
        ctx,
        "demo.load",
        "registry",
        "demo",
        {
            "subjects": subjects,
            "seed": seed,
            "first_id": summary.first_id,
            "last_id": summary.last_id,
            "by_kind": summary.by_kind,
            "departments_added": added,
            "planted_erroneous": summary.erroneous,
            "planted_duplicates": summary.duplicates,
            "placeholders": summary.placeholders,
        },
    )
    phases["finish"] = time.perf_counter() - t
    if records > 0:
        t = time.perf_counter()
        try:
            summary.records = load_demo_records(
                ctx, seed, scale=records, shares=record_shares, subjects=subjects, progress=record_progress
            )
        except RecordWindowError as exc:
            summary.records_skipped = exc.message
        phases["records"] = time.perf_counter() - t
        if summary.records is not None and lifecycle:
            t = time.perf_counter()
            summary.lifecycle = plant_lifecycle(ctx, seed)
            phases["lifecycle"] = time.perf_counter() - t
    summary.phases = {k: round(v, 3) for k, v in phases.items()}
    summary.seconds = round(time.perf_counter() - started, 3)
    return summary


def _speed_up_sqlite(ctx: Context) -> Callable[[], None]:
    """Tune SQLite for the load (large page cache, which also keeps the sorter in memory, two sorter threads);
    returns the function that restores the previous values. (The gram table has no foreign key to check.)"""
    if ctx.session.get_bind().dialect.name != "sqlite":
        return lambda: None
    conn = ctx.session.connection()
    pragmas = {"cache_size": f"-{SQLITE_LOAD_CACHE_KIB}", "threads": "2"}
    previous = {name: conn.exec_driver_sql(f"PRAGMA {name}").scalar() for name in pragmas}
    for name, value in pragmas.items():
        conn.exec_driver_sql(f"PRAGMA {name}={value}")

    def restore() -> None:
        for name, value in previous.items():
            conn.exec_driver_sql(f"PRAGMA {name}={int(value or 0)}")

    return restore
