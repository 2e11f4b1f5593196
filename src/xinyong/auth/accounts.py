"""Account actions: create, log in and out, change password, lock and unlock, (de)activate, list.

Every action takes a ``Context``, checks permission, writes and appends one audit event.

Failed logins must leave a trace even though the request fails: ``attempt_login`` records the failure (the
counter, the lock, the audit event) and *returns* a ``LoginResult`` instead of raising, so the caller's
transaction commits. ``login`` is the raising convenience for callers that commit before propagating.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from xinyong import clock
from xinyong.auth import audit, passwords, pii
from xinyong.auth.context import Context
from xinyong.auth.credentials import account_context, hash_secret, new_secret
from xinyong.auth.models import Account, LoginSession
from xinyong.auth.permissions import ROLES, PermissionDenied, require
from xinyong.db.base import fetch, fetch_or_404
from xinyong.errors import Conflict, InvalidInput, XinyongError
from xinyong.settings import get_settings
from xinyong.subjects.models import Department, Subject

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9_.@-]{2,63}$")
PHONE_RE = re.compile(r"^1[3-9]\d{9}$")
# Roles a person can hold; "public" is the absence of an account and "system" the console operator.
ACCOUNT_ROLES = tuple(r for r in ROLES if r not in ("public", "system"))
# Roles whose accounts and tokens name an organisation outside the administration (``Context.institution``).
INSTITUTION_ROLES = frozenset({"bank", "provider"})
STAFF_ROLES = frozenset({"department_officer", "credit_office_staff", "credit_office_admin", "regulator", "auditor"})
BAD_CREDENTIALS = "用户名或密码错误"


class LoginFailed(XinyongError):
    """Wrong username or password, a locked or a deactivated account (401; the message is shown as is)."""

    status = 401
    code = "login_failed"


@dataclass(frozen=True)
class LoginResult:
    """Outcome of ``attempt_login``: the raw cookie secret and session, or the failure to show."""

    token: str = ""
    login_session: LoginSession | None = None
    account: Account | None = None
    error: LoginFailed | None = None

    @property
    def ok(self) -> bool:
        """Whether the login succeeded."""
        return self.error is None


def normalize_username(username: str) -> str:
    """Usernames compare case-insensitively: stored and looked up stripped and lower-cased."""
    return username.strip().lower()


def _aware(value: datetime | None) -> datetime | None:
    return value if value is None or value.tzinfo else value.replace(tzinfo=UTC)


def is_locked(account: Account, now: datetime) -> bool:
    """Whether the account is inside a lockout period."""
    until = _aware(account.locked_until)
    return until is not None and until > now


def _now(ctx: Context) -> datetime:
    """The acting instant in UTC: SQLite drops the zone of stored datetimes, so only UTC goes in."""
    return ctx.at.astimezone(UTC)


def printable(value: str, limit: int = 64) -> str:
    """``value`` without control or unpaired surrogate characters, cut to ``limit`` (safe for logs and audit)."""
    return "".join(c for c in value if c.isprintable())[:limit]


def _get(ctx: Context, account_id: int) -> Account:
    account = fetch_or_404(ctx.session, Account, account_id, f"账户 {account_id} 不存在")
    return account


def by_username(ctx: Context, username: str) -> Account | None:
    """The account with ``username`` (case-insensitive), or None."""
    name = normalize_username(username)
    if not USERNAME_RE.match(name):
        return None
    return ctx.session.scalars(select(Account).where(Account.username == name)).first()


def _clean_username(username: str) -> str:
    name = normalize_username(username)
    if not USERNAME_RE.match(name):
        raise InvalidInput("用户名须为 3–64 位小写字母、数字或 _ . @ -，并以字母或数字开头", field="username")
    return name


def _clean_display_name(display_name: str) -> str:
    name = display_name.strip()
    if not name or len(name) > 64 or printable(name) != name:
        raise InvalidInput("姓名（显示名）须为 1–64 个字符", field="display_name")
    return name


def _check_scope(
    ctx: Context, role: str, department_id: int | None, subject_id: int | None, institution: str | None
) -> str | None:
    """Validate the role's scope fields; return the cleaned institution."""
    if role not in ACCOUNT_ROLES:
        raise InvalidInput(f"角色 {role!r} 无效，应为：{'、'.join(ACCOUNT_ROLES)}", field="role")
    institution = (institution or "").strip() or None
    if role == "department_officer" and department_id is None:
        raise InvalidInput("部门数据报送员须指定所属部门", field="department_id")
    if department_id is not None:
        if role not in STAFF_ROLES:
            raise InvalidInput(f"{ROLES[role]}账户不属于部门", field="department_id")
        if fetch(ctx.session, Department, department_id) is None:
            raise InvalidInput(f"部门 {department_id} 不存在", field="department_id")
    if role == "subject" and subject_id is None:
        raise InvalidInput("信用主体账户须关联信用主体", field="subject_id")
    if subject_id is not None:
        if role != "subject":
            raise InvalidInput("只有信用主体账户可关联信用主体", field="subject_id")
        if fetch(ctx.session, Subject, subject_id) is None:
            raise InvalidInput(f"信用主体 {subject_id} 不存在", field="subject_id")
    if role == "bank" and not institution:
        raise InvalidInput("金融机构账户须填写机构名称", field="institution")
    if role == "provider" and not institution:
        raise InvalidInput("守信激励服务提供方账户须填写已登记的服务提供方名称", field="institution")
    if institution is not None:
        if role not in INSTITUTION_ROLES:
            raise InvalidInput("只有金融机构或守信激励服务提供方账户可填写机构名称", field="institution")
        if len(institution) > 64 or printable(institution) != institution:
            raise InvalidInput("机构名称须为 1–64 个可见字符", field="institution")
        if role == "provider":
            check_provider_name(ctx, institution)
    return institution


def check_provider_name(ctx: Context, name: str) -> None:
    """A provider account or token must name a provider the credit office registered (``InvalidInput`` else)."""
    from xinyong.incentives.models import IncentiveProvider  # the incentives package imports auth: import late

    found = ctx.session.scalars(select(IncentiveProvider.id).where(IncentiveProvider.name == name)).first()
    if found is None:
        raise InvalidInput(f"守信激励服务提供方 {name} 尚未登记，请先在守信激励管理中登记", field="institution")


def _insert(
    ctx: Context,
    *,
    username: str,
    display_name: str,
    password: str,
    role: str,
    department_id: int | None = None,
    subject_id: int | None = None,
    institution: str | None = None,
    phone: str | None = None,
    must_change_password: bool = False,
) -> Account:
    name = _clean_username(username)
    shown = _clean_display_name(display_name)
    institution = _check_scope(ctx, role, department_id, subject_id, institution)
    passwords.check_password(password, name)
    phone_cipher = phone_hash = None
    if phone is not None and phone.strip():
        digits = re.sub(r"[\s-]", "", phone)
        if not PHONE_RE.match(digits):
            raise InvalidInput("手机号码应为 11 位中国大陆手机号", field="phone")
        phone_cipher, phone_hash = pii.encrypt(digits), pii.lookup_hash(digits)
    if ctx.session.scalars(select(Account.id).where(Account.username == name)).first() is not None:
        raise Conflict(f"用户名 {name} 已被使用", field="username")
    account = Account(
        username=name,
        display_name=shown,
        password_hash=passwords.hash_password(password),
        role=role,
        department_id=department_id,
        subject_id=subject_id,
        institution=institution,
        phone_cipher=phone_cipher,
        phone_hash=phone_hash,
        active=True,
        failed_logins=0,
        locked_until=None,
        must_change_password=must_change_password,
        password_changed_at=_now(ctx),
        created_at=_now(ctx),
        created_by=ctx.actor,
    )
    ctx.session.add(account)
    ctx.session.flush()
    detail = {
        "username": name,
        "role": role,
        "department_id": department_id,
        "subject_id": subject_id,
        "institution": institution,
        "phone": phone_cipher is not None,  # whether one was given; never the number
    }
    audit.record(ctx, "account.create", "account", account.id, detail)
    return account


def create_account(
    ctx: Context,
    username: str,
    display_name: str,
    password: str,
    role: str,
    department_id: int | None = None,
    subject_id: int | None = None,
    institution: str | None = None,
    phone: str | None = None,
    *,
    must_change_password: bool = True,
) -> Account:
    """Create a person's account (credit office admin or console). The initial password is known to whoever
    set it, so by default the holder is asked to change it at first login."""
    require(ctx, "accounts.manage")
    return _insert(
        ctx,
        username=username,
        display_name=display_name,
        password=password,
        role=role,
        department_id=department_id,
        subject_id=subject_id,
        institution=institution,
        phone=phone,
        must_change_password=must_change_password,
    )


def create_admin(ctx: Context, username: str, password: str, display_name: str) -> Account:
    """Bootstrap a credit office admin; only the console operator (``xinyong users create-admin``) may."""
    if ctx.role != "system":
        raise PermissionDenied(ctx.role, "accounts.create_admin", "只能在服务器命令行创建初始管理员")
    return _insert(ctx, username=username, display_name=display_name, password=password, role="credit_office_admin")


def _fail(ctx: Context, account: Account | None, username: str, reason: str, message: str) -> LoginResult:
    name = normalize_username(username)
    target = str(account.id) if account is not None else (name if USERNAME_RE.match(name) else "-")
    detail: dict[str, object] = {"username": printable(username.strip()), "reason": reason}
    if account is not None:
        detail["failed_logins"] = account.failed_logins
        if account.locked_until is not None:
            detail["locked_until"] = _aware(account.locked_until).isoformat()  # type: ignore[union-attr]
    audit.record(ctx, "account.login", "account", target, detail, outcome="denied")
    code = "account_locked" if reason in ("locked", "locked_now") else "login_failed"
    return LoginResult(account=account, error=LoginFailed(message, code=code))


def _lock_message(until: datetime) -> str:
    local = until.astimezone(clock.CHINA_TZ)
    return f"登录失败次数过多，账户已锁定至 {local:%H:%M}（北京时间），请稍后再试或联系管理员解锁"


def attempt_login(ctx: Context, username: str, password: str) -> LoginResult:
    """Check a username and password; on success open a login session with a fresh secret.

    Never raises for bad credentials: the failure (counter, lock, audit event) is written in ``ctx.session``
    and returned, so the caller commits it and answers 401. Unknown usernames are verified against a dummy
    hash so that they take as long as wrong passwords.
    """
    settings = get_settings()
    now = _now(ctx)
    account = by_username(ctx, username) if len(username) <= 128 else None
    if account is None:
        passwords.verify_password(passwords.dummy_hash(), password[: passwords.MAX_LENGTH])
        return _fail(ctx, None, username, "unknown_user", BAD_CREDENTIALS)
    if is_locked(account, now):
        return _fail(ctx, account, username, "locked", _lock_message(_aware(account.locked_until)))  # type: ignore[arg-type]
    if len(password) > passwords.MAX_LENGTH or not passwords.verify_password(account.password_hash, password):
        # Atomic increment: concurrent wrong guesses cannot overwrite each other's count.
        bump = update(Account).where(Account.id == account.id).values(failed_logins=Account.failed_logins + 1)
        failures = ctx.session.execute(bump.returning(Account.failed_logins)).scalar_one()
        account.failed_logins = failures
        if failures >= settings.login_max_failures:
            account.locked_until = now + timedelta(minutes=settings.login_lockout_minutes)
            account.failed_logins = 0
            return _fail(ctx, account, username, "locked_now", _lock_message(account.locked_until))
        return _fail(ctx, account, username, "bad_password", BAD_CREDENTIALS)
    if not account.active:
        return _fail(ctx, account, username, "inactive", "账户已停用，请联系区信用办管理员")
    account.failed_logins = 0
    account.locked_until = None
    if passwords.needs_rehash(account.password_hash):
        account.password_hash = passwords.hash_password(password)
    token = new_secret()
    login_session = LoginSession(
        token_hash=hash_secret(token),
        account_id=account.id,
        csrf_token=new_secret(),
        created_at=now,
        expires_at=now + timedelta(hours=settings.session_hours),
        revoked_at=None,
        ip=ctx.ip[:45],
    )
    ctx.session.add(login_session)
    ctx.session.flush()
    who = account_context(ctx.session, account, ip=ctx.ip, request_id=ctx.request_id, at=now)
    audit.record(who, "account.login", "account", account.id, {"session": login_session.id}, outcome="ok")
    return LoginResult(token=token, login_session=login_session, account=account)


def login(ctx: Context, username: str, password: str) -> tuple[str, LoginSession]:
    """``attempt_login`` that raises ``LoginFailed``. The failure is already written in ``ctx.session``:
    a caller whose transaction rolls back on errors must commit before letting the exception propagate."""
    result = attempt_login(ctx, username, password)
    if result.error is not None:
        raise result.error
    assert result.login_session is not None
    return result.token, result.login_session


def logout(ctx: Context, login_session: LoginSession) -> None:
    """End a login session (the holder, or the console)."""
    if ctx.role != "system" and ctx.account_id != login_session.account_id:
        raise PermissionDenied(ctx.role, "account.logout", "只能退出自己的登录")
    if login_session.revoked_at is None:
        login_session.revoked_at = _now(ctx)
        ctx.session.flush()
    audit.record(ctx, "account.logout", "account", login_session.account_id, {"session": login_session.id})


def _revoke_sessions(ctx: Context, account_id: int, keep_session_id: int | None = None) -> int:
    stmt = update(LoginSession).where(LoginSession.account_id == account_id, LoginSession.revoked_at.is_(None))
    if keep_session_id is not None:
        stmt = stmt.where(LoginSession.id != keep_session_id)
    result = ctx.session.execute(stmt.values(revoked_at=_now(ctx)).execution_options(synchronize_session="fetch"))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def change_password(ctx: Context, old: str, new: str, *, keep_session_id: int | None = None) -> Account:
    """Change the acting person's password; the old one is required. Every other login session of the
    account is revoked (``keep_session_id``: the session the change was made from)."""
    require(ctx, "account.change_password")
    if ctx.account_id is None:
        raise InvalidInput("只有登录账户可以修改密码")
    account = _get(ctx, ctx.account_id)
    if len(old) > passwords.MAX_LENGTH or not passwords.verify_password(account.password_hash, old):
        raise InvalidInput("原密码不正确", field="old_password")
    if new == old:
        raise InvalidInput("新密码不能与原密码相同", field="new_password")
    passwords.check_password(new, account.username, field="new_password")
    account.password_hash = passwords.hash_password(new)
    account.password_changed_at = _now(ctx)
    account.must_change_password = False
    revoked = _revoke_sessions(ctx, account.id, keep_session_id)
    audit.record(ctx, "account.change_password", "account", account.id, {"sessions_revoked": revoked})
    return account


def set_active(ctx: Context, account_id: int, active: bool) -> Account:
    """Activate or deactivate an account; deactivation ends its login sessions."""
    require(ctx, "accounts.manage")
    account = _get(ctx, account_id)
    if not active and ctx.account_id == account_id:
        raise InvalidInput("不能停用自己的账户")
    account.active = active
    revoked = 0 if active else _revoke_sessions(ctx, account.id)
    ctx.session.flush()
    action = "account.activate" if active else "account.deactivate"
    audit.record(ctx, action, "account", account.id, {"sessions_revoked": revoked})
    return account


def unlock(ctx: Context, account_id: int) -> Account:
    """Lift a lockout and reset the failure counter."""
    require(ctx, "accounts.manage")
    account = _get(ctx, account_id)
    was_locked = is_locked(account, ctx.at)
    account.locked_until = None
    account.failed_logins = 0
    ctx.session.flush()
    audit.record(ctx, "account.unlock", "account", account.id, {"was_locked": was_locked})
    return account


def list_accounts(ctx: Context) -> list[Account]:
    """All accounts, oldest first (an audited read: accounts are not public)."""
    require(ctx, "accounts.manage")
    accounts = list(ctx.session.scalars(select(Account).order_by(Account.id)))
    audit.record(ctx, "account.list", "account", "*", {"count": len(accounts)})
    return accounts


def get_account(ctx: Context, account_id: int) -> Account:
    """One account (admins), or the acting person's own."""
    if ctx.account_id != account_id:
        require(ctx, "accounts.manage")
    return _get(ctx, account_id)


def department_name(ctx: Context, department_id: int | None) -> str | None:
    """The name of a department, for display."""
    if department_id is None:
        return None
    department = ctx.session.get(Department, department_id)
    return department.name if department is not None else None
