"""API tokens for machine clients (a department's data system, a bank, an incentive provider): create, revoke,
list.

Only the credit office admin creates and revokes tokens (``tokens.manage``). The raw token is returned once,
at creation; the table keeps its SHA-256 and a short public prefix for listings. A token carries a role
(``permissions.TOKEN_ROLES``), a department or institution (for an incentive provider: the name of a provider
the credit office registered), a non-empty subset of the role's permissions as scopes, and an expiry no further
away than ``settings.token_max_days``.
"""

from __future__ import annotations

import unicodedata
from datetime import UTC, date, datetime, time

from sqlalchemy import select

from xinyong import clock
from xinyong.auth import audit
from xinyong.auth.accounts import check_provider_name
from xinyong.auth.context import Context
from xinyong.auth.credentials import hash_secret, new_api_token
from xinyong.auth.models import ApiToken
from xinyong.auth.permissions import ROLE_PERMISSIONS, ROLES, TOKEN_ROLES, require, require_department
from xinyong.db.base import fetch, fetch_or_404
from xinyong.errors import Conflict, InvalidInput, NotFound
from xinyong.settings import get_settings
from xinyong.subjects.models import Department

MANAGE = "tokens.manage"
READ = "tokens.read"
NAME_MAX = 64
INSTITUTION_MAX = 64
REASON_MAX = 200


def clean_text(value: str | None, field: str, label: str, max_length: int) -> str:
    """Strip ``value`` and check it is present, short enough and free of control characters."""
    text = (value or "").strip()
    if not text:
        raise InvalidInput(f"请填写{label}", field=field)
    if len(text) > max_length:
        raise InvalidInput(f"{label}过长（最多 {max_length} 个字符）", field=field)
    if any(unicodedata.category(ch) in ("Cc", "Cs") for ch in text):
        raise InvalidInput(f"{label}含有不可见的控制字符", field=field)
    return text


def expiry_instant(expires_on: date) -> datetime:
    """A token that "expires on" D stops working at 00:00 Beijing time on D (returned in UTC: SQLite keeps
    the wall-clock time without its offset, so every stored instant is UTC)."""
    return datetime.combine(expires_on, time.min, tzinfo=clock.CHINA_TZ).astimezone(UTC)


def is_active(token: ApiToken, now: datetime) -> bool:
    """Neither revoked nor expired at ``now``."""
    expires = token.expires_at if token.expires_at.tzinfo else token.expires_at.replace(tzinfo=UTC)
    return token.revoked_at is None and expires > now


def expiry_local(token: ApiToken) -> str:
    """The expiry as Beijing time, for listings."""
    expires = token.expires_at if token.expires_at.tzinfo else token.expires_at.replace(tzinfo=UTC)
    return f"{expires.astimezone(clock.CHINA_TZ):%Y-%m-%d %H:%M}"


def _check_scopes(role: str, scopes: list[str] | set[str] | tuple[str, ...]) -> list[str]:
    wanted = {s.strip() for s in scopes if s and s.strip()}
    if not wanted:
        raise InvalidInput("令牌至少需要一项权限范围（scope）", field="scopes")
    unknown = sorted(wanted - ROLE_PERMISSIONS[role])
    if unknown:
        raise InvalidInput(
            f"权限范围超出{ROLES[role]}角色的权限: {', '.join(s[:40] for s in unknown[:5])}", field="scopes"
        )
    return sorted(wanted)


def create_token(
    ctx: Context,
    name: str,
    role: str,
    *,
    department_id: int | None = None,
    institution: str | None = None,
    scopes: list[str] | set[str] | tuple[str, ...],
    expires_on: date,
) -> tuple[str, ApiToken]:
    """Issue a token; returns ``(raw token, row)``. The raw token is never stored and cannot be shown again."""
    require(ctx, MANAGE)
    name = clean_text(name, "name", "令牌名称", NAME_MAX)
    if role not in TOKEN_ROLES:
        allowed = "、".join(f"{r}（{ROLES[r]}）" for r in sorted(TOKEN_ROLES))
        raise InvalidInput(f"令牌角色只能是 {allowed}", field="role")
    if role == "department_officer":
        if department_id is None:
            raise InvalidInput("部门令牌须指定所属部门", field="department_id")
        if institution:
            raise InvalidInput("部门令牌不应填写金融机构", field="institution")
        if fetch(ctx.session, Department, department_id) is None:
            raise InvalidInput(f"部门 {department_id} 不存在", field="department_id")
    else:
        label = "金融机构" if role == "bank" else "守信激励服务提供方"
        if department_id is not None:
            raise InvalidInput(f"{label}令牌不应指定部门", field="department_id")
        institution = clean_text(institution, "institution", f"{label}名称", INSTITUTION_MAX)
        if role == "provider":
            check_provider_name(ctx, institution)
    scope_list = _check_scopes(role, scopes)
    max_days = get_settings().token_max_days
    days = (expires_on - ctx.today).days
    if days <= 0:
        raise InvalidInput("到期日须晚于今天", field="expires_on")
    if days > max_days:
        raise InvalidInput(f"令牌有效期不能超过 {max_days} 天", field="expires_on")
    raw, prefix = new_api_token()
    token = ApiToken(
        name=name,
        prefix=prefix,
        token_hash=hash_secret(raw),
        role=role,
        department_id=department_id,
        institution=institution or None,
        scopes=scope_list,
        expires_at=expiry_instant(expires_on),
        revoked_at=None,
        created_by=ctx.actor,
        created_at=ctx.at,
        last_used_at=None,
    )
    ctx.session.add(token)
    ctx.session.flush()
    audit.record(
        ctx,
        "tokens.create",
        "api_token",
        token.id,
        {
            "name": name,
            "prefix": prefix,
            "role": role,
            "department_id": department_id,
            "institution": token.institution,
            "scopes": scope_list,
            "expires_on": expires_on.isoformat(),
        },
    )
    return raw, token


def revoke_token(ctx: Context, token_id: int, reason: str) -> ApiToken:
    """Revoke a token at once; it answers 401 from the next request on."""
    require(ctx, MANAGE)
    reason = clean_text(reason, "reason", "吊销原因", REASON_MAX)
    token = fetch_or_404(ctx.session, ApiToken, token_id, "未找到该令牌", "token_id")
    if token.revoked_at is not None:
        raise Conflict("该令牌已被吊销", field="token_id")
    token.revoked_at = ctx.at
    ctx.session.flush()
    audit.record(ctx, "tokens.revoke", "api_token", token.id, {"prefix": token.prefix, "reason": reason})
    return token


def list_tokens(ctx: Context, department_id: int | None = None) -> list[ApiToken]:
    """Tokens, newest last; ``department_id`` narrows to one department.

    The credit office sees every token; a department officer (or a department's token) only its own
    department's, and must name it. Secrets are never part of the answer: only the prefix is stored in clear.
    """
    require_department(ctx, department_id, READ)
    stmt = select(ApiToken).order_by(ApiToken.id)
    if department_id is not None:
        if fetch(ctx.session, Department, department_id) is None:
            raise NotFound("未找到该部门", field="department_id")
        stmt = stmt.where(ApiToken.department_id == department_id)
    tokens = list(ctx.session.scalars(stmt))
    audit.record(
        ctx, "tokens.list", "department" if department_id else "api_token", department_id or "*", {"count": len(tokens)}
    )
    return tokens


def department_by_code(ctx: Context, code: str) -> Department:
    """The department with ``code`` (for the CLI); ``NotFound`` otherwise."""
    department = ctx.session.scalars(select(Department).where(Department.code == code.strip())).first()
    if department is None:
        raise NotFound(f"未找到部门代码 {code!r}", field="department")
    return department
