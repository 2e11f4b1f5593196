"""``xinyong pii``: personal-data key rotation (see docs/threat-model.md)."""

from __future__ import annotations

import getpass

import typer

from xinyong.auth import pii
from xinyong.auth.context import system_context
from xinyong.auth.pii_rotation import rotate_pii
from xinyong.db.session import session_scope

app = typer.Typer(help="个人信息加密密钥管理 (personal data keys)", no_args_is_help=True)


@app.command("rotate")
def rotate() -> None:
    """Re-encrypt every stored ID and phone number with the current key (old keys in XINYONG_PII_OLD_KEYS)."""
    try:
        with session_scope() as session:
            report = rotate_pii(system_context(session, actor=f"cli:{getpass.getuser()}"))
    except pii.KeyConfigError as exc:
        typer.echo(f"错误: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(
        f"已重新加密：主体 {report.subjects} 个，账户 {report.accounts} 个，信用记录 {report.records} 条，"
        f"异议联系方式 {report.objections} 条"
    )
    if not report.ok:
        typer.echo(
            f"无法解密：主体 {list(report.bad_subjects)[:20]} 账户 {list(report.bad_accounts)[:20]} "
            f"信用记录 {list(report.bad_records)[:20]} 异议 {list(report.bad_objections)[:20]}"
            "（请把旧密钥加入 XINYONG_PII_OLD_KEYS 后重试）",
            err=True,
        )
        raise typer.Exit(1)
