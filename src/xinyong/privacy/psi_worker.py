"""Answer a PSI request in chunks on worker processes (the ECDH point multiplications are the cost and each
element is independent). Kept free of the platform's imports so a spawned worker starts fast."""

from __future__ import annotations

import multiprocessing
import threading
from concurrent.futures import ProcessPoolExecutor

import private_set_intersection.python as psi

_pool: ProcessPoolExecutor | None = None
_pool_workers = 0
_lock = threading.Lock()


def process_chunk(key: bytes, reveal: bool, elements: list[bytes]) -> list[bytes]:
    """The server's answer to one chunk of a request (a fresh server from the set's key, in this process)."""
    server = psi.server.CreateFromKey(key, reveal)
    request = psi.Request()
    request.reveal_intersection = reveal
    request.encrypted_elements.extend(elements)
    return list(server.ProcessRequest(request).encrypted_elements)


def pool(workers: int) -> ProcessPoolExecutor:
    """The shared worker pool (spawned processes: forking a threaded web server is unsafe)."""
    global _pool, _pool_workers
    with _lock:
        if _pool is None or _pool_workers != workers:
            if _pool is not None:
                _pool.shutdown(wait=False)
            _pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))
            _pool_workers = workers
        return _pool


def process_parallel(key: bytes, reveal: bool, elements: list[bytes], workers: int) -> list[bytes]:
    """The answer to ``elements`` computed in ``workers`` chunks in parallel, in the request's order (intersection
    mode), or sorted like the library's own answer (cardinality mode: the order must not tell which element
    matched)."""
    size = -(-len(elements) // workers)
    chunks = [elements[i : i + size] for i in range(0, len(elements), size)]
    futures = [pool(workers).submit(process_chunk, key, reveal, chunk) for chunk in chunks]
    answer = [item for future in futures for item in future.result()]
    if not reveal:
        answer.sort()
    return answer


def shutdown() -> None:
    """Stop the worker pool (tests, benchmark)."""
    global _pool
    with _lock:
        if _pool is not None:
            _pool.shutdown(wait=True)
            _pool = None
