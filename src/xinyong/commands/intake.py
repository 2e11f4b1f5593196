"""``xinyong intake``: load a department's file of a catalogue data item, list batches, show one batch.

Exit codes of ``load``: 0 every row loaded or unchanged (warnings allowed); 1 the batch has errors (rejected as
a whole, or with ``--partial`` some rows rejected); 2 usage error: unreadable path, unknown data item,
unregistered department. ``batches`` and ``show`` exit 0, or 2 on a usage error.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from xinyong.commands.operator import operator_context
from xinyong.intake import queries, service
from xinyong.intake.schemas import BatchSummary
from xinyong.subjects.departments import department_by_ref

app = typer.Typer(help="数据归集 (intake of departments' credit data)", no_args_is_help=True)

# Files from this size on show a progress bar on stderr (when stderr is a terminal).
PROGRESS_FROM_BYTES = 1 << 20
SHOWN_MESSAGES = 20


def _fail(message: str) -> NoReturn:
    typer.echo(f"错误: {message}", err=True)
    raise typer.Exit(2)


def _echo_json(data: str) -> None:
    typer.echo(data.encode("utf-8"))  # bytes: UTF-8 whatever the locale, Chinese unescaped


@contextmanager
def _progress(size: int, handle: Any) -> Iterator[Callable[[int], None] | None]:
    """A progress bar over the bytes read so far (on stderr), for long files on a terminal; else None."""
    if size < PROGRESS_FROM_BYTES or not sys.stderr.isatty():
        yield None
        return
    columns = (TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("校验入库中…", total=size)

        def advance(rows: int) -> None:
            bar.update(task, completed=min(handle.tell(), size), description=f"校验入库中… {rows} 行")

        yield advance


@app.command("load")
def load_file(
    file: Path = typer.Argument(..., help="CSV（UTF-8 或 GBK）、XLSX 或 JSON 文件", dir_okay=False),
    item: str = typer.Option(..., "--item", help="数据项，如 penalty（行政处罚）、licence（行政许可）"),
    source_department: str = typer.Option(
        ..., "--source-department", help="报送部门的统一社会信用代码或部门代码（须已用 departments add 登记）"
    ),
    partial: bool = typer.Option(False, "--partial", help="只装载无误的行，有误的行退回（默认整批有误即整批退回）"),
    as_json: bool = typer.Option(False, "--json", help="只输出批次结果 JSON（UTF-8）"),
) -> None:
    """Check and load a file of one data item for one department.

    Exit 0: every row loaded or unchanged (warnings allowed). Exit 1: the batch has errors (rejected as a
    whole, or with --partial some rows rejected; a file over XINYONG_INTAKE_MAX_FILE_MB is a rejected batch
    too); see `xinyong intake feedback BATCH_ID`. Exit 2: usage error (unreadable file, unknown data item,
    unregistered department)."""
    try:
        handle = file.open("rb")
    except OSError as exc:
        _fail(f"无法读取文件 {file}: {exc.strerror}")
    with handle, operator_context() as ctx:
        department = department_by_ref(ctx.session, source_department)
        size = file.stat().st_size
        with _progress(size, handle) as progress:
            summary = service.submit_file(
                ctx,
                item,
                department.id,
                handle,
                file.name,
                partial=partial,
                channel="cli",
                progress=progress,
            )
    if as_json:
        _echo_json(summary.model_dump_json())
    else:
        _print_summary(summary)
    if summary.status != "loaded" or summary.rejected:
        raise typer.Exit(1)


def _print_summary(summary: BatchSummary) -> None:
    console = Console(width=200 if not sys.stdout.isatty() else None)
    verdict = "已入库" if summary.status == "loaded" else "整批退回" if not summary.file_error else "文件无法读取"
    table = Table(title=f"报送批次 {summary.batch_id}：{summary.department} · {summary.item} · {verdict}")
    table.add_column("项目")
    table.add_column("行数", justify="right")
    for label, value in (
        ("数据行", summary.rows),
        ("入库（新增或新版本）", summary.accepted),
        ("其中替换旧版本", summary.superseded),
        ("未变化（重复报送）", summary.unchanged),
        ("退回（有错误）", summary.rejected),
        ("暂存未入库（本行无误，因整批退回）", summary.held),
    ):
        table.add_row(label, str(value))
    console.print(table)
    if summary.file_error:
        console.print(f"[red]文件问题：{summary.file_error}[/red]")
    _print_messages(console, "错误", [m for m in summary.errors if not (summary.file_error and m.row == 0)])
    _print_messages(console, "警告", summary.warnings)
    if summary.errors or summary.warnings:
        console.print(f"完整反馈（含每行每列的问题）：xinyong intake feedback {summary.batch_id}")


def _print_messages(console: Console, level: str, messages: list[Any]) -> None:
    if not messages:
        return
    table = Table(title=f"{level}（前 {min(len(messages), SHOWN_MESSAGES)} 条，共 {len(messages)} 条）")
    for column in ("行", "列", "原因"):
        table.add_column(column, overflow="fold")
    for m in messages[:SHOWN_MESSAGES]:
        table.add_row(str(m.row) if m.row else "整个文件", m.field or "（整行）", m.reason)
    console.print(table)


@app.command("batches")
def batches(
    department: str | None = typer.Option(None, "--department", help="只列出该部门（代码或统一社会信用代码）"),
    limit: int = typer.Option(50, "--limit", min=1, max=queries.MAX_LIMIT, help="最多显示条数"),
    offset: int = typer.Option(0, "--offset", min=0, help="跳过的条数"),
    as_json: bool = typer.Option(False, "--json", help="输出 JSON 数组"),
) -> None:
    """List intake batches, newest first."""
    with operator_context() as ctx:
        department_id = department_by_ref(ctx.session, department).id if department else None
        rows = queries.list_batches(ctx, department_id, limit=limit, offset=offset)
    if as_json:
        _echo_json(json.dumps([r.model_dump(mode="json") for r in rows], ensure_ascii=False))
        return
    table = Table(title=f"报送批次：{len(rows)} 个")
    for column in (
        "批次",
        "日期",
        "部门",
        "数据项",
        "来源",
        "文件",
        "状态",
        "行",
        "入库",
        "未变",
        "退回",
        "暂存",
        "警告",
    ):
        table.add_column(column, overflow="fold")
    for r in rows:
        status = "已入库" if r.status == "loaded" else "退回"
        table.add_row(
            str(r.id), r.submitted_on.isoformat(), r.department_code, r.item_name, r.channel, r.filename, status,
            str(r.rows), str(r.accepted), str(r.unchanged), str(r.rejected), str(r.held), str(r.warnings),
        )  # fmt: skip
    Console(width=200).print(table)


@app.command("show")
def show(
    batch_id: int = typer.Argument(..., help="批次号（见 intake batches）"),
    as_json: bool = typer.Option(False, "--json", help="输出批次结果 JSON"),
) -> None:
    """Show one batch: counts, first errors and warnings."""
    with operator_context() as ctx:
        summary = queries.batch_summary(ctx, batch_id)
    if as_json:
        _echo_json(summary.model_dump_json())
        return
    _print_summary(summary)


@app.command("feedback")
def feedback(
    batch_id: int = typer.Argument(..., help="批次号（见 intake batches）"),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="输出的 .xlsx 文件路径（默认当前目录下 intake_batch_<批次号>_feedback.xlsx）"
    ),
) -> None:
    """Write the batch's feedback workbook: sheet 汇总 (counts, file errors, warnings) and sheet 数据 (the rows
    not loaded, erroneous cells in red with the reason, column 错误原因)."""
    from xinyong.intake.feedback import feedback_filename, feedback_workbook  # appended command: local import

    target = output or Path(feedback_filename(batch_id))
    with operator_context() as ctx:
        data = feedback_workbook(ctx, batch_id)
    try:
        target.write_bytes(data)
    except OSError as exc:
        _fail(f"无法写入 {target}: {exc.strerror or exc}")
    typer.echo(f"已生成报送批次 {batch_id} 的校验反馈表: {target}")
