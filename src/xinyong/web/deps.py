"""Request-scoped dependencies: the database session and the acting context.

The context comes from, in order: an ``Authorization: Bearer xy_…`` API token, the login-session cookie,
or else the anonymous public. A presented but invalid token is refused (401), never downgraded to public.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta

import anyio
from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import Session

from xinyong import clock
from xinyong.auth.context import Context
from xinyong.auth.credentials import (
    SESSION_COOKIE,
    LiveToken,
    account_context,
    resolve_session,
    resolve_token,
    token_context,
    touch_token,
)
from xinyong.db.session import end_session, open_session
from xinyong.errors import XinyongError

PUBLIC_ACTOR = "public"


class NotAuthenticated(XinyongError):
    """No valid credential where one is required."""

    status = 401
    code = "unauthenticated"


READ_METHODS = frozenset({"GET", "HEAD"})


def is_anonymous_read(request: Request) -> bool:
    """A GET or HEAD without credentials: the public reading the site, which writes nothing (no audit event, no
    token or session touched)."""
    return (
        request.method in READ_METHODS
        and not request.headers.get("authorization")
        and not request.cookies.get(SESSION_COOKIE)
    )


async def get_session(request: Request) -> AsyncIterator[Session]:
    """One session per request: committed when the request succeeds, rolled back when it fails (after the
    response, so a streamed answer's reads and writes are kept too; ``commit_before_response`` commits first).

    Requests that may write begin IMMEDIATE on SQLite (``open_session(concurrent=True)``); anonymous reads begin
    deferred, so the public's page views read side by side under WAL instead of queueing for the one write lock
    (200 concurrent readers of the portal timed out on that queue: docs/benchmarks.md, portal).

    An async dependency: the session is made in the event loop (it takes no connection until its first
    statement) and only its end (commit or rollback, close: database work) runs in a worker thread, one hop per
    request where a plain generator took two (FastAPI runs both halves of a sync generator in the threadpool)."""
    session = open_session(concurrent=not is_anonymous_read(request))
    request.state.db_session = session
    try:
        yield session
    except BaseException:
        with anyio.CancelScope(shield=True):  # a client gone away still gets its connection back to the pool
            await run_in_threadpool(end_session, session, False)
        raise
    await run_in_threadpool(end_session, session, True)


def _pending(session: Session) -> bool:
    """Whether the session has begun a transaction or holds unflushed changes."""
    return session.in_transaction() or bool(session.new or session.dirty or session.deleted)


async def commit_before_response(request: Request) -> AsyncIterator[None]:
    """Commit the request's session (if it used one) when its handler returns, before the answer is sent
    (declared on the app with ``scope="function"``): a client told 200/201 can rely on the write being stored and
    visible to its next request, and a failing commit becomes an error answer instead of a success followed by a
    lost write. A handler that raises leaves the rollback to ``get_session``. Async, and in a worker thread only
    when there is something to commit (the hot routes commit themselves): no thread hop otherwise."""
    yield
    session = getattr(request.state, "db_session", None)
    if session is not None and _pending(session):
        await run_in_threadpool(session.commit)


# An API token's last use is written at most once a minute: a write on every request serialised all requests of
# one token on its row (PostgreSQL) and made every read a write (docs/checks.md, the joint-check benchmark).
TOKEN_TOUCH_INTERVAL = timedelta(minutes=1)


def _touch(last: datetime | None, now: datetime) -> bool:
    """Whether a token last used at ``last`` should have ``now`` recorded (SQLite hands back naive UTC)."""
    if last is None:
        return True
    aware = last if last.tzinfo is not None else last.replace(tzinfo=UTC)
    return now - aware >= TOKEN_TOUCH_INTERVAL


def client_ip(request: Request) -> str:
    return request.client.host if request.client else ""


TokenResolver = Callable[[Session, str, datetime], LiveToken | None]


def credential_context(
    request: Request,
    session: Session,
    now: datetime,
    extra: dict[str, object],
    resolve: TokenResolver = resolve_token,
) -> Context:
    """The context of a request that presents a bearer token or a session cookie (database look-ups; ``resolve``
    finds a bearer token's row: ``TokenMemo.resolve`` in the joint check's lane)."""
    auth = request.headers.get("authorization", "")
    if auth:
        scheme, _, raw = auth.partition(" ")
        token = resolve(session, raw.strip(), now) if scheme.lower() == "bearer" else None
        if token is None:
            raise NotAuthenticated("令牌无效、已过期或已吊销")
        if _touch(token.last_used_at, now):
            touch_token(session, token.id, now)
            token.last_used_at = now  # a remembered token too: the next request need not write it again
        return token_context(session, token, **extra)
    found = resolve_session(session, request.cookies.get(SESSION_COOKIE, ""), now)
    if found is not None:
        login, account = found
        request.state.login_session = login
        return account_context(session, account, **extra)
    return Context(session=session, actor=PUBLIC_ACTOR, role="public", **extra)  # type: ignore[arg-type]


async def get_context(request: Request, session: Session = Depends(get_session)) -> Context:
    """Who is acting: API token, login session, or the public. The credential's look-up runs in a worker thread;
    a request without one (the public) is answered in the event loop, with no thread hop."""
    now = clock.now()
    extra: dict[str, object] = {"ip": client_ip(request), "at": now}
    request_id = getattr(request.state, "request_id", None)
    if request_id:
        extra["request_id"] = request_id
    if request.headers.get("authorization") or request.cookies.get(SESSION_COOKIE):
        return await run_in_threadpool(credential_context, request, session, now, extra)
    return Context(session=session, actor=PUBLIC_ACTOR, role="public", **extra)  # type: ignore[arg-type]


async def get_public_context(request: Request, session: Session = Depends(get_session)) -> Context:
    """The context of an anonymous reader of the public site (role ``public``)."""
    request_id = getattr(request.state, "request_id", None)
    extra: dict[str, object] = {"request_id": request_id} if request_id else {}
    return Context(session=session, actor=PUBLIC_ACTOR, role="public", ip=client_ip(request), **extra)  # type: ignore[arg-type]


async def require_login(ctx: Context = Depends(get_context)) -> Context:
    """A context that must be authenticated (401 otherwise)."""
    if ctx.role == "public":
        raise NotAuthenticated("请先登录或提供有效的接口令牌")
    return ctx
