"""``xinyong users``: bootstrap admin (no default password), account creation, listing, unlock."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session
from typer.testing import CliRunner, Result

from testdb import execute
from xinyong import clock
from xinyong.auth import passwords
from xinyong.auth.models import Account, AuditEvent
from xinyong.cli import app
from xinyong.db.session import make_engine
from xinyong.subjects.models import Department

PASSWORD = "Xinyong-admin-2026"


pytestmark = pytest.mark.usefixtures("fast_hasher")  # these tests exercise the rules, not the hash cost


def run(*args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(app, ["users", *args], input=stdin)


def accounts_in(url: str) -> list[Account]:
    engine = make_engine(url)
    try:
        with Session(engine, expire_on_commit=False) as session:
            return list(session.scalars(select(Account).order_by(Account.id)))
    finally:
        engine.dispose()


def test_no_default_admin_after_migration(cli_db: str) -> None:
    assert accounts_in(cli_db) == []
    r = run("list")
    assert r.exit_code == 0 and "admin" not in r.output


def test_create_admin_from_stdin(cli_db: str) -> None:
    r = run("create-admin", "Chen.Admin", "--display-name", "陈管理员", "--password-stdin", stdin=PASSWORD + "\n")
    assert r.exit_code == 0, r.output
    assert "已创建管理员 chen.admin" in r.output
    assert PASSWORD not in r.output
    [account] = accounts_in(cli_db)
    assert account.username == "chen.admin" and account.role == "credit_office_admin"
    assert account.display_name == "陈管理员" and not account.must_change_password
    assert account.created_by.startswith("cli:")
    assert passwords.verify_password(account.password_hash, PASSWORD)
    assert PASSWORD not in account.password_hash
    engine = make_engine(cli_db)
    with Session(engine) as session:
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "account.create").order_by(AuditEvent.id)
        ).one()
        assert event.role == "system" and event.actor.startswith("cli:") and PASSWORD not in str(event.detail)
    engine.dispose()


def test_create_admin_at_the_prompt_asks_twice(cli_db: str) -> None:
    mismatch = run("create-admin", "admin", stdin=f"{PASSWORD}\nsomething-else-1\n")
    assert mismatch.exit_code != 0
    assert accounts_in(cli_db) == []
    r = run("create-admin", "admin", stdin=f"{PASSWORD}\n{PASSWORD}\n")
    assert r.exit_code == 0, r.output
    assert PASSWORD not in r.output  # hidden input
    assert [a.username for a in accounts_in(cli_db)] == ["admin"]


@pytest.mark.parametrize(
    ("password", "reason"),
    [("short1", "至少 10 个字符"), ("onlyletters", "字母和数字"), ("admin12345", "常见"), ("", "未提供密码")],
)
def test_create_admin_refuses_weak_passwords(cli_db: str, password: str, reason: str) -> None:
    r = run("create-admin", "admin", "--password-stdin", stdin=password + "\n")
    assert r.exit_code == 2
    assert reason in r.output
    assert "Traceback" not in r.output
    assert accounts_in(cli_db) == []


def test_create_admin_refuses_a_taken_username(cli_db: str) -> None:
    assert run("create-admin", "admin", "--password-stdin", stdin=PASSWORD).exit_code == 0
    r = run("create-admin", "ADMIN", "--password-stdin", stdin=PASSWORD)
    assert r.exit_code == 2 and "已被使用" in r.output


def test_create_scoped_accounts(cli_db: str) -> None:
    execute(cli_db, Department.__table__.insert().values(code="scjgj", name="区市场监管局", uscc="11440113MB2C12345X"))
    r = run(
        "create",
        "officer1",
        "--role",
        "department_officer",
        "--department",
        "scjgj",
        "--password-stdin",
        stdin=PASSWORD,
    )
    assert r.exit_code == 0, r.output
    assert "部门数据报送员" in r.output and "首次登录须修改密码" in r.output
    missing = run(
        "create", "officer2", "--role", "department_officer", "--department", "nope", "--password-stdin", stdin=PASSWORD
    )
    assert missing.exit_code == 2 and "部门代码 nope 不存在" in missing.output
    no_dept = run("create", "officer3", "--role", "department_officer", "--password-stdin", stdin=PASSWORD)
    assert no_dept.exit_code == 2 and "须指定所属部门" in no_dept.output
    bad_role = run("create", "boss", "--role", "system", "--password-stdin", stdin=PASSWORD)
    assert bad_role.exit_code == 2 and "角色" in bad_role.output
    subject = run(
        "create",
        "shop",
        "--role",
        "subject",
        "--subject-uscc",
        "91440113MA00000000",
        "--password-stdin",
        stdin=PASSWORD,
    )
    assert subject.exit_code == 2 and "没有对应的信用主体" in subject.output
    bank = run("create", "bank1", "--role", "bank", "--institution", "番禺农商银行", "--password-stdin", stdin=PASSWORD)
    assert bank.exit_code == 0, bank.output
    made = {a.username: a for a in accounts_in(cli_db)}
    assert set(made) == {"officer1", "bank1"}
    assert made["officer1"].department_id is not None and made["officer1"].must_change_password
    assert made["bank1"].institution == "番禺农商银行"


def test_list_and_unlock(cli_db: str) -> None:
    assert run("create-admin", "admin", "--password-stdin", stdin=PASSWORD).exit_code == 0
    locked_until = clock.now() + timedelta(minutes=10)
    execute(cli_db, update(Account).values(locked_until=locked_until, failed_logins=0))
    listing = run("list")
    assert listing.exit_code == 0 and "admin" in listing.output and "已锁定" in listing.output
    r = run("unlock", "admin")
    assert r.exit_code == 0 and "已解除 admin 的锁定" in r.output
    [account] = accounts_in(cli_db)
    assert account.locked_until is None
    assert "正常" in run("list").output
    off = run("deactivate", "admin")
    assert off.exit_code == 0 and "已停用" in run("list").output
    assert run("activate", "admin").exit_code == 0 and "正常" in run("list").output
    unknown = run("unlock", "ghost")
    assert unknown.exit_code == 2 and "用户 ghost 不存在" in unknown.output
