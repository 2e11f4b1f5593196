"""``xinyong objections``: the console operator's view of the 异议 queue (records.objections).

``list`` shows every open objection by default (待受理, 平台自查中, 数据提供单位核查中), most urgent first, with the
current step's due date and an overdue mark as of today; ``--status`` narrows to one status (``closed`` for the
finished ones), ``--overdue`` keeps those past their due date. ``show ID`` prints one case with its history.

Exit codes: 0 done; 2 invalid input or an unknown objection.
"""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from xinyong.commands.operator import operator_context
from xinyong.records import objections
from xinyong.records.objection_schemas import STATUS_LABELS

app = typer.Typer(help="异议 (objections)", no_args_is_help=True)


@app.command("list")
def list_objections(
    status: Annotated[
        str | None,
        typer.Option("--status", help="只看该状态：" + "、".join(f"{k} {v}" for k, v in STATUS_LABELS.items())),
    ] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="只看已超期的")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出")] = False,
) -> None:
    """异议队列：编号、记录、状态、当前步骤、期限与是否超期。"""
    with operator_context() as ctx:
        rows = objections.queue(ctx, status=status, overdue_only=overdue)
        today = ctx.today
    if as_json:
        typer.echo(json.dumps([r.model_dump(mode="json") for r in rows], ensure_ascii=False, indent=2))
        return
    title = f"异议{'（已超期）' if overdue else ''}（截至 {today.isoformat()}，共 {len(rows)} 件）"
    table = Table(title=title)
    for column in (
        "编号",
        "信息类别",
        "文书号",
        "主体",
        "数据提供单位",
        "提出日期",
        "状态",
        "当前步骤",
        "期限",
        "超期",
    ):
        table.add_column(column)
    for r in rows:
        table.add_row(
            str(r.id),
            r.item_name,
            r.doc_no,
            r.subject_name,
            r.department_name,
            r.submitted_on.isoformat(),
            r.status_label + (f"（{r.outcome_label}）" if r.outcome_label else ""),
            r.step_label or "—",
            r.due.isoformat() if r.due else "—",
            "是" if r.overdue else "",
        )
    Console(width=200).print(table)


@app.command("show")
def show(
    objection_id: Annotated[int, typer.Argument(help="异议编号", min=1)],
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出")] = False,
) -> None:
    """一件异议：申请、期限、处理结果、材料与办理记录（查阅记入审计日志）。"""
    with operator_context() as ctx:
        detail = objections.objection_detail(ctx, objection_id)
    if as_json:
        typer.echo(json.dumps(detail.model_dump(mode="json"), ensure_ascii=False, indent=2))
        return
    out = Console(width=200)
    outcome = f"（{detail.outcome_label}）" if detail.outcome_label else ""
    out.print(f"[bold]异议 {detail.id}：{detail.status_label}{outcome}[/bold]")
    facts = [
        ("信息类别", f"{detail.item_name}（记录编号 {detail.record_id}）"),
        ("文书号", detail.doc_no),
        ("主体", detail.subject_name),
        ("数据提供单位", detail.department_name),
        ("申请人", detail.applicant_name),
        ("联系方式", detail.contact or "—"),
        ("提出日期", detail.submitted_on.isoformat()),
        (
            "当前步骤",
            f"{detail.step_label}，期限 {detail.due}{'（已超期）' if detail.overdue else ''}"
            if detail.step_label
            else "—",
        ),
        ("异议理由", detail.reasons),
        ("更正要求", detail.requested_correction or "—"),
        ("处理说明", detail.outcome_reason or "—"),
        ("版本", str(detail.version)),
    ]
    for label, value in facts:
        out.print(f"{label}：{value}", highlight=False)
    if detail.files:
        out.print("材料：" + "、".join(f"{f.filename}（{f.size} 字节）" for f in detail.files), highlight=False)
    table = Table(title="办理记录")
    for column in ("时间", "操作", "办理人", "状态", "说明"):
        table.add_column(column)
    for h in detail.history:
        moved = f"{STATUS_LABELS.get(h.from_status or '', '—')} → {STATUS_LABELS.get(h.to_status or '', '—')}"
        table.add_row(h.at.strftime("%Y-%m-%d %H:%M"), h.action_label, h.actor, moved, h.note or "—")
    out.print(table)
