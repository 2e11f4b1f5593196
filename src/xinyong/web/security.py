"""The OpenAPI security declarations shared by every non-public JSON router (``web/api/``).

A non-public router declares ``dependencies=SECURED``: every operation then shows ``security: [bearer] or
[session]`` in the OpenAPI document (a bearer API token or the login-session cookie). The declaration only
documents; the check is ``require_login`` (401 without a valid credential, ``LoggedIn``) plus the service's
``require`` (403 without the right). ``CSRF`` guards the state-changing routes of cookie-authenticated callers:
such a call must also send the session's ``X-CSRF-Token`` (see ``web.csrf``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from fastapi.security import APIKeyCookie, HTTPBearer

from xinyong.auth.context import Context
from xinyong.auth.credentials import SESSION_COOKIE
from xinyong.web.csrf import csrf_protect_api
from xinyong.web.deps import require_login

bearer_scheme = HTTPBearer(
    auto_error=False, scheme_name="bearer", description="接口令牌 `xy_…`（由区信用办签发，仅显示一次）"
)
cookie_scheme = APIKeyCookie(
    name=SESSION_COOKIE, auto_error=False, scheme_name="session", description="登录后浏览器持有的会话 Cookie"
)
# Router-level dependencies: every operation shows ``security: [bearer] or [session]`` in the OpenAPI document.
SECURED = [Depends(bearer_scheme), Depends(cookie_scheme)]
# The acting context of a route that needs a credential (401 otherwise).
LoggedIn = Annotated[Context, Depends(require_login)]
# State-changing routes: a cookie-authenticated call must also send the session's X-CSRF-Token (web.csrf).
CSRF = [Depends(csrf_protect_api)]
# What a secured operation may answer besides its own errors: not authenticated, not allowed.
DENIED = (401, 403)
