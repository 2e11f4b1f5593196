"""The joint check's lane: ``GET /api/v1/checks`` by an API token, answered without FastAPI's routing.

Why: departments' systems call the 一键查询 machine to machine, and issue #7 asks 1,000 checks/s on the 2-core
machine. Through FastAPI each check paid for route matching, dependency solving (the session, the context, the
login, the OpenAPI security declarations, the app's commit dependency), query-parameter validation and three
worker-thread hops: over half its CPU (docs/checks.md). This pure ASGI middleware answers the common case itself,
in one worker-thread hop, with the same pieces the route uses:

* the context as ``web.deps.get_context`` builds it (``credential_context``: the token, its last-use write at most
  once a minute, the request id, the client address, the time), the token's row remembered by the process for
  ``check_token_memo_seconds`` (``auth.credentials.TokenMemo``: a token is never edited, its expiry is checked
  on every request, and the check's log row is written only while the token is not revoked, so revocation
  still takes effect at once);
* the action ``lists.checks.check`` (permission, validation, the look-up, the log row);
* the answer ``CheckOut.model_dump_json()`` with the route's status and media type.

**One difference: statement-at-a-time.** The lane's session runs each statement as its own transaction
(``open_session(autocommit=True)``). A check writes one row (its log row, one ``INSERT``) and, once a minute,
the token's last use (one ``UPDATE``); each is complete on its own, and both are stored before the answer is
sent. What this saves: on PostgreSQL the ``BEGIN`` and ``COMMIT`` round trips (five round trips became three); on
SQLite the write lock, which a transaction begun IMMEDIATE held from the token look-up to the commit, is held
only while the ``INSERT`` runs, so the two server processes stop queueing on it. With the token remembered, a
check is two statements: the look-up and the log row (docs/checks.md has the figures).

It takes only what it can answer exactly as the route would: a ``GET`` with an ``Authorization`` header, each of
``code``, ``scenario`` and ``as_of`` given at most once, ``code`` 1–64 and ``scenario`` 1–32 characters (the
route's ``Query`` bounds) and ``as_of`` absent or ``YYYY-MM-DD``, in an application whose sessions are its own
(a test that overrides ``get_session`` is answered by the route). Everything else — a cookie caller (the check
page), a missing or odd parameter, and any refusal on the way (an invalid token: 401; a right missing: 403; a
malformed code, an unknown scenario or a future day: 422) — is handed on to the FastAPI route, which answers it as
before; the route stays the documented operation in the OpenAPI document. The action refuses before it writes
anything but the token's last use, so a refused request is not logged twice.

Installed innermost of the user middleware (``install``), so request ids, security headers, the 500 safety net,
rate limits, the body limit and admission control apply to its answers exactly as to the route's.
"""

from __future__ import annotations

import asyncio
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import Any
from urllib.parse import parse_qsl

from fastapi import FastAPI
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from xinyong import clock
from xinyong.auth.credentials import TokenMemo
from xinyong.db.session import end_session, open_session
from xinyong.errors import XinyongError
from xinyong.lists import checks
from xinyong.lists.check_schemas import CODE_INPUT_MAX, SCENARIO_MAX
from xinyong.settings import get_settings
from xinyong.web.deps import client_ip, credential_context, get_session

PATH = "/api/v1/checks"
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_HEADERS = [(b"content-type", b"application/json")]


def lane_params(query_string: bytes) -> tuple[str, str, date | None] | None:
    """(code, scenario, as_of) when the query is one the route would accept as is; None to hand it on."""
    seen: dict[str, str] = {}
    for name, value in parse_qsl(query_string.decode("latin-1"), keep_blank_values=True):  # as Starlette parses
        if name in seen:
            return None  # a repeated parameter: the route decides which one counts
        seen[name] = value
    code, scenario, raw_day = seen.get("code"), seen.get("scenario"), seen.get("as_of")
    if code is None or scenario is None:
        return None
    if not (0 < len(code) <= CODE_INPUT_MAX and 0 < len(scenario) <= SCENARIO_MAX):  # the route's Query bounds
        return None
    if raw_day is None:
        return code, scenario, None
    if not _ISO_DAY.fullmatch(raw_day):
        return None
    try:
        return code, scenario, date.fromisoformat(raw_day)
    except ValueError:
        return None


def _has_authorization(scope: Scope) -> bool:
    return any(name == b"authorization" and value for name, value in scope["headers"])


def answer(scope: Scope, params: tuple[str, str, date | None], tokens: TokenMemo) -> bytes | None:
    """The check's JSON answer, its log row stored; None (and the token forgotten) when the route must answer.

    Runs in a worker thread: the token look-up and the check are database work."""
    request = Request(scope)
    now = clock.now()
    extra: dict[str, object] = {"ip": client_ip(request), "at": now}
    request_id = scope.get("state", {}).get("request_id")
    if request_id:
        extra["request_id"] = request_id
    session = open_session(autocommit=True)
    try:
        ctx = credential_context(request, session, now, extra, tokens.resolve)
        body = checks.check(ctx, *params).model_dump_json().encode()
    except XinyongError:
        end_session(session, False)
        tokens.forget(request.headers.get("authorization", "").partition(" ")[2].strip())
        return None
    except BaseException:
        end_session(session, False)
        raise
    end_session(session, True)
    return body


class CheckLaneMiddleware:
    """Answer ``GET /api/v1/checks`` by an API token in one worker-thread hop (see the module docstring)."""

    def __init__(self, app: ASGIApp, owner: FastAPI) -> None:
        self.app = app
        self.owner = owner  # the application: a test that overrides its sessions is answered by the route
        self.answered = 0  # checks the lane answered (the rest went to the route)
        # the lane's worker threads (started on demand), as many as the requests admission lets in at a time
        self.pool = ThreadPoolExecutor(get_settings().db_pool_size, thread_name_prefix="check-lane")
        self.tokens = TokenMemo(get_settings().check_token_memo_seconds)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["path"] == PATH
            and scope["method"] == "GET"
            and _has_authorization(scope)
            and get_session not in self.owner.dependency_overrides
        ):
            params = lane_params(scope.get("query_string", b""))
            if params is not None:
                body = await asyncio.get_running_loop().run_in_executor(self.pool, answer, scope, params, self.tokens)
                if body is not None:
                    self.answered += 1
                    await _send_json(send, body)
                    return
        await self.app(scope, receive, send)


async def _send_json(send: Send, body: bytes) -> None:
    headers: list[Any] = [(b"content-length", str(len(body)).encode()), *_HEADERS]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def install(app: FastAPI) -> None:
    """Add the lane innermost of the user middleware (call before ``admission.install``)."""
    app.add_middleware(CheckLaneMiddleware, owner=app)
