"""``xinyong government``: government integrity (政务诚信, issue #11) — the register of public bodies (机关、事业单位、
国有企业) and the unit answerable for each.

The console operator acts with every permission; changes leave the same audit events as the web. ``--json`` prints
JSON. Exit codes: 0 done; 2 bad input (a bad code, an unknown kind or unit, a body already registered), reason on
stderr.
"""

from __future__ import annotations

import json

import typer

from xinyong.commands.operator import operator_context
from xinyong.government import bodies
from xinyong.workplan.units import unit_label

app = typer.Typer(help="政务诚信 (government integrity)", no_args_is_help=True)
bodies_app = typer.Typer(help="公共机构名录（机关、事业单位、国有企业）", no_args_is_help=True)
app.add_typer(bodies_app, name="bodies")


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
