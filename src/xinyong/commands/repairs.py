"""``xinyong repairs``: 信用修复 (credit repair) for the operator: the applications (``list``), one application
with its history (``show``) and a record's eligibility on a date (``eligibility``).

Exit codes: 0 done; 2 invalid input or not found (the reason on stderr).
"""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from xinyong.commands.operator import operator_context
from xinyong.records import repairs

app = typer.Typer(help="信用修复 (credit repair)", no_args_is_help=True)
MAX_ROWS = repairs.MAX_LIMIT


def _date(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        typer.echo(f"错误: {option} 应为日期 YYYY-MM-DD（收到 {text!r}）", err=True)
        raise typer.Exit(2) from None


def _dump(data: object) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))


@app.command("list")
def list_(
    status: Annotated[
        str,
        typer.Option("--status", help="open（办理中，默认）、all（全部）或状态代码，如 submitted、accepted、granted"),
    ] = "open",
    overdue: Annotated[bool, typer.Option("--overdue", help="只列超期的申请")] = False,
    kind: Annotated[str | None, typer.Option("--kind", help="record（本平台记录）或 external（外部名单）")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=MAX_ROWS, help="最多列出的条数")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False,
) -> None:
    """List applications, the current stage's due date first."""
    with operator_context() as ctx:
        page = repairs.queue(ctx, status=None if status == "all" else status, overdue=overdue, kind=kind, limit=limit)
    if as_json:
        _dump(page.model_dump(mode="json"))
        return
    table = Table(title=f"信用修复申请（共 {page.total} 件）")
    for column in ("编号", "申请人", "修复对象", "办理机关", "提交", "状态", "当前期限"):
        table.add_column(column)
    for r in page.items:
        target = f"{r.external_list_name} {r.external_ref}" if r.kind == "external" else f"{r.item_name} {r.doc_no}"
        due = (r.due.isoformat() if r.due else "—") + ("（已超期）" if r.overdue else "")
        table.add_row(str(r.id), r.applicant_name, target, r.handler, r.submitted_on.isoformat(), r.status_label, due)
    Console(width=200).print(table)


@app.command("show")
def show(
    repair_id: Annotated[int, typer.Argument(help="申请编号", min=1)],
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False,
) -> None:
    """One application: facts, commitment, files and history."""
    with operator_context() as ctx:
        detail = repairs.repair_detail(ctx, repair_id)
    if as_json:
        _dump(detail.model_dump(mode="json"))
        return
    console = Console(width=200)
    if detail.kind == "external":
        target = f"{detail.external_list_name}（{detail.external_ref}）"
    else:
        target = f"{detail.item_name}（文书号 {detail.doc_no}，记录 {detail.record_id}）"
        target += f"，公示状态 {detail.record_status_label}"
    console.print(f"信用修复申请 {detail.id}：{detail.status_label}{'（已超期）' if detail.overdue else ''}")
    console.print(f"申请人：{detail.applicant_name}；修复对象：{target}；办理机关：{detail.handler}")
    console.print(
        f"提交 {detail.submitted_on}；受理期限 {detail.accept_due or '—'}；决定期限 {detail.decide_due or '—'}"
    )
    if detail.decision_reason:
        console.print(f"决定（{detail.decided_on}）：{detail.decision_reason}")
    console.print(f"履行义务说明：{detail.obligations}")
    for f in detail.files:
        console.print(f"材料 {f.id}：{f.filename}（{f.size} 字节）")
    table = Table(title="办理记录")
    for column in ("时间", "操作", "办理人", "状态", "说明"):
        table.add_column(column)
    for e in detail.history:
        table.add_row(e.at.isoformat(timespec="minutes"), e.action_label, e.actor, e.to_status or "—", e.note or "—")
    console.print(table)


@app.command("eligibility")
def eligibility(
    record_id: Annotated[int, typer.Argument(help="信用记录编号", min=1)],
    as_of: Annotated[str, typer.Option("--as-of", help="按哪一天检查 YYYY-MM-DD")],
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False,
) -> None:
    """Whether a record may be repaired on a date, each condition with its reason."""
    day = _date(as_of, "--as-of")
    with operator_context() as ctx:
        result = repairs.check_eligibility(ctx, record_id, day)
    if as_json:
        _dump(result.model_dump(mode="json"))
        return
    verdict = "可以申请信用修复" if result.eligible else "暂不符合信用修复条件"
    typer.echo(f"记录 {result.record_id}（{result.item_name}，{result.doc_no}）截至 {day}：{verdict}")
    for c in result.conditions:
        typer.echo(f"  {'✔' if c.met else '✘'} {c.label}" + ("" if c.met else f"：{c.reason}"))
