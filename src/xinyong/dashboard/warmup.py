"""Warm the dashboard's and the portal home page's figures when the server starts.

``lifespan`` (the web application's, ``web.app.create_app``) starts one background thread that computes today's
live figures of the leadership dashboard (``dashboard.figures.cached_dashboard_figures``) and of the portal's
home page (``portal.figures.cached_home_figures``) into their in-process caches, on the web's engine, so the
first reader of the process finds them; then, in the same thread, their slower parts (the dashboard's quality
ranking, the home page's completed months), which readers never wait for. The server answers requests
meanwhile: a reader who arrives first waits for the same computation, never a second one (``FiguresCache``).
Before serving, it also builds the routes' state (``prime_routes``), which FastAPI otherwise builds on the
process's first request. Controlled by ``Settings.warm_figures_on_start`` (``XINYONG_WARM_FIGURES_ON_START``,
default true; the tests turn it off); nothing is warmed when the cache is off (``portal_figures_ttl_seconds`` 0).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import date
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from xinyong import clock
from xinyong.dashboard.figures import cached_dashboard_figures
from xinyong.portal import figures as portal
from xinyong.settings import get_settings

log = logging.getLogger(__name__)
THREAD_NAME = "warm-figures"


def warm_figures(
    engine: Engine | None = None, as_of: date | None = None, spawn: Callable[[Callable[[], None]], None] | None = None
) -> list[str]:
    """Compute today's dashboard and home-page figures into their caches (on the web's engine unless given): the
    live figures of both first, then their slower parts (the quality ranking, the completed months), handed to
    ``spawn`` or, by default, computed afterwards in this same thread (one background thread in all); the names of
    the live figures computed (a failure is logged and the rest is still tried)."""
    from xinyong.db.session import get_engine

    bind = engine if engine is not None else get_engine()
    day = as_of or clock.today()
    later: list[Callable[[], None]] = []
    run = spawn or later.append
    done = []
    for name, compute in (
        ("dashboard", lambda s: cached_dashboard_figures(s, day, spawn=run)),
        ("portal_home", lambda s: portal.cached_home_figures(s, day, spawn=run)),
    ):
        try:
            with Session(bind=bind) as session:
                compute(session)
                session.rollback()
            done.append(name)
        except Exception:
            log.exception("warm-up of the %s figures failed (they will be computed on the first request)", name)
    for job in later:  # each logs its own failure (FiguresCache.refresh_in_background)
        job()
    return done


def start_warming(spawn: Callable[[Callable[[], None]], Any] | None = None) -> bool:
    """Start ``warm_figures`` in a background thread when ``warm_figures_on_start`` is set and the cache is on;
    whether it was started."""
    settings = get_settings()
    if not settings.warm_figures_on_start or settings.portal_figures_ttl_seconds <= 0:
        return False
    if spawn is None:
        threading.Thread(target=warm_figures, name=THREAD_NAME, daemon=True).start()
    else:
        spawn(warm_figures)
    return True


PRIME_PATH = "/__warm-up__/"


async def prime_routes(app: Any) -> int:
    """Send one GET for a path no route has (``PRIME_PATH``) through the whole application, in the server's event
    loop before it accepts connections; its status (404). FastAPI builds each router's route state (every
    endpoint's pydantic schemas) on the first request that walks it: measured 3–9 s on the 2 shared CPUs, which the
    process's first reader waited for, whatever page it asked for."""
    status = 0

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = int(message["status"])

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": PRIME_PATH,
        "raw_path": PRIME_PATH.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1")],
        "client": ("127.0.0.1", 0),
        "server": ("127.0.0.1", 80),
    }
    await app(scope, receive, send)
    return status


@asynccontextmanager
async def lifespan(app: Any) -> AsyncIterator[None]:
    """The web application's lifespan: when ``warm_figures_on_start`` is set, start warming the figures and build
    the routes' state (``prime_routes``), then serve."""
    if start_warming():
        try:
            await prime_routes(app)
        except Exception:
            log.exception("warm-up: building the routes' state failed (the first request will)")
    yield
