"""``xinyong departments``: register the departments that report credit data, and list them.

Exit codes: 0 done; 1 the department (code, name or USCC) is already registered; 2 invalid input.
"""

from __future__ import annotations

import json

import typer
from rich.console import Console
from rich.table import Table

from xinyong.auth.context import system_context
from xinyong.commands.operator import cli_actor
from xinyong.db.session import session_scope
from xinyong.errors import Conflict, XinyongError
from xinyong.subjects import departments

app = typer.Typer(help="数据来源部门 (departments that report credit data)", no_args_is_help=True)


@app.command("add")
def add(
    code: str = typer.Argument(..., help="部门代码（如 scjgj），或直接填部门的18位统一社会信用代码"),
    name: str = typer.Argument(..., help="部门全称，如 广州市番禺区市场监督管理局"),
    uscc: str | None = typer.Option(None, "--uscc", help="部门的统一社会信用代码（CODE 不是代码时必填）"),
) -> None:
    """Register a department. Exit 1 if its code, name or USCC is already registered, 2 if the input is invalid.

    A USCC with a wrong check character is accepted with a warning on stderr; any other defect is refused."""
    try:
        with session_scope() as session:
            department = departments.add_department(system_context(session, cli_actor()), code, name, uscc)
            dept_id, dept_code, dept_uscc = department.id, department.code, department.uscc
    except Conflict as exc:
        typer.echo(f"错误: {exc.message}", err=True)
        raise typer.Exit(1) from None
    except XinyongError as exc:
        typer.echo(f"错误: {exc.message}", err=True)
        raise typer.Exit(2) from None
    for warning in departments.uscc_warnings(dept_uscc):
        typer.echo(f"警告: 统一社会信用代码 {dept_uscc}：{warning}（已登记，请核实）", err=True)
    typer.echo(f"已登记部门 {dept_id}：{dept_code} {name.strip()}（统一社会信用代码 {dept_uscc}）")


@app.command("list")
def list_(as_json: bool = typer.Option(False, "--json", help="输出 JSON 数组")) -> None:
    """List the registered departments."""
    with session_scope() as session:
        rows = [
            {"id": d.id, "code": d.code, "name": d.name, "uscc": d.uscc} for d in departments.list_departments(session)
        ]
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False))
        return
    table = Table(title=f"已登记部门：{len(rows)} 个")
    for column in ("ID", "代码", "名称", "统一社会信用代码"):
        table.add_column(column)
    for row in rows:
        table.add_row(str(row["id"]), row["code"], row["name"], row["uscc"])
    Console(width=200).print(table)
