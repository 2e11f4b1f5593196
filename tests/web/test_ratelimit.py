"""Rate limits: the token-bucket limiter itself, and 429 on public search and login per client address."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session
from webdata import HEFENG

from xinyong.settings import get_settings
from xinyong.web.app import create_app
from xinyong.web.deps import get_session
from xinyong.web.middleware import LOGIN_BUCKET, SEARCH_BUCKET, classify
from xinyong.web.ratelimit import RateLimiter


class FakeClock:
    """Monotonic seconds under the test's control."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


# --- the limiter ----------------------------------------------------------------------------------------


def test_burst_then_steady_rate() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock=clock)
    decisions = [limiter.hit("search", "1.2.3.4", 6) for _ in range(7)]
    assert [d.allowed for d in decisions] == [True] * 6 + [False]
    assert decisions[-1].retry_after == 10  # 6 per minute: one token every 10 s
    clock.advance(9.9)
    assert not limiter.hit("search", "1.2.3.4", 6).allowed
    clock.advance(0.2)
    assert limiter.hit("search", "1.2.3.4", 6).allowed
    assert not limiter.hit("search", "1.2.3.4", 6).allowed


def test_bucket_refills_to_capacity_only() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock=clock)
    limiter.hit("login", "a", 3)
    clock.advance(3600)
    assert [limiter.hit("login", "a", 3).allowed for _ in range(4)] == [True, True, True, False]


def test_keys_and_buckets_are_independent() -> None:
    limiter = RateLimiter(clock=FakeClock())
    assert limiter.hit("login", "a", 1).allowed
    assert not limiter.hit("login", "a", 1).allowed
    assert limiter.hit("login", "b", 1).allowed
    assert limiter.hit("search", "a", 1).allowed


def test_retry_after_is_at_least_one_second() -> None:
    limiter = RateLimiter(clock=FakeClock())
    limiter.hit("s", "k", 6000)
    for _ in range(6000):
        limiter.hit("s", "k", 6000)
    refused = limiter.hit("s", "k", 6000)
    assert not refused.allowed and refused.retry_after == 1


def test_memory_is_bounded_by_max_keys() -> None:
    limiter = RateLimiter(clock=FakeClock(), max_keys=100)
    for i in range(1000):
        limiter.hit("search", f"10.0.{i // 256}.{i % 256}", 60)
    assert len(limiter) == 100


def test_least_recently_used_key_is_evicted_first() -> None:
    limiter = RateLimiter(clock=FakeClock(), max_keys=2)
    limiter.hit("login", "old", 1)
    limiter.hit("login", "busy", 1)
    limiter.hit("login", "old", 1)  # refused, but touched: "busy" is now the least recent
    limiter.hit("login", "new", 1)
    assert not limiter.hit("login", "old", 1).allowed  # still remembered
    assert limiter.hit("login", "busy", 1).allowed  # was evicted, starts full again


def test_idle_buckets_are_swept() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock=clock)
    for i in range(50):
        limiter.hit("search", f"ip{i}", 60)
    clock.advance(61)
    limiter.hit("search", "fresh", 60)
    assert len(limiter) == 1


def test_max_keys_must_be_positive() -> None:
    with pytest.raises(ValueError):
        RateLimiter(max_keys=0)


@pytest.mark.parametrize(
    ("method", "path", "bucket"),
    [
        ("GET", "/api/v1/subjects", SEARCH_BUCKET),
        ("GET", "/api/v1/subjects/91440113MA59HF01X0", SEARCH_BUCKET),
        ("GET", "/search", SEARCH_BUCKET),
        ("GET", "/s/91440113MA59HF01X0", SEARCH_BUCKET),
        ("POST", "/login", LOGIN_BUCKET),
        ("POST", "/api/v1/login", LOGIN_BUCKET),
        ("POST", "/api/v1/accounts/login", LOGIN_BUCKET),
        ("GET", "/login", None),
        ("GET", "/", None),
        ("GET", "/subjects/1", None),
        ("GET", "/healthz", None),
        ("POST", "/api/v1/tokens", None),
        ("GET", "/api/v1/subjects/12/authorisations", None),
        ("GET", "/api/v1/subjects/", None),
        ("GET", "/api/v1/subjectsx", None),
        ("HEAD", "/search", SEARCH_BUCKET),
        ("GET", "/gongshi/penalty", SEARCH_BUCKET),
        ("GET", "/gongshi/licence/12", SEARCH_BUCKET),
        ("GET", "/api/v1/gongshi/penalty", SEARCH_BUCKET),
        ("GET", "/api/v1/gongshi/penalty/12", SEARCH_BUCKET),
        ("GET", "/api/v1/staff/records", None),
        ("GET", "/intake", None),
        ("GET", "/lists/public/wage_arrears/export.csv", SEARCH_BUCKET),
        ("GET", "/commitments/public/export.xlsx", SEARCH_BUCKET),
        ("GET", "/lists/public", None),
        ("GET", "/reports/verify/PY-20261127-AAAA-BBBB-CCCC", SEARCH_BUCKET),
        ("GET", "/api/v1/reports/verify/PY-20261127-AAAA-BBBB-CCCC", SEARCH_BUCKET),
        ("GET", "/reports/verify", None),
        ("GET", "/my/reports", None),
    ],
)
def test_classify(method: str, path: str, bucket: str | None) -> None:
    assert classify(method, path) == bucket


# --- the middleware -------------------------------------------------------------------------------------


@pytest.fixture
def limited(db: Session, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[TestClient, FakeClock, FastAPI]]:
    """An app allowing 3 searches and 2 login attempts per minute, with a fake clock."""
    monkeypatch.setenv("XINYONG_RATE_SEARCH_PER_MINUTE", "3")
    monkeypatch.setenv("XINYONG_RATE_LOGIN_PER_MINUTE", "2")
    get_settings.cache_clear()
    app = create_app()
    app.dependency_overrides[get_session] = lambda: db
    clock = FakeClock()
    app.state.rate_limiter.clock = clock
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c, clock, app


def test_public_api_search_is_limited(limited: tuple[TestClient, FakeClock, FastAPI]) -> None:
    client, clock, _ = limited
    for _ in range(3):
        assert client.get("/api/v1/subjects", params={"q": HEFENG}).status_code == 200
    r = client.get("/api/v1/subjects", params={"q": HEFENG})
    assert r.status_code == 429
    assert r.headers["retry-after"] == "20"
    assert r.json() == {"error": "rate_limited", "message": "查询过于频繁，请 20 秒后再试", "field": None}
    assert r.headers["x-content-type-options"] == "nosniff" and r.headers["x-request-id"]
    # other pages are not limited
    assert client.get("/").status_code == 200 and client.get("/healthz").status_code in (200, 503)
    clock.advance(20)
    assert client.get("/api/v1/subjects", params={"q": HEFENG}).status_code == 200


def test_search_page_and_permalink_share_the_bucket(limited: tuple[TestClient, FakeClock, FastAPI]) -> None:
    client, _, _ = limited
    assert client.get("/search", params={"q": "禾丰"}).status_code == 200
    assert client.get("/api/v1/subjects", params={"q": "禾丰"}).status_code == 200
    assert client.get("/s/91440113MA59HF01X0").status_code in (404, 422)
    page = client.get("/search", params={"q": "禾丰"})
    assert page.status_code == 429
    assert page.headers["content-type"].startswith("text/html")
    assert "查询过于频繁" in page.text and '<html lang="zh-CN">' in page.text
    assert int(page.headers["retry-after"]) >= 1


def test_login_attempts_are_limited(limited: tuple[TestClient, FakeClock, FastAPI]) -> None:
    client, clock, _ = limited
    for _ in range(2):
        assert client.post("/login", data={"username": "nobody", "password": "x"}).status_code != 429
    r = client.post("/login", data={"username": "nobody", "password": "x"})
    assert r.status_code == 429 and "登录尝试过于频繁" in r.text
    assert r.headers["retry-after"] == "30"
    api = client.post("/api/v1/login", json={"username": "nobody", "password": "x"})
    assert api.status_code == 429 and api.json()["error"] == "rate_limited"
    # the login form itself and searching are unaffected
    assert client.get("/login").status_code == 200
    assert client.get("/search").status_code == 200
    clock.advance(30)
    assert client.post("/login", data={"username": "nobody", "password": "x"}).status_code != 429


def test_limits_are_per_client_address(limited: tuple[TestClient, FakeClock, FastAPI]) -> None:
    client, _, app = limited
    for _ in range(3):
        client.get("/search")
    assert client.get("/search").status_code == 429
    with TestClient(app, client=("203.0.113.9", 40000)) as other:
        assert other.get("/search").status_code == 200
