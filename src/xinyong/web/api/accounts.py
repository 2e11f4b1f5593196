"""``/api/v1/me`` and ``/api/v1/accounts``: who am I, and account management for the credit office admin.

Security is declared with the shared schemes of ``web.security`` (bearer token or session cookie, ``SECURED``);
the check itself is ``require_login`` (401) plus the service's ``require`` (403). State-changing calls made with
the login cookie must also send the session's CSRF token in ``X-CSRF-Token`` (``CSRF``, see ``web.csrf``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Request
from pydantic import BaseModel, ConfigDict, Field

from xinyong.auth import accounts as service
from xinyong.auth.models import Account
from xinyong.auth.permissions import ROLES
from xinyong.db.base import MAX_ID
from xinyong.web.errors import error_responses
from xinyong.web.security import CSRF, DENIED, SECURED, LoggedIn

router = APIRouter(prefix="/api/v1", tags=["账户"], dependencies=SECURED, responses=error_responses(*DENIED))
AccountId = Annotated[int, Path(ge=1, le=MAX_ID, description="账户编号")]


class MeOut(BaseModel):
    """The authenticated caller: a logged-in person or an API token."""

    kind: str = Field(description="account（登录账户）或 token（接口令牌）")
    actor: str
    role: str
    role_label: str
    username: str | None = None
    display_name: str | None = None
    department_id: int | None = None
    department_name: str | None = None
    subject_id: int | None = None
    institution: str | None = None
    must_change_password: bool = False
    csrf_token: str | None = Field(
        default=None, description="登录 Cookie 调用写操作时须放入 X-CSRF-Token 请求头的令牌（令牌调用为空）"
    )


class AccountIn(BaseModel):
    """A new account. The password must satisfy the policy (≥ 10 characters, letters and digits, not common)."""

    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=3, max_length=64, description="登录名：小写字母、数字或 _ . @ -")
    display_name: str = Field(min_length=1, max_length=64, description="姓名")
    password: str = Field(min_length=1, max_length=128, description="初始密码（首次登录须修改）")
    role: str = Field(
        description="角色：" + "、".join(f"{k}（{v}）" for k, v in ROLES.items() if k in service.ACCOUNT_ROLES)
    )
    department_id: int | None = Field(default=None, ge=1, le=MAX_ID, description="所属部门（部门数据报送员必填）")
    subject_id: int | None = Field(default=None, ge=1, le=MAX_ID, description="关联的信用主体（主体账户必填）")
    institution: str | None = Field(default=None, max_length=64, description="金融机构名称（金融机构账户必填）")
    phone: str | None = Field(default=None, max_length=20, description="手机号（加密存储）")


class AccountOut(BaseModel):
    """An account as the admin sees it (no password hash, no phone number)."""

    id: int
    username: str
    display_name: str
    role: str
    role_label: str
    department_id: int | None
    subject_id: int | None
    institution: str | None
    active: bool
    locked: bool
    locked_until: datetime | None
    must_change_password: bool
    has_phone: bool
    created_at: datetime
    created_by: str


def account_out(account: Account, now: datetime) -> AccountOut:
    """The API view of ``account``."""
    locked = service.is_locked(account, now)
    return AccountOut(
        id=account.id,
        username=account.username,
        display_name=account.display_name,
        role=account.role,
        role_label=ROLES.get(account.role, account.role),
        department_id=account.department_id,
        subject_id=account.subject_id,
        institution=account.institution,
        active=account.active,
        locked=locked,
        locked_until=account.locked_until if locked else None,
        must_change_password=account.must_change_password,
        has_phone=account.phone_cipher is not None,
        created_at=account.created_at,
        created_by=account.created_by,
    )


@router.get("/me", response_model=MeOut, summary="当前身份")
def me(request: Request, ctx: LoggedIn) -> MeOut:
    """Who the credentials belong to: role, department, subject or institution."""
    out = MeOut(
        kind="token" if ctx.token_id is not None else "account",
        actor=ctx.actor,
        role=ctx.role,
        role_label=ROLES.get(ctx.role, ctx.role),
        department_id=ctx.department_id,
        department_name=service.department_name(ctx, ctx.department_id),
        subject_id=ctx.subject_id,
        institution=ctx.institution,
    )
    if ctx.account_id is not None:
        account = service.get_account(ctx, ctx.account_id)
        out.username, out.display_name = account.username, account.display_name
        out.must_change_password = account.must_change_password
        login = getattr(request.state, "login_session", None)
        out.csrf_token = login.csrf_token if login is not None else None
    return out


@router.get("/accounts", response_model=list[AccountOut], summary="账户列表")
def list_accounts(ctx: LoggedIn) -> list[AccountOut]:
    """Every account (credit office admin)."""
    return [account_out(a, ctx.at) for a in service.list_accounts(ctx)]


@router.post(
    "/accounts",
    response_model=AccountOut,
    status_code=201,
    summary="创建账户",
    responses=error_responses(409, 422),
    dependencies=CSRF,
)
def create_account(body: AccountIn, ctx: LoggedIn) -> AccountOut:
    """Create a person's account (credit office admin). The holder must change the password at first login."""
    account = service.create_account(ctx, **body.model_dump())
    return account_out(account, ctx.at)


@router.post(
    "/accounts/{account_id}/unlock",
    response_model=AccountOut,
    summary="解除账户锁定",
    responses=error_responses(404, 422),
    dependencies=CSRF,
)
def unlock(account_id: AccountId, ctx: LoggedIn) -> AccountOut:
    """Lift a lockout after repeated failed logins."""
    return account_out(service.unlock(ctx, account_id), ctx.at)


@router.post(
    "/accounts/{account_id}/deactivate",
    response_model=AccountOut,
    summary="停用账户",
    responses=error_responses(404, 422),
    dependencies=CSRF,
)
def deactivate(account_id: AccountId, ctx: LoggedIn) -> AccountOut:
    """Deactivate an account; its login sessions end at once."""
    return account_out(service.set_active(ctx, account_id, False), ctx.at)


@router.post(
    "/accounts/{account_id}/activate",
    response_model=AccountOut,
    summary="启用账户",
    responses=error_responses(404, 422),
    dependencies=CSRF,
)
def activate(account_id: AccountId, ctx: LoggedIn) -> AccountOut:
    """Re-activate a deactivated account."""
    return account_out(service.set_active(ctx, account_id, True), ctx.at)
