"""``xinyong jobs run-daily --as-of DATE [--json]``: the daily lifecycle job (records.jobs);
``xinyong jobs run-monthly [--as-of DATE] [--force] [--json]``: the monthly job (monitoring.jobs), the city credit
monitoring computation of the previous month, once (a re-run finds the month's run and changes nothing).

Exit codes: 0 done; 1 the monthly computation's negative check found records without a legal basis; 2 invalid
input.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from xinyong.auth.context import system_context
from xinyong.db.session import session_scope
from xinyong.errors import XinyongError
from xinyong.monitoring.jobs import run_monthly
from xinyong.records.jobs import STEPS, run_daily

app = typer.Typer(help="定时任务 (scheduled jobs)", no_args_is_help=True)

STEP_LABELS = {
    "expire_publicity": "公示期满自动停止公示",
    "objections_overdue": "异议办理超期标记与提醒",
    "repairs_overdue": "信用修复审核超期标记与提醒",
    "commitments_overdue": "承诺核查超期标记与提醒",
    "lists_expire": "名单期限届满移出",
    "verification_overdue": "失信案例核查超期提醒",
    "privacy_sets": "隐私求交集合重新编制（名单变化生效）",
}


@app.command("run-daily")
def run_daily_command(
    as_of: Annotated[str | None, typer.Option("--as-of", help="按哪一天运行 (YYYY-MM-DD)，默认今天")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出")] = False,
) -> None:
    """每日任务：公示期满停止公示，标记超期的异议、修复与承诺核查（可重复运行）。"""
    err = Console(stderr=True)
    try:
        day = date.fromisoformat(as_of) if as_of else None
    except ValueError:
        err.print(f"[red]日期格式应为 YYYY-MM-DD：{as_of}[/red]")
        raise typer.Exit(2) from None
    try:
        with session_scope() as session:
            ctx = system_context(session, actor="cli:jobs")
            result = run_daily(ctx, day or ctx.today)
    except XinyongError as exc:
        err.print(f"[red]{exc.message}[/red]")
        raise typer.Exit(2) from None
    if as_json:
        typer.echo(json.dumps(result.model_dump(mode="json"), ensure_ascii=False))
        return
    table = Table(title=f"每日任务 {result.as_of.isoformat()}")
    table.add_column("步骤")
    table.add_column("处理数", justify="right")
    for name in STEPS:
        table.add_row(STEP_LABELS.get(name, name), str(result.steps[name]))
    Console().print(table)


@app.command("run-monthly")
def run_monthly_command(
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="按哪一天运行 (YYYY-MM-DD)，默认今天；计算其上一个月")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="上月已计算时仍重新计算（保留历史）")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出")] = False,
) -> None:
    """每月任务：计算上一个月的城市信用监测指标（已计算的月份不重复计算，可重复运行）。"""
    err = Console(stderr=True)
    try:
        day = date.fromisoformat(as_of) if as_of else None
    except ValueError:
        err.print(f"[red]日期格式应为 YYYY-MM-DD：{as_of}[/red]")
        raise typer.Exit(2) from None
    try:
        with session_scope() as session:
            ctx = system_context(session, actor="cli:jobs")
            result = run_monthly(ctx, day or ctx.today, force=force)
    except XinyongError as exc:
        err.print(f"[red]{exc.message}[/red]")
        raise typer.Exit(2) from None
    if as_json:
        typer.echo(json.dumps(result.model_dump(mode="json"), ensure_ascii=False))
    else:
        done = "已计算" if result.computed else "此前已计算，未重复计算"
        verdict = "通过" if result.negative_ok else "未通过"
        typer.echo(
            f"每月任务 {result.as_of.isoformat()}：{result.month} 城市信用监测{done}（第 {result.run_id} 次计算），"
            f"全区得分 {result.district_score:.2f}，预警 {result.warnings} 项，负面清单检查{verdict}"
        )
    if not result.negative_ok:
        raise typer.Exit(1)
