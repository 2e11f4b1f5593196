"""``xinyong incentives``: honesty incentive scenarios (issue #9 item 3) — the scenario catalogue, the registered
providers (``providers add/list/suspend/resume``) and the usage statistics per scenario (``stats``).

The console operator acts with every permission; registering and suspending leave the same audit events as the web.
``--json`` prints the API's shapes. Exit code 2 on bad input (an invalid USCC, an unknown kind, a name already
registered, an unknown provider, dates the wrong way round), reason on stderr.

A provider's accounts and API tokens are then made with ``xinyong users create --role provider --institution NAME``
and ``xinyong tokens create --role provider --institution NAME --scope incentives.check``.
"""

from __future__ import annotations

import json
from datetime import date

import typer

from xinyong.commands.operator import operator_context
from xinyong.errors import InvalidInput
from xinyong.incentives import queries, service
from xinyong.incentives.scenarios import load_catalogue

app = typer.Typer(help="守信激励 (honesty incentive scenarios, providers, usage statistics)", no_args_is_help=True)
providers_app = typer.Typer(help="守信激励服务提供方", no_args_is_help=True)
app.add_typer(providers_app, name="providers")


def _echo_json(value: object) -> None:
    typer.echo(json.dumps(value, ensure_ascii=False, indent=2, default=str))


def _share(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


@app.command("scenarios")
def scenarios(as_json: bool = typer.Option(False, "--json", help="以 JSON 输出")) -> None:
    """场景目录：类别、服务方类型、适用分档、优惠内容、授权默认有效期。"""
    out = queries.scenarios()
    if as_json:
        _echo_json(out.model_dump(mode="json"))
        return
    typer.echo(f"{out.name}（第 {out.version} 版）")
    for s in out.scenarios:
        typer.echo(f"  {s.code}\t{s.name}\t{s.provider_kind_label}\t{'、'.join(s.band_labels)}\t{s.consent_days} 天")
        typer.echo(f"    {s.benefit}")


@providers_app.command("add")
def providers_add(
    name: str = typer.Argument(..., help="机构名称（其账户和令牌的 --institution）"),
    uscc: str = typer.Option(..., "--uscc", help="统一社会信用代码"),
    kind: str = typer.Option(
        ...,
        "--kind",
        help="服务方类型：" + "、".join(f"{k}（{v}）" for k, v in load_catalogue().provider_kinds.items()),
    ),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """登记服务提供方。"""
    with operator_context() as ctx:
        provider = service.register_provider(ctx, name, uscc, kind)
        out = next(p for p in queries.providers(ctx) if p.id == provider.id)
    if as_json:
        _echo_json(out.model_dump(mode="json"))
        return
    typer.echo(f"已登记服务提供方 {out.name}（ID {out.id}，{out.kind_label}），可核验场景：{'、'.join(out.scenarios)}")


@providers_app.command("list")
def providers_list(as_json: bool = typer.Option(False, "--json", help="以 JSON 输出")) -> None:
    """已登记的服务提供方。"""
    with operator_context() as ctx:
        rows = queries.providers(ctx)
    if as_json:
        _echo_json([p.model_dump(mode="json") for p in rows])
        return
    if not rows:
        typer.echo("尚未登记服务提供方")
    for p in rows:
        state = "启用" if p.active else "停用"
        typer.echo(f"  {p.id}\t{p.name}\t{p.uscc}\t{p.kind_label}\t{state}\t{'、'.join(p.scenarios)}")


def _set_active(provider_id: int, active: bool) -> None:
    with operator_context() as ctx:
        provider = service.set_provider_active(ctx, provider_id, active)
        name = provider.name
    typer.echo(f"服务提供方 {name} 已{'恢复' if active else '停用'}")


@providers_app.command("suspend")
def providers_suspend(provider_id: int = typer.Argument(..., help="服务提供方 ID")) -> None:
    """停用服务提供方（其核验请求将被拒绝并记录）。"""
    _set_active(provider_id, False)


@providers_app.command("resume")
def providers_resume(provider_id: int = typer.Argument(..., help="服务提供方 ID")) -> None:
    """恢复服务提供方。"""
    _set_active(provider_id, True)


def _day(value: str | None, field: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"日期“{value[:20]}”应为 YYYY-MM-DD", field=field) from None


@app.command("stats")
def stats(
    since: str | None = typer.Option(None, "--since", help="起始日期 YYYY-MM-DD（含）"),
    until: str | None = typer.Option(None, "--until", help="截止日期 YYYY-MM-DD（含）"),
    scenario: str | None = typer.Option(None, "--scenario", help="只看该场景"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """使用统计：各场景的核验次数、符合、不符合、拒绝、符合比例，按服务提供方和月份。"""
    with operator_context() as ctx:
        out = queries.usage_stats(ctx, _day(since, "since"), _day(until, "until"), scenario)
    if as_json:
        _echo_json(out.model_dump(mode="json"))
        return
    for t in out.scenarios:
        typer.echo(
            f"{t.name}\t核验 {t.checks}\t符合 {t.eligible}\t不符合 {t.not_eligible}\t拒绝 {t.refused}"
            f"\t符合比例 {_share(t.eligible_share)}"
        )
    for r in out.rows:
        typer.echo(
            f"  {r.scenario}\t{r.provider}\t{r.month}\t核验 {r.checks}\t符合 {r.eligible}\t不符合 {r.not_eligible}"
            f"\t拒绝 {r.refused}"
        )
