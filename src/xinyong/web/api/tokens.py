"""``/api/v1/tokens``: API tokens for machine clients, issued and revoked by the credit office.

Security is declared with the shared schemes of ``web.security`` (bearer token or session cookie, ``SECURED``);
the check is ``require_login`` (401) plus the service's ``require`` (403); ``CSRF`` guards the writes.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Body, Path
from pydantic import BaseModel, Field

from xinyong.auth import tokens
from xinyong.auth.models import ApiToken
from xinyong.db.base import MAX_ID
from xinyong.web.errors import error_responses
from xinyong.web.security import CSRF, DENIED, SECURED, LoggedIn

Id = Annotated[int, Path(ge=1, le=MAX_ID)]

router = APIRouter(prefix="/api/v1", tags=["接口令牌"], dependencies=SECURED)


class TokenIn(BaseModel):
    """A token to issue."""

    name: str = Field(min_length=1, max_length=tokens.NAME_MAX, description="用途说明，如“区市场监管局报送系统”")
    role: Literal["department_officer", "bank", "provider"] = Field(
        description="department_officer（部门）、bank（金融机构）或 provider（守信激励服务提供方）"
    )
    department_id: int | None = Field(default=None, ge=1, le=MAX_ID, description="部门令牌所属部门")
    institution: str | None = Field(
        default=None, max_length=tokens.INSTITUTION_MAX, description="金融机构名称，或已登记的守信激励服务提供方名称"
    )
    scopes: list[Annotated[str, Field(max_length=64)]] = Field(
        min_length=1, max_length=50, description="允许的操作（须为角色权限的子集），如 subjects.read"
    )
    expires_on: date = Field(description="到期日（北京时间当日 0 时起失效）")


class TokenOut(BaseModel):
    """A token as listed: never its secret, only the public prefix."""

    id: int
    name: str
    prefix: str
    role: str
    department_id: int | None
    institution: str | None
    scopes: list[str]
    expires_at: datetime
    revoked_at: datetime | None
    created_by: str
    created_at: datetime
    last_used_at: datetime | None

    @classmethod
    def of(cls, token: ApiToken) -> TokenOut:
        """From the table row (the hash is left behind)."""
        return cls(
            id=token.id,
            name=token.name,
            prefix=token.prefix,
            role=token.role,
            department_id=token.department_id,
            institution=token.institution,
            scopes=list(token.scopes or ()),
            expires_at=token.expires_at,
            revoked_at=token.revoked_at,
            created_by=token.created_by,
            created_at=token.created_at,
            last_used_at=token.last_used_at,
        )


class TokenCreated(BaseModel):
    """The answer to issuing a token: the secret, shown this once."""

    token: str = Field(description="完整令牌，仅此一次显示；请求时放在 Authorization: Bearer 中")
    info: TokenOut


class RevokeIn(BaseModel):
    """Why the token is revoked (kept in the audit log)."""

    reason: str = Field(min_length=1, max_length=tokens.REASON_MAX)


@router.post(
    "/tokens",
    response_model=TokenCreated,
    status_code=201,
    summary="签发接口令牌",
    responses=error_responses(*DENIED, 422),
    dependencies=CSRF,
)
def create(data: TokenIn, ctx: LoggedIn) -> TokenCreated:
    """Issue a token (credit office admin). The full token is in this answer only; store it at once."""
    raw, token = tokens.create_token(
        ctx,
        data.name,
        data.role,
        department_id=data.department_id,
        institution=data.institution,
        scopes=data.scopes,
        expires_on=data.expires_on,
    )
    return TokenCreated(token=raw, info=TokenOut.of(token))


@router.get("/tokens", response_model=list[TokenOut], summary="接口令牌列表", responses=error_responses(*DENIED))
def list_all(ctx: LoggedIn) -> list[TokenOut]:
    """Every token (credit office). Department officers use the department's list."""
    return [TokenOut.of(t) for t in tokens.list_tokens(ctx)]


@router.post(
    "/tokens/{token_id}/revoke",
    response_model=TokenOut,
    summary="吊销接口令牌",
    responses=error_responses(*DENIED, 404, 409, 422),
    dependencies=CSRF,
)
def revoke(token_id: Id, data: Annotated[RevokeIn, Body()], ctx: LoggedIn) -> TokenOut:
    """Revoke a token (credit office admin); it is refused from the next request on."""
    return TokenOut.of(tokens.revoke_token(ctx, token_id, data.reason))


@router.get(
    "/departments/{department_id}/tokens",
    response_model=list[TokenOut],
    summary="本部门的接口令牌",
    responses=error_responses(*DENIED, 404),
)
def list_department(department_id: Id, ctx: LoggedIn) -> list[TokenOut]:
    """A department's tokens: its own officers and tokens (scope ``tokens.read``) and the credit office."""
    return [TokenOut.of(t) for t in tokens.list_tokens(ctx, department_id)]
