"""Fewer passes of Python's cyclic garbage collector while a batch is loaded.

A batch makes millions of small objects (cells, values, issues, row tuples) that hold no reference cycles and
are freed by reference counting; what stays alive meanwhile (the batch's document numbers, the registry memo,
the code-verdict cache) grows with the batch. With the default thresholds the collector runs every 700
allocations and, as the survivors pile up, traverses all of them again and again: measured on the benchmark
file (bench/intake_load.py, 200,000 rows), a third of the worker's CPU time. Inside :func:`batch_collection`
the youngest generation is collected every ``YOUNG`` allocations and the oldest rarely, so cycles are still
freed, only later.

The thresholds are process-wide: nested or concurrent batches (threads of a web server) share one setting,
and the last to leave restores the thresholds it found.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

#: Allocations between collections of the youngest generation while a batch runs (default 700).
YOUNG = 100_000
#: Collections of one generation between collections of the next (defaults 10, 10).
OLDER = (50, 1000)

_lock = threading.Lock()
_inside = 0
_saved: tuple[int, int, int] = gc.get_threshold()


@contextmanager
def batch_collection() -> Iterator[None]:
    """Collect cycles less often inside the block (see the module docstring)."""
    global _inside, _saved
    with _lock:
        if _inside == 0:
            _saved = gc.get_threshold()
            gc.set_threshold(YOUNG, *OLDER)
        _inside += 1
    try:
        yield
    finally:
        with _lock:
            _inside -= 1
            if _inside == 0:
                gc.set_threshold(*_saved)


def worker_collection() -> None:
    """For a process that only loads a batch (``intake.worker``): what was imported is never collected
    (``gc.freeze``) and the batch thresholds hold for the rest of the process."""
    gc.freeze()
    gc.set_threshold(YOUNG, *OLDER)
