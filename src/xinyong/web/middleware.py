"""HTTP hardening: request ids, security headers, a safety net for unhandled errors, rate limits, body size.

Pure ASGI middleware (no ``BaseHTTPMiddleware``), so request bodies stream and nothing is buffered except
the small ``/docs`` page. Order, outermost first:

1. ``RequestIdMiddleware``  sets ``request.state.request_id`` (a sane incoming ``X-Request-ID`` or a fresh
   uuid4 hex) and echoes it on every response, so a user's error number, the access log and the audit
   events of one request line up.
2. ``SecurityHeadersMiddleware``  adds CSP, ``nosniff``, frame denial, referrer and permissions policies,
   COOP/CORP, HSTS (https only) and ``Cache-Control: no-store`` on credentialed requests.
3. ``UnhandledErrorMiddleware``  answers an exception nobody handled with the app's own 500 page/JSON
   *inside* the two above (Starlette's ``ServerErrorMiddleware`` sits outside every user middleware, so its
   answer would lack the headers), then re-raises so the server still logs it.
4. ``RateLimitMiddleware``  429 for too many public searches or login attempts from one client address, or too
   many eligibility questions from one incentive provider's credential.
5. ``BodySizeLimitMiddleware``  413 for a body over ``max_request_bytes``, by ``Content-Length`` and by
   counting the streamed body (chunked uploads).

Rejections (413, 429) use the platform's error shape: JSON ``{"error","message","field"}`` under ``/api/``,
the Chinese error page elsewhere.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import re
import uuid
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from fastapi import FastAPI
from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from xinyong.auth.credentials import SESSION_COOKIE
from xinyong.settings import get_settings
from xinyong.web.errors import JSON_PREFIXES, error_response
from xinyong.web.ratelimit import RateLimiter

log = logging.getLogger("xinyong.web")

REQUEST_ID_HEADER = "x-request-id"
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{7,63}")

# The pages: scripts and styles only from our own origin (htmx and Swagger UI are vendored), no plugins,
# no framing, forms post only to us. htmx 2 injects one fixed <style> for its request indicator; its hash
# is allowed below instead of 'unsafe-inline'.
HTMX_INDICATOR_STYLE = (
    ".htmx-indicator{opacity:0;visibility: hidden} "
    ".htmx-request .htmx-indicator, .htmx-request.htmx-indicator"
    "{opacity:1;visibility: visible;transition: opacity 200ms ease-in}"
)


def csp_hash(text: str) -> str:
    """A CSP hash source (``'sha256-…'``) for an inline script or style."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


PAGE_CSP = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        f"style-src 'self' {csp_hash(HTMX_INDICATOR_STYLE)}",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
# JSON answers are never rendered as documents: forbid everything.
API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
# /docs is FastAPI's Swagger UI page: one inline <script> with the UI's configuration. Rather than
# 'unsafe-inline', the middleware hashes the inline scripts of the page actually served (see
# ``_docs_csp``), so the policy follows the page if FastAPI changes it. Swagger UI sets element styles
# through the CSSOM (allowed by style-src 'self') and ships SVG icons as data: URIs. Checked in headless
# Chromium: expanding operations, "Try it out" / Execute and the Authorize dialog raise no CSP violation.
DOCS_PATHS = frozenset({"/docs"})
DOCS_CSP_TEMPLATE = "; ".join(
    (
        "default-src 'self'",
        "script-src {scripts}",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
_INLINE_SCRIPT = re.compile(rb"<script(?![^>]*\bsrc\s*=)[^>]*>(.*?)</script>", re.S | re.I)

STATIC_HEADERS: dict[str, str] = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "permissions-policy": (
        "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), "
        "payment=(), usb=(), browsing-topics=()"
    ),
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
}
HSTS = "max-age=31536000"
# The same, encoded once (the header middleware runs on every response).
_STATIC_RAW: tuple[tuple[bytes, bytes], ...] = tuple((k.encode(), v.encode()) for k, v in STATIC_HEADERS.items())
_CSP = b"content-security-policy"
_HSTS_RAW = (b"strict-transport-security", HSTS.encode())
_NO_STORE_RAW = (b"cache-control", b"no-store")

SEARCH_BUCKET = "search"
LOGIN_BUCKET = "login"
ELIGIBILITY_BUCKET = "eligibility"
ELIGIBILITY_PATHS = frozenset({"/api/v1/incentives/eligibility", "/incentives/provider"})
SEARCH_API_PREFIX = "/api/v1/subjects/"


def _request_id(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == b"x-request-id":
            candidate = value.decode("latin-1")
            if _SANE_REQUEST_ID.fullmatch(candidate):
                return candidate
            break
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """Give every HTTP request an id (``request.state.request_id``) and echo it as ``X-Request-ID``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _request_id(scope)
        scope.setdefault("state", {})["request_id"] = request_id

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        await self.app(scope, receive, send_with_id)


def _has_credentials(scope: Scope) -> bool:
    for name, value in scope.get("headers", ()):
        if name == b"authorization":
            return True
        if name == b"cookie" and SESSION_COOKIE.encode() in value:
            return True
    return False


def _docs_csp(body: bytes) -> str:
    sources = ["'self'"]
    sources += (
        "'sha256-" + base64.b64encode(hashlib.sha256(m.group(1)).digest()).decode() + "'"
        for m in _INLINE_SCRIPT.finditer(body)
    )
    return DOCS_CSP_TEMPLATE.format(scripts=" ".join(sources))


class SecurityHeadersMiddleware:
    """Security headers on every HTTP response (existing values set by a route are kept)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        https = scope.get("scheme") == "https"
        no_store = _has_credentials(scope) and not path.startswith("/static/")
        csp = API_CSP if path.startswith(JSON_PREFIXES) else PAGE_CSP  # errors.wants_json without a Request

        def decorate(message: Message, policy: str) -> None:
            # the raw header list, scanned once: a header the route set itself is kept (setdefault semantics)
            headers = message["headers"] = list(message.get("headers", ()))
            present = {name.lower() for name, _ in headers}
            added = [item for item in _STATIC_RAW if item[0] not in present]
            if _CSP not in present:
                added.append((_CSP, policy.encode()))
            if https and _HSTS_RAW[0] not in present:
                added.append(_HSTS_RAW)
            if no_store and _NO_STORE_RAW[0] not in present:
                added.append(_NO_STORE_RAW)
            headers.extend(added)

        if path in DOCS_PATHS:
            await self._docs(scope, receive, send, decorate)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                decorate(message, csp)
            await send(message)

        await self.app(scope, receive, send_with_headers)

    async def _docs(self, scope: Scope, receive: Receive, send: Send, decorate: Callable[[Message, str], None]) -> None:
        """Buffer the small Swagger UI page to hash its inline scripts into the CSP."""
        start: Message | None = None
        chunks: list[bytes] = []

        async def buffer(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
                return
            if message["type"] == "http.response.body" and start is not None:
                chunks.append(message.get("body", b""))
                if message.get("more_body", False):
                    return
                body = b"".join(chunks)
                decorate(start, _docs_csp(body))
                await send(start)
                await send({"type": "http.response.body", "body": body, "more_body": False})
                return
            await send(message)

        await self.app(scope, receive, buffer)


ExceptionHandler = Callable[[Request, Exception], Awaitable[Response] | Response]


class UnhandledErrorMiddleware:
    """Answer an unhandled exception with the app's registered ``Exception`` handler, then re-raise it.

    Placed inside the request-id and header middleware so the generic 500 answer carries them too. The
    re-raise keeps Starlette's behaviour: the server logs the traceback and ``TestClient`` can raise it.
    """

    def __init__(self, app: ASGIApp, handlers: Mapping[Any, ExceptionHandler]) -> None:
        self.app = app
        self.handlers = handlers  # the live FastAPI.exception_handlers mapping

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            if not started:
                response = await self._answer(Request(scope, receive), exc)
                await response(scope, receive, send)
            raise

    async def _answer(self, request: Request, exc: Exception) -> Response:
        handler = self.handlers.get(Exception) or self.handlers.get(500)
        if handler is not None:
            try:
                result = handler(request, exc)
                return await result if isinstance(result, Awaitable) else result
            except Exception:  # a failing handler must not replace the original error
                log.exception("the 500 handler failed")
        return JSONResponse(
            {"error": "internal", "message": "服务器内部错误，请稍后再试", "field": None}, status_code=500
        )


def _client_key(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


def classify(method: str, path: str) -> str | None:
    """Which rate-limit bucket a request falls in: ``search``, ``login`` or none.

    Search: ``GET /search``, ``/s/{code}``, ``/api/v1/subjects`` and ``/api/v1/subjects/{code}`` (the public
    registry look-ups; deeper paths such as ``/api/v1/subjects/{id}/authorisations`` are not searches), and
    the public 双公示 pages and API (``/gongshi/…``, ``/api/v1/gongshi/…``): lists, searches and details, and the
    public list pages' CSV/Excel exports, and public report verification (``/reports/verify/{number}``, its API).
    Login: ``POST /login`` and any ``POST /api/…/login``.
    Eligibility: ``POST /api/v1/incentives/eligibility`` and the provider's page form ``POST /incentives/provider``
    (counted per provider credential, not per address: see ``_credential_key``).
    """
    if method in ("GET", "HEAD"):
        if path in ("/search", "/api/v1/subjects") or path.startswith(("/s/", "/gongshi", "/api/v1/gongshi")):
            return SEARCH_BUCKET
        if "/export." in path and path.startswith(("/lists/public/", "/commitments/public/", "/inspections/public/")):
            return SEARCH_BUCKET  # the public list exports: a query each, as costly as a search
        if path.startswith(("/reports/verify/", "/api/v1/reports/verify/")):
            return SEARCH_BUCKET  # report verification rebuilds the report's facts: bounded like a search
        rest = path.removeprefix(SEARCH_API_PREFIX)
        if rest != path and rest and "/" not in rest:
            return SEARCH_BUCKET
        return None
    if method == "POST":
        trimmed = path.rstrip("/")
        if trimmed == "/login" or (trimmed.startswith("/api/") and trimmed.endswith("/login")):
            return LOGIN_BUCKET
        if trimmed in ELIGIBILITY_PATHS:
            return ELIGIBILITY_BUCKET
    return None


def _credential_key(scope: Scope) -> str:
    """The eligibility bucket's key: the presented credential (bearer token or session cookie), hashed, so each
    provider token or provider login is limited on its own without a database look-up here (a credential belongs
    to one provider); the client address when there is none (refused later anyway)."""
    for name, value in scope.get("headers", ()):
        if name == b"authorization":
            return "t:" + hashlib.sha256(value).hexdigest()[:32]
        if name == b"cookie" and SESSION_COOKIE.encode() in value:
            return "c:" + hashlib.sha256(value).hexdigest()[:32]
    return "a:" + _client_key(scope)


def _per_minute(bucket: str) -> int:
    settings = get_settings()
    if bucket == LOGIN_BUCKET:
        return settings.rate_login_per_minute
    if bucket == ELIGIBILITY_BUCKET:
        configured = getattr(settings, "rate_eligibility_per_minute", None)
        if configured:
            return int(configured)
        from xinyong.incentives.scenarios import rate_per_minute  # the catalogue's default (rules as data)

        return rate_per_minute()
    return settings.rate_search_per_minute


class RateLimitMiddleware:
    """Per-client-address limits on public search and login (``settings.rate_*_per_minute``); per-credential
    limit on incentive eligibility questions (the scenario catalogue's ``defaults.rate_per_minute``)."""

    def __init__(self, app: ASGIApp, limiter: RateLimiter) -> None:
        self.app = app
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        bucket = classify(scope.get("method", ""), scope.get("path", "")) if scope["type"] == "http" else None
        if bucket is None:
            await self.app(scope, receive, send)
            return
        key = _credential_key(scope) if bucket == ELIGIBILITY_BUCKET else _client_key(scope)
        decision = self.limiter.hit(bucket, key, _per_minute(bucket))
        if decision.allowed:
            await self.app(scope, receive, send)
            return
        if bucket == ELIGIBILITY_BUCKET:
            log.warning(
                "eligibility rate limit: credential %s refused (retry after %ss)", key[:10], decision.retry_after
            )
        what = {LOGIN_BUCKET: "登录尝试", ELIGIBILITY_BUCKET: "资格核验"}.get(bucket, "查询")
        message = f"{what}过于频繁，请 {decision.retry_after} 秒后再试"
        response = error_response(Request(scope, receive), 429, "rate_limited", message)
        response.headers["retry-after"] = str(decision.retry_after)
        await response(scope, receive, send)


class _BodyTooLarge(Exception):
    """Raised from ``receive`` once the streamed body passes the limit."""


def _human_bytes(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):g} MB"
    return f"{n / 1024:g} KB"


class BodySizeLimitMiddleware:
    """413 for request bodies larger than ``settings.max_request_bytes``.

    A declared ``Content-Length`` over the limit is refused before the app runs. Otherwise the body is
    counted as it streams; past the limit ``receive`` raises, and whatever the app then does (FastAPI turns
    a body-read failure into 400) is replaced by the 413 answer, provided nothing was sent yet.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = get_settings().max_request_bytes
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await self._reject(scope, receive, send, limit)
            return
        received = 0
        exceeded = False
        replaced = False
        started = False

        async def counting_receive() -> Message:
            nonlocal received, exceeded
            if exceeded:
                raise _BodyTooLarge
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    raise _BodyTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started, replaced
            if replaced:
                return  # the app's own answer after the overflow is dropped
            if exceeded and not started and message["type"] == "http.response.start":
                replaced = True
                await self._reject(scope, receive, send, limit)
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except Exception:
            if not exceeded:
                raise
            if not started and not replaced:
                await self._reject(scope, receive, send, limit)

    @staticmethod
    async def _reject(scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        message = f"请求内容过大：上限为 {_human_bytes(limit)}"
        await error_response(Request(scope, receive), 413, "too_large", message)(scope, receive, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def install(app: FastAPI, limiter: RateLimiter | None = None) -> None:
    """Add the middleware to ``app`` (``add_middleware`` prepends: innermost first).

    The rate limiter is kept on ``app.state.rate_limiter`` so tests can give it a clock or reset it.
    """
    limiter = limiter or RateLimiter()
    app.state.rate_limiter = limiter
    app.add_middleware(BodySizeLimitMiddleware)
    app.add_middleware(RateLimitMiddleware, limiter=limiter)
    app.add_middleware(UnhandledErrorMiddleware, handlers=app.exception_handlers)
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(RequestIdMiddleware)
