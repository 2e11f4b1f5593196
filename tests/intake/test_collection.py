"""While a batch loads, the cyclic garbage collector runs less often; afterwards the thresholds are back."""

from __future__ import annotations

import gc
import io
import subprocess
import sys
import threading
from collections.abc import Iterator

import pytest

from factories import uscc
from intake_rows import penalty_row
from xinyong.auth.context import Context
from xinyong.intake import collection, service
from xinyong.subjects.departments import add_department

BATCH = (collection.YOUNG, *collection.OLDER)
DEPT_USCC = uscc(9001, authority="1", org_type="1")


@pytest.fixture
def thresholds() -> Iterator[tuple[int, int, int]]:
    """The test's own thresholds (not the batch's), restored after it."""
    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield gc.get_threshold()
    gc.set_threshold(*before)


def test_thresholds_inside_and_restored_after(thresholds: tuple[int, int, int]) -> None:
    with collection.batch_collection():
        assert gc.get_threshold() == BATCH
    assert gc.get_threshold() == thresholds


def test_restored_after_an_exception(thresholds: tuple[int, int, int]) -> None:
    with pytest.raises(ValueError), collection.batch_collection():
        raise ValueError("boom")
    assert gc.get_threshold() == thresholds


def test_nested_and_concurrent_batches_restore_once_the_last_leaves(thresholds: tuple[int, int, int]) -> None:
    inside, leave = threading.Event(), threading.Event()
    seen: list[tuple[int, int, int]] = []

    def other_batch() -> None:
        with collection.batch_collection():
            inside.set()
            leave.wait(5)
            seen.append(gc.get_threshold())

    thread = threading.Thread(target=other_batch)
    with collection.batch_collection():
        thread.start()
        assert inside.wait(5)
        with collection.batch_collection():
            assert gc.get_threshold() == BATCH
        assert gc.get_threshold() == BATCH  # the inner block left, this one and the thread's still run
    assert gc.get_threshold() == BATCH  # the thread's batch still runs
    leave.set()
    thread.join(5)
    assert seen == [BATCH]
    assert gc.get_threshold() == thresholds


def test_a_submitted_file_loads_with_the_batch_thresholds(ctx: Context, thresholds: tuple[int, int, int]) -> None:
    dept = add_department(ctx, "scjgj", "广州市番禺区市场监督管理局", uscc=DEPT_USCC)
    rows = [penalty_row(n, DEPT_USCC) for n in (1, 2)]
    headers = list(rows[0])
    text = "\n".join([",".join(headers)] + [",".join(r[h] for h in headers) for r in rows]) + "\n"
    during: list[tuple[int, int, int]] = []
    summary = service.submit_file(
        ctx,
        "penalty",
        dept.id,
        io.BytesIO(text.encode()),
        "p.csv",
        progress=lambda _done: during.append(gc.get_threshold()),
    )
    assert summary.accepted == 2
    assert during == [BATCH]
    assert gc.get_threshold() == thresholds


def test_worker_process_freezes_what_it_imported_and_keeps_the_batch_thresholds() -> None:
    code = (
        "import gc\n"
        "from xinyong.intake.collection import worker_collection\n"
        "worker_collection()\n"
        "print(gc.get_threshold(), gc.get_freeze_count() > 0)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == f"{BATCH} True"
