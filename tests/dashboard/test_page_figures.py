"""``dashboard.figures.page_figures`` (the page ``/dashboard``): it never computes the figures while the page
waits. Served from an engine, a cold page starts one background computation, however many pages ask, and the
JSON endpoint's reader waits for that very computation instead of starting another; afterwards the page has them
inline. On a caller's transaction nothing is computed or started. SQLite and PostgreSQL."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import date

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from xinyong.dashboard import figures
from xinyong.dashboard.schemas import DashboardOut

DAY = date(2026, 11, 27)


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    figures.clear_cache()
    yield
    figures.clear_cache()


def test_a_cold_page_starts_one_computation_the_endpoint_waits_for(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = figures._live
    started, release = threading.Event(), threading.Event()
    calls: list[date] = []

    def slow(session: Session, as_of: date, days: int) -> figures._Live:
        calls.append(as_of)
        started.set()
        assert release.wait(60)
        return real(session, as_of, days)

    monkeypatch.setattr(figures, "_live", slow)
    jobs: list[Callable[[], None]] = []
    with Session(bind=engine) as session:
        assert figures.page_figures(session, DAY, spawn=jobs.append) is None  # the shell, at once
        assert figures.page_figures(session, DAY, spawn=jobs.append) is None  # a second cold page
    assert len(jobs) == 2  # one live computation (not two), and the quality ranking's
    assert calls == []  # nothing computed while the pages were answered
    workers = [threading.Thread(target=job) for job in jobs]
    for worker in workers:
        worker.start()
    assert started.wait(60)
    answer: dict[str, DashboardOut] = {}

    def endpoint() -> None:
        with Session(bind=engine) as session:
            answer["figures"] = figures.cached_dashboard_figures(session, DAY, spawn=jobs.append)

    reader = threading.Thread(target=endpoint)
    reader.start()
    time.sleep(0.3)
    assert reader.is_alive()  # waiting for the running computation
    release.set()
    reader.join(60)
    for worker in workers:
        worker.join(60)
    assert calls == [DAY]  # computed once for both pages and the endpoint
    with Session(bind=engine) as session:
        page = figures.page_figures(session, DAY, spawn=jobs.append)
    assert page is not None and page.computed_at == answer["figures"].computed_at
    assert page.records_total == answer["figures"].records_total


def test_on_a_callers_transaction_nothing_is_computed_or_started(db: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: object) -> None:
        raise AssertionError("computed")

    monkeypatch.setattr(figures, "_live", refuse)
    jobs: list[Callable[[], None]] = []
    assert figures.page_figures(db, DAY, spawn=jobs.append) is None
    assert jobs == []


def test_cached_figures_come_inline_unless_the_cache_is_off(db: Session) -> None:
    served = figures.cached_dashboard_figures(db, DAY)  # the endpoint, on the caller's transaction
    inline = figures.page_figures(db, DAY)
    assert inline is not None and inline == served
    assert figures.page_figures(db, DAY, ttl=0) is None
