"""The joint check's lane (web/check_lane.py): a department token's ``GET /api/v1/checks`` is answered by the lane
exactly as the FastAPI route answers it, logged and stored before the answer; everything the lane does not take is
answered by the route as before; SQLite and PostgreSQL, each a migrated database of its own (the lane uses the
application's own sessions, not a test's)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from principals import issue_token, token_headers
from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from factories import company, uscc
from list_factories import department, published_entry
from testdb import DATABASES, app_database, create_schema, drop_schema, rows, schema_url
from xinyong import clock
from xinyong.auth.context import Context
from xinyong.auth.models import ApiToken
from xinyong.db.session import get_engine, make_engine
from xinyong.lists.models import ListCheck
from xinyong.web.app import create_app
from xinyong.web.check_lane import CheckLaneMiddleware, lane_params

CHECKS = "/api/v1/checks"
LOGGED = (
    ListCheck.code,
    ListCheck.subject_id,
    ListCheck.entry_ids,
    ListCheck.measure_ids,
    ListCheck.hit,
    ListCheck.department_id,
    ListCheck.actor,
    ListCheck.scenario,
    ListCheck.checked_on,
    ListCheck.request_id,
)


@pytest.fixture(params=DATABASES)
def world(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    """A database of its own with an employer on the wage-arrears list and 区财政局's check token, committed."""
    schema = create_schema() if request.param == "postgresql" else None
    url = schema_url(schema) if schema else f"sqlite:///{tmp_path / 'lane.db'}"
    try:
        with app_database(monkeypatch, url):
            engine = make_engine(url)
            with Session(engine, expire_on_commit=False) as setup:
                ctx = Context(session=setup, actor="test:admin", role="credit_office_admin")
                firm = company(ctx, "广州快道欠薪有限公司", 41)
                clean = company(ctx, "广州快道守信有限公司", 42)
                published_entry(setup, firm, "wage_arrears")
                czj = department(setup, "czj")
                raw = issue_token(setup, "department_officer", department_id=czj.id, scopes=["checks.run"])
                setup.commit()
            engine.dispose()
            yield {"url": url, "listed": firm.uscc, "clean": clean.uscc, "token": token_headers(raw), "czj": czj.id}
    finally:
        if schema:
            drop_schema(schema)


def lane_of(client: TestClient) -> CheckLaneMiddleware:
    """The lane in the client's application (its middleware stack is built by the first request)."""
    layer: Any = client.app.middleware_stack  # type: ignore[attr-defined]
    while layer is not None and not isinstance(layer, CheckLaneMiddleware):
        layer = getattr(layer, "app", None)
    assert layer is not None
    return layer


def logged(url: str) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in rows(url, select(*LOGGED).order_by(ListCheck.id))]


def comparable(body: dict[str, Any]) -> dict[str, Any]:
    """An answer without what differs between two checks (the log row's id)."""
    return {k: v for k, v in body.items() if k != "check_id"}


def test_the_lane_answers_a_token_check_as_the_route_does(world: dict[str, Any]) -> None:
    with TestClient(create_app()) as fast, TestClient(create_app(check_lane=False)) as plain:
        for code in (world["listed"], world["clean"], uscc(43)):  # listed, registered and clean, unknown
            params = {"code": code, "scenario": "procurement"}
            headers = world["token"] | {"X-Request-ID": f"lane-{code[-6:]}"}
            a = fast.get(CHECKS, params=params, headers=headers)
            b = plain.get(CHECKS, params=params, headers=headers)
            assert (a.status_code, a.headers["content-type"]) == (200, b.headers["content-type"]), a.text
            assert comparable(a.json()) == comparable(b.json()), code
            assert a.json()["check_id"] != b.json()["check_id"]
            for name in ("content-security-policy", "x-content-type-options", "cache-control", "x-request-id"):
                assert a.headers[name] == b.headers[name], name
        assert lane_of(fast).answered == 3
        hit = fast.get(CHECKS, params={"code": world["listed"], "scenario": "procurement"}, headers=world["token"])
        body = hit.json()
        assert body["hit"] and [m["id"] for m in body["measures"]] == ["wage_procurement"]
        assert body["department_name"] == "广州市番禺区财政局"
    # every check logged, the lane's rows as the route's (pairs: lane first, then route)
    stored = logged(world["url"])
    assert len(stored) == 7
    assert stored[0] == stored[1] and stored[2] == stored[3] and stored[4] == stored[5]
    assert stored[0][-1] == f"lane-{world['listed'][-6:]}"
    assert stored[6][4] is True  # hit


def test_the_log_row_is_stored_before_the_answer(world: dict[str, Any]) -> None:
    with TestClient(create_app()) as client:
        answer = client.get(CHECKS, params={"code": world["listed"], "scenario": "procurement"}, headers=world["token"])
        assert answer.status_code == 200
        # read through another engine while the application still runs
        ids = [r[0] for r in rows(world["url"], select(ListCheck.id))]
        assert ids == [answer.json()["check_id"]]
        assert lane_of(client).answered == 1


@pytest.mark.parametrize(
    ("params", "status", "field"),
    [
        ({"code": "91440113MA5ZZZZZ9", "scenario": "procurement"}, 422, "code"),  # 17 characters
        ({"code": "ABC", "scenario": "procurement"}, 422, "code"),
        ({"code": "LISTED", "scenario": "lottery"}, 422, "scenario"),
        ({"code": "LISTED", "scenario": "procurement", "as_of": "2026-11-28"}, 422, "as_of"),  # after today
        ({"code": "LISTED", "scenario": "procurement", "as_of": "2026/11/27"}, 422, "as_of"),  # not a date
        ({"code": "LISTED", "scenario": "procurement", "as_of": "2026-02-30"}, 422, "as_of"),
        ({"code": "", "scenario": "procurement"}, 422, "code"),
        ({"code": "9" * 65, "scenario": "procurement"}, 422, "code"),
        ({"scenario": "procurement"}, 422, "code"),
    ],
)
def test_what_the_lane_does_not_answer_the_route_answers_and_nothing_is_logged(
    world: dict[str, Any], params: dict[str, str], status: int, field: str
) -> None:
    params = {k: world["listed"] if v == "LISTED" else v for k, v in params.items()}
    with TestClient(create_app()) as fast, TestClient(create_app(check_lane=False)) as plain:
        a = fast.get(CHECKS, params=params, headers=world["token"])
        b = plain.get(CHECKS, params=params, headers=world["token"])
        assert a.status_code == b.status_code == status, a.text
        assert a.json()["field"] == b.json()["field"] == field
        assert a.json()["message"] == b.json()["message"]
        assert lane_of(fast).answered == 0
    assert logged(world["url"]) == []


def test_credentials_the_lane_refuses_are_answered_401_by_the_route(world: dict[str, Any]) -> None:
    params = {"code": world["listed"], "scenario": "procurement"}
    with TestClient(create_app()) as client:
        forged = client.get(CHECKS, params=params, headers=token_headers("xy_00000000_forged"))
        assert forged.status_code == 401 and forged.json()["error"] == "unauthenticated"
        basic = client.get(CHECKS, params=params, headers={"Authorization": "Basic eHk6eHk="})
        assert basic.status_code == 401
        anonymous = client.get(CHECKS, params=params)
        assert anonymous.status_code == 401
        engine = make_engine(world["url"])
        with engine.begin() as conn:
            conn.execute(update(ApiToken).values(revoked_at=clock.now()))
        engine.dispose()
        revoked = client.get(CHECKS, params=params, headers=world["token"])
        assert revoked.status_code == 401 and "吊销" in revoked.json()["message"]
        assert lane_of(client).answered == 0
    assert logged(world["url"]) == []


def test_a_token_without_the_right_is_refused_403_and_not_logged(world: dict[str, Any]) -> None:
    engine = make_engine(world["url"])
    with Session(engine) as setup:
        raw = issue_token(setup, "department_officer", department_id=world["czj"], scopes=["subjects.read"])
        setup.commit()
    engine.dispose()
    with TestClient(create_app()) as client:
        refused = client.get(
            CHECKS, params={"code": world["listed"], "scenario": "procurement"}, headers=token_headers(raw)
        )
        assert refused.status_code == 403 and refused.json()["error"] == "forbidden"
        assert lane_of(client).answered == 0
    assert logged(world["url"]) == []


def test_a_remembered_token_is_not_read_again_and_its_revocation_is_refused_at_once(world: dict[str, Any]) -> None:
    params = {"code": world["listed"], "scenario": "procurement"}
    statements: list[str] = []
    with TestClient(create_app()) as client:
        assert client.get(CHECKS, params=params, headers=world["token"]).status_code == 200
        event.listen(get_engine(), "before_cursor_execute", lambda *a: statements.append(a[2]))
        assert client.get(CHECKS, params=params, headers=world["token"]).status_code == 200
        assert statements and not any(s.startswith("SELECT api_token.id") for s in statements)
        assert lane_of(client).answered == 2
        engine = make_engine(world["url"])
        with engine.begin() as conn:  # revoked behind the lane's back (another process, the CLI)
            conn.execute(update(ApiToken).values(revoked_at=clock.now()))
        engine.dispose()
        refused = client.get(CHECKS, params=params, headers=world["token"])
        assert refused.status_code == 401 and refused.json()["error"] == "unauthenticated"
        assert client.get(CHECKS, params=params, headers=world["token"]).status_code == 401
        assert lane_of(client).answered == 2
    assert len(logged(world["url"])) == 2


def test_the_lane_records_the_tokens_last_use(world: dict[str, Any]) -> None:
    assert rows(world["url"], select(ApiToken.last_used_at)) == [(None,)]
    with TestClient(create_app()) as client:
        answer = client.get(CHECKS, params={"code": world["clean"], "scenario": "procurement"}, headers=world["token"])
        assert answer.status_code == 200 and lane_of(client).answered == 1
    (used,) = rows(world["url"], select(ApiToken.last_used_at))[0]
    assert used.replace(tzinfo=used.tzinfo or UTC) == clock.now()


def test_lane_params_take_only_what_the_route_accepts_as_is() -> None:
    assert lane_params(b"code=91440113MA5ZZZZZ90&scenario=procurement") == (
        "91440113MA5ZZZZZ90",
        "procurement",
        None,
    )
    assert lane_params(b"code=A&scenario=procurement&as_of=2026-11-01&other=1")[2].isoformat() == "2026-11-01"  # type: ignore[index]
    assert lane_params(b"code=%E4%BD%A0&scenario=procurement")[0] == "你"  # type: ignore[index]
    for refused in (
        b"code=A&code=B&scenario=procurement",
        b"code=A",
        b"scenario=procurement",
        b"code=&scenario=procurement",
        b"code=A&scenario=",
        b"code=A&scenario=" + b"x" * 33,
        b"code=A&scenario=procurement&as_of=20261101",
        b"code=A&scenario=procurement&as_of=2026-13-01",
    ):
        assert lane_params(refused) is None, refused
