"""``xinyong catalog``: the resource catalogue (公共信用信息资源目录) at the console: list, show, template.

The catalogue is public data read from the packaged YAML (no database needed). Errors print one line on
stderr and exit 2.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, NoReturn

import typer
from rich.console import Console
from rich.table import Table

from xinyong.catalog.items import CatalogError, DataItem, FieldSpec, load_catalog
from xinyong.catalog.queries import (
    REQUIREMENT_LABELS,
    allowed_values_text,
    deadline_text,
    find_item,
    requirement,
    requirement_text,
    sharing_label,
    type_label,
)
from xinyong.errors import XinyongError
from xinyong.intake.templates import template_workbook

app = typer.Typer(help="资源目录：数据项、字段与报送模板 (resource catalogue)", no_args_is_help=True)
JSON_OPTION = typer.Option(False, "--json", help="输出 JSON")


def _fail(message: str) -> NoReturn:
    typer.echo(f"错误: {message}", err=True)
    raise typer.Exit(2)


def _item(item_id: str) -> DataItem:
    try:
        return find_item(item_id)
    except XinyongError as exc:
        _fail(exc.message)
    except CatalogError as exc:
        _fail(str(exc))


def _summary(item: DataItem) -> dict[str, Any]:
    return {
        "id": item.id,
        "name": item.name,
        "version": item.version,
        "sharing": item.sharing,
        "sharing_label": sharing_label(item.sharing),
        "field_count": len(item.fields),
        "dual_publicity": item.dual_publicity,
        "deadline": deadline_text(item),
        "deadline_workdays": item.reporting_deadline_workdays,
        "deadline_overrides": dict(item.deadline_overrides),
        "update_frequency": item.update_frequency,
    }


def _field(item: DataItem, spec: FieldSpec) -> dict[str, Any]:
    return {
        "key": spec.key,
        "label": spec.label,
        "type": spec.type,
        "required": requirement(spec),
        "rule": requirement_text(item, spec),
        "sharing": spec.sharing,
        "sharing_label": sharing_label(spec.sharing),
        "values": list(spec.values),
        "help": spec.help,
    }


@app.command("list")
def list_(as_json: bool = JSON_OPTION) -> None:
    """Every data item: id, name, version, sharing level, field count, deadline and update frequency."""
    try:
        items = sorted(load_catalog().items.values(), key=lambda i: (not i.dual_publicity, i.id))
    except CatalogError as exc:
        _fail(str(exc))
    if as_json:
        typer.echo(json.dumps([_summary(i) for i in items], ensure_ascii=False, indent=2))
        return
    table = Table(title="公共信用信息资源目录")
    for column in ("ID", "名称", "版本", "共享级别", "字段数", "报送时限", "更新频率"):
        table.add_column(column)
    for item in items:
        table.add_row(
            item.id,
            item.name,
            str(item.version),
            sharing_label(item.sharing),
            str(len(item.fields)),
            deadline_text(item),
            item.update_frequency,
        )
    Console(width=200).print(table)


@app.command("show")
def show(item_id: str = typer.Argument(..., help="数据项 ID，如 penalty"), as_json: bool = JSON_OPTION) -> None:
    """One data item and its fields (label, type, required rule, sharing level)."""
    item = _item(item_id)
    if as_json:
        data = _summary(item) | {
            "source": item.source,
            "fields": [_field(item, spec) for spec in item.fields],
        }
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    console = Console(width=200)
    console.print(f"[bold]{item.name}[/bold]（{item.id}，第 {item.version} 版，{sharing_label(item.sharing)}）")
    console.print(f"报送时限：{deadline_text(item)}；更新频率：{item.update_frequency}")
    console.print(f"依据：{item.source}", markup=False)
    table = Table()
    for column in ("字段名称", "键名", "类型", "必填", "规则", "共享级别", "可选值"):
        table.add_column(column)
    for spec in item.fields:
        table.add_row(
            spec.label,
            spec.key,
            type_label(spec),
            REQUIREMENT_LABELS[requirement(spec)],
            requirement_text(item, spec),
            sharing_label(spec.sharing),
            allowed_values_text(spec),
        )
    console.print(table)


@app.command("template")
def template(
    item_id: str = typer.Argument(..., help="数据项 ID，如 penalty"),
    output: Path = typer.Option(..., "--output", "-o", help="输出的 .xlsx 文件路径"),
) -> None:
    """Write the item's Excel template (sheets 数据 and 填写说明)."""
    item = _item(item_id)
    try:
        output.write_bytes(template_workbook(item))
    except OSError as exc:
        _fail(f"无法写入 {output}: {exc.strerror or exc}")
    typer.echo(f"已生成 {item.name}（第 {item.version} 版）报送模板: {output}")
