"""Admission control (web/admission.py): more concurrent requests than connections all succeed, because at most
``db_pool_size`` of them run at a time; static files do not wait."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import anyio.to_thread
import httpx
import pytest
from fastapi import Depends
from sqlalchemy import text
from sqlalchemy.orm import Session

from xinyong.auth.context import Context
from xinyong.db.session import get_engine, reset_caches
from xinyong.settings import get_settings
from xinyong.web.admission import AdmissionMiddleware
from xinyong.web.app import create_app
from xinyong.web.deps import get_context


def _admission(app: object) -> AdmissionMiddleware:
    layer = app.middleware_stack  # type: ignore[attr-defined]
    while not isinstance(layer, AdmissionMiddleware):
        layer = layer.app
    return layer


def test_more_requests_than_connections_all_finish(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """30 requests at once, 2 admitted at a time, 4 connections, 3 worker threads: every one answers 200.

    Each request holds its connection across several thread hops (context, handler, commit); with all 30 let in,
    threads blocked on the pool would hold the 3 threads the connection holders need (a deadlock until the pool
    timeout)."""
    monkeypatch.setenv("XINYONG_DATABASE_URL", f"sqlite:///{tmp_path / 'admission.db'}")
    monkeypatch.setenv("XINYONG_DB_POOL_SIZE", "2")
    get_settings.cache_clear()
    reset_caches()
    app = create_app()

    @app.get("/_test/slow")
    def slow(ctx: Context = Depends(get_context)) -> dict[str, int]:
        session: Session = ctx.session
        value = session.execute(text("SELECT 1")).scalar_one()
        time.sleep(0.02)
        return {"value": value}

    async def burst() -> list[int]:
        anyio.to_thread.current_default_thread_limiter().total_tokens = 3
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test", timeout=20) as client:
            answers = await asyncio.gather(*(client.get("/_test/slow") for _ in range(30)))
            static = await client.get("/static/favicon.svg")
        return [a.status_code for a in answers] + [static.status_code]

    try:
        codes = asyncio.run(burst())
        pool = get_engine().pool
        assert pool.size() == 2 and pool._max_overflow == 2  # type: ignore[attr-defined]
    finally:
        reset_caches()
    assert codes == [200] * 31
    gate = _admission(app)
    assert gate.limit == 2 and gate.peak == 2 and gate.in_flight == 0
