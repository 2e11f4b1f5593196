"""Admission control: at most ``Settings.db_pool_size`` requests of one process reach the routes at a time.

Why: a request takes its database connection in one worker thread (resolving who acts) and needs further threads
to finish (the handler, serialising the answer, the commit). With more requests in flight than connections, the
threads blocked waiting for a connection could hold every worker thread (anyio's 40), so the requests holding the
connections never got a thread to finish on: every request then failed after the pool's 30 s timeout (even
``/healthz``, under the portal benchmark's 200 readers: docs/benchmarks.md). Waiting here costs no thread and no
connection: the request simply starts when another finishes. The pool holds twice this many connections, so an
admitted request's occasional second connection (the portal figures read on a session of their own) never waits
on the others. Static files are served without waiting.
"""

from __future__ import annotations

import asyncio

from fastapi import FastAPI
from starlette.types import ASGIApp, Receive, Scope, Send

from xinyong.settings import get_settings

UNLIMITED_PREFIXES = ("/static/",)


class AdmissionMiddleware:
    """Pure ASGI middleware: HTTP requests outside ``UNLIMITED_PREFIXES`` run at most ``limit`` at a time, in
    arrival order; the slot is held until the answer is fully sent (a streamed body still uses its session)."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit
        self._slots: asyncio.Semaphore | None = None
        self.in_flight = 0
        self.peak = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(UNLIMITED_PREFIXES):
            await self.app(scope, receive, send)
            return
        if self._slots is None:  # created in the server's event loop, on first use
            self._slots = asyncio.Semaphore(self.limit)
        async with self._slots:
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)
            try:
                await self.app(scope, receive, send)
            finally:
                self.in_flight -= 1


def install(app: FastAPI) -> None:
    """Add the admission limit innermost of the user middleware (call before ``middleware.install``), so rate
    limits and size checks answer at once instead of waiting for a slot."""
    app.add_middleware(AdmissionMiddleware, limit=get_settings().db_pool_size)
