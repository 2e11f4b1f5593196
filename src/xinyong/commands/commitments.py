"""``xinyong commitments``: 信用承诺 lists for the console operator.

* ``list [--department CODE] [--status signed|kept|breached] [--overdue] [--json]``: every commitment (or one
  department's), oldest first, with verification due dates and overdue marks.
* ``feed --department CODE [--since DATE] [--json]``: the commitments that concern one department, signed or
  verified on or after ``--since`` (the list a department system polls through the API).

Reads go through ``records.commitments.department_feed`` (audited). Exit codes: 0 done; 2 invalid input
(bad date or status, unknown department).
"""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from xinyong.auth.context import Context, system_context
from xinyong.db.session import session_scope
from xinyong.errors import XinyongError
from xinyong.records import commitments
from xinyong.records.commitment_schemas import STATUS_LABELS, CommitmentRow
from xinyong.records.publication import MAX_LIMIT
from xinyong.subjects.departments import department_by_ref

app = typer.Typer(help="信用承诺 (credit commitments)", no_args_is_help=True)

DepartmentOption = Annotated[str | None, typer.Option("--department", help="部门代码或统一社会信用代码")]
JsonOption = Annotated[bool, typer.Option("--json", help="以 JSON 输出")]


def _rows(
    ctx: Context, department: str | None, since: date | None, status: str | None, overdue: bool
) -> tuple[int | None, list[CommitmentRow]]:
    """(department id, every matching row), page by page."""
    department_id = department_by_ref(ctx.session, department).id if department else None
    rows: list[CommitmentRow] = []
    offset = 0
    while True:
        page = commitments.department_feed(
            ctx,
            since,
            status,
            department_id=department_id,
            overdue=True if overdue else None,
            offset=offset,
            limit=MAX_LIMIT,
        )
        rows.extend(page.items)
        offset += page.limit
        if offset >= page.total or not page.items:
            return department_id, rows


def _run(department: str | None, since: str | None, status: str | None, overdue: bool, as_json: bool) -> None:
    try:
        day = date.fromisoformat(since.strip()) if since else None
    except ValueError:
        typer.echo(f"错误: --since 应为日期 YYYY-MM-DD（收到 {since!r}）", err=True)
        raise typer.Exit(2) from None
    try:
        with session_scope() as session:
            ctx = system_context(session, actor="cli:commitments")
            department_id, rows = _rows(ctx, department, day, status, overdue)
            today = ctx.today
    except XinyongError as exc:
        typer.echo(f"错误: {exc.message}", err=True)
        raise typer.Exit(2) from None
    if as_json:
        body = {
            "department_id": department_id,
            "since": day.isoformat() if day else None,
            "status": status,
            "overdue": overdue,
            "as_of": today.isoformat(),
            "total": len(rows),
            "items": [r.model_dump(mode="json") for r in rows],
        }
        typer.echo(json.dumps(body, ensure_ascii=False))
        return
    table = Table(title=f"信用承诺（{len(rows)} 条，截至 {today.isoformat()}）")
    for heading in ("编号", "承诺主体", "类型", "事项", "所涉部门", "承诺日期", "核查期限", "状态"):
        table.add_column(heading, overflow="fold")
    for r in rows:
        state = r.status_label + ("（已逾期）" if r.overdue else "")
        due = r.verify_due.isoformat() if r.verify_due else "随修复申请"
        table.add_row(
            str(r.id), r.subject_name, r.kind_label, r.matter, r.department_name, r.signed_on.isoformat(), due, state
        )
    Console().print(table)


@app.command("list")
def list_command(
    department: DepartmentOption = None,
    status: Annotated[
        str | None, typer.Option("--status", help=f"状态：{'、'.join(f'{k} {v}' for k, v in STATUS_LABELS.items())}")
    ] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="只列出核查已逾期的承诺")] = False,
    as_json: JsonOption = False,
) -> None:
    """列出信用承诺（可按部门、状态、是否逾期筛选）。"""
    _run(department, None, status, overdue, as_json)


@app.command("feed")
def feed_command(
    department: Annotated[str, typer.Option("--department", help="部门代码或统一社会信用代码")],
    since: Annotated[str | None, typer.Option("--since", help="只列出该日（含）以后签署或核查的 (YYYY-MM-DD)")] = None,
    as_json: JsonOption = False,
) -> None:
    """某部门的信用承诺推送清单（部门系统轮询接口的同一清单）。"""
    _run(department, since, None, False, as_json)
