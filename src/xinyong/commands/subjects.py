"""``xinyong subjects``: registry look-ups and code quality."""

from __future__ import annotations

import getpass
import json

import typer
from rich.console import Console
from rich.table import Table

from xinyong.auth.context import system_context
from xinyong.commands.operator import operator_context
from xinyong.db.session import session_scope
from xinyong.errors import XinyongError
from xinyong.evaluation.service import model_for_subject, subject_by_ref
from xinyong.subjects import industry_service, queries, service
from xinyong.subjects.industries import load_industries

app = typer.Typer(help="信用主体库 (subject registry)", no_args_is_help=True)


def _fail(exc: XinyongError) -> None:
    typer.echo(f"错误: {exc.message}", err=True)
    raise typer.Exit(2)


@app.command("code-quality")
def code_quality(as_json: bool = typer.Option(False, "--json", help="输出 JSON")) -> None:
    """Duplicate and erroneous USCCs against the 0.005% target (work-plan item 十一)."""
    with session_scope() as session:
        q = queries.code_quality(session)
    if as_json:
        keys = ("subjects", "duplicate_codes", "erroneous_codes", "rate", "target")
        data = q.model_dump()
        typer.echo(json.dumps({**{k: data[k] for k in keys}, **data}, ensure_ascii=False))
        return
    table = Table(title="统一社会信用代码重错码情况")
    table.add_column("指标")
    table.add_column("数值", justify="right")
    table.add_row("应赋码主体数", str(q.subjects))
    table.add_row("重码（代码数）", str(q.duplicate_codes))
    table.add_row("涉及重码的主体数", str(q.duplicate_subjects))
    table.add_row("错码（主体数）", str(q.erroneous_codes))
    table.add_row("未赋码/占位码", str(q.missing_codes))
    table.add_row("重错码率", f"{q.rate:.6%}")
    table.add_row("目标", f"≤ {q.target:.3%}")
    table.add_row("是否达标", "达标" if q.meets_target else "未达标")
    Console().print(table)


@app.command("search")
def search(
    query: str,
    offset: int = typer.Option(0, min=0),
    limit: int = typer.Option(20, min=1, max=100),
) -> None:
    """Search subjects by name fragment or code prefix (as the public sees them)."""
    with session_scope() as session:
        try:
            page = queries.search_subjects(session, query, offset=offset, limit=limit)
        except XinyongError as exc:
            _fail(exc)
    more = "+" if page.total_is_lower_bound else ""
    typer.echo(f"共 {page.total}{more} 条")
    for item in page.items:
        typer.echo(f"{item.uscc or '-'}\t{item.name}\t{item.kind_label}\t{item.township_name or ''}")


@app.command("correct-code")
def correct_code(
    subject_id: int,
    new_uscc: str,
    reason: str = typer.Option(..., help="纠错原因"),
    source: str = typer.Option(..., help="纠错依据（登记机关或文件）"),
) -> None:
    """Correct a subject's unified social credit code (纠错)."""
    with session_scope() as session:
        try:
            c = service.correct_code(
                system_context(session, f"cli:{getpass.getuser()}"), subject_id, new_uscc, reason=reason, source=source
            )
        except XinyongError as exc:
            _fail(exc)
    typer.echo(f"已纠错: 主体 {c.subject_id} {c.old_value} → {c.new_value}")


@app.command("recheck-codes")
def recheck_codes() -> None:
    """Re-run the code checks over the whole registry (after a change to the checks)."""
    with session_scope() as session:
        n = service.recheck_codes(system_context(session, f"cli:{getpass.getuser()}"))
    typer.echo(f"重新校验完成，{n} 个主体的校验结果有变化")


@app.command("set-industry")
def set_industry(
    subject: str = typer.Argument(..., help="主体编号或统一社会信用代码"),
    industry: str | None = typer.Argument(None, help="行业代码（rules/industries.yaml），如 construction"),
    clear: bool = typer.Option(False, "--clear", help="清除主体的行业"),
) -> None:
    """Set a subject's industry, which selects its industry evaluation model (audited)."""
    if (industry is None) == (not clear):
        typer.echo("错误: 请给出行业代码，或使用 --clear 清除行业（二者择一）", err=True)
        raise typer.Exit(2)
    with operator_context() as ctx:
        found = subject_by_ref(ctx, subject)
        changed = industry_service.set_industry(ctx, found.id, industry)
        label = load_industries().label(changed.industry)
        model = model_for_subject(changed)
    typer.echo(f"已设置: 主体 {changed.id} {changed.name} 行业 {label}（评价模型 {model}）")
