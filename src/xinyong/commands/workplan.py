"""``xinyong workplan``: the work-plan ledger (工作要点台账, issue #12 item 2) — load a year's plan text, list its
items with units and status, show one item, record a unit's progress, write the period notice (.xlsx).

The console operator acts with every permission; loading and progress leave the same audit events as the web.
``--json`` prints the API's shapes. Exit codes: 0 done; 2 bad input (a plan text with unrecognised lines — each
printed with its line number —, a unit not named on the item, an unknown year or item), reason on stderr.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import typer

from xinyong.commands.operator import operator_context
from xinyong.workplan import notice as notice_mod
from xinyong.workplan import queries, service
from xinyong.workplan.schemas import ItemRow

app = typer.Typer(help="工作要点台账 (work-plan ledger)", no_args_is_help=True)


def _fail(message: str) -> typer.Exit:
    typer.echo(f"错误: {message}", err=True)
    return typer.Exit(2)


def _echo_json(value: object) -> None:
    typer.echo(json.dumps(value, ensure_ascii=False, indent=2, default=str))


def _day(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise _fail(f"--as-of 应为日期 YYYY-MM-DD（收到 {text!r}）") from None


def _units(row: ItemRow, role: str) -> str:
    return "、".join(dict.fromkeys(u.label for u in row.units if u.role == role)) or "—"


@app.command("load")
def load(
    file: Path = typer.Argument(..., help="工作要点文本文件（UTF-8，每段一行）"),
    year: int = typer.Option(..., "--year", help="年度"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """载入年度工作要点：无法识别的行逐行列出且不载入；相同文本不重复载入；不同文本作为新版本。"""
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise _fail(f"无法读取文件 {file}：{exc}") from None
    with operator_context() as ctx:
        result = service.load_plan(ctx, text, year)
    if as_json:
        _echo_json(result.model_dump(mode="json"))
        return
    plan = result.plan
    verb = "已载入" if result.created else "未改动（与现行版本相同）"
    typer.echo(f"{plan.title}：{verb}，第 {plan.version} 版，{plan.items} 项")
    for w in plan.warnings:
        typer.echo(f"  警告 第 {w.line} 行：{w.message}")


@app.command("items")
def items(
    year: int = typer.Option(..., "--year", help="年度"),
    as_of: str | None = typer.Option(None, "--as-of", help="状态基准日 YYYY-MM-DD（默认今天）"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """列出年度工作要点各条目的单位和状态。"""
    with operator_context() as ctx:
        status = queries.ledger(ctx, year, _day(as_of))
    if as_json:
        _echo_json(status.model_dump(mode="json"))
        return
    typer.echo(f"{status.plan.title}（第 {status.plan.version} 版，截至 {status.as_of}）")
    for r in status.items:
        typer.echo(
            f"[{r.id}]（{r.numeral}）{r.title}｜牵头：{_units(r, 'lead')}｜负责：{_units(r, 'responsible')}"
            f"｜配合：{_units(r, 'supporting')}｜时限 {r.deadline}｜{r.status_label} {r.percent}%"
        )
    typer.echo("；".join(f"{k} {v} 项" for k, v in status.counts.items()))


@app.command("item")
def item(
    number: int = typer.Argument(..., help="条目序号（一 … 十八 即 1 … 18）"),
    year: int = typer.Option(..., "--year", help="年度"),
    as_of: str | None = typer.Option(None, "--as-of", help="状态基准日 YYYY-MM-DD（默认今天）"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """显示一个条目：工作任务、单位、量化目标、进展记录。"""
    with operator_context() as ctx:
        detail = queries.item_detail(ctx, queries.item_by_number(ctx, year, number), _day(as_of))
    if as_json:
        _echo_json(detail.model_dump(mode="json"))
        return
    typer.echo(f"（{detail.numeral}）{detail.title}｜{detail.status_label} {detail.percent}%｜时限 {detail.deadline}")
    for role, label in (("lead", "牵头"), ("responsible", "负责"), ("supporting", "配合")):
        typer.echo(f"  {label}：{_units(detail, role)}")
    for n, t in enumerate(detail.subtasks, 1):
        who = "，".join(f"{u.label}{u.role_label}" for u in t.units)
        typer.echo(f"  {n}. {t.text}（{who}）")
    for g in detail.targets:
        typer.echo(f"  目标：{g.metric} {g.comparator} {g.value}{g.unit}")
    for p in detail.history:
        typer.echo(f"  {p.reported_on} {p.unit_label} {p.status_label} {p.percent}%：{p.note}")


@app.command("progress")
def progress(
    number: int = typer.Argument(..., help="条目序号"),
    unit: str = typer.Option(..., "--unit", help="报送单位代码（部门代码如 scjgj，或镇街代码）"),
    note: str = typer.Option(..., "--note", help="进展情况"),
    year: int = typer.Option(..., "--year", help="年度"),
    percent: int = typer.Option(0, "--percent", help="完成进度 0–100"),
    done: bool = typer.Option(False, "--done", help="已完成"),
    evidence: str = typer.Option("", "--evidence", help="佐证材料（文号、链接或存放位置）"),
    reported_on: str | None = typer.Option(None, "--on", help="报送日期 YYYY-MM-DD（默认今天）"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """为条目上的单位登记进展（该单位须是条目的牵头、负责或配合单位）。"""
    day = None
    if reported_on is not None:
        try:
            day = date.fromisoformat(reported_on.strip())
        except ValueError:
            raise _fail(f"--on 应为日期 YYYY-MM-DD（收到 {reported_on!r}）") from None
    with operator_context() as ctx:
        item_id = queries.item_by_number(ctx, year, number)
        out = service.report_progress(
            ctx, item_id, unit, note, "done" if done else "in_progress", percent, evidence, day
        )
    if as_json:
        _echo_json(out.model_dump(mode="json"))
        return
    typer.echo(f"已登记：第 {number} 项 {out.unit_label} {out.status_label} {out.percent}%")


@app.command("notice")
def notice(
    period: str = typer.Option(..., "--period", help="期间：2021-06（月）或 2021-Q2（季度）"),
    out: Path = typer.Option(..., "--out", help="输出文件：.xlsx 或 .pdf（按扩展名）"),
    year: int | None = typer.Option(None, "--year", help="工作要点年度（默认期间所在年度）"),
) -> None:
    """生成期间通报（xlsx 或 PDF）：各条目状态、最新进展，逾期事项标红（xlsx 另列逾期事项）。"""
    fmt = out.suffix.lower().lstrip(".")
    if fmt not in notice_mod.FORMATS:
        raise _fail(f"--out 应为 .xlsx 或 .pdf 文件（收到 {out}）")
    with operator_context() as ctx:
        found, data = notice_mod.notice(ctx, period, year, fmt)
    try:
        out.write_bytes(data)
    except OSError as exc:
        raise _fail(f"无法写入 {out}：{exc}") from None
    typer.echo(f"已生成 {found.label} 通报：{out}")
