"""The start-up warm-up (``dashboard.warmup``): the web application's lifespan starts it when
``XINYONG_WARM_FIGURES_ON_START`` is on (the tests turn it off) and the cache is on; it fills the dashboard's
and the portal home page's caches, so the page then has its figures inline; one failing part does not stop the
other. SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from xinyong.dashboard import figures, warmup
from xinyong.portal import figures as portal
from xinyong.settings import get_settings
from xinyong.web.app import create_app

DAY = date(2026, 11, 27)


@pytest.fixture(autouse=True)
def _fresh() -> Iterator[None]:
    figures.clear_cache()
    portal.clear_cache()
    yield
    figures.clear_cache()
    portal.clear_cache()
    get_settings.cache_clear()


def _setting(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.setenv(name, value)
    get_settings.cache_clear()


def test_started_only_when_enabled_and_the_cache_is_on(monkeypatch: pytest.MonkeyPatch) -> None:
    jobs: list[Callable[[], object]] = []
    assert get_settings().warm_figures_on_start is False  # tests/conftest.py
    assert warmup.start_warming(jobs.append) is False and jobs == []
    _setting(monkeypatch, "XINYONG_WARM_FIGURES_ON_START", "true")
    assert warmup.start_warming(jobs.append) is True and jobs == [warmup.warm_figures]
    _setting(monkeypatch, "XINYONG_PORTAL_FIGURES_TTL_SECONDS", "0")
    assert warmup.start_warming(jobs.append) is False and len(jobs) == 1


def test_the_app_warms_on_start_when_enabled(monkeypatch: pytest.MonkeyPatch) -> None:
    ran = threading.Event()
    monkeypatch.setattr(warmup, "warm_figures", ran.set)
    with TestClient(create_app()):  # entering runs the lifespan
        pass
    assert not ran.wait(0.5)  # off in the tests: nothing started
    _setting(monkeypatch, "XINYONG_WARM_FIGURES_ON_START", "true")
    with TestClient(create_app()):
        assert ran.wait(10)


def test_warm_figures_fill_both_caches(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    jobs: list[Callable[[], None]] = []
    assert warmup.warm_figures(engine, DAY, spawn=jobs.append) == ["dashboard", "portal_home"]
    assert jobs  # their slower parts (quality ranking, completed months) handed to the background
    monkeypatch.setattr(figures, "_live", lambda *_: pytest.fail("computed again"))
    with Session(bind=engine) as session:
        page = figures.page_figures(session, DAY, spawn=jobs.append)
        assert page is not None and page.as_of == DAY
        held, fresh = portal._live_cache.peek((portal.database_key(session), DAY), portal.ttl_seconds())
    assert held is not None and fresh


def test_one_failing_part_does_not_stop_the_other(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_args: object) -> None:
        raise RuntimeError("database gone")

    monkeypatch.setattr(figures, "_live", broken)
    jobs: list[Callable[[], None]] = []
    assert warmup.warm_figures(engine, DAY, spawn=jobs.append) == ["portal_home"]


def test_the_slower_parts_follow_in_the_same_thread(engine: Engine) -> None:
    assert warmup.warm_figures(engine, DAY) == ["dashboard", "portal_home"]
    with Session(bind=engine) as session:
        page = figures.page_figures(session, DAY, spawn=lambda job: pytest.fail("a refresh was started"))
        home = portal.cached_home_figures(session, DAY, spawn=lambda job: pytest.fail("a refresh was started"))
    assert page is not None and page.quality.ready  # the quality ranking is cached too
    assert home.history_ready  # and the home page's completed months


def test_routes_are_primed_on_start_when_enabled(monkeypatch: pytest.MonkeyPatch) -> None:
    primed: list[int] = []
    real = warmup.prime_routes

    async def recording(app: object) -> int:
        primed.append(await real(app))
        return primed[-1]

    monkeypatch.setattr(warmup, "prime_routes", recording)
    monkeypatch.setattr(warmup, "warm_figures", lambda: None)
    with TestClient(create_app()) as client:
        assert primed == []  # off in the tests
        assert client.get(warmup.PRIME_PATH).status_code == 404
    _setting(monkeypatch, "XINYONG_WARM_FIGURES_ON_START", "true")
    with TestClient(create_app()) as client:
        assert primed == [404]  # a path no route has, through the whole application, before serving
        assert client.get("/login").status_code == 200
