"""Generate demo rows in a second process while the first one writes to the database.

The database insert (rows, name grams, indexes) is single-threaded, and so is generation; on a machine with two
cores running them side by side roughly halves the wall time of a large load. The worker runs the same
``DistrictGenerator`` and ``uscc_problem_string`` as the in-process path, so the rows are identical (a test
checks this); it never sees keys or the database — ID numbers are encrypted by the parent.
"""

from __future__ import annotations

import multiprocessing
import queue as queue_mod
import traceback
from collections.abc import Iterator
from typing import Any

from xinyong.codes.uscc import uscc_problem_string
from xinyong.demo.generator import DistrictGenerator, GenerationLog

ROW_KEYS: tuple[str, ...] = (
    "id",
    "kind",
    "name",
    "uscc",
    "uscc_problems",
    "reg_no",
    "ric",
    "legal_representative",
    "organisation_type",
    "township_code",
    "address",
    "registered_on",
    "status",
    "source",
)
QUEUE_CHUNKS = 3  # chunks in flight: bounds the memory of a fast producer
POLL_SECONDS = 5.0


def check_codes(rows: list[dict[str, Any]]) -> None:
    """Store each row's code-check result (``uscc_problems``): "" valid, tokens otherwise, None without a code."""
    for row in rows:
        code = row["uscc"]
        row["uscc_problems"] = uscc_problem_string(code) if code is not None else None


def _produce(subjects: int, seed: int, first_id: int, chunk: int, out: Any) -> None:
    try:
        generator = DistrictGenerator(subjects, seed, first_id=first_id)
        for rows in generator.chunks(chunk):
            check_codes(rows)
            out.put(("rows", [{k: row[k] for k in ROW_KEYS} for row in rows]))
        out.put(("done", generator.log))
    except BaseException as exc:  # report every failure to the parent, which raises it
        out.put(("error", f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}"))


class WorkerError(RuntimeError):
    """The generating process failed or died."""


class WorkerChunks:
    """Iterate over checked row chunks produced by a spawned process; ``log`` is set once exhausted."""

    def __init__(self, subjects: int, seed: int, first_id: int, chunk: int) -> None:
        context = multiprocessing.get_context("spawn")  # no fork: the parent may hold DB connections and threads
        self._queue = context.Queue(maxsize=QUEUE_CHUNKS)
        self._process = context.Process(
            target=_produce, args=(subjects, seed, first_id, chunk, self._queue), name="xinyong-demo", daemon=True
        )
        self.log: GenerationLog | None = None
        self._process.start()

    def __iter__(self) -> Iterator[list[dict[str, Any]]]:
        try:
            while True:
                try:
                    kind, payload = self._queue.get(timeout=POLL_SECONDS)
                except queue_mod.Empty:
                    if not self._process.is_alive():
                        raise WorkerError(f"演示数据生成进程意外退出 (exit code {self._process.exitcode})") from None
                    continue
                if kind == "rows":
                    yield payload
                elif kind == "done":
                    self.log = payload
                    return
                else:
                    raise WorkerError(f"演示数据生成失败: {payload}")
        finally:
            self.close()

    def close(self) -> None:
        """Stop the worker (if still running) and release the queue."""
        if self._process.is_alive():
            self._process.terminate()
        self._process.join(timeout=10)
        self._queue.close()
        self._queue.cancel_join_thread()
