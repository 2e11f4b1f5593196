"""Secrets for sessions and API tokens, and turning a presented credential into a ``Context``.

A presented secret is never stored: tables keep its SHA-256 (a 256-bit random secret needs no slow hash).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row, bindparam, select, update
from sqlalchemy.orm import Session

from xinyong.auth.context import Context
from xinyong.auth.models import Account, ApiToken, LoginSession

TOKEN_PREFIX = "xy_"
SESSION_COOKIE = "xinyong_session"


def new_secret() -> str:
    """A fresh random secret (256 bits, URL-safe)."""
    return secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    """SHA-256 hex of a secret, for storage and look-up."""
    return hashlib.sha256(secret.encode()).hexdigest()


def same_secret(a: str, b: str) -> bool:
    """Constant-time comparison."""
    return hmac.compare_digest(a.encode(), b.encode())


def new_api_token() -> tuple[str, str]:
    """(token shown once to the client, its public prefix for listings)."""
    prefix = secrets.token_hex(4)
    return f"{TOKEN_PREFIX}{prefix}_{new_secret()}", prefix


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def resolve_session(session: Session, raw: str, now: datetime) -> tuple[LoginSession, Account] | None:
    """The live login session and its active account for a cookie value, or None."""
    if not raw or len(raw) > 128:
        return None
    row = session.scalars(select(LoginSession).where(LoginSession.token_hash == hash_secret(raw))).first()
    if row is None or row.revoked_at is not None or _aware(row.expires_at) <= now:
        return None
    account = session.get(Account, row.account_id)
    if account is None or not account.active:
        return None
    return row, account


# What a request needs of its token, read by one statement built once (loading the ORM entity per request cost
# about 0.2 ms of the joint check's CPU: docs/checks.md) and the last-use write as one UPDATE by primary key.
_LIVE_TOKEN = select(
    ApiToken.id,
    ApiToken.prefix,
    ApiToken.name,
    ApiToken.role,
    ApiToken.department_id,
    ApiToken.institution,
    ApiToken.scopes,
    ApiToken.expires_at,
    ApiToken.revoked_at,
    ApiToken.last_used_at,
).where(ApiToken.token_hash == bindparam("token_hash"))
_TOUCH = update(ApiToken).where(ApiToken.id == bindparam("token_id")).values(last_used_at=bindparam("used_at"))


def resolve_token(session: Session, raw: str, now: datetime) -> Row[Any] | None:
    """The live API token for a bearer value (a row with the token's id, prefix, name, role, department,
    institution, scopes, expiry, revocation and last use), or None (unknown, revoked or expired)."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 128:
        return None
    token = session.connection().execute(_LIVE_TOKEN, {"token_hash": hash_secret(raw)}).first()
    if token is None or token.revoked_at is not None or _aware(token.expires_at) <= now:
        return None
    return token


def touch_token(session: Session, token_id: int, now: datetime) -> None:
    """Record ``now`` as the token's last use (in the session's transaction)."""
    session.connection().execute(_TOUCH, {"token_id": token_id, "used_at": now})


def account_context(session: Session, account: Account, **extra: object) -> Context:
    """The context of a logged-in person."""
    return Context(
        session=session,
        actor=f"account:{account.username}",
        role=account.role,
        department_id=account.department_id,
        subject_id=account.subject_id,
        institution=account.institution,
        account_id=account.id,
        **extra,  # type: ignore[arg-type]
    )


def token_context(session: Session, token: ApiToken | Row[Any], **extra: object) -> Context:
    """The context of a machine client; its scopes narrow the role's permissions."""
    return Context(
        session=session,
        actor=f"token:{token.prefix}:{token.name}",
        role=token.role,
        department_id=token.department_id,
        institution=token.institution,
        token_id=token.id,
        scopes=frozenset(token.scopes or ()),
        **extra,  # type: ignore[arg-type]
    )
