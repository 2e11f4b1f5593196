"""``xinyong cases``: 失信案例核查 (dishonesty case verification, work-plan item 八) — register reported cases, work
them through 核查 → 记录 → 监管 → 惩戒 → 整改 → 教育, reassign, attach evidence, close early, list and show.

The console operator acts with every permission (``verification.open`` and ``verification.handle``); each change
runs on the case's current version and leaves a case-history step and an audit event like the web's. ``--json``
prints the same shapes as ``/api/v1/cases``. Exit codes: 0 done; 2 bad input, a refused step (wrong stage, closed
case, a link to another subject's record) or an unknown case (the reason in Chinese on stderr).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import select

from xinyong.auth.context import Context
from xinyong.commands.operator import operator_context
from xinyong.errors import InvalidInput, NotFound
from xinyong.evaluation.service import subject_by_ref
from xinyong.lists import verification, verification_queries
from xinyong.lists.verification_schemas import CaseDetail, CaseRow
from xinyong.subjects.models import Department

app = typer.Typer(help="失信案例核查 (dishonesty case verification)", no_args_is_help=True)


def _fail(message: str) -> typer.Exit:
    typer.echo(f"错误: {message}", err=True)
    return typer.Exit(2)


def _echo_json(value: object) -> None:
    typer.echo(json.dumps(value, ensure_ascii=False, indent=2, default=str))


def _department(ctx: Context, code: str) -> Department:
    found = ctx.session.scalars(select(Department).where(Department.code == code.strip())).first()
    if found is None:
        raise NotFound(f"部门代码 {code!r} 未登记（xinyong departments list 查看已登记的部门）", field="department")
    return found


def _day(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise _fail(f"{option} 应为日期 YYYY-MM-DD（收到 {text!r}）") from None


def _line(row: CaseRow) -> str:
    where = f"{row.stage_label}，期限 {row.stage_due}" if row.stage_due else f"{row.stage_label}（{row.outcome_label}）"
    late = "【已超期】" if row.overdue else ""
    return (
        f"案件 {row.id}：{row.title}；当事人 {row.subject_name}；{row.source_label}；"
        f"{row.department_name} {row.owner}；{where}{late}（版本 {row.lock_version}）"
    )


def _show(row: CaseRow, as_json: bool) -> None:
    if as_json:
        _echo_json(row.model_dump(mode="json"))
    else:
        typer.echo(_line(row))


# --------------------------------------------------------------------------------------------- reads
@app.command("rules")
def rules(as_json: bool = typer.Option(False, "--json", help="输出 JSON")) -> None:
    """The six stages with their periods, the case sources and the outcomes (rules/verification.yaml)."""
    shown = verification_queries.rules_out()
    if as_json:
        _echo_json(shown.model_dump(mode="json"))
        return
    table = Table("环节", "代码", "应形成的成果", "期限（工作日）", "依据")
    for s in shown.stages:
        table.add_row(s.label, s.code, s.produces, str(s.workdays), s.source)
    Console(width=200).print(table)
    typer.echo("案件来源：" + "；".join(f"{s.code} {s.label}" for s in shown.sources))
    typer.echo("办结结果：" + "；".join(f"{o.code} {o.label}（{o.closed_by}）" for o in shown.outcomes))


@app.command("list")
def list_cases(
    stage: str | None = typer.Option(None, "--stage", help="环节代码，或 open 办理中 / closed 已办结"),
    department: str | None = typer.Option(None, "--department", help="承办部门代码"),
    overdue: bool = typer.Option(False, "--overdue", help="只看办理中且当前环节已超期的"),
    as_of: str | None = typer.Option(None, "--as-of", help="判断超期的基准日 YYYY-MM-DD（默认今天）"),
    subject: str | None = typer.Option(None, "--subject", help="当事人主体编号或统一社会信用代码"),
    as_json: bool = typer.Option(False, "--json", help="输出 JSON：{counts, cases}"),
) -> None:
    """Cases, most urgent first, after the counts per stage."""
    day = _day(as_of, "--as-of")
    with operator_context() as ctx:
        department_id = _department(ctx, department).id if department else None
        subject_id = subject_by_ref(ctx, subject).id if subject else None
        rows = verification_queries.list_cases(
            ctx, stage=stage, department_id=department_id, overdue=overdue, as_of=day, subject_id=subject_id
        )
        counts = verification_queries.case_counts(ctx, as_of=day, department_id=department_id)
    if as_json:
        _echo_json({"counts": counts.model_dump(mode="json"), "cases": [r.model_dump(mode="json") for r in rows]})
        return
    labels = verification.rules().stage_labels()
    typer.echo(
        f"截至 {counts.as_of}：办理中 {counts.open} 件（"
        + "，".join(f"{labels[k]} {v}" for k, v in counts.by_stage.items())
        + f"），已超期 {counts.overdue} 件，已办结 {counts.closed} 件"
    )
    for row in rows:
        typer.echo(_line(row))
    if not rows:
        typer.echo("没有符合条件的失信案例")


def _detail_lines(c: CaseDetail) -> list[str]:
    lines = [_line(c), f"反映的问题：{c.summary}"]
    if c.record:
        lines.append(f"关联信用记录：{c.record.label}")
    if c.list_entry:
        lines.append(f"关联名单条目：{c.list_entry.label}")
    if c.outcome_note:
        lines.append(f"办结说明：{c.outcome_note}")
    states = {"done": "已完成", "current": "办理中", "pending": "待办", "skipped": "未经历"}
    for n, s in enumerate(c.stages, 1):
        when = s.completed_at.strftime("%Y-%m-%d %H:%M") if s.completed_at else (f"期限 {s.due}" if s.due else "")
        lines.append(f"  {n}. {s.label}：{states[s.state]} {when} {s.note}".rstrip())
    lines.append("办理记录：")
    lines += [f"  {h.at:%Y-%m-%d %H:%M} {h.action_label} {h.actor} {h.note}".rstrip() for h in c.history]
    if c.files:
        lines.append("材料：" + "；".join(f"{f.id} {f.filename}（{f.size} 字节）" for f in c.files))
    return lines


@app.command("show")
def show(case_id: int = typer.Argument(..., help="案件编号"), as_json: bool = typer.Option(False, "--json")) -> None:
    """One case: the report, the stage timeline, links, history and files."""
    with operator_context() as ctx:
        detail = verification_queries.get_case(ctx, case_id)
    if as_json:
        _echo_json(detail.model_dump(mode="json"))
        return
    typer.echo("\n".join(_detail_lines(detail)))


# --------------------------------------------------------------------------------------------- changes
@app.command("open")
def open_case(
    title: str = typer.Option(..., "--title", help="案件名称"),
    source: str = typer.Option(..., "--source", help="案件来源代码（xinyong cases rules）"),
    summary: str = typer.Option(..., "--summary", help="反映的失信问题"),
    department: str = typer.Option(..., "--department", help="承办部门代码，如 rsj"),
    owner: str = typer.Option(..., "--owner", help="经办人"),
    subject: str | None = typer.Option(None, "--subject", help="当事人主体编号或统一社会信用代码"),
    subject_name: str = typer.Option("", "--subject-name", help="当事人名称（未给 --subject 时必填）"),
    source_ref: str = typer.Option("", "--source-ref", help="来源编号，如 12345 工单号"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Register a reported case and assign it (stage 核查, due in its working days)."""
    with operator_context() as ctx:
        subject_id = subject_by_ref(ctx, subject).id if subject else None
        made = verification.open_case(
            ctx, title, subject_id, subject_name, source, source_ref, summary, _department(ctx, department).id, owner
        )
        row = verification_queries.summary(ctx, made)
    _show(row, as_json)


@app.command("complete")
def complete(
    case_id: int = typer.Argument(..., help="案件编号"),
    note: str = typer.Option(..., "--note", help="本环节办理情况"),
    stage: str | None = typer.Option(None, "--stage", help="办理的环节代码（须为当前环节）"),
    founded: bool | None = typer.Option(None, "--founded/--unfounded", help="核查结论：属实 / 不属实（核查环节必填）"),
    subject: str | None = typer.Option(None, "--subject", help="核查环节确定当事人：主体编号或统一社会信用代码"),
    record: int | None = typer.Option(None, "--record", help="记录环节：关联的信用记录编号"),
    entry: int | None = typer.Option(None, "--entry", help="惩戒环节：关联的名单条目编号"),
    outcome: str | None = typer.Option(None, "--outcome", help="最后一个环节：办结结果代码"),
    next_owner: str | None = typer.Option(None, "--next-owner", help="下一环节经办人"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Record the current stage's result and move to the next stage (or close the case)."""
    with operator_context() as ctx:
        current = verification.case_or_404(ctx, case_id)
        subject_id = subject_by_ref(ctx, subject).id if subject else None
        done = verification.complete_stage(
            ctx,
            case_id,
            note,
            current.lock_version,
            next_owner,
            record,
            entry,
            founded,
            stage=stage,
            outcome=outcome,
            subject_id=subject_id,
        )
        row = verification_queries.summary(ctx, done)
    _show(row, as_json)


@app.command("reassign")
def reassign(
    case_id: int = typer.Argument(..., help="案件编号"),
    owner: str = typer.Option(..., "--owner", help="新的经办人"),
    department: str | None = typer.Option(None, "--department", help="改由该部门承办（部门代码）"),
    note: str = typer.Option("", "--note", help="改派说明"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Give an open case another handler (and, with --department, another department)."""
    with operator_context() as ctx:
        current = verification.case_or_404(ctx, case_id)
        department_id = _department(ctx, department).id if department else None
        done = verification.reassign(ctx, case_id, owner, current.lock_version, department_id=department_id, note=note)
        row = verification_queries.summary(ctx, done)
    _show(row, as_json)


@app.command("close")
def close(
    case_id: int = typer.Argument(..., help="案件编号"),
    outcome: str = typer.Option(..., "--outcome", help="办结结果：transferred 移送 / merged 并案 / withdrawn 撤销"),
    note: str = typer.Option(..., "--note", help="办结说明"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Close an open case early (the credit office's outcomes)."""
    with operator_context() as ctx:
        current = verification.case_or_404(ctx, case_id)
        done = verification.close_case(ctx, case_id, outcome, note, current.lock_version)
        row = verification_queries.summary(ctx, done)
    _show(row, as_json)


@app.command("attach")
def attach(
    case_id: int = typer.Argument(..., help="案件编号"),
    files: list[Path] = typer.Argument(..., help="材料文件：PDF、JPG、PNG、DOCX、XLSX"),
) -> None:
    """Attach evidence files to an open case (all or none)."""
    with operator_context() as ctx:
        for path in files:
            try:
                content = path.read_bytes()
            except OSError as exc:
                raise InvalidInput(f"无法读取文件 {path}：{exc.strerror}", field="files") from None
            row = verification.attach(ctx, case_id, path.name, content)
            typer.echo(f"已上传材料 {row.id}：{row.filename}（{row.size} 字节，SHA-256 {row.sha256}）")
