"""``xinyong scores``: the personal honesty score of natural persons (issue #9 item 2) — run the scoring, show a
person's score with its reasons, list the models.

The console operator acts with every permission; a run leaves the same audit event as the web, and so does
showing a person's score. ``--json`` prints the API's shapes. Exit codes: 0 done; 2 bad input (an unknown model,
a date out of range, a subject that is not a natural person or was never scored), reason on stderr.
"""

from __future__ import annotations

import json
from datetime import date

import typer

from xinyong.commands.operator import operator_context
from xinyong.incentives import score_queries, scoring
from xinyong.incentives.model_yaml import ModelError, load_model, model_names

app = typer.Typer(help="个人诚信分 (personal honesty score)", no_args_is_help=True)


@app.callback()
def main() -> None:
    """个人诚信分 (personal honesty score)"""


def _echo_json(value: object) -> None:
    typer.echo(json.dumps(value, ensure_ascii=False, indent=2, default=str))


def _as_of(raw: str | None) -> date | None:
    if raw is None:
        return None
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        typer.echo(f"错误: 日期“{raw[:20]}”格式应为 YYYY-MM-DD", err=True)
        raise typer.Exit(2) from None


@app.command("run")
def run(
    as_of: str | None = typer.Option(None, "--as-of", help="评分基准日 YYYY-MM-DD（默认今天）"),
    model: str | None = typer.Option(None, "--model", help="模型代码（默认 honesty）"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """对全部自然人计算个人诚信分（新批次成为当前批次，历史保留）。"""
    day = _as_of(as_of)
    with operator_context() as ctx:
        stored = scoring.run(ctx, day or ctx.today, model)
        out = score_queries.summary(stored)
        dist = score_queries.distribution(ctx, stored.id)
    if as_json:
        _echo_json(dist.model_dump(mode="json"))
        return
    typer.echo(
        f"个人诚信分已计算（批次 {out.run_id}，模型 {out.model} 第 {out.version} 版，基准日 {out.as_of}）："
        f"{out.persons} 人，耗时 {out.seconds:.3f} 秒"
    )
    for band in dist.bands:
        typer.echo(f"  {band.label}\t{band.range}\t{band.persons} 人\t{band.share:.1%}")


@app.command("show")
def show(
    ref: str = typer.Argument(..., help="主体编号或身份证号码"),
    model: str | None = typer.Option(None, "--model", help="模型代码（默认 honesty）"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """显示某自然人在当前批次中的个人诚信分、分档、原因与历史（姓名脱敏，留痕）。"""
    with operator_context() as ctx:
        out = score_queries.person_score(ctx, score_queries.subject_by_ref(ctx, ref), model)
    if as_json:
        _echo_json(out.model_dump(mode="json"))
        return
    typer.echo(f"{out.name}（主体 {out.subject_id}）{out.label}：{out.score} 分，{out.band_label} {out.band_range}")
    typer.echo(f"  基准日 {out.as_of}，批次 {out.run_id}，基础分 {out.base_score}")
    for reason in out.reasons:
        typer.echo(f"  {reason.text}")
    if not out.reasons:
        typer.echo("  无加减分记录")
    for h in out.history:
        typer.echo(f"  历史 {h.as_of}（批次 {h.run_id}）：{h.score} 分 {h.band_label}{'（当前）' if h.current else ''}")


@app.command("models")
def models(as_json: bool = typer.Option(False, "--json", help="以 JSON 输出")) -> None:
    """列出个人诚信分模型、指标（分值、封顶、法律依据）与分档。"""
    try:
        loaded = [load_model(name) for name in model_names()]
    except ModelError as exc:
        typer.echo(f"错误: {exc}", err=True)
        raise typer.Exit(2) from None
    if as_json:
        _echo_json([m.model_dump(mode="json") for m in loaded])
        return
    for m in loaded:
        typer.echo(f"{m.name}（第 {m.version} 版）{m.label}：基础分 {m.base_score}，范围 {m.score_min}–{m.score_max}")
        for i in m.indicators:
            window = f"近 {i.window_months} 个月" if i.window_months else "在效"
            typer.echo(f"  {i.code}\t{i.label}\t每条 {i.points:+d}，封顶 {i.cap}，{window}（{i.confidence}）")
            typer.echo(f"    法律依据：{i.legal_basis}")
        for b in m.bands:
            typer.echo(f"  分档 {b.code}\t{b.label}\t{score_queries.band_range(b)}")
