"""Commands of ``xinyong lists`` for the joint check, its feedback and the measures ledger tracking (merged into
``commands.lists.app``): ``check``, ``check-batch``, ``feedback``, ``rates``, ``progress``, ``ledger``.

The console operator acts (``cli:<login>``); ``--department CODE`` records a check as made by that department
(so its feedback and rates count there). Exit codes: 0 done; 1 ``ledger`` found overdue revise/abolish tasks
(for a scheduled check); 2 bad input (the reason in Chinese on stderr).
"""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import select

from xinyong import clock
from xinyong.auth.context import Context
from xinyong.commands.operator import operator_context
from xinyong.errors import NotFound
from xinyong.lists import check_queries, checks, measure_progress
from xinyong.lists.check_schemas import BatchOut, CheckOut, RatesOut, TrackingReport, TrackingRow
from xinyong.subjects.models import Department

app = typer.Typer()


def _fail(message: str) -> typer.Exit:
    typer.echo(f"错误: {message}", err=True)
    return typer.Exit(2)


def _day(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise _fail(f"{option} 应为日期 YYYY-MM-DD（收到 {text!r}）") from None


def _as_department(ctx: Context, code: str | None) -> Context:
    """The operator's context, checking as department ``code`` when given."""
    if code is None:
        return ctx
    found = ctx.session.scalars(select(Department).where(Department.code == code.strip())).first()
    if found is None:
        raise NotFound(f"部门代码 {code!r} 未登记（xinyong departments list 查看已登记的部门）", field="department")
    return dataclasses.replace(ctx, department_id=found.id)


DEPARTMENT = typer.Option(None, "--department", help="以该部门的名义查询（部门代码，如 czj）")
AS_JSON = typer.Option(False, "--json", help="输出 JSON")


# --------------------------------------------------------------------------------------------- checks
def _print_check(out: CheckOut) -> None:
    state = "命中名单" if out.hit else ("未命中名单" if out.found else "平台未登记该代码")
    typer.echo(f"查询记录 {out.check_id}：{out.code}，场景 {out.scenario_label}，基准日 {out.checked_on} — {state}")
    for s in out.subjects:
        typer.echo(f"  主体：{s.name}（{s.kind_label}，{s.code}）")
    for e in out.entries:
        until = e.expires_on.isoformat() if e.expires_on else "至移出之日"
        decided = e.decision_on.isoformat() if e.decision_on else "—"
        typer.echo(
            f"  名单：{e.list_name}（{e.list_kind_label}，{e.department_name}，决定 {decided}，"
            f"公示 {e.published_on}，期满 {until}）依据：{e.basis}"
        )
    for m in out.measures:
        typer.echo(
            f"  措施 {m.id}：{m.name}（{m.kind_label}，实施部门 {m.department_name}，{m.status_label}）"
            f"依据：{'；'.join(m.legal_basis)}"
        )
    if out.measures:
        typer.echo(
            f"  反馈：xinyong lists feedback {out.check_id} --measure <措施编号> --applied | --not-applied --reason …"
        )


@app.command("check")
def check(
    code: str = typer.Argument(..., help="统一社会信用代码或身份证号码"),
    scenario: str = typer.Option(..., "--scenario", help="应用场景，如 procurement（xinyong lists measures 查看）"),
    as_of: str | None = typer.Option(None, "--as-of", help="查询基准日 YYYY-MM-DD（默认今天）"),
    department: str | None = DEPARTMENT,
    as_json: bool = AS_JSON,
) -> None:
    """一键查询: the subject's entries in force and the measures that apply in the scenario (logged)."""
    day = _day(as_of, "--as-of")
    with operator_context() as ctx:
        out = checks.check(_as_department(ctx, department), code, scenario, day)
    if as_json:
        typer.echo(out.model_dump_json())
        return
    _print_check(out)


def _print_batch(out: BatchOut) -> None:
    typer.echo(
        f"批次 {out.batch_ref}：{out.total} 个代码，记录查询 {out.checked} 次，命中 {out.hits} 个，"
        f"无效 {out.invalid} 个（{out.scenario_label}，基准日 {out.checked_on}）"
    )
    table = Table("序号", "代码", "结果", "名单", "措施", "查询记录")
    for i in out.items:
        if i.error:
            result = f"无效：{i.error}"
        else:
            result = "命中" if i.hit else ("未命中" if i.found else "未登记")
            result += f"（同第 {i.duplicate_of} 行）" if i.duplicate_of else ""
        lists = "、".join(e.list_name for e in i.entries)
        table.add_row(str(i.position), i.code, result, lists, "、".join(i.measure_ids), str(i.check_id or ""))
    Console(width=200).print(table)


@app.command("check-batch")
def check_batch(
    file: Path = typer.Argument(..., help="CSV 或 TXT 文件：每行一个代码，或代码在第一列（最多 10,000 个）"),
    scenario: str = typer.Option(..., "--scenario", help="应用场景"),
    department: str | None = DEPARTMENT,
    as_json: bool = AS_JSON,
) -> None:
    """Check every code of a file: one line per position, malformed codes with their reasons."""
    try:
        content = file.read_bytes()
    except OSError as exc:
        raise _fail(f"无法读取文件 {file}：{exc.strerror or exc}") from None
    with operator_context() as ctx:
        out = checks.check_batch(_as_department(ctx, department), checks.codes_from_file(content), scenario)
    if as_json:
        typer.echo(out.model_dump_json())
        return
    _print_batch(out)


@app.command("feedback")
def feedback(
    check_id: int = typer.Argument(..., help="查询记录编号", min=1),
    measure: str = typer.Option(..., "--measure", help="措施编号（该次查询返回的措施）"),
    applied: bool | None = typer.Option(None, "--applied/--not-applied", help="是否已实施该措施"),
    reason: str = typer.Option("", "--reason", help="未实施的原因（--not-applied 时必填）"),
) -> None:
    """惩戒反馈: whether a measure the check returned was applied (once per check and measure)."""
    if applied is None:
        raise _fail("请用 --applied 或 --not-applied 说明是否已实施该措施")
    with operator_context() as ctx:
        out = checks.record_feedback(ctx, check_id, measure, applied, reason)
    state = "已实施" if out.applied else f"未实施（{out.reason}）"
    typer.echo(f"已记录：查询记录 {out.check_id} 的措施 {out.measure_id}（{out.measure_name}）{state}")


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


@app.command("rates")
def rates(
    date_from: str | None = typer.Option(None, "--from", help="统计起始日（默认本年 1 月 1 日）"),
    date_to: str | None = typer.Option(None, "--to", help="统计截止日（默认今天）"),
    as_json: bool = AS_JSON,
) -> None:
    """Feedback rates per department over the period."""
    start, end = _day(date_from, "--from"), _day(date_to, "--to")
    with operator_context() as ctx:
        out: RatesOut = check_queries.feedback_rates(ctx, start, end)
    if as_json:
        typer.echo(out.model_dump_json())
        return
    table = Table("部门", "查询", "命中", "命中且有措施", "应反馈", "已反馈", "已实施", "未实施", "反馈率", "实施率")
    for r in [*out.rows, out.total]:
        table.add_row(
            r.department_name,
            *(str(x) for x in (r.checks, r.hits, r.hits_with_measures, r.measures_due, r.feedback, r.applied)),
            str(r.not_applied),
            _pct(r.feedback_rate),
            _pct(r.applied_rate),
        )
    typer.echo(f"统计期间 {out.date_from} 至 {out.date_to}")
    Console(width=200).print(table)


# --------------------------------------------------------------------------------------------- the ledger
@app.command("progress")
def progress(
    measure: str = typer.Argument(..., help="措施编号"),
    note: str = typer.Option(..., "--note", help="进展情况"),
    done: bool = typer.Option(False, "--done", help="修订或废止任务已完成"),
    reported_on: str | None = typer.Option(None, "--on", help="进展日期 YYYY-MM-DD（默认今天）"),
) -> None:
    """Record progress on a measure's revise or abolish task (跟踪检查)."""
    day = _day(reported_on, "--on")
    with operator_context() as ctx:
        out = measure_progress.record_progress(ctx, measure, note, done, day)
    typer.echo(f"已登记措施 {out.measure_id} 的进展（{out.reported_on}{'，已完成' if out.done else ''}）：{out.note}")


def _print_ledger(report: TrackingReport, rows: list[TrackingRow]) -> None:
    table = Table("编号", "措施", "类别", "场景", "部门", "依据", "状态", "时限", "进展")
    for r in rows:
        if r.status == "retain":
            status = r.status_label
        else:
            status = r.status_label + ("（已完成）" if r.done else "（逾期）" if r.overdue else "")
        deadline = r.deadline.isoformat() if r.deadline else ""
        note = f"{r.progress_note}（{r.progress_on}）" if r.progress_note else r.ledger_progress
        table.add_row(
            r.id, r.name, r.kind_label, r.scenario_label, r.department, "；".join(r.basis), status, deadline, note
        )
    Console(width=220).print(table)
    counts = "，".join(f"{k} {v} 项" for k, v in report.by_status.items())
    typer.echo(f"台账第 {report.version} 版，基准日 {report.as_of}：{counts}；逾期 {len(report.overdue)} 项")


@app.command("ledger")
def ledger(
    as_of: str | None = typer.Option(None, "--as-of", help="检查基准日 YYYY-MM-DD（默认今天）"),
    overdue_only: bool = typer.Option(False, "--overdue", help="只列出逾期未完成修订、废止的措施"),
    as_json: bool = AS_JSON,
) -> None:
    """The ledger merged with the progress notes: basis, status, deadline, progress; overdue tasks flagged.
    Exit 1 when any revise or abolish task is overdue."""
    day = _day(as_of, "--as-of") or clock.today()
    with operator_context() as ctx:
        report = measure_progress.ledger_tracking(ctx, day)
    rows = [r for r in report.measures if r.overdue] if overdue_only else report.measures
    if as_json:
        typer.echo(report.model_copy(update={"measures": rows}).model_dump_json())
    else:
        _print_ledger(report, rows)
    if report.overdue:
        raise typer.Exit(1)
