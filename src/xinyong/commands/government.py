"""``xinyong government``: government integrity (政务诚信, issue #11) — the register of public bodies (机关、事业单位、
国有企业) and the unit answerable for each (``bodies add|list``), government contracts (``contracts
add|import|list|alerts|done|default``) and government-integrity records (``records list``).

The console operator acts with every permission; changes leave the same audit events as the web. ``--json`` prints
JSON. Exit codes: 0 done; 2 bad input (a bad code, an unknown kind or unit, a body already registered, payments not
adding up to the contract amount, an import file with row problems: one line per row on stderr), reason on stderr.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

import typer
from pydantic import ValidationError

from xinyong.commands.operator import operator_context
from xinyong.government import bodies, contract_import, contract_queries, contracts
from xinyong.government.contract_schemas import ContractIn
from xinyong.workplan.units import unit_label

app = typer.Typer(help="政务诚信 (government integrity)", no_args_is_help=True)
bodies_app = typer.Typer(help="公共机构名录（机关、事业单位、国有企业）", no_args_is_help=True)
app.add_typer(bodies_app, name="bodies")
contracts_app = typer.Typer(help="政府合同（登记、导入、履约节点、临期逾期提醒、违约认定）", no_args_is_help=True)
app.add_typer(contracts_app, name="contracts")
records_app = typer.Typer(help="政务失信记录", no_args_is_help=True)
app.add_typer(records_app, name="records")


def _fail(message: str) -> typer.Exit:
    typer.echo(f"错误: {message}", err=True)
    return typer.Exit(2)


def _day(text: str | None, option: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise _fail(f"{option} 应为日期 YYYY-MM-DD，收到 {text!r}") from None


def _money(text: str | None, option: str) -> Decimal | None:
    if text is None or not text.strip():
        return None
    try:
        return Decimal(text.strip().replace(",", ""))
    except InvalidOperation:
        raise _fail(f"{option} 应为金额（元），收到 {text!r}") from None


def _echo_json(value: object) -> None:
    typer.echo(json.dumps(value, ensure_ascii=False, indent=2, default=str))


@bodies_app.command("add")
def bodies_add(
    name: str = typer.Option(..., "--name", help="单位名称"),
    uscc: str = typer.Option(..., "--uscc", help="统一社会信用代码"),
    kind: str = typer.Option(..., "--kind", help="类别: organ（党政机关）/ institution（事业单位）/ soe（国有企业）"),
    unit: str = typer.Option(..., "--unit", help="责任单位: 部门代码（如 fgj）或镇街代码（如 440113003）"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """登记公共机构及其责任单位。"""
    with operator_context() as ctx:
        body = bodies.register_body(ctx, name, uscc, kind, unit)
        out = {"id": body.id, "name": body.name, "uscc": body.uscc, "kind": body.kind, "unit_code": body.unit_code}
    if as_json:
        _echo_json(out)
        return
    typer.echo(f"已登记公共机构 {out['name']}（编号 {out['id']}，责任单位 {unit_label(out['unit_code'])}）")


@bodies_app.command("list")
def bodies_list(
    unit: str | None = typer.Option(None, "--unit", help="只列出该责任单位的机构"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """列出公共机构名录。"""
    with operator_context() as ctx:
        rows = [
            {
                "id": b.id,
                "name": b.name,
                "uscc": b.uscc,
                "kind": b.kind,
                "kind_label": bodies.BODY_KINDS[b.kind],
                "unit_code": b.unit_code,
                "unit": unit_label(b.unit_code),
                "active": b.active,
            }
            for b in bodies.list_bodies(ctx, unit)
        ]
    if as_json:
        _echo_json(rows)
        return
    for r in rows:
        typer.echo(f"{r['id']}\t{r['name']}\t{r['uscc']}\t{r['kind_label']}\t{r['unit']}")
    if not rows:
        typer.echo("公共机构名录为空")


# --------------------------------------------------------------------------------------------- contracts
def _term(text: str, seq: int) -> dict[str, object]:
    """``kind,due_on,description[,amount]`` → a term."""
    parts = [p.strip() for p in text.split(",", 3)]
    if len(parts) < 3:
        raise _fail(f"--term 应为 类型,应履行日期,说明[,金额]（如 payment,2026-12-31,尾款,50000），收到 {text!r}")
    kind, due, description = parts[0], parts[1], parts[2]
    amount = _money(parts[3], "--term 金额") if len(parts) > 3 else None
    return {
        "seq": seq,
        "kind": kind,
        "due_on": _day(due, "--term 应履行日期"),
        "description": description,
        "amount": amount,
    }


@contracts_app.command("add")
def contracts_add(
    number: str = typer.Option(..., "--no", help="合同编号"),
    title: str = typer.Option(..., "--title", help="合同名称"),
    body: str = typer.Option(..., "--body", help="政府方：公共机构名录中的名称或统一社会信用代码"),
    party: str = typer.Option(..., "--party", help="相对方名称"),
    party_uscc: str = typer.Option("", "--party-uscc", help="相对方统一社会信用代码"),
    amount: str = typer.Option(..., "--amount", help="合同金额（元）"),
    signed_on: str = typer.Option(..., "--signed-on", help="签订日期 YYYY-MM-DD"),
    ends_on: str | None = typer.Option(None, "--ends-on", help="履行期限届满日 YYYY-MM-DD"),
    terms: list[str] = typer.Option(
        ..., "--term", help="节点（可多次）：类型,应履行日期,说明[,金额]，类型 milestone / payment"
    ),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """登记政府合同及其履约、付款节点（付款节点金额合计须等于合同金额）。"""
    with operator_context() as ctx:
        found = bodies.find_body(ctx, name=body, uscc=body if body.isascii() else "")
        if found is None:
            raise _fail(f"公共机构名录中没有“{body}”")
        try:
            data = ContractIn.model_validate(
                {
                    "contract_no": number,
                    "title": title,
                    "body_id": found.id,
                    "counterparty_name": party,
                    "counterparty_uscc": party_uscc,
                    "amount": _money(amount, "--amount"),
                    "signed_on": _day(signed_on, "--signed-on"),
                    "ends_on": _day(ends_on, "--ends-on"),
                    "terms": [_term(t, i) for i, t in enumerate(terms, start=1)],
                }
            )
        except ValidationError as exc:
            first = exc.errors()[0]
            raise _fail(f"{'.'.join(str(p) for p in first['loc'])}：{first['msg']}") from None
        contract = contracts.register_contract(ctx, data)
        out = contract_queries.contract_detail(ctx, contract.id, ctx.today).model_dump(mode="json")
    if as_json:
        _echo_json(out)
        return
    typer.echo(f"已登记合同 {out['contract_no']}（编号 {out['id']}，{len(out['terms'])} 个节点）")


@contracts_app.command("import")
def contracts_import(
    path: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True, help="CSV 或 Excel 文件"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """批量导入政府合同（每行一个节点；有任何错误时不导入，逐行列出错误）。"""
    with operator_context() as ctx:
        result = contract_import.import_contracts(ctx, path.name, path.read_bytes())
        out = result.model_dump(mode="json")
    if as_json:
        _echo_json(out)
        return
    typer.echo(f"已导入 {out['contracts']} 份合同、{out['terms']} 个节点")


@contracts_app.command("list")
def contracts_list(
    status: str | None = typer.Option(None, "--status", help="performing / completed / defaulted / terminated"),
    unit: str | None = typer.Option(None, "--unit", help="责任单位代码"),
    as_of: str | None = typer.Option(None, "--as-of", help="按哪一天计算提醒（默认今天）"),
    alert: bool = typer.Option(False, "--alert", help="只列出有临期或逾期节点的合同"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """列出政府合同及其提醒。"""
    day = _day(as_of, "--as-of")
    with operator_context() as ctx:
        rows = contract_queries.list_contracts(ctx, day or ctx.today, status, None, unit, None, alert)
        out = [r.model_dump(mode="json") for r in rows]
    if as_json:
        _echo_json(out)
        return
    for r in out:
        flags = f"逾期{r['overdue']} 临期{r['due_soon']}" if r["overdue"] or r["due_soon"] else ""
        typer.echo(
            f"{r['id']}\t{r['contract_no']}\t{r['title']}\t{r['body_name']}\t{r['amount']}\t{r['status_label']}\t{flags}"
        )
    if not out:
        typer.echo("没有政府合同")


@contracts_app.command("alerts")
def contracts_alerts(
    as_of: str | None = typer.Option(None, "--as-of", help="按哪一天计算（默认今天）"),
    unit: str | None = typer.Option(None, "--unit", help="责任单位代码"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """临期（应履行日期前的提醒窗口内）和逾期的合同节点。"""
    day = _day(as_of, "--as-of")
    with operator_context() as ctx:
        out = [a.model_dump(mode="json") for a in contract_queries.alerts(ctx, day or ctx.today, unit)]
    if as_json:
        _echo_json(out)
        return
    for a in out:
        when = f"逾期 {a['days_overdue']} 天" if a["kind"] == "overdue" else f"{a['workdays_left']} 个工作日内到期"
        typer.echo(f"{when}\t{a['contract_no']}\t第{a['seq']}节点 {a['description']}\t{a['due_on']}\t{a['body_name']}")
    if not out:
        typer.echo("没有临期或逾期的节点")


@contracts_app.command("done")
def contracts_done(
    term_id: int = typer.Argument(..., help="节点编号"),
    done_on: str = typer.Option(..., "--on", help="履行日期 YYYY-MM-DD"),
    paid: str | None = typer.Option(None, "--paid", help="支付金额（元；默认付清该节点）"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """登记节点履行（付款节点可部分支付）。"""
    day = _day(done_on, "--on")
    assert day is not None
    amount = _money(paid, "--paid")
    with operator_context() as ctx:
        term = contracts.record_term_done(ctx, term_id, day, amount)
        out = {"term": term.id, "seq": term.seq, "done_on": term.done_on, "paid_amount": term.paid_amount}
    if as_json:
        _echo_json(out)
        return
    state = f"已履行（{out['done_on']}）" if out["done_on"] else f"部分支付，累计 {out['paid_amount']} 元"
    typer.echo(f"节点 {out['term']}：{state}")


@contracts_app.command("default")
def contracts_default(
    contract_id: int = typer.Argument(..., help="合同编号（系统编号）"),
    reason: str = typer.Option(..., "--reason", help="违约认定理由"),
    on: str | None = typer.Option(None, "--on", help="违约日期（默认今天）"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """认定政府合同违约，并生成政务失信记录。"""
    day = _day(on, "--on")
    with operator_context() as ctx:
        contract = contracts.declare_default(ctx, contract_id, reason, day)
        out = {"id": contract.id, "contract_no": contract.contract_no, "status": contract.status}
    if as_json:
        _echo_json(out)
        return
    typer.echo(f"合同 {out['contract_no']} 已认定违约，已生成政务失信记录")


# --------------------------------------------------------------------------------------------- records
@records_app.command("list")
def records_list(
    body: str | None = typer.Option(None, "--body", help="只列出该单位（名称或代码）的记录"),
    since: str | None = typer.Option(None, "--since", help="发生日期起 YYYY-MM-DD"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """列出政务失信记录。"""
    day = _day(since, "--since")
    with operator_context() as ctx:
        body_id = None
        if body:
            found = bodies.find_body(ctx, name=body, uscc=body if body.isascii() else "")
            if found is None:
                raise _fail(f"公共机构名录中没有“{body}”")
            body_id = found.id
        out = [r.model_dump(mode="json") for r in contract_queries.list_records(ctx, body_id, day)]
    if as_json:
        _echo_json(out)
        return
    for r in out:
        typer.echo(f"{r['occurred_on']}\t{r['body_name']}\t{r['source_label']}\t{r['summary']}")
    if not out:
        typer.echo("没有政务失信记录")
