"""``xinyong lists``: the list types (失信名单、接收名单、红名单) with their legal basis, periods and exit rules.

Exit codes: 0 done; 1 ``measures --overdue`` found overdue tasks; 2 unknown list type, bad date, or a rules file
that does not validate (the reason on stderr).
"""

from __future__ import annotations

import json
from datetime import date

import typer
from rich.console import Console
from rich.table import Table

from xinyong import clock
from xinyong.commands import list_checks, list_entries
from xinyong.lists.measures import ledger_report
from xinyong.lists.types import BASIS_LEVELS, ListCatalogue, ListType, ListTypeError, list_catalogue

app = typer.Typer(help="失信名单与红名单 (dishonesty and red lists)", no_args_is_help=True)


def _catalogue_or_exit() -> ListCatalogue:
    try:
        return list_catalogue()
    except ListTypeError as exc:
        typer.echo(f"错误: {exc}", err=True)
        raise typer.Exit(2) from None


def _months(value: int | None) -> str:
    return f"{value} 个月" if value else "无固定期限"


@app.command("types")
def types(as_json: bool = typer.Option(False, "--json", help="输出 JSON")) -> None:
    """Every list type: kind, department, legal basis, duration."""
    catalogue = _catalogue_or_exit()
    if as_json:
        typer.echo(json.dumps([t.model_dump(mode="json") for t in catalogue.types.values()], ensure_ascii=False))
        return
    table = Table("代码", "名称", "种类", "部门", "依据", "列入期限")
    for t in catalogue.types.values():
        basis = "；".join(b.document for b in t.legal_basis)
        table.add_row(t.code, t.name, t.kind_label, t.department, basis, _months(t.duration.months))
    Console(width=200).print(table)


def _describe(t: ListType) -> list[str]:
    lines = [f"{t.name}（{t.code}，第 {t.version} 版，{t.kind_label}，部门 {t.department}）"]
    if t.source_authority:
        lines.append(f"来源机关：{t.source_authority}")
    lines.append("依据：")
    lines += [f"  - {b.document} {b.article}（{BASIS_LEVELS[b.level]}，可信度 {b.confidence}）" for b in t.legal_basis]
    lines.append("认定标准：")
    lines += [f"  - {c}" for c in t.criteria]
    if t.notice:
        lines.append(f"列入前告知：{t.notice.workdays} 个工作日（{t.notice.source}）")
    if t.defence:
        lines.append(f"陈述申辩期：{t.defence.workdays} 个工作日（{t.defence.source}）")
    lines.append(f"列入期限：{_months(t.duration.months)}（{t.duration.source}）")
    if t.early_removal:
        r = t.early_removal
        start = "改正之日" if r.counted_from == "correction" else "列入决定之日"
        after = f"自{start}起满 {r.after_months} 个月，" if r.after_months else ""
        lines.append(f"提前移出：{after}{'、'.join(r.requires)}（{r.source}）")
    lines.append(f"移出情形：{'；'.join(t.exit_conditions)}")
    lines.append(f"救济途径：{t.remedies}")
    if t.lists_responsible_persons:
        lines.append("同时列入单位及其法定代表人、主要负责人和直接负责的有关人员")
    return lines


@app.command("type")
def show_type(
    code: str = typer.Argument(..., help="名单类型代码，如 wage_arrears"),
    as_json: bool = typer.Option(False, "--json", help="输出 JSON"),
) -> None:
    """One list type in full: basis, criteria, notice and defence periods, duration, early removal, remedies."""
    catalogue = _catalogue_or_exit()
    try:
        found = catalogue.get(code)
    except ListTypeError as exc:
        typer.echo(f"错误: {exc}", err=True)
        raise typer.Exit(2) from None
    if as_json:
        typer.echo(json.dumps(found.model_dump(mode="json"), ensure_ascii=False))
        return
    typer.echo("\n".join(_describe(found)))


@app.command("measures")
def measures(
    as_of: str | None = typer.Option(None, "--as-of", help="检查基准日 YYYY-MM-DD（默认今天）"),
    overdue_only: bool = typer.Option(False, "--overdue", help="只列出逾期未完成修订、废止的措施"),
    as_json: bool = typer.Option(False, "--json", help="输出 JSON"),
) -> None:
    """The measures ledger (失信约束措施台账): legal basis, status, deadlines; overdue tasks flagged.
    Exit 1 with --overdue when any task is overdue (for a scheduled check)."""
    try:
        day = date.fromisoformat(as_of) if as_of else clock.today()
        report = ledger_report(day)
    except ValueError as exc:  # a bad date, or a ledger file that does not validate
        typer.echo(f"错误: {exc}", err=True)
        raise typer.Exit(2) from None
    rows = [r for r in report.measures if r.overdue] if overdue_only else report.measures
    if as_json:
        shown = report.model_copy(update={"measures": rows})
        typer.echo(shown.model_dump_json())
    else:
        table = Table("编号", "措施", "类别", "场景", "部门", "依据", "状态", "时限", "进展")
        for r in rows:
            status = f"{r.status}（逾期）" if r.overdue else r.status + ("（已完成）" if r.done else "")
            deadline = r.deadline.isoformat() if r.deadline else ""
            table.add_row(
                r.id, r.name, r.kind, r.scenario, r.department, "；".join(r.basis), status, deadline, r.progress
            )
        Console(width=220).print(table)
        counts = "，".join(f"{k} {v} 项" for k, v in report.by_status.items())
        typer.echo(
            f"台账第 {report.version} 版，基准日 {report.as_of.isoformat()}：{counts}；逾期 {len(report.overdue)} 项"
        )
    if overdue_only and report.overdue:
        raise typer.Exit(1)


# The listing procedure and the joint check live in their own modules; their commands join ``xinyong lists``.
for _module in (list_entries, list_checks):
    app.registered_commands += _module.app.registered_commands
