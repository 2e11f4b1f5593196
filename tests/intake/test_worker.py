"""A large CSV file is read and checked by a worker process (``xinyong.intake.worker``) while the service writes:
every outcome — records, hashes, rejected rows, issues, summaries — is the same as when the service reads the
file itself. Here every file counts as large (``PARALLEL_MIN_BYTES = 0``) and chunks hold two rows."""

from __future__ import annotations

import io
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from factories import ric, uscc
from intake_rows import penalty_row
from xinyong.auth.context import Context
from xinyong.intake import service, worker
from xinyong.intake.models import IntakeIssue, IntakeRejectedRow
from xinyong.intake.schemas import BatchSummary
from xinyong.records.models import CreditRecord
from xinyong.subjects.departments import add_department
from xinyong.subjects.models import Department, Subject

DEPT_USCC = uscc(9001, authority="1", org_type="1")


@pytest.fixture
def dept(ctx: Context, monkeypatch: pytest.MonkeyPatch) -> Department:
    monkeypatch.setattr(service, "CHUNK_ROWS", 2)
    return add_department(ctx, "scjgj", "广州市番禺区市场监督管理局", uscc=DEPT_USCC)


def penalty(n: int, **over: str) -> dict[str, str]:
    return penalty_row(n, DEPT_USCC, **over)


def person(n: int, number: str) -> dict[str, str]:
    fields = {"subject_name": "李四", "subject_category": "自然人", "uscc": "", "legal_representative": ""}
    return penalty(n, **fields, id_type="身份证", id_number=number)


def csv_bytes(rows: list[dict[str, str]]) -> bytes:
    headers = list(rows[0])
    lines = [",".join(headers)] + [",".join(row[h] for h in headers) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def snapshot(ctx: Context, summary: BatchSummary) -> dict[str, Any]:
    """What a batch left: its summary and stored rows, without ids that differ between runs."""
    session, batch = ctx.session, summary.batch_id
    records = session.scalars(select(CreditRecord).where(CreditRecord.batch_id == batch).order_by(CreditRecord.row_no))
    subjects = {s.id: (s.name, s.uscc, s.verified) for s in session.scalars(select(Subject))}
    rejected = session.scalars(
        select(IntakeRejectedRow).where(IntakeRejectedRow.batch_id == batch).order_by(IntakeRejectedRow.row_no)
    )
    issues = session.scalars(select(IntakeIssue).where(IntakeIssue.batch_id == batch).order_by(IntakeIssue.id))
    return {
        "summary": summary.model_dump(exclude={"batch_id"}),
        "records": [
            (
                r.row_no,
                r.doc_no,
                r.version,
                r.supersedes_id is not None,
                subjects.get(r.subject_id or 0),
                r.subject_kind,
                r.subject_uscc,
                r.decided_on,
                r.publicity_end,
                r.data,
                r.content_hash,
                r.id_hash,
                r.id_masked,
            )
            for r in records
        ],
        "rejected": [(r.row_no, r.valid, r.doc_no, r.values) for r in rejected],
        "issues": [(i.row_no, i.field, i.level, i.reason) for i in issues],
    }


def both_ways(
    ctx: Context, monkeypatch: pytest.MonkeyPatch, submit: Callable[[], BatchSummary]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """``submit()`` read by the service itself, then (rolled back first) by the worker process."""
    started: list[worker.Job] = []
    real = worker.prepared_chunks

    def counted(job: worker.Job):  # type: ignore[no-untyped-def]
        started.append(job)
        return real(job)

    monkeypatch.setattr(worker, "prepared_chunks", counted)
    outer = ctx.session.begin_nested()
    itself = snapshot(ctx, submit())
    outer.rollback()
    assert not started
    monkeypatch.setattr(service, "PARALLEL_MIN_BYTES", 0)
    by_worker = snapshot(ctx, submit())
    assert started, "the worker process was not used"
    return itself, by_worker


def upload(ctx: Context, dept: Department, data: bytes, **kw: Any) -> Callable[[], BatchSummary]:
    return lambda: service.submit_file(ctx, "penalty", dept.id, io.BytesIO(data), "penalty.csv", **kw)


def test_a_valid_file_loads_the_same(ctx: Context, dept: Department, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [penalty(n) for n in range(1, 6)] + [person(6, ric("19850312", "123")), penalty(7, fine_amount="1200.5万元")]
    itself, by_worker = both_ways(ctx, monkeypatch, upload(ctx, dept, csv_bytes(rows)))
    assert by_worker == itself
    assert by_worker["summary"]["accepted"] == 7 and len(by_worker["records"]) == 7


def test_resends_are_unchanged_or_new_versions_the_same(
    ctx: Context, dept: Department, monkeypatch: pytest.MonkeyPatch
) -> None:
    service.submit_rows(ctx, "penalty", dept.id, [penalty(n) for n in range(1, 5)])
    rows = [penalty(1), penalty(2, fine_amount="0.8"), penalty(3), penalty(5)]
    itself, by_worker = both_ways(ctx, monkeypatch, upload(ctx, dept, csv_bytes(rows)))
    assert by_worker == itself
    summary = by_worker["summary"]
    assert (summary["accepted"], summary["unchanged"], summary["superseded"]) == (2, 2, 1)


@pytest.mark.parametrize("bad_row", [1, 5])
def test_an_error_in_an_all_or_nothing_batch_rejects_it_the_same(
    ctx: Context, dept: Department, monkeypatch: pytest.MonkeyPatch, bad_row: int
) -> None:
    rows = [penalty(n, decided_on="2027-01-01") if n == bad_row else penalty(n) for n in range(1, 7)]
    itself, by_worker = both_ways(ctx, monkeypatch, upload(ctx, dept, csv_bytes(rows)))
    assert by_worker == itself
    summary = by_worker["summary"]
    assert (summary["status"], summary["held"], summary["rejected"]) == ("rejected", 5, 1)
    assert by_worker["records"] == [] and len(by_worker["rejected"]) == 6


def test_partial_batches_and_duplicates_the_same(
    ctx: Context, dept: Department, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [
        penalty(1),
        penalty(2, fine_amount="五千元"),
        penalty(3),
        penalty(1, subject_name="广州另一公司"),  # the document number of row 1 again
        penalty(5, uscc="91440113MA0000000X"),
        penalty(6),
    ]
    itself, by_worker = both_ways(ctx, monkeypatch, upload(ctx, dept, csv_bytes(rows), partial=True))
    assert by_worker == itself
    summary = by_worker["summary"]
    assert (summary["status"], summary["accepted"], summary["rejected"]) == ("loaded", 3, 3)
    assert [r[0] for r in by_worker["rejected"]] == [2, 4, 5]


def test_a_bad_byte_late_in_the_file_is_the_same_file_problem(
    ctx: Context, dept: Department, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service, "CHUNK_ROWS", 50)
    facts = "在网店发布虚假广告" * 20  # rows of ~1 KB: row 90 lies past the 64 KiB the encoding is decided on
    data = csv_bytes([penalty(n, violation_facts=facts) for n in range(1, 101)])
    data = data.replace("广州禾丰贸易90有限公司".encode(), b"\xff\xfe\x80")
    itself, by_worker = both_ways(ctx, monkeypatch, upload(ctx, dept, data))
    assert by_worker == itself
    assert "无法按 UTF-8 解码" in (by_worker["summary"]["file_error"] or "") and by_worker["records"] == []


def test_a_file_on_disk_is_read_in_place_and_a_copy_is_removed(
    ctx: Context, dept: Department, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(service, "PARALLEL_MIN_BYTES", 0)
    jobs: list[worker.Job] = []
    real = worker.prepared_chunks
    monkeypatch.setattr(worker, "prepared_chunks", lambda job: (jobs.append(job), real(job))[1])
    path = tmp_path / "penalty.csv"
    path.write_bytes(b"# ignored prefix\n" + csv_bytes([penalty(n) for n in range(1, 4)]))
    with path.open("rb") as fh:
        fh.readline()  # the data starts after the first line: the worker starts there too
        summary = service.submit_file(ctx, "penalty", dept.id, fh, "penalty.csv")
    assert (summary.status, summary.accepted) == ("loaded", 3)
    assert jobs[0].path == str(path) and jobs[0].offset == len(b"# ignored prefix\n")
    service.submit_file(ctx, "penalty", dept.id, io.BytesIO(csv_bytes([penalty(9)])), "penalty.csv")
    assert jobs[1].path != str(path) and not Path(jobs[1].path).exists()
    assert Path(jobs[1].path).parent == Path(tempfile.gettempdir())
