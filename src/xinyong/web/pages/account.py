"""Pages: log in and out, the account page, password change, and account management for the admin.

Every POST goes through ``csrf_protect``. The login route never raises for bad credentials: the failure is
recorded by ``accounts.attempt_login`` and committed here before the 401 page is returned, so the audit event
and the failure counter survive. Successful logins commit before the redirect, so the new session exists when
the browser follows it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import object_session
from starlette.responses import Response

from xinyong.auth import accounts
from xinyong.auth.context import Context
from xinyong.auth.credentials import SESSION_COOKIE
from xinyong.auth.models import Account, LoginSession
from xinyong.auth.permissions import ROLES
from xinyong.errors import InvalidInput, NotFound, XinyongError
from xinyong.settings import get_settings
from xinyong.subjects.models import Department
from xinyong.web import csrf
from xinyong.web.deps import get_context, require_login
from xinyong.web.templating import render, templates

router = APIRouter(include_in_schema=False)
AnyContext = Annotated[Context, Depends(get_context)]
Login = Annotated[Context, Depends(require_login)]
Csrf = Depends(csrf.csrf_protect)
DEFAULT_NEXT = "/account"


@dataclass(frozen=True)
class CurrentUser:
    """What the page header shows about the visitor."""

    display_name: str
    role_label: str
    known: bool  # False: a session cookie is present but this page did not resolve it
    role: str = ""  # the account's role code, e.g. ``auditor`` (empty when not known)


def current_user(request: Request) -> CurrentUser | None:
    """The logged-in person for the header (Jinja global); no database query of its own."""
    login = getattr(request.state, "login_session", None)
    session = object_session(login) if login is not None else None
    try:
        account = session.get(Account, login.account_id) if session is not None and login is not None else None
    except SQLAlchemyError:  # an error page after a database failure still renders
        account = None
    if account is not None:
        return CurrentUser(account.display_name, ROLES.get(account.role, account.role), True, account.role)
    if request.cookies.get(SESSION_COOKIE):
        return CurrentUser("", "", False)
    return None


templates.env.globals["current_user"] = current_user


def safe_next(target: str | None, default: str = DEFAULT_NEXT) -> str:
    """``target`` if it is a path on this site, else ``default`` (no open redirect)."""
    if not target or len(target) > 2000 or not target.startswith("/") or target.startswith("//"):
        return default
    if "\\" in target or any(ord(c) < 32 or ord(c) == 127 for c in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target


def _set_session_cookie(response: Response, token: str) -> None:
    settings = get_settings()
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=settings.session_hours * 3600,
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure,
        path="/",
    )


def _clear_session_cookie(response: Response) -> None:
    settings = get_settings()
    response.delete_cookie(SESSION_COOKIE, path="/", secure=settings.cookie_secure, httponly=True, samesite="lax")


def _login_page(request: Request, *, next_url: str, username: str = "", error: str | None = None, status: int = 200):
    context = {"nav": "login", "next": next_url, "username": username, "error": error}
    return csrf.attach_cookie(request, render(request, "login.html", context, status_code=status))


@router.get("/login")
def login_form(request: Request, ctx: AnyContext, next: str = "") -> Response:
    """The login form; a visitor already logged in goes straight on."""
    target = safe_next(next)
    if ctx.account_id is not None:
        return RedirectResponse(target, status_code=303)
    return _login_page(request, next_url=target)


@router.post("/login", dependencies=[Csrf])
def login_submit(
    request: Request,
    ctx: AnyContext,
    username: Annotated[str, Form(max_length=256)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    next: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Check the credentials; on success a fresh session cookie (never a value the visitor brought)."""
    target = safe_next(next)
    if not username.strip() or not password:
        return _login_page(request, next_url=target, username=username, error="请输入用户名和密码", status=422)
    result = accounts.attempt_login(ctx, username, password)
    if result.error is not None:
        ctx.session.commit()  # keep the audit event, the failure counter and the lock
        return _login_page(request, next_url=target, username=username, error=result.error.message, status=401)
    previous: LoginSession | None = getattr(request.state, "login_session", None)
    if previous is not None and ctx.account_id is not None:
        accounts.logout(ctx, previous)  # switching accounts: the old session ends
    ctx.session.commit()
    assert result.account is not None
    if result.account.must_change_password:
        target = "/account/password?next=" + quote(target, safe="/")
    response = RedirectResponse(target, status_code=303)
    _set_session_cookie(response, result.token)
    csrf.clear_cookie(response)
    return response


@router.post("/logout", dependencies=[Csrf])
def logout(request: Request, ctx: AnyContext) -> Response:
    """End the session and drop the cookie."""
    login: LoginSession | None = getattr(request.state, "login_session", None)
    if login is not None and ctx.account_id is not None:
        accounts.logout(ctx, login)
        ctx.session.commit()
    response = RedirectResponse("/", status_code=303)
    _clear_session_cookie(response)
    return response


@router.get("/account")
def account_page(request: Request, ctx: Login, changed: bool = False) -> Response:
    """Who am I: name, role, department, subject or institution."""
    account = accounts.get_account(ctx, ctx.account_id) if ctx.account_id is not None else None
    context = {
        "nav": "account",
        "account": account,
        "ctx": ctx,
        "role_label": ROLES.get(ctx.role, ctx.role),
        "department": accounts.department_name(ctx, ctx.department_id),
        "changed": changed,
    }
    return render(request, "account.html", context)


def _password_page(request: Request, next_url: str, error: str | None = None, status: int = 200) -> Response:
    login = getattr(request.state, "login_session", None)
    context = {"nav": "account", "next": next_url, "error": error, "forced": False}
    if login is not None:
        session = object_session(login)
        holder = session.get(Account, login.account_id) if session is not None else None
        context["forced"] = bool(holder and holder.must_change_password)
    return render(request, "password.html", context, status_code=status)


@router.get("/account/password")
def password_form(request: Request, ctx: Login, next: str = "") -> Response:
    """The password change form."""
    return _password_page(request, safe_next(next, ""))


@router.post("/account/password", dependencies=[Csrf])
def password_submit(
    request: Request,
    ctx: Login,
    old_password: Annotated[str, Form(max_length=1024)] = "",
    new_password: Annotated[str, Form(max_length=1024)] = "",
    new_password_confirm: Annotated[str, Form(max_length=1024)] = "",
    next: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Change the password; the other sessions of the account end."""
    target = safe_next(next, "")
    if new_password != new_password_confirm:
        return _password_page(request, target, "两次输入的新密码不一致", 422)
    login: LoginSession | None = getattr(request.state, "login_session", None)
    try:
        accounts.change_password(
            ctx, old_password, new_password, keep_session_id=login.id if login is not None else None
        )
    except XinyongError as exc:
        return _password_page(request, target, exc.message, exc.status)
    return RedirectResponse(target or "/account?changed=1", status_code=303)


def _departments(ctx: Context) -> list[Department]:
    return list(ctx.session.scalars(select(Department).order_by(Department.code)))


def _admin_page(
    request: Request,
    ctx: Context,
    *,
    form: dict[str, str] | None = None,
    error: str | None = None,
    notice: str | None = None,
    status: int = 200,
) -> Response:
    departments = _departments(ctx)
    context = {
        "nav": "admin",
        "accounts": accounts.list_accounts(ctx),
        "now": ctx.at,
        "me_id": ctx.account_id,
        "is_locked": accounts.is_locked,
        "roles": [(r, ROLES[r]) for r in accounts.ACCOUNT_ROLES],
        "role_labels": ROLES,
        "departments": departments,
        "department_names": {d.id: d.name for d in departments},
        "form": form or {},
        "error": error,
        "notice": notice,
    }
    return render(request, "admin_accounts.html", context, status_code=status)


@router.get("/admin/accounts")
def admin_accounts(request: Request, ctx: Login, created: str = "", done: str = "") -> Response:
    """Account list and the form to create one (credit office admin)."""
    notice = None
    if created:
        notice = (
            f"已创建账户 {accounts.printable(created)}，请将初始密码当面或经安全渠道交给使用人；首次登录须修改密码。"
        )
    elif done:
        notice = {"unlock": "已解除锁定。", "deactivate": "已停用账户。", "activate": "已启用账户。"}.get(done)
    return _admin_page(request, ctx, notice=notice)


def _optional_id(value: str, field: str, label: str) -> int | None:
    value = value.strip()
    if not value:
        return None
    if not value.isdigit() or len(value) > 19:
        raise InvalidInput(f"{label}应为编号（正整数）", field=field)
    return int(value)


@router.post("/admin/accounts", dependencies=[Csrf])
def admin_create(
    request: Request,
    ctx: Login,
    username: Annotated[str, Form(max_length=256)] = "",
    display_name: Annotated[str, Form(max_length=256)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    role: Annotated[str, Form(max_length=64)] = "",
    department_id: Annotated[str, Form(max_length=32)] = "",
    subject_id: Annotated[str, Form(max_length=32)] = "",
    institution: Annotated[str, Form(max_length=256)] = "",
    phone: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """Create an account; errors are shown above the form with the entries kept (except the password)."""
    form = {
        "username": username,
        "display_name": display_name,
        "role": role,
        "department_id": department_id,
        "subject_id": subject_id,
        "institution": institution,
        "phone": phone,
    }
    try:
        account = accounts.create_account(
            ctx,
            username,
            display_name,
            password,
            role,
            department_id=_optional_id(department_id, "department_id", "所属部门"),
            subject_id=_optional_id(subject_id, "subject_id", "信用主体"),
            institution=institution or None,
            phone=phone or None,
        )
    except XinyongError as exc:
        if exc.status == 403:
            raise
        return _admin_page(request, ctx, form=form, error=exc.message, status=exc.status)
    return RedirectResponse(f"/admin/accounts?created={quote(account.username)}", status_code=303)


@router.post("/admin/accounts/{account_id}/{action}", dependencies=[Csrf])
def admin_action(request: Request, ctx: Login, account_id: int, action: str) -> Response:
    """Unlock, deactivate or activate an account."""
    if action == "unlock":
        accounts.unlock(ctx, account_id)
    elif action in ("deactivate", "activate"):
        accounts.set_active(ctx, account_id, action == "activate")
    else:
        raise NotFound("不支持的操作")
    return RedirectResponse(f"/admin/accounts?done={action}", status_code=303)
