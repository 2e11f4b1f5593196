"""``xinyong quality``: department data-quality scorecards (通报), their Excel export, and reference lists.

Exit codes: 0 done; 2 invalid input (bad month, unknown item or department, a reference list with errors:
every row's reason is printed on stderr, and nothing is stored).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from xinyong.commands.operator import operator_context
from xinyong.quality import export, reference
from xinyong.quality.schemas import Scorecard
from xinyong.quality.scorecard import scorecard as compute_scorecard
from xinyong.subjects.departments import department_by_ref

app = typer.Typer(help="数据质量通报与参照清单 (department data-quality scorecards)", no_args_is_help=True)

JSON_KEYS = (
    "department",
    "code",
    "records",
    "rows_submitted",
    "validity_rate",
    "timeliness_rate",
    "late_rate",
    "completeness_rate",
    "omissions",
    "omission_rate",
    "correction_days",
    "score",
    "grade",
    "rank",
)


def _as_of(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        typer.echo(f"错误: --as-of 应为日期 YYYY-MM-DD（收到 {text!r}）", err=True)
        raise typer.Exit(2) from None


def card_json(card: Scorecard) -> dict[str, object]:
    """The ``--json`` shape: month, item, as_of and one object per department."""
    return {
        "month": card.month,
        "item": card.item,
        "as_of": card.as_of.isoformat(),
        "rules_version": card.rules_version,
        "weights": card.weights,
        "departments": [{k: getattr(d, k) for k in JSON_KEYS} for d in card.departments],
    }


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.2f}%"


def _number(value: float | int | None) -> str:
    return "—" if value is None else f"{value:g}"


@app.command("scorecard")
def scorecard(
    month: str = typer.Option(..., "--month", help="月份 YYYY-MM，如 2026-10"),
    item: str | None = typer.Option(None, "--item", help="数据项，如 penalty、licence（默认全部）"),
    as_of: str | None = typer.Option(None, "--as-of", help="统计截止日 YYYY-MM-DD（默认今天）"),
    as_json: bool = typer.Option(False, "--json", help="输出 JSON"),
) -> None:
    """Rank the departments for one month: 合规率, 及时率/迟报率, 完整率, 瞒报率, 纠错时效, score and grade."""
    with operator_context() as ctx:
        card = compute_scorecard(ctx, month, item_id=item, as_of=_as_of(as_of))
    if as_json:
        typer.echo(json.dumps(card_json(card), ensure_ascii=False, indent=2))
        return
    table = Table(title=f"{card.month} 数据归集质量通报（截至 {card.as_of.isoformat()}，非官方口径）")
    for column in (
        "排名",
        "部门",
        "新增",
        "合规率",
        "及时率",
        "迟报率",
        "完整率",
        "瞒报",
        "瞒报率",
        "纠错(工作日)",
        "得分",
        "等级",
    ):
        table.add_column(column)
    for d in card.departments:
        table.add_row(
            _number(d.rank),
            f"{d.department}（{d.code}）",
            str(d.records),
            _percent(d.validity_rate),
            _percent(d.timeliness_rate),
            _percent(d.late_rate),
            _percent(d.completeness_rate),
            str(d.omissions),
            _percent(d.omission_rate),
            _number(d.correction_days),
            _number(d.score),
            d.grade or "—",
        )
    Console(width=200).print(table)


@app.command("export")
def export_(
    month: list[str] = typer.Option(..., "--month", help="月份 YYYY-MM，可重复（每月一个工作表）"),
    output: Path = typer.Option(..., "-o", "--output", help="输出的 .xlsx 文件"),
    item: str | None = typer.Option(None, "--item", help="数据项（默认全部）"),
    as_of: str | None = typer.Option(None, "--as-of", help="统计截止日 YYYY-MM-DD（默认今天）"),
) -> None:
    """Write the scorecards of the given months to an Excel workbook."""
    with operator_context() as ctx:
        data = export.export_scorecards(ctx, month, item_id=item, as_of=_as_of(as_of))
    try:
        output.write_bytes(data)
    except OSError as exc:
        typer.echo(f"错误: 无法写入 {output}：{exc.strerror or exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"已导出 {len(set(month))} 个月的质量通报到 {output}")


@app.command("reference")
def reference_(
    file: Path = typer.Argument(..., help="参照清单文件（CSV 或 .xlsx），列：文书号、决定日期、行政相对人名称"),
    item: str = typer.Option(..., "--item", help="数据项，如 penalty"),
    department: str = typer.Option(..., "--department", help="部门代码或统一社会信用代码"),
    list_name: str | None = typer.Option(None, "--list-name", help="清单名称（默认为文件名）"),
) -> None:
    """Register a reference list (decisions known from another source) for omission checks; all or nothing."""
    try:
        handle = file.open("rb")
    except OSError as exc:
        typer.echo(f"错误: 无法读取 {file}：{exc.strerror or exc}", err=True)
        raise typer.Exit(2) from None
    with handle, operator_context() as ctx:
        dept = department_by_ref(ctx.session, department)
        result = reference.load_reference_file(ctx, item, dept.id, handle, file.name, list_name=list_name or file.stem)
    typer.echo(
        f"参照清单“{result.list_name}”（{result.item}，{result.department}）：共 {result.rows} 行，"
        f"新登记 {result.added} 行，已登记 {result.unchanged} 行"
    )
