"""``xinyong users``: the bootstrap admin and account administration at the console.

There is no default account or password: the first admin is created with ``users create-admin``, the
password typed twice at a hidden prompt or piped in with ``--password-stdin``.
"""

from __future__ import annotations

import getpass
import sys

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import select

from xinyong.auth import accounts
from xinyong.auth.context import Context, system_context
from xinyong.auth.permissions import ROLES
from xinyong.codes.normalize import normalize_code
from xinyong.db.session import session_scope
from xinyong.errors import XinyongError
from xinyong.subjects.models import Department, Subject

app = typer.Typer(help="账户管理 (accounts)", no_args_is_help=True)

PASSWORD_STDIN = typer.Option(False, "--password-stdin", help="从标准输入读取密码（第一行），不提示")


def _fail(message: str) -> None:
    typer.echo(f"错误: {message}", err=True)
    raise typer.Exit(2)


def _ctx(session) -> Context:  # type: ignore[no-untyped-def]
    return system_context(session, actor=f"cli:{getpass.getuser()}")


def _read_password(from_stdin: bool) -> str:
    """The new password: first line of stdin, or typed twice at a hidden prompt."""
    if from_stdin:
        line = sys.stdin.readline()
        password = line[:-1] if line.endswith("\n") else line
        password = password[:-1] if password.endswith("\r") else password
    else:
        password = typer.prompt("密码", hide_input=True, confirmation_prompt="再次输入密码")
    if not password:
        _fail("未提供密码")
    return password


@app.command("create-admin")
def create_admin(
    username: str,
    display_name: str = typer.Option("区信用办管理员", "--display-name", help="姓名（显示名）"),
    password_stdin: bool = PASSWORD_STDIN,
) -> None:
    """Create a credit office admin (区信用办管理员); the password must satisfy the policy."""
    password = _read_password(password_stdin)
    with session_scope() as session:
        try:
            account = accounts.create_admin(_ctx(session), username, password, display_name)
        except XinyongError as exc:
            _fail(exc.message)
        typer.echo(f"已创建管理员 {account.username}（账户 {account.id}）")


@app.command("create")
def create(
    username: str,
    role: str = typer.Option(..., "--role", help="角色：" + "、".join(accounts.ACCOUNT_ROLES)),
    display_name: str = typer.Option("", "--display-name", help="姓名（默认同用户名）"),
    department: str = typer.Option("", "--department", help="所属部门代码（部门数据报送员必填），如 scjgj"),
    subject_uscc: str = typer.Option("", "--subject-uscc", help="关联信用主体的统一社会信用代码（主体账户必填）"),
    subject_id_option: int = typer.Option(
        0, "--subject-id", min=0, help="关联信用主体的 ID（自然人等无统一社会信用代码的主体账户用）"
    ),
    institution: str = typer.Option(
        "", "--institution", help="金融机构名称，或已登记的守信激励服务提供方名称（这两类账户必填）"
    ),
    password_stdin: bool = PASSWORD_STDIN,
) -> None:
    """Create an account; its holder must change the initial password at first login."""
    password = _read_password(password_stdin)
    with session_scope() as session:
        department_id = subject_id = None
        if department:
            department_id = session.scalar(select(Department.id).where(Department.code == department.strip()))
            if department_id is None:
                _fail(f"部门代码 {department} 不存在（部门表中没有该部门）")
        if subject_uscc:
            code = normalize_code(subject_uscc)
            ids = list(session.scalars(select(Subject.id).where(Subject.uscc == code).limit(2)))
            if not ids:
                _fail(f"统一社会信用代码 {code} 没有对应的信用主体")
            if len(ids) > 1:
                _fail(f"统一社会信用代码 {code} 存在重码，请先纠错")
            subject_id = ids[0]
        if subject_id_option:
            if subject_uscc:
                _fail("--subject-uscc 与 --subject-id 只能选一个")
            subject_id = subject_id_option
        try:
            account = accounts.create_account(
                _ctx(session),
                username,
                display_name or username,
                password,
                role,
                department_id=department_id,
                subject_id=subject_id,
                institution=institution or None,
            )
        except XinyongError as exc:
            _fail(exc.message)
        typer.echo(f"已创建账户 {account.username}（{ROLES[account.role]}，账户 {account.id}），首次登录须修改密码")


@app.command("list")
def list_accounts() -> None:
    """List every account."""
    with session_scope() as session:
        ctx = _ctx(session)
        rows = accounts.list_accounts(ctx)
        table = Table(title="账户")
        for column in ("编号", "用户名", "姓名", "角色", "范围", "状态"):
            table.add_column(column)
        for a in rows:
            scope = a.institution or (f"部门 {a.department_id}" if a.department_id else "")
            scope = scope or (f"主体 {a.subject_id}" if a.subject_id else "")
            state = "已停用" if not a.active else "已锁定" if accounts.is_locked(a, ctx.at) else "正常"
            table.add_row(str(a.id), a.username, a.display_name, ROLES.get(a.role, a.role), scope, state)
    Console().print(table)


def _by_username(ctx: Context, username: str) -> int:
    account = accounts.by_username(ctx, username)
    if account is None:
        _fail(f"用户 {username} 不存在")
    assert account is not None
    return account.id


@app.command("unlock")
def unlock(username: str) -> None:
    """Lift the lockout of an account after repeated failed logins."""
    with session_scope() as session:
        ctx = _ctx(session)
        account = accounts.unlock(ctx, _by_username(ctx, username))
        typer.echo(f"已解除 {account.username} 的锁定")


@app.command("deactivate")
def deactivate(username: str) -> None:
    """Deactivate an account (its login sessions end)."""
    with session_scope() as session:
        ctx = _ctx(session)
        account = accounts.set_active(ctx, _by_username(ctx, username), False)
        typer.echo(f"已停用 {account.username}")


@app.command("activate")
def activate(username: str) -> None:
    """Re-activate a deactivated account."""
    with session_scope() as session:
        ctx = _ctx(session)
        account = accounts.set_active(ctx, _by_username(ctx, username), True)
        typer.echo(f"已启用 {account.username}")
