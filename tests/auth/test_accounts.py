"""Account actions on SQLite and PostgreSQL: creation rules, login, lockout, logout, password change."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from factories import company
from xinyong import clock
from xinyong.auth import accounts, passwords, pii
from xinyong.auth.context import Context
from xinyong.auth.credentials import hash_secret, resolve_session
from xinyong.auth.models import Account, AuditEvent
from xinyong.auth.permissions import PermissionDenied
from xinyong.errors import Conflict, InvalidInput, NotFound
from xinyong.settings import get_settings
from xinyong.subjects.models import Department

PASSWORD = "Xinyong-admin-2026"


pytestmark = pytest.mark.usefixtures("fast_hasher")  # these tests exercise the rules, not the hash cost


@pytest.fixture
def admin(ctx: Context) -> Account:
    return accounts.create_admin(ctx, "admin", PASSWORD, "管理员")


@pytest.fixture
def admin_ctx(db: Session, admin: Account) -> Context:
    return Context(session=db, actor="account:admin", role="credit_office_admin", account_id=admin.id)


@pytest.fixture
def department(db: Session) -> Department:
    dept = Department(code="scjgj", name="广州市番禺区市场监督管理局", uscc="11440113MB2C12345X")
    db.add(dept)
    db.flush()
    return dept


def public(db: Session) -> Context:
    return Context(session=db, actor="public", role="public", ip="203.0.113.9")


def events(db: Session, action: str) -> list[AuditEvent]:
    return list(db.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def test_no_account_exists_after_migration(db: Session) -> None:
    assert db.scalar(select(func.count()).select_from(Account)) == 0


def test_create_admin_only_from_the_console(db: Session, ctx: Context) -> None:
    account = accounts.create_admin(ctx, "Root.Admin", PASSWORD, "区信用办管理员")
    assert account.username == "root.admin"  # case-insensitive usernames
    assert account.role == "credit_office_admin"
    assert account.password_hash.startswith("$argon2id$") and PASSWORD not in account.password_hash
    assert not account.must_change_password
    assert events(db, "account.create")[-1].target_id == str(account.id)
    staff = Context(session=db, actor="account:x", role="credit_office_admin", account_id=account.id)
    with pytest.raises(PermissionDenied):
        accounts.create_admin(staff, "second", PASSWORD, "第二管理员")


@pytest.mark.parametrize("role", ["public", "credit_office_staff", "department_officer", "auditor", "bank"])
def test_only_admins_create_accounts(db: Session, role: str) -> None:
    ctx = Context(session=db, actor=f"someone:{role}", role=role)
    with pytest.raises(PermissionDenied):
        accounts.create_account(ctx, "newbie", "新人", PASSWORD, "regulator")
    assert db.scalar(select(func.count()).select_from(Account)) == 0


def test_admin_creates_scoped_accounts(db: Session, admin_ctx: Context, department: Department) -> None:
    officer = accounts.create_account(
        admin_ctx, "officer1", "报送员", PASSWORD, "department_officer", department_id=department.id
    )
    assert officer.department_id == department.id and officer.must_change_password
    assert officer.created_by == "account:admin"
    subject = company(Context(session=db, actor="t", role="system"), "广州禾丰食品有限公司", 1)
    self_service = accounts.create_account(admin_ctx, "hefeng", "禾丰", PASSWORD, "subject", subject_id=subject.id)
    assert self_service.subject_id == subject.id
    bank = accounts.create_account(admin_ctx, "bank1", "银行", PASSWORD, "bank", institution=" 番禺农商银行 ")
    assert bank.institution == "番禺农商银行"


def test_phone_is_encrypted_and_looked_up_by_keyed_hash(admin_ctx: Context) -> None:
    account = accounts.create_account(admin_ctx, "reg1", "执法员", PASSWORD, "regulator", phone="138-0013-8000")
    assert account.phone_cipher and "13800138000" not in account.phone_cipher
    assert pii.decrypt(account.phone_cipher) == "13800138000"
    assert account.phone_hash == pii.lookup_hash("13800138000")
    detail = events(admin_ctx.session, "account.create")[-1].detail
    assert "13800138000" not in str(detail)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"role": "public"}, "role"),
        ({"role": "system"}, "role"),
        ({"role": "superuser"}, "role"),
        ({"role": "department_officer"}, "department_id"),
        ({"role": "department_officer", "department_id": 999_999}, "department_id"),
        ({"role": "department_officer", "department_id": 2**70}, "department_id"),
        ({"role": "subject"}, "subject_id"),
        ({"role": "subject", "subject_id": 424_242}, "subject_id"),
        ({"role": "bank"}, "institution"),
        ({"role": "regulator", "institution": "某银行"}, "institution"),
        ({"role": "regulator", "username": "x"}, "username"),
        ({"role": "regulator", "username": "<script>alert(1)</script>"}, "username"),
        ({"role": "regulator", "username": "a' OR '1'='1"}, "username"),
        ({"role": "regulator", "display_name": "  "}, "display_name"),
        ({"role": "regulator", "display_name": "张\x00三"}, "display_name"),
        ({"role": "regulator", "password": "short1"}, "password"),
        ({"role": "regulator", "password": "newuser12345", "username": "newuser12345"}, "password"),
        ({"role": "regulator", "phone": "12345"}, "phone"),
    ],
)
def test_invalid_accounts_are_refused_naming_the_field(admin_ctx: Context, kwargs: dict, field: str) -> None:
    args = {"username": "newuser", "display_name": "新用户", "password": PASSWORD, **kwargs}
    with pytest.raises(InvalidInput) as caught:
        accounts.create_account(admin_ctx, **args)
    assert caught.value.field == field
    assert caught.value.message


def test_duplicate_username_conflicts(admin_ctx: Context, admin: Account) -> None:
    with pytest.raises(Conflict):
        accounts.create_account(admin_ctx, "ADMIN", "重名", PASSWORD, "regulator")


def test_login_opens_a_session_with_a_fresh_secret(db: Session, admin: Account) -> None:
    token, login = accounts.login(public(db), "Admin", PASSWORD)
    assert login.account_id == admin.id
    assert login.token_hash == hash_secret(token) and token not in login.token_hash
    assert len(login.csrf_token) >= 32 and login.csrf_token != token
    assert login.ip == "203.0.113.9"
    now = clock.now()
    assert login.expires_at == now + timedelta(hours=get_settings().session_hours)
    assert resolve_session(db, token, now) is not None
    other, _ = accounts.login(public(db), "admin", PASSWORD)
    assert other != token  # every login gets its own secret
    event = events(db, "account.login")[-1]
    assert event.outcome == "ok" and event.actor == "account:admin" and event.role == "credit_office_admin"
    assert PASSWORD not in str(event.detail)


def test_wrong_password_is_refused_and_audited(db: Session, admin: Account) -> None:
    result = accounts.attempt_login(public(db), "admin", "Wrong-password-1")
    assert not result.ok and result.error is not None
    assert result.error.status == 401 and result.error.message == "用户名或密码错误"
    assert admin.failed_logins == 1
    event = events(db, "account.login")[-1]
    assert event.outcome == "denied" and event.target_id == str(admin.id)
    assert event.detail["reason"] == "bad_password"
    assert "Wrong-password-1" not in str(event.detail)
    with pytest.raises(accounts.LoginFailed):
        accounts.login(public(db), "admin", "Wrong-password-1")


@pytest.mark.parametrize("username", ["nobody", "<script>alert(1)</script>", "' OR 1=1 --", "用户\x00名" * 30, ""])
def test_unknown_user_gets_the_same_answer(db: Session, username: str) -> None:
    result = accounts.attempt_login(public(db), username, "Whatever-123")
    assert result.error is not None and result.error.message == "用户名或密码错误"
    event = events(db, "account.login")[-1]
    assert event.outcome == "denied" and event.detail["reason"] == "unknown_user"
    assert "\x00" not in event.target_id + event.detail["username"]


def test_lockout_after_repeated_failures_then_unlock(db: Session, admin: Account, admin_ctx: Context) -> None:
    limit = get_settings().login_max_failures
    for _ in range(limit - 1):
        assert accounts.attempt_login(public(db), "admin", "Wrong-password-1").error.code == "login_failed"
    locking = accounts.attempt_login(public(db), "admin", "Wrong-password-1")
    assert locking.error is not None and locking.error.code == "account_locked"
    assert "锁定" in locking.error.message
    assert accounts.is_locked(admin, clock.now())
    # Locked: even the right password is refused.
    refused = accounts.attempt_login(public(db), "admin", PASSWORD)
    assert refused.error is not None and refused.error.code == "account_locked"
    assert [e.detail["reason"] for e in events(db, "account.login")][-2:] == ["locked_now", "locked"]
    officer = accounts.create_account(admin_ctx, "other.admin", "另一管理员", PASSWORD, "credit_office_admin")
    other_ctx = Context(session=db, actor="account:other.admin", role="credit_office_admin", account_id=officer.id)
    accounts.unlock(other_ctx, admin.id)
    assert not accounts.is_locked(admin, clock.now()) and admin.failed_logins == 0
    assert events(db, "account.unlock")[-1].detail == {"was_locked": True}
    assert accounts.attempt_login(public(db), "admin", PASSWORD).ok


def test_lock_expires_by_itself(db: Session, admin: Account, pinned_clock: datetime) -> None:
    for _ in range(get_settings().login_max_failures):
        accounts.attempt_login(public(db), "admin", "Wrong-password-1")
    assert not accounts.attempt_login(public(db), "admin", PASSWORD).ok
    later = pinned_clock + timedelta(minutes=get_settings().login_lockout_minutes, seconds=1)
    clock.set_clock(lambda: later)
    assert accounts.attempt_login(public(db), "admin", PASSWORD).ok
    assert admin.failed_logins == 0 and admin.locked_until is None


def test_lock_times_are_stored_in_utc_whatever_the_clock_zone(
    db: Session, admin: Account, pinned_clock: datetime
) -> None:
    beijing = pinned_clock.astimezone(clock.CHINA_TZ)
    clock.set_clock(lambda: beijing)
    for _ in range(get_settings().login_max_failures):
        accounts.attempt_login(public(db), "admin", "Wrong-password-1")
    db.commit()
    db.expire_all()  # read back what the database holds (SQLite keeps no zone)
    minutes = get_settings().login_lockout_minutes
    assert accounts.is_locked(admin, pinned_clock + timedelta(minutes=minutes - 1))
    assert not accounts.is_locked(admin, pinned_clock + timedelta(minutes=minutes, seconds=1))


def test_success_resets_the_failure_counter(db: Session, admin: Account) -> None:
    accounts.attempt_login(public(db), "admin", "Wrong-password-1")
    assert admin.failed_logins == 1
    assert accounts.attempt_login(public(db), "admin", PASSWORD).ok
    assert admin.failed_logins == 0


def test_login_upgrades_an_outdated_hash(db: Session, admin: Account) -> None:
    admin.password_hash = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD)
    assert accounts.attempt_login(public(db), "admin", PASSWORD).ok
    assert not passwords.needs_rehash(admin.password_hash)
    assert passwords.verify_password(admin.password_hash, PASSWORD)


def test_logout_revokes_the_session(db: Session, admin: Account, admin_ctx: Context) -> None:
    token, login = accounts.login(public(db), "admin", PASSWORD)
    stranger = Context(session=db, actor="account:x", role="regulator", account_id=admin.id + 1000)
    with pytest.raises(PermissionDenied):
        accounts.logout(stranger, login)
    accounts.logout(admin_ctx, login)
    assert login.revoked_at is not None
    assert resolve_session(db, token, clock.now()) is None
    assert events(db, "account.logout")[-1].target_id == str(admin.id)


def test_change_password_needs_the_old_one_and_revokes_other_sessions(db: Session, admin: Account) -> None:
    here_token, here = accounts.login(public(db), "admin", PASSWORD)
    there_token, _ = accounts.login(public(db), "admin", PASSWORD)
    me = Context(session=db, actor="account:admin", role="credit_office_admin", account_id=admin.id)
    new = "Brand-new-pass-2027"
    with pytest.raises(InvalidInput) as wrong:
        accounts.change_password(me, "Not-the-old-one-1", new, keep_session_id=here.id)
    assert wrong.value.field == "old_password" and "原密码" in wrong.value.message
    with pytest.raises(InvalidInput) as weak:
        accounts.change_password(me, PASSWORD, "weakpassword", keep_session_id=here.id)
    assert weak.value.field == "new_password"
    with pytest.raises(InvalidInput):
        accounts.change_password(me, PASSWORD, PASSWORD, keep_session_id=here.id)
    accounts.change_password(me, PASSWORD, new, keep_session_id=here.id)
    now = clock.now()
    assert resolve_session(db, here_token, now) is not None
    assert resolve_session(db, there_token, now) is None
    assert events(db, "account.change_password")[-1].detail == {"sessions_revoked": 1}
    assert not accounts.attempt_login(public(db), "admin", PASSWORD).ok
    assert accounts.attempt_login(public(db), "admin", new).ok


def test_change_password_requires_a_logged_in_person(db: Session) -> None:
    with pytest.raises(PermissionDenied):
        accounts.change_password(Context(session=db, actor="public", role="public"), "a", "b")
    token_ctx = Context(session=db, actor="token:ab:x", role="bank", token_id=1)
    with pytest.raises(InvalidInput):
        accounts.change_password(token_ctx, PASSWORD, "Brand-new-pass-2027")


def test_deactivation_ends_sessions_and_blocks_login(db: Session, admin_ctx: Context) -> None:
    user = accounts.create_account(admin_ctx, "reg2", "执法员", PASSWORD, "regulator")
    token, _ = accounts.login(public(db), "reg2", PASSWORD)
    accounts.set_active(admin_ctx, user.id, False)
    assert resolve_session(db, token, clock.now()) is None
    result = accounts.attempt_login(public(db), "reg2", PASSWORD)
    assert result.error is not None and "停用" in result.error.message
    # A wrong password on a deactivated account does not reveal that it is deactivated.
    assert accounts.attempt_login(public(db), "reg2", "Wrong-password-1").error.message == "用户名或密码错误"
    accounts.set_active(admin_ctx, user.id, True)
    assert accounts.attempt_login(public(db), "reg2", PASSWORD).ok
    with pytest.raises(InvalidInput):
        accounts.set_active(admin_ctx, admin_ctx.account_id, False)  # not oneself
    with pytest.raises(NotFound):
        accounts.unlock(admin_ctx, 2**63 + 5)


def test_list_accounts_is_admin_only_and_audited(db: Session, admin_ctx: Context, admin: Account) -> None:
    assert [a.username for a in accounts.list_accounts(admin_ctx)] == ["admin"]
    assert events(db, "account.list")[-1].actor == "account:admin"
    with pytest.raises(PermissionDenied):
        accounts.list_accounts(Context(session=db, actor="account:aud", role="auditor"))
