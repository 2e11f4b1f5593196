"""A small in-process rate limiter: one token bucket per (bucket name, client key).

Each bucket holds up to ``per_minute`` tokens and refills at ``per_minute / 60`` tokens per second, so a
client may burst up to the minute's allowance and is then held to the steady rate. A refused hit says how
many seconds until the next token (``Retry-After``).

Memory is bounded: at most ``max_keys`` buckets are kept (least recently used evicted first), and buckets
idle long enough to have refilled completely are swept, since forgetting a full bucket changes nothing.

**Limits of this design.** The state lives in one process. Under several uvicorn/gunicorn workers, or
several hosts behind a load balancer, each worker counts on its own, so the effective limit is multiplied
by the number of workers and is reset on restart. A multi-worker deployment needs a shared store (e.g.
Redis with an atomic script, or limits at the reverse proxy such as nginx ``limit_req``). The client key
is the peer address ASGI reports: behind a reverse proxy, run uvicorn with ``--proxy-headers`` and
``--forwarded-allow-ips`` set to the proxy, or every client shares the proxy's bucket.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

DEFAULT_MAX_KEYS = 10_000
SWEEP_EVERY_SECONDS = 60.0


@dataclass(frozen=True)
class Decision:
    """Outcome of one hit: allowed, or refused with the seconds to wait."""

    allowed: bool
    retry_after: int = 0
    remaining: int = 0


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """Token buckets keyed by ``(name, key)``; ``clock`` (seconds, monotonic) is injectable for tests."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, max_keys: int = DEFAULT_MAX_KEYS) -> None:
        if max_keys < 1:
            raise ValueError("max_keys must be positive")
        self.clock = clock
        self.max_keys = max_keys
        self._buckets: OrderedDict[tuple[str, str], _Bucket] = OrderedDict()
        self._lock = threading.Lock()
        self._last_sweep: float | None = None

    def __len__(self) -> int:
        return len(self._buckets)

    def hit(self, name: str, key: str, per_minute: int) -> Decision:
        """Take one token from the bucket ``(name, key)`` holding at most ``per_minute`` tokens."""
        capacity = float(max(per_minute, 1))
        rate = capacity / 60.0  # tokens per second
        now = self.clock()
        with self._lock:
            self._maybe_sweep(now)
            bucket = self._buckets.get((name, key))
            if bucket is None:
                bucket = _Bucket(tokens=capacity, updated=now)
                self._buckets[(name, key)] = bucket
                while len(self._buckets) > self.max_keys:
                    self._buckets.popitem(last=False)
            else:
                self._buckets.move_to_end((name, key))
                elapsed = max(now - bucket.updated, 0.0)
                bucket.tokens = min(capacity, bucket.tokens + elapsed * rate)
                bucket.updated = now
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return Decision(True, 0, int(bucket.tokens))
            return Decision(False, max(1, math.ceil((1.0 - bucket.tokens) / rate)), 0)

    def reset(self) -> None:
        """Forget every bucket."""
        with self._lock:
            self._buckets.clear()

    def _maybe_sweep(self, now: float) -> None:
        """Drop buckets untouched for over a minute: any bucket refills completely within 60 s."""
        if self._last_sweep is not None and now - self._last_sweep < SWEEP_EVERY_SECONDS:
            return
        self._last_sweep = now
        stale = [k for k, b in self._buckets.items() if now - b.updated >= SWEEP_EVERY_SECONDS]
        for k in stale:
            del self._buckets[k]
