"""``xinyong monitoring``: city credit monitoring (城市信用状况监测预警, issue #12 item 1) — run a month, show its
scores (district, townships, indicators), enter a manual value with its evidence, run the negative check; enter and
show the city's published district results beside our computed score (``city-results add/show``, item 4).

The console operator acts with every permission; runs and entries leave the same audit events as the web.
``--json`` prints the API's shapes. Exit codes: 0 done; 1 the negative check found records or catalogue items
without a legal basis (each listed); 2 bad input (a malformed or future month, an unknown or computed indicator,
a value out of range, a missing evidence), reason on stderr.
"""

from __future__ import annotations

import json
from pathlib import Path

import typer

from xinyong.commands.operator import operator_context
from xinyong.monitoring import city, queries, service
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


# --------------------------------------------------------------------------------------------- city results
city_app = typer.Typer(help="市公布的各区监测结果 (the city's published district results)", no_args_is_help=True)
app.add_typer(city_app, name="city-results")


@city_app.command("add")
def city_add(
    month: str = typer.Option(..., "--month", help="月份 YYYY-MM"),
    source: str = typer.Option(..., "--source", help="来源：市通报文件名称、文号与日期"),
    own: str = typer.Option("番禺区", "--own", help="本区名称（该行标记为本区）"),
    row: list[str] = typer.Option([], "--row", help="一个区：区名,得分[,名次]（可重复）"),
    file: Path | None = typer.Option(None, "--file", help="CSV 文件：每行 区名,得分[,名次]（UTF-8）"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """录入某月市公布的各区监测得分与名次（更正时再次录入，以最新一次为准）。"""
    lines = list(row)
    if file is not None:
        try:
            lines += file.read_text(encoding="utf-8-sig").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            typer.echo(f"错误: 无法读取 {file}：{exc}", err=True)
            raise typer.Exit(2) from None
    with operator_context() as ctx:
        out = city.enter_results(ctx, month, city.parse_lines(lines, own), source)
    if as_json:
        _echo_json([r.model_dump(mode="json") for r in out])
        return
    mine = next(r for r in out if r.own)
    rank = f"第 {mine.rank} 名" if mine.rank else "未公布名次"
    typer.echo(f"已录入 {month} 市公布结果 {len(out)} 个区；{mine.district} {mine.score:g} 分，{rank}")


@city_app.command("show")
def city_show(
    month: str | None = typer.Option(None, "--month", help="月份 YYYY-MM（不填则列出已录入的月份）"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """显示某月全市各区结果与本平台自算得分的对照（差异说明）。"""
    with operator_context() as ctx:
        if month is None:
            listed = city.months(ctx)
            if as_json:
                _echo_json([m.model_dump(mode="json") for m in listed])
                return
            for m in listed:
                ours = "—" if m.computed_score is None else f"{m.computed_score:.2f}"
                theirs = "—" if m.own_score is None else f"{m.own_score:g}"
                typer.echo(
                    f"{m.month}\t市公布 {theirs}（第 {m.own_rank or '—'} 名）\t本平台自算 {ours}\t{m.districts} 个区"
                )
            return
        result = city.comparison(ctx, month)
    if as_json:
        _echo_json(result.model_dump(mode="json"))
        return
    typer.echo(f"{result.month} 全市各区城市信用监测结果（市公布）：")
    for r in result.results:
        mark = " ← 本区" if r.own else ""
        typer.echo(f"  {r.rank or '—':>3}\t{r.district}\t{r.score:g}{mark}")
    ours = "—" if result.computed_score is None else f"{result.computed_score:.2f}"
    typer.echo(f"本平台自算全区得分：{ours}")
    for line in result.explanation:
        typer.echo(f"  {line}")
