"""CSRF protection for every state-changing request made with the login cookie.

* Logged in: the token is the login session's ``csrf_token`` (random, per session, rotated at login).
* Anonymous (the login form): double-submit cookie. ``csrf_field`` sets a random ``CSRF_COOKIE`` (HttpOnly,
  SameSite=Lax, ``__Host-`` prefixed when Secure so a sibling sub-domain cannot plant it) and renders the same
  value into the form; the POST must carry both, equal.
* ``Authorization: Bearer`` requests are exempt: machine clients send no cookies and ``get_context`` uses the
  token, never the cookie, whenever an Authorization header is present.

Page routes add ``Depends(csrf_protect)`` (token in the ``csrf_token`` form field or the ``X-CSRF-Token``
header, e.g. from htmx); JSON routes add ``Depends(csrf_protect_api)`` (header only; the token is in
``GET /api/v1/me``). Templates call ``{{ csrf_field(request) }}``; a page that renders a form for an anonymous
visitor passes its response through ``attach_cookie`` so the cookie is set.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Form, Request
from markupsafe import Markup, escape
from starlette.responses import Response

from xinyong.auth.context import Context
from xinyong.auth.credentials import new_secret, same_secret
from xinyong.errors import XinyongError
from xinyong.settings import get_settings
from xinyong.web.deps import get_context
from xinyong.web.templating import templates

FIELD = "csrf_token"
HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
_NEW = "csrf_new_cookie"


class CsrfFailed(XinyongError):
    """A state-changing request without the right CSRF token."""

    status = 403
    code = "csrf_failed"


def cookie_name() -> str:
    """``__Host-xinyong_csrf`` when cookies are Secure (the prefix requires it), else ``xinyong_csrf``."""
    return "__Host-xinyong_csrf" if get_settings().cookie_secure else "xinyong_csrf"


def _valid_shape(value: str) -> bool:
    return 20 <= len(value) <= 64 and value.replace("-", "").replace("_", "").isalnum()


def uses_bearer(request: Request) -> bool:
    """Whether the request authenticates with a bearer token (exempt: no ambient cookie credential)."""
    return request.headers.get("authorization", "").lower().startswith("bearer ")


def csrf_token(request: Request) -> str:
    """The token a form on this page must send back (creating the anonymous cookie value if needed)."""
    login = getattr(request.state, "login_session", None)
    if login is not None:
        return str(login.csrf_token)
    pending = getattr(request.state, _NEW, None)
    if pending:
        return str(pending)
    existing = request.cookies.get(cookie_name(), "")
    if _valid_shape(existing):
        return existing
    fresh = new_secret()
    setattr(request.state, _NEW, fresh)
    return fresh


def csrf_field(request: Request) -> Markup:
    """The hidden ``<input>`` carrying the token (Jinja global)."""
    return Markup(f'<input type="hidden" name="{FIELD}" value="{escape(csrf_token(request))}">')


def attach_cookie(request: Request, response: Response) -> Response:
    """Set the anonymous CSRF cookie on ``response`` if rendering the page created one."""
    value = getattr(request.state, _NEW, None)
    if value:
        settings = get_settings()
        response.set_cookie(
            cookie_name(), value, httponly=True, samesite="lax", secure=settings.cookie_secure, path="/"
        )
    return response


def clear_cookie(response: Response) -> None:
    """Drop the anonymous CSRF cookie (after login the session's token takes over)."""
    settings = get_settings()
    response.delete_cookie(cookie_name(), path="/", secure=settings.cookie_secure, httponly=True, samesite="lax")


def check(request: Request, sent: str) -> None:
    """Raise ``CsrfFailed`` unless ``sent`` is this request's expected token."""
    if request.method in SAFE_METHODS or uses_bearer(request):
        return
    login = getattr(request.state, "login_session", None)
    if login is not None:
        expected = str(login.csrf_token)
    else:
        expected = request.cookies.get(cookie_name(), "")
        if not _valid_shape(expected):
            raise CsrfFailed("页面已过期或浏览器未保存安全校验信息（Cookie），请刷新页面后重试")
    if not sent or len(sent) > 128 or not same_secret(sent, expected):
        raise CsrfFailed("安全校验失败（缺少或错误的表单令牌），请刷新页面后重试")


def csrf_protect(
    request: Request,
    ctx: Annotated[Context, Depends(get_context)],
    csrf_token: Annotated[str, Form(max_length=128)] = "",
) -> None:
    """Dependency for page POST routes: the form field (or ``X-CSRF-Token`` header) must match.

    Depends on ``get_context`` so that the login session, if any, is resolved first."""
    check(request, csrf_token or request.headers.get(HEADER, ""))


async def csrf_protect_api(request: Request, ctx: Annotated[Context, Depends(get_context)]) -> None:
    """Dependency for JSON routes that change state: a cookie-authenticated call must send the session's
    token in ``X-CSRF-Token``. Bearer-token and anonymous calls carry no ambient credential and are left to
    the route's own checks (401/403)."""
    if getattr(request.state, "login_session", None) is not None:
        check(request, request.headers.get(HEADER, ""))


templates.env.globals.update(csrf_field=csrf_field, csrf_token=csrf_token)
