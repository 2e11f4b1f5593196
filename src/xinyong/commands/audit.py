"""``xinyong audit``: verify, search and export the hash-chained audit log at the console.

``verify`` exits 0 when the chain is intact and 1 naming the first bad event; usage and data errors
print one line on stderr and exit 2. ``search`` and ``export`` are recorded in the log themselves.
"""

from __future__ import annotations

import json
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn
from rich.table import Table

from xinyong.auth import audit
from xinyong.commands.operator import operator_context
from xinyong.db.session import session_scope
from xinyong.errors import XinyongError

app = typer.Typer(help="审计日志：校验、检索、导出 (audit log)", no_args_is_help=True)

ACTOR = typer.Option(None, "--actor", help="操作者（精确匹配），如 account:zhangsan")
ACTION = typer.Option(None, "--action", help="操作，如 subject.register；以 * 结尾表示前缀，如 'read.*'")
TARGET_TYPE = typer.Option(None, "--target-type", help="对象类型，如 subject")
TARGET_ID = typer.Option(None, "--target-id", help="对象编号")
OUTCOME = typer.Option(None, "--outcome", help="结果，如 ok、denied、failed")
SINCE = typer.Option(None, "--since", help="起始：YYYY-MM-DD（北京时间当日 0 时）或 ISO 时间")
UNTIL = typer.Option(None, "--until", help="截止：YYYY-MM-DD（含当日）或 ISO 时间")


def _fail(message: str) -> typer.Exit:
    typer.echo(f"错误: {message}", err=True)
    return typer.Exit(2)


def _when(text: str | None, option: str) -> date | datetime | None:
    try:
        return audit.parse_when(text, option)
    except XinyongError as exc:
        raise _fail(exc.message) from None


def _filters(**raw: Any) -> dict[str, Any]:
    filters = {k: v for k, v in raw.items() if k not in ("since", "until")}
    filters["since"] = _when(raw.get("since"), "--since")
    filters["until"] = _when(raw.get("until"), "--until")
    return filters


@app.command("verify")
def verify(
    anchor: list[str] = typer.Option(
        [], "--anchor", help="之前记录在库外的链尾哈希（可重复）：检查它仍在链中，以发现整段重写"
    ),
) -> None:
    """Recompute the hash chain: exit 0 if intact, 1 naming the first modified or missing event.

    Prints the head hash: keep it outside the database (e.g. in the daily operations log) and pass it back
    with ``--anchor`` later to detect a rewrite of the whole tail."""
    with session_scope() as session:
        report = audit.verify_chain(session)
        missing = [a for a in anchor if not audit.anchored(session, a)] if report.ok else []
    if not report.ok:
        typer.echo(f"审计日志校验失败：事件 {report.first_bad_id}：{report.reason}（已检查 {report.events} 条）")
        raise typer.Exit(1)
    if missing:
        typer.echo(f"审计日志校验失败：锚定哈希不在链中（日志可能被整段重写）：{', '.join(missing)}")
        raise typer.Exit(1)
    typer.echo(f"审计日志完整：{report.events} 条")
    typer.echo(f"链尾哈希：{report.head}")


@app.command("search")
def search(
    actor: str | None = ACTOR,
    action: str | None = ACTION,
    target_type: str | None = TARGET_TYPE,
    target_id: str | None = TARGET_ID,
    outcome: str | None = OUTCOME,
    since: str | None = SINCE,
    until: str | None = UNTIL,
    limit: int = typer.Option(50, "--limit", min=1, max=audit.MAX_PAGE, help="最多显示条数"),
    offset: int = typer.Option(0, "--offset", min=0, help="跳过的条数"),
    as_json: bool = typer.Option(False, "--json", help="每行输出一个 JSON 事件，而不是表格"),
) -> None:
    """Show matching events, newest first."""
    filters = _filters(
        actor=actor,
        action=action,
        target_type=target_type,
        target_id=target_id,
        outcome=outcome,
        since=since,
        until=until,
    )
    with operator_context() as ctx:
        page = audit.search_events(ctx, **filters, limit=limit, offset=offset)
        rows = [audit.event_row(e) for e in page.items]
    if as_json:
        for row in rows:
            typer.echo(json.dumps(row, ensure_ascii=False, separators=(",", ":")))
        return
    table = Table(title=f"审计事件：共 {page.total} 条，显示 {len(rows)} 条（时间为北京时间）")
    for column in ("编号", "时间", "操作者", "角色", "操作", "对象", "结果", "详情"):
        table.add_column(column, overflow="fold")
    for row in rows:
        detail = json.dumps(row["detail"], ensure_ascii=False, sort_keys=True) if row["detail"] else ""
        table.add_row(
            str(row["id"]),
            row["at"][:19].replace("T", " "),
            row["actor"],
            row["role"],
            row["action"],
            f"{row['target_type']} {row['target_id']}",
            row["outcome"],
            detail,
        )
    Console(width=200 if not sys.stdout.isatty() else None).print(table)


@app.command("export")
def export(
    fmt: str = typer.Option("csv", "--format", help="csv（UTF-8 带 BOM，可用 Excel 打开）或 jsonl"),
    output: Path | None = typer.Option(None, "--output", "-o", help="输出文件（默认写到标准输出）", dir_okay=False),
    actor: str | None = ACTOR,
    action: str | None = ACTION,
    target_type: str | None = TARGET_TYPE,
    target_id: str | None = TARGET_ID,
    outcome: str | None = OUTCOME,
    since: str | None = SINCE,
    until: str | None = UNTIL,
) -> None:
    """Write matching events in chain order (oldest first); CSV cells that look like formulas are escaped."""
    if fmt not in ("csv", "jsonl"):
        raise _fail(f"--format 应为 csv 或 jsonl (unknown format): {fmt!r}")
    filters = _filters(
        actor=actor,
        action=action,
        target_type=target_type,
        target_id=target_id,
        outcome=outcome,
        since=since,
        until=until,
    )
    with operator_context() as ctx:
        lines = audit.export_events(ctx, fmt, **filters)  # type: ignore[arg-type]
        if output is None:
            for line in lines:
                sys.stdout.write(line)
            sys.stdout.flush()
            return
        try:
            handle = output.open("w", encoding="utf-8", newline="")
        except OSError as exc:
            raise _fail(f"无法写入 {output}: {exc.strerror}") from None
        written = 0
        with handle, Progress(SpinnerColumn(), TextColumn("{task.description}"), transient=True) as progress:
            task = progress.add_task("导出中…", total=None)
            for line in lines:
                handle.write(line)
                written += 1
                if written % 1000 == 0:
                    progress.update(task, description=f"导出中… {written} 行")
    rows = written - 1 if fmt == "csv" else written
    typer.echo(f"已导出 {rows} 条审计事件到 {output}", err=True)
