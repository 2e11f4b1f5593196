"""``xinyong privacy``: compiled PSI sets, exchange logs, the data sandbox and federated runs (issue #10).

``rebuild [--scope S] [--as-of DAY] [--force]`` compiles one scope or every scope of ``rules/privacy.yaml`` from
current data (a new version only when the set changed; ``--force`` rotates the key anyway); ``sets`` shows the
scopes and their current versions; ``exchanges`` the newest protocol exchanges (sizes only). The console operator
acts with every permission; builds leave the same audit events as the web. ``--json`` prints the API's shapes.
Exit codes: 0 done; 2 bad input (an unknown scope, a malformed day), reason on stderr.
"""

from __future__ import annotations

import json
from datetime import date

import typer

from xinyong.commands.operator import operator_context
from xinyong.privacy import psi_sets, queries
from xinyong.privacy.policy import load_policy

app = typer.Typer(help="隐私计算 (privacy-preserving queries)", no_args_is_help=True)


@app.callback()
def main() -> None:
    """隐私计算 (privacy-preserving queries)"""


def _echo_json(value: object) -> None:
    typer.echo(json.dumps(value, ensure_ascii=False, indent=2, default=str))


def _day(raw: str | None) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        typer.echo(f"错误: 日期“{raw[:20]}”格式应为 YYYY-MM-DD", err=True)
        raise typer.Exit(2) from None


@app.command("rebuild")
def rebuild(
    scope: str | None = typer.Option(None, "--scope", help="只编制该范围（默认全部）"),
    as_of: str | None = typer.Option(None, "--as-of", help="按该日的数据编制 YYYY-MM-DD（默认今天）"),
    force: bool = typer.Option(False, "--force", help="数据未变也重新编制（轮换密钥）"),
    reason: str = typer.Option("", "--reason", help="编制原因"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """从当前名单与评价结果重新编制隐私求交集合（数据未变则跳过）。"""
    day = _day(as_of)
    with operator_context() as ctx:
        if scope:
            results = [psi_sets.rebuild(ctx, scope, day, reason=reason or "cli", force=force)]
        else:
            scopes = list(load_policy().scopes)
            results = [psi_sets.rebuild(ctx, s, day, reason=reason or "cli", force=force) for s in scopes]
    if as_json:
        _echo_json([r.__dict__ for r in results])
        return
    for r in results:
        if r.built:
            typer.echo(
                f"{r.scope}\t已编制第 {r.version} 版（{r.elements} 个主体，上一版 {r.previous_version or '无'}）"
            )
        else:
            typer.echo(f"{r.scope}\t未变化，仍为第 {r.version} 版（{r.elements} 个主体）")


@app.command("sets")
def sets(as_json: bool = typer.Option(False, "--json", help="以 JSON 输出")) -> None:
    """求交范围、模式与当前版本。"""
    with operator_context() as ctx:
        rows = queries.sets(ctx)
    if as_json:
        _echo_json([r.model_dump(mode="json") for r in rows])
        return
    for r in rows:
        mode = "返回交集明细" if r.reveal_intersection else "仅返回交集数量"
        version = f"第 {r.version} 版，{r.elements} 个主体" if r.version else "尚未编制"
        typer.echo(f"{r.scope}\t{version}\t{mode}\t{r.label}")


@app.command("exchanges")
def exchanges(
    limit: int = typer.Option(50, "--limit", min=1, max=500, help="条数"),
    institution: str | None = typer.Option(None, "--institution", help="只看该机构"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """最近的求交交换（只记录代码个数，不记录代码）。"""
    with operator_context() as ctx:
        rows = queries.exchanges(ctx, institution=institution, limit=limit)
    if as_json:
        _echo_json([r.model_dump(mode="json") for r in rows])
        return
    for r in rows:
        where = f"{r.scope} 第 {r.version} 版" if r.scope else "—"
        size = "—" if r.client_elements is None else str(r.client_elements)
        typer.echo(f"{r.at:%Y-%m-%d %H:%M}\t{r.institution}\t{r.kind}\t{where}\t{size} 个\t{r.outcome} {r.reason}")
