"""A worker process that reads and checks a large CSV file while the service writes to the database.

Parsing, checking and hashing a row are pure Python and hold the interpreter; the database writes are mostly
spent in SQLite's C code or in the PostgreSQL server. For a large file the service therefore runs
``prepare.Preparer`` here, in a second process (``python -m xinyong.intake.worker``), and receives the
prepared chunks in order while it verifies and loads the previous ones: the two overlap on two cores.

Protocol (private to this module): the parent writes one pickled :class:`Job` to the worker's stdin; the
worker writes framed pickles to its stdout — ``("chunk", prepare.Prepared)`` per chunk, then ``("end", None)``,
or ``("problem", message)`` for a ``parse.FileProblem`` and ``("error", exception)`` for anything else. At most
two chunks are ahead of the parent (one being written, one queued behind it: the worker waits for the parent
to read), so memory stays bounded.
The parent stops the worker whenever it stops reading (an error row in an all-or-nothing batch, an exception).
"""

from __future__ import annotations

import contextlib
import os
import pickle
import queue
import struct
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from xinyong.intake import parse
from xinyong.intake.collection import worker_collection
from xinyong.intake.prepare import Prepared, Preparer, PrepareSpec

_FRAME = struct.Struct("<Q")


@dataclass(frozen=True)
class Job:
    """What the worker does: prepare the CSV at ``path`` (from byte ``offset``) in chunks of ``chunk_rows``."""

    spec: PrepareSpec
    path: str
    offset: int
    filename: str
    max_bytes: int | None
    chunk_rows: int


class WorkerFailed(RuntimeError):
    """The worker process ended without finishing its job (killed, out of memory, ...)."""


def prepared_chunks(job: Job) -> Iterator[Prepared]:
    """The file's chunks, prepared by a worker process, in order; ``parse.FileProblem`` as the file has it.

    Closing the iterator early stops the worker."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "xinyong.intake.worker"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        close_fds=True,
    )
    assert proc.stdin is not None and proc.stdout is not None
    finished = False
    try:
        proc.stdin.write(pickle.dumps(job, pickle.HIGHEST_PROTOCOL))
        proc.stdin.close()
        while True:
            kind, payload = _read(proc.stdout)
            if kind == "chunk":
                yield payload
            elif kind == "end":
                finished = True
                return
            elif kind == "problem":
                raise parse.FileProblem(payload)
            else:
                raise payload
    finally:
        proc.stdout.close()
        if not finished:
            proc.kill()
        proc.wait()


def _read(stream: IO[bytes]) -> tuple[str, Any]:
    head = stream.read(_FRAME.size)
    if len(head) < _FRAME.size:
        raise WorkerFailed("数据检查进程意外退出，请重试（worker process ended early）")
    (size,) = _FRAME.unpack(head)
    body = stream.read(size)
    if len(body) < size:
        raise WorkerFailed("数据检查进程意外退出，请重试（worker process ended early）")
    return pickle.loads(body)


class _Sender:
    """Writes the framed results from a thread: while the parent has not yet read one chunk, the next is
    being prepared (so the worker runs up to two chunks ahead). The writes release the interpreter lock."""

    def __init__(self, out: IO[bytes]) -> None:
        self.out = out
        self.queue: queue.Queue[bytes | None] = queue.Queue(maxsize=1)
        self.failed: OSError | None = None
        self.thread = threading.Thread(target=self._run, name="intake-worker-sender", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while (body := self.queue.get()) is not None:
            try:
                self.out.write(_FRAME.pack(len(body)))
                self.out.write(body)
                self.out.flush()
            except OSError as exc:  # the parent stopped reading
                self.failed = exc
                return

    def send(self, kind: str, payload: object) -> None:
        """Queue one result (waits while one is already queued); BrokenPipeError once the parent is gone."""
        body = pickle.dumps((kind, payload), pickle.HIGHEST_PROTOCOL)
        while True:
            if self.failed is not None:
                raise BrokenPipeError(str(self.failed))
            try:
                self.queue.put(body, timeout=0.5)
                return
            except queue.Full:
                continue

    def close(self) -> None:
        """Write what is queued, then stop the thread."""
        while self.failed is None and self.thread.is_alive():
            try:
                self.queue.put(None, timeout=0.5)
                break
            except queue.Full:
                continue
        self.thread.join()


def serve(job: Job, out: IO[bytes]) -> None:
    """The worker's side: prepare every chunk of the job's file and send it."""
    sender = _Sender(out)
    try:
        _serve(job, sender.send)
    finally:
        sender.close()


def _serve(job: Job, send: Callable[[str, object], None]) -> None:
    try:
        preparer = Preparer(job.spec)
        with open(job.path, "rb") as fh:
            fh.seek(job.offset)
            table = parse.open_table(fh, job.filename, max_bytes=job.max_bytes)
            chunk: list[parse.RawRow] = []
            for row in table.rows:
                chunk.append(row)
                if len(chunk) == job.chunk_rows:
                    send("chunk", preparer.ready(preparer.check(chunk)))
                    chunk = []
            if chunk:
                send("chunk", preparer.ready(preparer.check(chunk)))
    except parse.FileProblem as exc:
        send("problem", exc.message)
        return
    except BrokenPipeError:  # the parent stopped reading
        return
    except Exception as exc:
        try:
            pickle.dumps(exc)
        except Exception:
            exc = RuntimeError(f"{type(exc).__name__}: {exc}")
        send("error", exc)
        return
    send("end", None)


def main() -> None:
    """Entry point of ``python -m xinyong.intake.worker``: one job from stdin, results to stdout."""
    worker_collection()
    job = pickle.loads(sys.stdin.buffer.read())
    out = os.fdopen(os.dup(1), "wb", buffering=1 << 20)
    os.dup2(2, 1)  # anything else printed goes to stderr, never into the results
    try:
        serve(job, out)
    except BrokenPipeError:
        pass
    finally:
        with contextlib.suppress(BrokenPipeError):
            out.close()


if __name__ == "__main__":
    main()
