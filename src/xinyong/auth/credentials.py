"""Secrets for sessions and API tokens, and turning a presented credential into a ``Context``.

A presented secret is never stored: tables keep its SHA-256 (a 256-bit random secret needs no slow hash).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from xinyong.auth.context import Context
from xinyong.auth.models import Account, ApiToken, LoginSession
from xinyong.errors import XinyongError

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


class CredentialRevoked(XinyongError):
    """The acting API token was revoked while the request ran (found where a write checks it)."""

    status = 401
    code = "unauthenticated"


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


def resolve_token(session: Session, raw: str, now: datetime) -> LiveToken | None:
    """The live API token for a bearer value, or None (unknown, revoked or expired)."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 128:
        return None
    row = session.connection().execute(_LIVE_TOKEN, {"token_hash": hash_secret(raw)}).first()
    if row is None or row.revoked_at is not None or _aware(row.expires_at) <= now:
        return None
    return LiveToken(
        id=row.id,
        prefix=row.prefix,
        name=row.name,
        role=row.role,
        department_id=row.department_id,
        institution=row.institution,
        scopes=list(row.scopes or ()),
        expires_at=row.expires_at,
        last_used_at=row.last_used_at,
    )


@dataclass
class LiveToken:
    """What a request needs of its API token. All but ``last_used_at`` are fixed when the token is issued (a
    token is never edited, only revoked)."""

    id: int
    prefix: str
    name: str
    role: str
    department_id: int | None
    institution: str | None
    scopes: list[str]
    expires_at: datetime
    last_used_at: datetime | None


class TokenMemo:
    """API tokens remembered by one process for ``seconds``, keyed by the secret's hash (the joint check's lane:
    a token's look-up was a third of a check's statements, docs/checks.md).

    Safe because what is remembered never changes: a token is never edited, and its expiry is checked against
    the time of every request. Revocation is the one change, and it is not left to the memo: a write made with
    a remembered token checks that the token is not revoked in the same statement (``lists.checks``), and a
    request refused that way makes the caller ``forget`` it. Bounded: at most ``most`` tokens (then it starts
    afresh)."""

    def __init__(self, seconds: float = 60.0, most: int = 10_000) -> None:
        self.seconds = seconds
        self.most = most
        self._held: dict[str, tuple[datetime, LiveToken]] = {}
        self._lock = threading.Lock()

    def resolve(self, session: Session, raw: str, now: datetime) -> LiveToken | None:
        """The live token for ``raw``: remembered, or looked up (and then remembered)."""
        key = hash_secret(raw)
        held = self._held.get(key)
        if held is not None:
            read_at, token = held
            if timedelta(0) <= now - read_at < timedelta(seconds=self.seconds) and _aware(token.expires_at) > now:
                return token
        token = resolve_token(session, raw, now)
        with self._lock:
            if token is None:
                self._held.pop(key, None)
                return None
            if len(self._held) >= self.most:
                self._held.clear()
            self._held[key] = (now, token)
        return token

    def forget(self, raw: str) -> None:
        """Drop ``raw``'s token (a request with it was refused)."""
        with self._lock:
            self._held.pop(hash_secret(raw), None)


def touch_token(session: Session, token_id: int, now: datetime) -> None:
    """Record ``now`` as the token's last use (on the session's connection)."""
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


def token_context(session: Session, token: ApiToken | LiveToken, **extra: object) -> Context:
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
