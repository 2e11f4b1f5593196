"""``xinyong integrity``: 公务员诚信档案 (civil servants' integrity files), issue #11 item 1 — open a file, add a
record or a training, withdraw an entry, run a record check for recruitment or transfer (录用、调任), show a file
or a result sheet.

The console operator acts with every permission; actions and reads leave the same audit events as the web. ID
numbers are only ever printed masked. ``--json`` prints the API's shapes. Exit codes: 0 done; 2 bad input (a bad
ID number or date, an unknown category or purpose, a short reason, an unknown file), reason on stderr.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal, InvalidOperation

import typer

from xinyong.commands.operator import operator_context
from xinyong.db.base import fetch
from xinyong.government import bodies, integrity, integrity_queries
from xinyong.government.integrity_schemas import CheckIn, CheckOut, EntryIn, FileIn, FileOut
from xinyong.government.models import PublicBody

app = typer.Typer(help="公务员诚信档案 (civil servants' integrity files)", no_args_is_help=True)


def _fail(message: str) -> typer.Exit:
    typer.echo(f"错误: {message}", err=True)
    return typer.Exit(2)


def _echo_json(value: object) -> None:
    typer.echo(json.dumps(value, ensure_ascii=False, indent=2, default=str))


def _day(text: str | None, option: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise _fail(f"{option} 应为 YYYY-MM-DD（收到 {text!r}）") from None


def _print_file(view: FileOut) -> None:
    typer.echo(f"诚信档案 {view.id}：{view.name}（{view.ric_masked}）")
    typer.echo(f"  工作单位：{view.body_name or '—'}　职务：{view.position or '—'}")
    typer.echo(f"  有效记录 {view.records} 条，其中不良 {view.adverse} 条")
    typer.echo(
        f"  诚信教育培训 {view.training_from} 至 {view.training_to}：{view.training_hours} 学时"
        f"（要求 {view.training_required} 学时）"
    )
    for e in view.entries:
        state = f"撤回第 {e.withdraws_id} 号" if e.withdraws_id else ("已撤回" if e.withdrawn_by_id else "有效")
        hours = f"\t{e.hours} 学时" if e.hours is not None else ""
        flag = "\t不良" if e.adverse else ""
        typer.echo(f"  {e.id}\t{e.occurred_on}\t{e.kind_label}\t{e.category_label}\t{e.title}{hours}\t{state}{flag}")


def _print_check(check: CheckOut) -> None:
    sheet = check.sheet
    typer.echo(f"核查结果单 {check.sheet_no}（{check.purpose_label}，基准日 {check.as_of}）")
    typer.echo(f"  {sheet['person']['name']}（{sheet['person']['ric_masked']}）：{check.conclusion_label}")
    typer.echo(f"  事由：{check.reason}")
    typer.echo(
        f"  诚信档案记录 {len(sheet.get('entries', []))} 条，信用记录 {len(sheet['credit_records'])} 条，"
        f"在列名单 {len(sheet['list_entries'])} 个，不良 {sheet['adverse_count']} 项"
    )
    training = sheet.get("training")
    if training:
        typer.echo(
            f"  培训：{training['hours']} / {training['required']} 学时（{'已达到' if training['met'] else '未达到'}）"
        )


@app.command("open")
def open_file(
    name: str = typer.Option(..., "--name", help="姓名"),
    ric: str = typer.Option(..., "--ric", help="公民身份号码（只加密保存）"),
    body: str = typer.Option("", "--body", help="工作单位：公共机构名录的编号、统一社会信用代码或名称"),
    position: str = typer.Option("", "--position", help="职务"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """建立诚信档案。"""
    with operator_context() as ctx:
        body_id = None
        if body.strip():
            text = body.strip()
            found = (
                fetch(ctx.session, PublicBody, int(text))
                if text.isdigit()
                else bodies.find_body(ctx, name=text, uscc=text)
            )
            if found is None:
                raise _fail(f"公共机构名录中没有“{text[:64]}”")
            body_id = found.id
        opened = integrity.open_file(
            ctx, FileIn.model_construct(name=name, ric=ric, body_id=body_id, position=position)
        )
        view = integrity_queries.file_view(ctx, opened)
    if as_json:
        _echo_json(view.model_dump(mode="json"))
        return
    typer.echo(f"已建立诚信档案 {view.id}：{view.name}（{view.ric_masked}）")


@app.command("add")
def add_entry(
    file_id: int = typer.Option(..., "--file", help="档案编号"),
    kind: str = typer.Option("record", "--kind", help="record（诚信记录）/ training（诚信教育培训）"),
    category: str = typer.Option(..., "--category", help="类别 key（见 rules/integrity.yaml）"),
    title: str = typer.Option(..., "--title", help="标题"),
    on: str = typer.Option(..., "--on", help="发生日期 YYYY-MM-DD"),
    hours: str = typer.Option("", "--hours", help="培训学时（仅培训）"),
    detail: str = typer.Option("", "--detail", help="说明"),
    source: str = typer.Option("", "--source", help="来源（文件、文号或系统）"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """登记诚信记录或培训。"""
    day = _day(on, "--on")
    assert day is not None
    try:
        amount = Decimal(hours.strip()) if hours.strip() else None
    except InvalidOperation:
        raise _fail(f"--hours 应为数字（收到 {hours!r}）") from None
    data = EntryIn.model_construct(
        kind=kind, category=category, title=title, detail=detail, occurred_on=day, hours=amount, source=source
    )
    with operator_context() as ctx:
        entry = integrity.add_entry(ctx, file_id, data)
        out = integrity_queries.entry_out(entry, {})
    if as_json:
        _echo_json(out.model_dump(mode="json"))
        return
    typer.echo(f"已登记第 {out.id} 号条目：{out.kind_label}·{out.category_label}·{out.title}")


@app.command("withdraw")
def withdraw_entry(
    entry_id: int = typer.Argument(..., help="条目编号"),
    reason: str = typer.Option(..., "--reason", help="撤回原因"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """撤回诚信档案条目（新增一条撤回记录，原条目保留）。"""
    with operator_context() as ctx:
        entry = integrity.withdraw_entry(ctx, entry_id, reason)
        out = integrity_queries.entry_out(entry, {})
    if as_json:
        _echo_json(out.model_dump(mode="json"))
        return
    typer.echo(f"已撤回第 {entry_id} 号条目（撤回记录 {out.id}）")


@app.command("check")
def run_check(
    name: str = typer.Option(..., "--name", help="姓名"),
    ric: str = typer.Option(..., "--ric", help="公民身份号码"),
    purpose: str = typer.Option(..., "--purpose", help="recruitment（录用）/ transfer（调任）"),
    reason: str = typer.Option(..., "--reason", help="核查事由"),
    as_of: str = typer.Option("", "--as-of", help="核查基准日 YYYY-MM-DD（默认今天）"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """录用、调任社会信用记录核查：出具并保存编号的结果单。"""
    day = _day(as_of, "--as-of")
    with operator_context() as ctx:
        check = integrity.run_check(
            ctx, CheckIn.model_construct(name=name, ric=ric, purpose=purpose, reason=reason, as_of=day)
        )
        out = integrity_queries.check_view(ctx, check)
    if as_json:
        _echo_json(out.model_dump(mode="json"))
        return
    _print_check(out)


@app.command("show")
def show(
    target: str = typer.Argument(..., help="档案编号，或结果单编号（ZWCX-…）"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """显示诚信档案或核查结果单（查阅记入审计日志）。"""
    text = target.strip()
    if not text.isdigit() and "-" not in text:
        raise _fail(f"应为档案编号或结果单编号（收到 {text[:32]!r}）")
    with operator_context() as ctx:
        if text.isdigit():
            view: FileOut | CheckOut = integrity_queries.read_file(ctx, int(text))
        else:
            view = integrity_queries.read_check(ctx, integrity_queries.check_id_of(ctx, text))
    if as_json:
        _echo_json(view.model_dump(mode="json"))
        return
    if isinstance(view, FileOut):
        _print_file(view)
    else:
        _print_check(view)
