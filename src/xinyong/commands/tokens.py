"""``xinyong tokens``: issue, list and revoke API tokens for machine clients (run by the operator)."""

from __future__ import annotations

from datetime import timedelta
from typing import NoReturn

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong import clock
from xinyong.auth import tokens
from xinyong.auth.context import Context, system_context
from xinyong.auth.permissions import TOKEN_ROLES
from xinyong.commands.operator import cli_actor
from xinyong.db.session import session_scope
from xinyong.errors import XinyongError
from xinyong.subjects.models import Department

app = typer.Typer(
    help="接口令牌 (API tokens for department systems, banks and incentive providers)", no_args_is_help=True
)


def _fail(exc: XinyongError) -> NoReturn:
    typer.echo(f"错误: {exc.message}", err=True)
    raise typer.Exit(2)


def _context(session: Session) -> Context:
    return system_context(session, cli_actor())


@app.command("create")
def create(
    name: str = typer.Argument(..., help="令牌名称，如“区市场监管局报送系统”"),
    role: str = typer.Option(..., "--role", help=f"角色: {', '.join(sorted(TOKEN_ROLES))}"),
    department: str | None = typer.Option(None, "--department", help="部门代码（部门令牌必填），如 scjgj"),
    institution: str | None = typer.Option(
        None,
        "--institution",
        help="金融机构名称，或已登记的守信激励服务提供方名称（两者的令牌必填）",
    ),
    scope: list[str] = typer.Option(..., "--scope", help="允许的操作，可重复，如 --scope subjects.read"),
    days: int = typer.Option(365, "--days", min=1, help="有效天数（不超过 XINYONG_TOKEN_MAX_DAYS）"),
) -> None:
    """Issue a token and print it ONCE: it is stored hashed and cannot be shown again."""
    with session_scope() as session:
        ctx = _context(session)
        try:
            department_id = tokens.department_by_code(ctx, department).id if department else None
            raw, token = tokens.create_token(
                ctx,
                name,
                role,
                department_id=department_id,
                institution=institution,
                scopes=scope,
                expires_on=clock.today() + timedelta(days=days),
            )
        except XinyongError as exc:
            _fail(exc)
        token_id, prefix, expires = token.id, token.prefix, tokens.expiry_local(token)
    typer.echo(f"已签发令牌 {token_id}（前缀 {prefix}，北京时间 {expires} 失效）", err=True)
    typer.echo("令牌仅显示这一次，请立即妥善保存:", err=True)
    typer.echo(raw)


@app.command("list")
def list_(department: str | None = typer.Option(None, "--department", help="只列出该部门代码的令牌")) -> None:
    """List tokens (prefix, role, scope, expiry, status); secrets are never shown."""
    with session_scope() as session:
        ctx = _context(session)
        try:
            department_id = tokens.department_by_code(ctx, department).id if department else None
            rows = tokens.list_tokens(ctx, department_id)
        except XinyongError as exc:
            _fail(exc)
        codes = {row.id: row.code for row in session.execute(select(Department.id, Department.code))}
        now = clock.now()
        table = Table(title="接口令牌")
        for column in ("ID", "名称", "前缀", "角色", "部门/机构", "权限范围", "到期", "状态"):
            table.add_column(column)
        for t in rows:
            owner = codes.get(t.department_id, "") if t.department_id else (t.institution or "")
            status = "已吊销" if t.revoked_at else ("有效" if tokens.is_active(t, now) else "已过期")
            expires = tokens.expiry_local(t)
            table.add_row(str(t.id), t.name, t.prefix, t.role, owner, " ".join(t.scopes or ()), expires, status)
    Console(width=200).print(table)


@app.command("revoke")
def revoke(
    token_id: int = typer.Argument(..., help="令牌 ID（见 tokens list）"),
    reason: str = typer.Option(..., "--reason", help="吊销原因（记入审计日志）"),
) -> None:
    """Revoke a token at once."""
    with session_scope() as session:
        try:
            token = tokens.revoke_token(_context(session), token_id, reason)
        except XinyongError as exc:
            _fail(exc)
        token_id, prefix = token.id, token.prefix
    typer.echo(f"已吊销令牌 {token_id}（前缀 {prefix}）")
