"""``xinyong evaluate``: run the credit evaluation (公共信用综合评价), explain a subject's grade, validate a model
(grade stability and bad rate by grade).

Exit codes: 0 done; 2 invalid input (bad date, unknown model or subject; the reason is printed on stderr).
"""

from __future__ import annotations

import json
import shlex
import sys
from datetime import date
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from xinyong.commands.operator import operator_context
from xinyong.evaluation import service
from xinyong.evaluation.models_yaml import GRADES, EvaluationModel, ModelError, read_model
from xinyong.evaluation.schemas import Explanation, RunSummary, ValidationReport
from xinyong.evaluation.validation import validate_model
from xinyong.evaluation.validation_markdown import percent, to_markdown

app = typer.Typer(help="公共信用综合评价 (credit evaluation)", no_args_is_help=True)

SEVERITY_LABELS = {"minor": "轻微", "general": "一般", "serious": "严重"}


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        typer.echo(f"错误: --as-of 应为日期 YYYY-MM-DD（收到 {text!r}）", err=True)
        raise typer.Exit(2) from None


def run_json(run: RunSummary) -> dict[str, object]:
    """The ``run --json`` shape: exactly model, version, as_of, subjects, grades, seconds."""
    return {
        "model": run.model,
        "version": run.version,
        "as_of": run.as_of.isoformat(),
        "subjects": run.subjects,
        "grades": {g: run.grades.get(g, 0) for g in GRADES},
        "seconds": run.seconds,
    }


def _run_line(summary: RunSummary) -> str:
    grades = "，".join(f"{g} {summary.grades.get(g, 0)}" for g in GRADES)
    return (
        f"评价批次 {summary.run_id}：模型 {summary.model} 第 {summary.version} 版，基准日 {summary.as_of.isoformat()}，"
        f"参评主体 {summary.subjects} 户（{grades}），耗时 {summary.seconds:.3f} 秒"
    )


@app.command("run")
def run(
    as_of: str = typer.Option(..., "--as-of", help="评价基准日 YYYY-MM-DD"),
    model: str | None = typer.Option(None, "--model", help="评价模型（默认 general），如 construction"),
    run_all: bool = typer.Option(False, "--all", help="运行通用模型及全部行业模型（每个模型一行）"),
    as_json: bool = typer.Option(False, "--json", help="输出 JSON（--all 时每个模型一行 JSON）"),
) -> None:
    """Evaluate every subject the model covers as of the day; the results are stored with the model version.
    With ``--all``: the general model, then every industry model (one run, one line each)."""
    day = _day(as_of)
    if run_all and model:
        typer.echo("错误: --all 与 --model 不能同时使用", err=True)
        raise typer.Exit(2)
    with operator_context() as ctx:
        summaries = service.run_all(ctx, day) if run_all else [service.run_evaluation(ctx, day, model)]
    for summary in summaries:
        typer.echo(json.dumps(run_json(summary), ensure_ascii=False) if as_json else _run_line(summary))


def explanation_json(shown: Explanation) -> dict[str, object]:
    """The ``explain --json`` shape (the API's explanation)."""
    return shown.model_dump(mode="json")


@app.command("explain")
def explain(
    subject: str = typer.Argument(..., help="统一社会信用代码或主体编号"),
    as_of: str = typer.Option(..., "--as-of", help="评价基准日 YYYY-MM-DD"),
    model: str | None = typer.Option(None, "--model", help="评价模型（默认按主体行业：行业模型，否则 general）"),
    as_json: bool = typer.Option(False, "--json", help="输出 JSON"),
) -> None:
    """A subject's score by dimension and indicator, with the records behind each indicator."""
    day = _day(as_of)
    with operator_context() as ctx:
        found = service.subject_by_ref(ctx, subject)
        shown = service.explain(ctx, found.id, day, model)
    if as_json:
        typer.echo(json.dumps(explanation_json(shown), ensure_ascii=False, indent=2))
        return
    typer.echo(
        f"{shown.subject_name}（{shown.uscc or '无代码'}）截至 {shown.as_of.isoformat()}："
        f"{shown.score:g} 分，{shown.grade} 级（{shown.grade_label}）；模型 {shown.model} 第 {shown.version} 版，"
        f"基础分 {shown.base_score:g}"
    )
    table = Table()
    for column in ("维度", "指标", "记录", "衰减后", "封顶后", "计入", "依据记录"):
        table.add_column(column)
    for dimension in shown.dimensions:
        for indicator in dimension.indicators:
            records = "；".join(
                f"{r.doc_no} {r.decided_on.isoformat()} {SEVERITY_LABELS.get(r.severity or '', '')} {r.points:g}"
                for r in indicator.records
            )
            table.add_row(
                dimension.label,
                indicator.label,
                str(len(indicator.records)),
                f"{indicator.raw:g}",
                f"{indicator.points:g}",
                f"{indicator.weighted:g}",
                records or "—",
            )
    Console(width=200).print(table)


@app.command("validate")
def validate(
    model: str | None = typer.Option(None, "--model", help="评价模型（默认 general）"),
    model_file: Path | None = typer.Option(
        None, "--model-file", help="从 YAML 文件读取的评价模型（如修改后的副本）", exists=True, dir_okay=False
    ),
    from_month: str = typer.Option(..., "--from", help="起始月份 YYYY-MM"),
    to_month: str = typer.Option(..., "--to", help="截止月份 YYYY-MM"),
    horizon: int | None = typer.Option(None, "--horizon", help="观察期（月），默认取模型 validation.horizon_months"),
    as_json: bool = typer.Option(False, "--json", help="输出 JSON"),
    markdown: bool = typer.Option(False, "--markdown", help="输出 Markdown 报告"),
) -> None:
    """Scorecard validation: grade stability month to month and bad rate by grade against later penalties."""
    if model and model_file:
        typer.echo("错误: --model 与 --model-file 不能同时使用", err=True)
        raise typer.Exit(2)
    spec: str | EvaluationModel | None = model
    if model_file is not None:
        try:
            spec = read_model(model_file)
        except ModelError as exc:
            typer.echo(f"错误: {exc}", err=True)
            raise typer.Exit(2) from None
    with operator_context() as ctx:
        report = validate_model(ctx, spec, from_month, to_month, horizon)
    if as_json:
        typer.echo(json.dumps(report.model_dump(mode="json"), ensure_ascii=False, indent=2))
        return
    if markdown:
        typer.echo(to_markdown(report, _command_line()), nl=False)
        return
    _print_report(report)


def _command_line() -> str:
    """The command as typed (for the report's provenance)."""
    return "xinyong " + " ".join(shlex.quote(a) for a in sys.argv[1:]) if sys.argv[1:] else ""


def _print_report(report: ValidationReport) -> None:
    typer.echo(
        f"{report.label}（{report.model} 第 {report.version} 版）{report.from_month} 至 {report.to_month}，"
        f"观察期 {report.horizon_months} 个月；等级保持率 {percent(report.kept_share)}；"
        f"坏样本率单调（A ≤ B ≤ C ≤ D）：{'是' if report.monotone else '否'}"
        f"（逐月 {report.months_monotone}/{len(report.months)}）"
    )
    table = Table(title="各等级坏样本率（全部月末合计）")
    for column in ("等级", "名称", "主体-月", "坏样本", "坏样本率"):
        table.add_column(column)
    for p in report.pooled:
        table.add_row(p.grade, p.label, str(p.subjects), str(p.bad), percent(p.bad_rate))
    months = Table(title="各月末")
    for column in ("月末", "参评", *GRADES, "单调", "观察期完整", "保持率（较上月）"):
        months.add_column(column)
    kept = {t.to_as_of: t.kept_share for t in report.transitions}
    for m in report.months:
        months.add_row(
            m.as_of.isoformat(),
            str(m.subjects),
            *(f"{m.grades[g]} / {percent(m.bad_rate[g])}" for g in GRADES),
            "是" if m.monotone else "否",
            "是" if m.complete else "否",
            percent(kept[m.as_of]) if m.as_of in kept else "—",
        )
    console = Console(width=200)
    console.print(table)
    console.print(months)
