"""``xinyong sandbox``: the data sandbox (数据安全屋) and the federated model (issue #10 items 3 and 4).

``views`` lists the approved views and the release policy; ``query`` runs one aggregate query through the same
service as the web (k-suppression, Laplace noise, the operator's ε budget, audit); ``queries`` lists the stored
queries; ``federated-run`` trains the vertical federated logistic regression on demo data beside the central
model and stores the run. Exit codes: 0 done; 2 bad input or a refused query (reason on stderr; the refusal is
stored and audited).
"""

from __future__ import annotations

import json

import typer

from xinyong.commands.operator import operator_context
from xinyong.errors import InvalidInput
from xinyong.privacy import federated, federated_queries, sandbox, sandbox_queries
from xinyong.privacy.sandbox import QuerySpec

app = typer.Typer(help="数据安全屋与联邦学习 (data sandbox, federated model)", no_args_is_help=True)


def _echo_json(value: object) -> None:
    typer.echo(json.dumps(value, ensure_ascii=False, indent=2, default=str))


def _filters(values: list[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for item in values:
        key, sep, value = item.partition("=")
        if not sep or not key or not value:
            raise InvalidInput(f"筛选条件须为 维度=取值：{item}", field="filters")
        out.setdefault(key.strip(), []).extend(v.strip() for v in value.split(","))
    return out


@app.command("views")
def views(as_json: bool = typer.Option(False, "--json", help="以 JSON 输出")) -> None:
    """列出已批准视图（维度、指标及来源）与发布规则（k、ε、预算）。"""
    with operator_context() as ctx:
        out = sandbox_queries.catalogue(ctx)
    if as_json:
        _echo_json(out.model_dump(mode="json"))
        return
    p = out.policy
    typer.echo(
        f"发布规则（第 {p.version} 版）：每组至少 {p.k} 个主体；单次 ε 默认 {p.default_epsilon:g}、上限 "
        f"{p.max_epsilon_per_query:g}；每人每日 ε 预算 {p.daily_epsilon_budget:g}（今日已用 {p.spent_epsilon_today:g}）"
    )
    for v in out.views:
        typer.echo(f"{v.key}\t{v.label}：{v.description}")
        typer.echo("  维度：" + "、".join(f"{d.key}（{d.label}）" for d in v.dimensions))
        typer.echo("  指标：" + "、".join(f"{m.key}（{m.label}{'，加噪' if m.noise else ''}）" for m in v.measures))


@app.command("query")
def query(
    view: str = typer.Option(..., "--view", help="视图（见 views）"),
    by: list[str] = typer.Option([], "--by", help="分组维度，可重复"),
    measure: list[str] = typer.Option(..., "--measure", help="统计指标，可重复"),
    filters: list[str] = typer.Option([], "--filter", help="筛选 维度=取值[,取值]，可重复"),
    epsilon: float | None = typer.Option(None, "--epsilon", help="本次隐私预算 ε（默认按规则）"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """提交一次聚合查询：只发布主体数不少于 k 的分组，按规则加噪，记录并审计。"""
    with operator_context() as ctx:
        spec = QuerySpec(view=view, by=by, measures=measure, filters=_filters(filters), epsilon=epsilon)
        try:
            stored = sandbox.submit(ctx, spec)
        except sandbox.Refused:
            ctx.session.commit()  # keep the refused query and its audit event
            raise
        out = sandbox_queries.query_out(stored)
    if as_json:
        _echo_json(out.model_dump(mode="json"))
        return
    typer.echo(
        f"查询 {out.id}：发布 {len(out.result)} 组，因主体数少于 {out.k} 而隐去 {out.suppressed_groups} 组，"
        f"ε = {out.epsilon:g}"
    )
    for row in out.result:
        group = "，".join(f"{k}={v}" for k, v in row["group"].items()) or "合计"
        values = "，".join(f"{k}={v}" for k, v in row["measures"].items())
        typer.echo(f"  {group}\t{values}")


@app.command("queries")
def queries(
    limit: int = typer.Option(50, "--limit", min=1, max=1000),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """列出全部查询与发布（含随机种子，供复现）。"""
    with operator_context() as ctx:
        out = sandbox_queries.all_queries(ctx, limit)
    if as_json:
        _echo_json([q.model_dump(mode="json") for q in out])
        return
    for q in out:
        typer.echo(
            f"{q.id}\t{q.submitted_at:%Y-%m-%d %H:%M}\t{q.analyst}\t{q.view}\t{q.status}\t"
            f"发布 {len(q.result)} 组，隐去 {q.suppressed_groups} 组\t{q.reason}"
        )


@app.command("federated-run")
def federated_run(
    rows: int = typer.Option(2000, "--rows", help="演示数据的主体数"),
    features: int = typer.Option(10, "--features", help="平台方特征数"),
    key_bits: int | None = typer.Option(None, "--key-bits", help="Paillier 密钥长度（默认按规则 2048）"),
    seed: int | None = typer.Option(None, "--seed", help="演示数据随机种子"),
    from_registry: bool = typer.Option(
        False, "--from-registry", help="平台特征取自主体库（记录、名单、评价），银行为演示银行"
    ),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """在演示数据上运行纵向联邦逻辑回归（Paillier 同态加密），与集中训练的准确率对比并记录。"""
    with operator_context() as ctx:
        outcome = federated.start_demo_run(
            ctx,
            rows=rows,
            features=features,
            key_bits=key_bits,
            seed=seed,
            source="registry" if from_registry else "synthetic",
        )
        out = federated_queries.run_out(outcome.run)
    if as_json:
        _echo_json(out.model_dump(mode="json"))
        return
    verdict = "在容差内" if out.status == "within_tolerance" else "超出容差"
    typer.echo(
        f"联邦训练 {out.id}：{out.rows} 个对齐主体 × {len(out.features)} 个特征，{out.key_bits} 位密钥，"
        f"{out.iterations} 轮，耗时 {out.seconds:.1f} 秒"
    )
    typer.echo(
        f"  准确率 联邦 {out.accuracy:.4f} / 集中 {out.central_accuracy:.4f}（容差 {out.tolerance:g}，{verdict}）"
    )
    for direction, info in out.detail.get("exchanged", {}).items():
        typer.echo(f"  {direction}：{info['messages']} 条消息，{info['bytes']:,} 字节（{'、'.join(info['kinds'])}）")
