"""``xinyong evaluate``: run the credit evaluation (公共信用综合评价) and explain a subject's grade.

Exit codes: 0 done; 2 invalid input (bad date, unknown model or subject; the reason is printed on stderr).
"""

from __future__ import annotations

import json
from datetime import date

import typer
from rich.console import Console
from rich.table import Table

from xinyong.commands.operator import operator_context
from xinyong.evaluation import service
from xinyong.evaluation.models_yaml import GRADES
from xinyong.evaluation.schemas import Explanation, RunSummary

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


@app.command("run")
def run(
    as_of: str = typer.Option(..., "--as-of", help="评价基准日 YYYY-MM-DD"),
    model: str | None = typer.Option(None, "--model", help="评价模型（默认 general），如 construction"),
    as_json: bool = typer.Option(False, "--json", help="输出 JSON"),
) -> None:
    """Evaluate every subject the model covers as of the day; the results are stored with the model version."""
    day = _day(as_of)
    with operator_context() as ctx:
        summary = service.run_evaluation(ctx, day, model)
    if as_json:
        typer.echo(json.dumps(run_json(summary), ensure_ascii=False))
        return
    grades = "，".join(f"{g} {summary.grades.get(g, 0)}" for g in GRADES)
    typer.echo(
        f"评价批次 {summary.run_id}：模型 {summary.model} 第 {summary.version} 版，基准日 {summary.as_of.isoformat()}，"
        f"参评主体 {summary.subjects} 户（{grades}），耗时 {summary.seconds:.3f} 秒"
    )


def explanation_json(shown: Explanation) -> dict[str, object]:
    """The ``explain --json`` shape (the API's explanation)."""
    return shown.model_dump(mode="json")


@app.command("explain")
def explain(
    subject: str = typer.Argument(..., help="统一社会信用代码或主体编号"),
    as_of: str = typer.Option(..., "--as-of", help="评价基准日 YYYY-MM-DD"),
    model: str | None = typer.Option(None, "--model", help="评价模型（默认 general）"),
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
