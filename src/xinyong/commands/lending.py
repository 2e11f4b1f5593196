"""``xinyong lending``: 信易贷 (issue #9 item 1) — register and list financial institutions and their products,
print the promotion statistics by town, sector or institution.

The console operator acts with every permission; registrations leave the same audit events as the web. ``--json``
prints the API's shapes. Exit codes: 0 done; 2 bad input (unknown kind or loan type, a bad rate or amount, an
unknown institution, a duplicate name), reason on stderr.
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation

import typer

from xinyong.commands.operator import operator_context
from xinyong.lending import queries, service
from xinyong.lending.schemas import DIMENSIONS, InstitutionIn, ProductIn

app = typer.Typer(help="信易贷 (credit lending)", no_args_is_help=True)
institutions_app = typer.Typer(help="金融机构", no_args_is_help=True)
products_app = typer.Typer(help="信贷产品", no_args_is_help=True)
app.add_typer(institutions_app, name="institutions")
app.add_typer(products_app, name="products")


def _fail(message: str) -> typer.Exit:
    typer.echo(f"错误: {message}", err=True)
    return typer.Exit(2)


def _echo_json(value: object) -> None:
    typer.echo(json.dumps(value, ensure_ascii=False, indent=2, default=str))


def _decimal(text: str, option: str) -> Decimal:
    try:
        return Decimal(text.strip())
    except InvalidOperation:
        raise _fail(f"{option} 应为数字（收到 {text!r}）") from None


def _plain(value: Decimal) -> str:
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


@institutions_app.command("add")
def institutions_add(
    name: str = typer.Option(..., "--name", help="机构名称（与其账户、令牌的机构名一致）"),
    uscc: str = typer.Option(..., "--uscc", help="统一社会信用代码"),
    kind: str = typer.Option("bank", "--kind", help="类别: bank / guarantee / microloan / other"),
    contact: str = typer.Option("", "--contact", help="对接联系方式（公开）"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """登记金融机构。"""
    with operator_context() as ctx:
        inst = service.register_institution(ctx, InstitutionIn(name=name, uscc=uscc, kind=kind, contact=contact))
        out = {"id": inst.id, "name": inst.name, "uscc": inst.uscc, "kind": inst.kind}
    if as_json:
        _echo_json(out)
        return
    typer.echo(f"已登记金融机构 {out['name']}（编号 {out['id']}）")


@institutions_app.command("list")
def institutions_list(
    all_: bool = typer.Option(False, "--all", help="包括已停用的机构"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """列出登记的金融机构。"""
    with operator_context() as ctx:
        rows = queries.institutions(ctx, include_inactive=all_)
    if as_json:
        _echo_json([r.model_dump(mode="json") for r in rows])
        return
    for r in rows:
        typer.echo(f"{r.id}\t{r.name}\t{r.kind_label}\t在售产品 {r.products}\t{'启用' if r.active else '停用'}")
    if not rows:
        typer.echo("尚无登记的金融机构")


@products_app.command("add")
def products_add(
    institution: str = typer.Option(..., "--institution", help="机构名称或编号"),
    name: str = typer.Option(..., "--name", help="产品名称"),
    loan_type: str = typer.Option(..., "--loan-type", help="贷款类型: credit / mortgage / pledge / guarantee / ..."),
    rate_min: str = typer.Option(..., "--rate-min", help="年利率下限（%）"),
    rate_max: str = typer.Option(..., "--rate-max", help="年利率上限（%）"),
    amount_max: str = typer.Option(..., "--amount-max", help="最高额度（万元）"),
    term_months_max: int = typer.Option(..., "--term-months", help="最长期限（月）"),
    conditions: str = typer.Option("", "--conditions", help="申请条件"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """登记信贷产品。"""
    low, high, amount = (
        _decimal(rate_min, "--rate-min"),
        _decimal(rate_max, "--rate-max"),
        _decimal(amount_max, "--amount-max"),
    )
    with operator_context() as ctx:
        found = [i for i in queries.institutions(ctx, include_inactive=True) if institution in (i.name, str(i.id))]
        if not found:
            raise _fail(f"未找到金融机构 {institution!r}")
        product = service.add_product(
            ctx,
            ProductIn(
                institution_id=found[0].id,
                name=name,
                loan_type=loan_type,
                rate_min=low,
                rate_max=high,
                amount_max=amount,
                term_months_max=term_months_max,
                conditions=conditions,
            ),
        )
        out = {"id": product.id, "institution": found[0].name, "name": product.name, "loan_type": product.loan_type}
    if as_json:
        _echo_json(out)
        return
    typer.echo(f"已登记产品 {out['name']}（{out['institution']}，编号 {out['id']}）")


@products_app.command("list")
def products_list(
    loan_type: str | None = typer.Option(None, "--loan-type", help="只列出该贷款类型"),
    all_: bool = typer.Option(False, "--all", help="包括已下架的产品"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """列出信贷产品。"""
    with operator_context() as ctx:
        rows = queries.products(ctx, loan_type=loan_type, include_inactive=all_)
    if as_json:
        _echo_json([r.model_dump(mode="json") for r in rows])
        return
    for r in rows:
        off = "" if r.active else "\t下架"
        typer.echo(
            f"{r.id}\t{r.institution}\t{r.name}\t{r.loan_type_label}\t{_plain(r.rate_min)}–{_plain(r.rate_max)}%"
            f"\t≤{_plain(r.amount_max)}万元\t≤{r.term_months_max}月{off}"
        )
    if not rows:
        typer.echo("尚无产品")


@app.command("stats")
def stats(
    by: str = typer.Option("town", "--by", help="统计维度: town 镇街 / sector 行业 / institution 金融机构"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """信易贷推广统计：注册企业、需求、获批金额、信用贷款占比。"""
    if by not in DIMENSIONS:
        raise _fail(f"--by 应为 {' / '.join(DIMENSIONS)}（收到 {by!r}）")
    with operator_context() as ctx:
        result = queries.stats(ctx, by)  # type: ignore[arg-type]
    if as_json:
        _echo_json(result.model_dump(mode="json"))
        return
    typer.echo(f"按{result.dimension_label}\t注册\t需求\t已满足\t获批笔数\t获批金额(万元)\t信用贷款占比")
    for r in [*result.rows, result.total]:
        share = "—" if r.credit_share is None else f"{r.credit_share * 100:.1f}%"
        typer.echo(
            f"{r.label}\t{r.registrations}\t{r.needs_posted}\t{r.needs_met}\t{r.approved}\t"
            f"{_plain(r.approved_amount)}\t{share}"
        )
