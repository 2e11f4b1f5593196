"""``xinyong monitoring``: city credit monitoring (城市信用状况监测预警, issue #12 item 1) — run a month, show its
scores (district, townships, indicators), enter a manual value with its evidence, run the negative check.

The console operator acts with every permission; runs and entries leave the same audit events as the web.
``--json`` prints the API's shapes. Exit codes: 0 done; 1 the negative check found records or catalogue items
without a legal basis (each listed); 2 bad input (a malformed or future month, an unknown or computed indicator,
a value out of range, a missing evidence), reason on stderr.
"""

from __future__ import annotations

import json

import typer

from xinyong.commands.operator import operator_context
from xinyong.monitoring import queries, service
from xinyong.monitoring.schemas import WARNING_LABELS, NegativeFinding, RunDetail

app = typer.Typer(help="城市信用状况监测预警 (city credit monitoring)", no_args_is_help=True)
VERSION_HELP = "指标模型版本（默认 2020）"


def _echo_json(value: object) -> None:
    typer.echo(json.dumps(value, ensure_ascii=False, indent=2, default=str))


def _finding(f: NegativeFinding) -> str:
    where = f"资源目录 {f.item}（{f.where}）" if f.kind == "catalogue" else f"信用记录 {f.item}"
    docs = f"：{'、'.join(f.docs)}" if f.docs else ("" if f.kind == "catalogue" else f"（{f.where}）")
    found = f" — “{f.keyword}”属“{f.category}”" if f.keyword else ""
    return f"  {where}{docs}{found}"


def _print_detail(detail: RunDetail) -> None:
    typer.echo(
        f"{detail.month}（{detail.model_version} 版，第 {detail.id} 次计算）全区得分 {detail.district_score:.2f}"
        f"，预警 {detail.warnings} 项，负面清单检查{'通过' if detail.negative_ok else '未通过'}"
    )
    for u in detail.units:
        typer.echo(f"  {u.name:<8}\t{u.score:6.2f}\t预警 {u.warnings}")
    typer.echo(f"{detail.unit} 指标明细：")
    for i in detail.indicators:
        value = "—" if i.value is None else f"{i.value:.3f} {i.unit_label}"
        flags = "、".join(WARNING_LABELS.get(w, w) for w in i.warnings)
        typer.echo(f"  {i.name}\t{value}\t{i.score:.2f}/{i.weight:g}\t{flags}")
    for f in detail.negative:
        typer.echo(_finding(f))


@app.command("run")
def run(
    month: str = typer.Option(..., "--month", help="月份 YYYY-MM"),
    version: int | None = typer.Option(None, "--version", help=VERSION_HELP),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """计算某月全区及各镇街的监测指标（重算保留历史，手工填报值沿用）。"""
    with operator_context() as ctx:
        out = service.run_month(ctx, month, version)
    if as_json:
        _echo_json(out.model_dump(mode="json"))
        return
    verdict = "通过" if out.negative_ok else "未通过"
    typer.echo(
        f"{out.month} 已计算（第 {out.id} 次）：全区得分 {out.district_score:.2f}，预警 {out.warnings} 项，"
        f"负面清单检查{verdict}，耗时 {out.seconds:.3f} 秒"
    )


@app.command("scores")
def scores(
    month: str = typer.Option(..., "--month", help="月份 YYYY-MM"),
    unit: str | None = typer.Option(None, "--unit", help="区代码 440113（默认）或镇街代码"),
    version: int | None = typer.Option(None, "--version", help=VERSION_HELP),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """显示某月的全区与各镇街得分及指标明细。"""
    with operator_context() as ctx:
        detail = queries.run_detail(ctx, month, unit, version)
    if as_json:
        _echo_json(detail.model_dump(mode="json"))
        return
    _print_detail(detail)


@app.command("enter")
def enter(
    indicator: str = typer.Argument(..., help="指标代码（手工指标）"),
    unit: str = typer.Option(..., "--unit", help="区代码 440113 或镇街代码"),
    value: float = typer.Option(..., "--value", help="指标值"),
    evidence: str = typer.Option(..., "--evidence", help="佐证材料说明"),
    month: str = typer.Option(..., "--month", help="月份 YYYY-MM"),
    version: int | None = typer.Option(None, "--version", help=VERSION_HELP),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """填报手工指标值（附佐证材料）；该月已计算的，立即更新得分。"""
    with operator_context() as ctx:
        out = service.enter_value(ctx, indicator, unit, value, evidence, month, version)
    if as_json:
        _echo_json(out.model_dump(mode="json"))
        return
    applied = f"，已更新第 {out.applied_to_run} 次计算的得分" if out.applied_to_run else "，计算该月时计入"
    typer.echo(f"已填报 {out.indicator} {out.unit} {out.month} = {out.value:g}{applied}")


@app.command("negative-check")
def negative_check(
    version: int | None = typer.Option(None, "--version", help=VERSION_HELP),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """负面清单检查：资源目录与信用记录中不得有无法律依据的失信事项；发现即列出并以退出码 1 结束。"""
    with operator_context() as ctx:
        result = queries.check_negative(ctx, version)
    if as_json:
        _echo_json(result.model_dump(mode="json"))
    elif result.ok:
        typer.echo("负面清单检查通过：未发现无法律依据的失信事项。")
    else:
        typer.echo(f"负面清单检查未通过：发现 {len(result.findings)} 处无法律依据的失信事项", err=True)
        for f in result.findings:
            typer.echo(_finding(f), err=True)
    if not result.ok:
        raise typer.Exit(1)
