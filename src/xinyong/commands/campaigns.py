"""``xinyong campaigns``: 专项治理 (special campaigns) and repeated violators (屡禁不止、屡罚不改), issue #11 item 6.

``create|list|show|add-target|progress|close`` act on campaigns; ``violators run|list`` run the detection and read
the latest stored list (or, with ``--ad-hoc``, query without storing). The console operator acts with every
permission; every change leaves the same audit event as the web. ``--json`` prints the API's shapes. Exit codes:
0 done; 2 bad input (unknown sector, unit or figure, a duplicate code, an unknown campaign or subject), reason on
stderr.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any, TypeVar

import typer
from pydantic import BaseModel, ValidationError

from xinyong.campaigns import queries, service, violators
from xinyong.campaigns.schemas import CampaignIn, CloseIn, FromRunIn, ProgressIn, TargetIn
from xinyong.commands.operator import operator_context

M = TypeVar("M", bound=BaseModel)
app = typer.Typer(help="专项治理 (special campaigns, repeated violators)", no_args_is_help=True)
violators_app = typer.Typer(help="屡禁不止、屡罚不改主体检测", no_args_is_help=True)
app.add_typer(violators_app, name="violators")


def _fail(message: str) -> typer.Exit:
    typer.echo(f"错误: {message}", err=True)
    return typer.Exit(2)


def _echo_json(value: object) -> None:
    typer.echo(json.dumps(value, ensure_ascii=False, indent=2, default=str))


def _model(model: type[M], data: dict[str, Any]) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = "；".join(f"{'.'.join(str(p) for p in e['loc'])}：{e['msg']}" for e in exc.errors())
        raise _fail(f"输入无效：{problems}") from None


def _date(text: str | None, option: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise _fail(f"{option} 应为 YYYY-MM-DD 日期（收到 {text!r}）") from None


def _figures(pairs: list[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not value.strip().lstrip("-").isdigit():
            raise _fail(f"--figure 应写作 key=整数（收到 {pair!r}）")
        out[key.strip()] = int(value)
    return out


@app.command("create")
def create(
    code: str = typer.Option(..., "--code", help="行动编号"),
    name: str = typer.Option(..., "--name", help="行动名称"),
    sector: list[str] = typer.Option(..., "--sector", help="治理领域代码（可多次）"),
    lead: str = typer.Option(..., "--lead", help="牵头单位代码（部门代码或镇街代码）"),
    unit: list[str] = typer.Option([], "--unit", help="参与单位代码（可多次）"),
    starts_on: str = typer.Option(..., "--starts-on"),
    ends_on: str = typer.Option(..., "--ends-on"),
    goal: str = typer.Option("", "--goal", help="治理目标"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """创建专项治理行动。"""
    data = _model(
        CampaignIn,
        {
            "code": code,
            "name": name,
            "sectors": sector,
            "lead_unit": lead,
            "units": unit,
            "starts_on": _date(starts_on, "--starts-on"),
            "ends_on": _date(ends_on, "--ends-on"),
            "goal": goal,
        },
    )
    with operator_context() as ctx:
        out = queries.campaign_detail(ctx, service.create_campaign(ctx, data).id)
    if as_json:
        _echo_json(out.model_dump(mode="json"))
        return
    typer.echo(f"已创建专项治理行动 {out.code} {out.name}（编号 {out.id}，{out.status_label}）")


@app.command("list")
def list_(
    status: str | None = typer.Option(None, "--status", help="planned / active / closed"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """列出专项治理行动。"""
    with operator_context() as ctx:
        rows = queries.list_campaigns(ctx, status)
    if as_json:
        _echo_json([r.model_dump(mode="json") for r in rows])
        return
    for r in rows:
        typer.echo(
            f"{r.id}\t{r.code}\t{r.name}\t{'、'.join(r.sector_labels)}\t牵头 {r.lead_unit.label}\t"
            f"{r.starts_on}～{r.ends_on}\t{r.status_label}\t治理对象 {r.targets}"
        )
    if not rows:
        typer.echo("尚无专项治理行动")


@app.command("show")
def show(
    campaign_id: int = typer.Argument(..., help="行动编号（数字）"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """行动详情：治理对象按状态计数、各单位进展、屡禁不止、屡罚不改主体。"""
    with operator_context() as ctx:
        detail = queries.campaign_detail(ctx, campaign_id)
        found = queries.campaign_violators(ctx, campaign_id)
    if as_json:
        _echo_json(detail.model_dump(mode="json") | {"violators": [v.model_dump(mode="json") for v in found]})
        return
    typer.echo(f"{detail.code} {detail.name}（{detail.status_label}）{detail.starts_on}～{detail.ends_on}")
    typer.echo(f"领域：{'、'.join(detail.sector_labels)}；牵头：{detail.lead_unit.label}")
    typer.echo(f"治理对象 {detail.targets}：" + "，".join(f"{k} {v}" for k, v in detail.by_status.items()))
    for p in detail.progress:
        typer.echo(f"  {p.unit.label}：报送 {p.reports} 次 " + " ".join(f"{k}={v}" for k, v in p.figures.items()))
    for v in found:
        cats = "，".join(f"{c.category} {c.penalties} 次" for c in v.categories)
        typer.echo(f"  屡罚主体 {v.subject_name} {v.uscc or ''}：{cats}（{v.status_label}）")


@app.command("add-target")
def add_target(
    campaign_id: int = typer.Argument(...),
    uscc: str | None = typer.Option(None, "--uscc", help="统一社会信用代码"),
    reason: str = typer.Option("", "--reason", help="纳入理由"),
    case_ref: str = typer.Option("", "--case-ref", help="案件编号"),
    sector: str | None = typer.Option(None, "--sector"),
    from_run: int | None = typer.Option(None, "--from-run", help="从检测批次纳入"),
    scope: str = typer.Option("sector", "--scope", help="from-run 时：sector（本行动领域）或 all"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """纳入治理对象：按统一社会信用代码，或 --from-run 从检测批次批量纳入。"""
    if from_run is not None:
        data = _model(FromRunIn, {"run_id": from_run, "scope": scope})
        with operator_context() as ctx:
            added = service.add_targets_from_run(ctx, campaign_id, data)
        if as_json:
            _echo_json({"added": added, "run_id": from_run})
        else:
            typer.echo(f"已从检测批次 #{from_run} 纳入 {added} 个治理对象")
        return
    if not uscc:
        raise _fail("请提供 --uscc 或 --from-run")
    target_in = _model(TargetIn, {"uscc": uscc, "reason": reason, "case_ref": case_ref, "sector": sector})
    with operator_context() as ctx:
        target = service.add_target(ctx, campaign_id, target_in)
        out = {"id": target.id, "subject_id": target.subject_id, "sector": target.sector, "status": target.status}
    if as_json:
        _echo_json(out)
        return
    typer.echo(f"已纳入治理对象（编号 {out['id']}）")


@app.command("progress")
def progress(
    campaign_id: int = typer.Argument(...),
    unit: str = typer.Option(..., "--unit", help="报送单位代码"),
    note: str = typer.Option(..., "--note", help="进展情况"),
    figure: list[str] = typer.Option([], "--figure", help="统计数 key=整数（可多次）"),
    reported_on: str | None = typer.Option(None, "--reported-on"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """以某参与单位名义报送进展。"""
    data = _model(
        ProgressIn,
        {
            "unit_code": unit,
            "note": note,
            "figures": _figures(figure),
            "reported_on": _date(reported_on, "--reported-on"),
        },
    )
    with operator_context() as ctx:
        p = service.report_progress(ctx, campaign_id, data)
        out = {"id": p.id, "unit_code": p.unit_code, "figures": p.figures, "reported_on": p.reported_on}
    if as_json:
        _echo_json(out)
        return
    typer.echo(f"已报送进展（编号 {out['id']}）")


@app.command("close")
def close(
    campaign_id: int = typer.Argument(...),
    result: str = typer.Option(..., "--result", help="治理成效"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """结束行动并填写治理成效。"""
    data = _model(CloseIn, {"result": result})
    with operator_context() as ctx:
        service.close_campaign(ctx, campaign_id, data)
        out = queries.campaign_detail(ctx, campaign_id)
    if as_json:
        _echo_json(out.model_dump(mode="json"))
        return
    typer.echo(f"专项治理行动 {out.code} 已结束")


@violators_app.command("run")
def violators_run(
    as_of: str | None = typer.Option(None, "--as-of", help="基准日（默认今天）"),
    min_count: int | None = typer.Option(None, "--min-count", help="同类处罚次数阈值（默认见规则）"),
    window_days: int | None = typer.Option(None, "--window-days", help="统计期间天数（默认见规则）"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """运行屡禁不止、屡罚不改检测并保存名单。"""
    day = _date(as_of, "--as-of")
    with operator_context() as ctx:
        out = violators.run_out(violators.run_detection(ctx, day, min_count, window_days))
    if as_json:
        _echo_json(out.model_dump(mode="json"))
        return
    typer.echo(
        f"检测批次 #{out.id}：基准日 {out.as_of}，{out.window_days} 天内同类处罚 ≥ {out.min_count} 次，"
        f"主体 {out.subjects} 个、记录 {out.rows} 条，用时 {out.seconds} 秒"
    )


@violators_app.command("list")
def violators_list(
    run_id: int | None = typer.Option(None, "--run", help="检测批次（默认最新）"),
    ad_hoc: bool = typer.Option(False, "--ad-hoc", help="即时查询，不读取已保存的批次"),
    as_of: str | None = typer.Option(None, "--as-of", help="即时查询的基准日（默认今天）"),
    min_count: int | None = typer.Option(None, "--min-count"),
    window_days: int | None = typer.Option(None, "--window-days"),
    limit: int = typer.Option(50, "--limit"),
    offset: int = typer.Option(0, "--offset"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """列出屡禁不止、屡罚不改主体（最新检测批次；参数给出时即时查询）。"""
    day = _date(as_of, "--as-of")
    with operator_context() as ctx:
        if ad_hoc or day is not None or min_count is not None or window_days is not None:
            page = violators.query(ctx, day or ctx.today, min_count, window_days, limit=limit, offset=offset)
        else:
            page = violators.run_violators(ctx, run_id, limit=limit, offset=offset)
    if page is None:
        if as_json:
            _echo_json(None)
            return
        typer.echo("尚无检测批次，请先运行 xinyong campaigns violators run")
        return
    if as_json:
        _echo_json(page.model_dump(mode="json"))
        return
    where = f"检测批次 #{page.run_id}" if page.run_id else "即时查询"
    typer.echo(
        f"{where}：基准日 {page.as_of}，{page.window_days} 天内同类处罚 ≥ {page.min_count} 次，共 {page.total} 条"
    )
    for r in page.rows:
        typer.echo(f"{r.subject_name}\t{r.uscc or ''}\t{r.category}\t{r.penalties} 次\t{r.first_on}～{r.last_on}")
