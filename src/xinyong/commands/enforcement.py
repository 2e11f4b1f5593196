"""``xinyong enforcement``: 涉政府执行案件 (enforcement cases against public bodies), issue #11 item 4 — import the
court's monthly notice, list cases, record rectification (the console operator records on the unit's behalf),
close, and print the monthly summary.

The console operator acts with every permission; actions leave the same audit events as the web. ``--json``
prints the API's shapes. Exit codes: 0 done; 2 bad input (a refused notice: one line per row error on stderr,
and with ``--json`` the errors as JSON on stdout; a file imported before; an unknown case or outcome).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import typer

from xinyong.commands.operator import operator_context
from xinyong.government import enforcement as service
from xinyong.government import enforcement_import as importer
from xinyong.government import enforcement_queries as queries
from xinyong.workplan.units import unit_label

app = typer.Typer(help="涉政府执行案件 (enforcement cases against public bodies)", no_args_is_help=True)


def _fail(message: str) -> typer.Exit:
    typer.echo(f"错误: {message}", err=True)
    return typer.Exit(2)


def _echo_json(value: object) -> None:
    typer.echo(json.dumps(value, ensure_ascii=False, indent=2, default=str))


def _date(text: str, option: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise _fail(f"{option} 应为 YYYY-MM-DD（收到 {text!r}）") from None


@app.command("import")
def import_command(
    file: Path = typer.Argument(..., help="通报文件（CSV：UTF-8 或 GBK；或 .xlsx）"),
    period: str = typer.Option(..., "--period", help="通报期次 YYYY-MM，如 2026-10"),
    court: str = typer.Option(..., "--court", help="通报法院，如 番禺区人民法院"),
    rejected: Path | None = typer.Option(None, "--rejected", help="有错误时把退回行写入此 .xlsx 文件"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """导入法院每月执行案件通报，并按公共机构名录交办责任单位。"""
    try:
        content = file.read_bytes()
    except OSError as exc:
        raise _fail(f"无法读取文件 {file}：{exc.strerror or exc}") from None
    with operator_context() as ctx:
        try:
            result = importer.import_notice(ctx, period, court, file.name, content)
        except importer.NoticeRowsInvalid as exc:
            if rejected is not None:
                rejected.write_bytes(exc.workbook)
            if as_json:
                _echo_json({"message": exc.message, "errors": [e.model_dump() for e in exc.errors]})
            raise
        labels = {code: unit_label(code) for code in result.by_unit}
    if as_json:
        _echo_json(result.model_dump(mode="json"))
        return
    units = "、".join(f"{labels[c]} {n} 件" for c, n in result.by_unit.items())
    typer.echo(
        f"已导入 {result.notice.period} 期{result.notice.court}通报：案件 {result.notice.cases} 件，已交办 {units}"
    )


@app.command("list")
def list_command(
    period: str = typer.Option("", "--period", help="通报期次 YYYY-MM"),
    unit: str = typer.Option("", "--unit", help="责任单位代码"),
    status: str = typer.Option("", "--status", help="open / assigned / rectifying / closed"),
    overdue: bool = typer.Option(False, "--overdue", help="只列逾期未结案件"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """列出执行案件。"""
    if status and status not in ("open", "assigned", "rectifying", "closed"):
        raise _fail("--status 应为 open / assigned / rectifying / closed")
    with operator_context() as ctx:
        rows = queries.cases(ctx, period or None, unit or None, status or None, overdue)
    if as_json:
        _echo_json([r.model_dump(mode="json") for r in rows])
        return
    for r in rows:
        flag = "\t逾期" if r.overdue else ""
        typer.echo(
            f"{r.id}\t{r.case_no}\t{r.body_name}\t{queries.amount_text(r.amount)} 元\t{r.unit_label}\t"
            f"期限 {r.due_on or '—'}\t{r.status_label}{flag}"
        )
    typer.echo(f"共 {len(rows)} 件")


@app.command("rectify")
def rectify_command(
    case_id: int = typer.Argument(..., help="案件编号"),
    note: str = typer.Option(..., "--note", help="整改情况"),
    evidence: str = typer.Option("", "--evidence", help="佐证材料（文号或说明）"),
    on: str = typer.Option("", "--on", help="整改日期 YYYY-MM-DD，默认今天"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """登记整改情况（控制台操作员代责任单位登记）。"""
    day = _date(on, "--on")
    with operator_context() as ctx:
        service.rectify(ctx, case_id, note, evidence, day)
        detail = queries.case_detail(ctx, case_id)
    if as_json:
        _echo_json(detail.model_dump(mode="json"))
        return
    typer.echo(f"已登记案件 {detail.case_no} 的整改情况（{detail.unit_label}），状态：{detail.status_label}")


@app.command("close")
def close_command(
    case_id: int = typer.Argument(..., help="案件编号"),
    outcome: str = typer.Option(..., "--outcome", help="结案方式（代码或名称，如 performed / 执行完毕）"),
    on: str = typer.Option("", "--on", help="结案日期 YYYY-MM-DD，默认今天"),
    note: str = typer.Option("", "--note", help="说明"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """结案。"""
    day = _date(on, "--on")
    with operator_context() as ctx:
        service.close(ctx, case_id, outcome, day, note)
        detail = queries.case_detail(ctx, case_id)
    if as_json:
        _echo_json(detail.model_dump(mode="json"))
        return
    typer.echo(f"案件 {detail.case_no} 已结案：{detail.outcome}（{detail.closed_on}）")


@app.command("summary")
def summary_command(
    period: str = typer.Option(..., "--period", help="期次 YYYY-MM"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """执行案件月度汇总（按镇街、部门）。"""
    with operator_context() as ctx:
        result = queries.summary(ctx, period)
    if as_json:
        _echo_json(result.model_dump(mode="json"))
        return
    typer.echo(f"{result.period} 执行案件汇总（逾期截至 {result.as_of}）")
    typer.echo("责任单位\t新增\t结案\t月末未结\t逾期\t未结标的（元）")
    for r in [*result.rows, result.total]:
        typer.echo(
            f"{r.unit_label}\t{r.new_cases}\t{r.closed}\t{r.open_at_end}\t{r.overdue}\t{queries.amount_text(r.open_amount)}"
        )
