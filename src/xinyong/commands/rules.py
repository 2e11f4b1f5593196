"""``xinyong rules ...``: check a rule on its own, without a database.

``xinyong rules publicity --severity minor|general|serious --decided DATE --as-of DATE [--category 处罚类别]
[--basis TEXT] [--json]``: the publicity window of a penalty under ``rules/publicity.yaml`` (``records.regimes``).
``--json`` prints exactly ``{"regime", "min_end", "max_end", "published", "min_period_passed"}`` (ISO dates;
``max_end`` is the last published day in force on ``--as-of``, after the straddle rule); without it a table.
The severity may be left out when ``--category`` is given (classified as intake does).

Exit codes: 0 done; 2 invalid input (a bad date or severity, with the reason in Chinese on stderr).
"""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from xinyong import clock
from xinyong.errors import InvalidInput
from xinyong.records.regimes import SEVERITY_LABELS, Window, classify_severity, publicity_rules, publicity_window

app = typer.Typer(help="规则查验 (check rules on their own)", no_args_is_help=True)


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


def publicity_answer(window: Window, as_of: date) -> dict[str, object]:
    """The ``--json`` shape."""
    end = window.end_on(as_of)
    return {
        "regime": window.regime,
        "min_end": window.min_end.isoformat() if window.min_end else None,
        "max_end": end.isoformat() if end else None,
        "published": window.published,
        "min_period_passed": window.min_period_passed(as_of),
    }


@app.command("publicity")
def publicity(
    decided: Annotated[str, typer.Option("--decided", help="处罚决定日期 YYYY-MM-DD")],
    severity: Annotated[
        str | None, typer.Option("--severity", help="失信严重程度: minor 轻微 / general 一般 / serious 严重")
    ] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="按哪一天计算 YYYY-MM-DD（默认今天）")] = None,
    category: Annotated[str | None, typer.Option("--category", help="处罚类别（未给 --severity 时据此认定）")] = None,
    basis: Annotated[
        str | None, typer.Option("--basis", help="处罚依据或违法行为类型（识别特种设备、安全生产、消防）")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False,
) -> None:
    """Publicity window of a penalty: regime, end of the minimum period, last published day, published or not."""
    decided_on = _day(decided, "--decided")
    day = _day(as_of, "--as-of") or clock.today()
    assert decided_on is not None
    if severity is None and category is None:
        raise _fail("请给出 --severity（minor、general 或 serious），或给出 --category 按处罚类别认定")
    try:
        level = classify_severity(severity, category)
        window = publicity_window(level, decided_on, [basis])
    except InvalidInput as exc:
        raise _fail(exc.message) from None
    answer = publicity_answer(window, day)
    if as_json:
        typer.echo(json.dumps(answer, ensure_ascii=False))
        return
    regime = publicity_rules().regime(window.regime)
    table = Table(title=f"公示期限（决定日期 {decided_on.isoformat()}，截至 {day.isoformat()}）", show_header=False)
    table.add_column("项目")
    table.add_column("结果")
    table.add_row("适用规则", f"{regime.name}（{regime.id}）")
    table.add_row("失信严重程度", f"{SEVERITY_LABELS[level]}（{level}）")
    table.add_row("是否公示", "公示" if window.published else "不予公示")
    special = next((c.name for c in regime.special_cases if c.id == window.special_case), None)
    table.add_row("特殊情形", special or "—")
    table.add_row("最短公示期至", window.min_end.isoformat() if window.min_end else "—")
    table.add_row("已过最短公示期", "是" if answer["min_period_passed"] else "否")
    table.add_row("公示截止日（该日适用）", str(answer["max_end"] or "—"))
    if window.later_end and window.later_from:
        table.add_row("原规则公示截止日", window.max_end.isoformat() if window.max_end else "—")
        table.add_row("更有利的新规则", f"自 {window.later_from.isoformat()} 起截止于 {window.later_end.isoformat()}")
    table.add_row("规则版本", f"publicity.yaml 第 {window.rule_version} 版")
    Console().print(table)
