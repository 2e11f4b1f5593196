"""``xinyong arrears``: 清理拖欠账款 (SOE arrears clearing, issue #11 item 3) — record an entry and its payments,
list the ledger, print the clearing progress and the year's new arrears against zero, list complaints.

The console operator acts with every permission; changes leave the same audit events as the web. ``--json`` prints
the API's shapes. Exit codes: 0 done; 2 bad input (an unregistered debtor, a bad amount or date, a payment above
what is outstanding), reason on stderr.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any, TypeVar

import typer
from pydantic import BaseModel, ValidationError

from xinyong.commands.operator import operator_context
from xinyong.government import arrears, arrears_queries
from xinyong.government.arrears_schemas import EntryIn, PaymentIn

app = typer.Typer(help="清理拖欠账款 (SOE arrears clearing)", no_args_is_help=True)
M = TypeVar("M", bound=BaseModel)
LABELS = {"amount": "--amount", "arose_on": "--arose-on", "due_on": "--due-on", "paid_on": "--paid-on"}


def _fail(message: str) -> typer.Exit:
    typer.echo(f"错误: {message}", err=True)
    return typer.Exit(2)


def _echo_json(value: object) -> None:
    typer.echo(json.dumps(value, ensure_ascii=False, indent=2, default=str))


def _model(cls: type[M], data: dict[str, Any]) -> M:
    try:
        return cls.model_validate({k: v for k, v in data.items() if v not in ("", None)})
    except ValidationError as exc:
        first = exc.errors()[0]
        field = str(first["loc"][0]) if first.get("loc") else ""
        raise _fail(f"{LABELS.get(field, field)} 填写有误（金额为正数、最多两位小数；日期为 YYYY-MM-DD）") from None


def _day(text: str, option: str) -> date | None:
    if not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise _fail(f"{option} 应为 YYYY-MM-DD（收到 {text!r}）") from None


@app.command("add")
def add(
    debtor: str = typer.Option(..., "--debtor", help="债务单位：名录编号、统一社会信用代码或全称"),
    creditor: str = typer.Option("", "--creditor", help="债权企业名称"),
    creditor_uscc: str = typer.Option("", "--creditor-uscc", help="债权企业统一社会信用代码（已登记主体）"),
    amount: str = typer.Option(..., "--amount", help="欠款金额（元）"),
    arose_on: str = typer.Option(..., "--arose-on", help="欠款发生日期 YYYY-MM-DD"),
    due_on: str = typer.Option("", "--due-on", help="约定付款日期（默认按法定期限）"),
    not_sme: bool = typer.Option(False, "--not-sme", help="债权企业不是中小企业"),
    description: str = typer.Option("", "--description", help="说明"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """登记拖欠账款。"""
    ref = debtor.strip()
    who: dict[str, Any] = (
        {"debtor_id": int(ref)}
        if ref.isdigit() and len(ref) < 10
        else {"debtor_uscc": ref}
        if len(ref) == 18 and ref.isalnum()
        else {"debtor_name": ref}
    )
    data = _model(
        EntryIn,
        {
            **who,
            "creditor_name": creditor,
            "creditor_uscc": creditor_uscc,
            "amount": amount,
            "arose_on": _day(arose_on, "--arose-on"),
            "due_on": _day(due_on, "--due-on"),
            "creditor_sme": not not_sme,
            "description": description,
        },
    )
    with operator_context() as ctx:
        entry = arrears.record_entry(ctx, data)
        out = arrears_queries.entry_detail(ctx, entry.id)
    if as_json:
        _echo_json(out.model_dump(mode="json"))
        return
    typer.echo(
        f"已登记台账记录 {out.id}：{out.debtor_name} 欠 {out.creditor_name} {out.amount} 元，约定 {out.due_on} 付款"
    )


@app.command("pay")
def pay(
    entry_id: int = typer.Argument(..., help="台账记录编号"),
    amount: str = typer.Option(..., "--amount", help="清偿金额（元）"),
    paid_on: str = typer.Option(..., "--paid-on", help="清偿日期 YYYY-MM-DD"),
    note: str = typer.Option("", "--note", help="备注"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """登记清偿。"""
    data = _model(PaymentIn, {"amount": amount, "paid_on": _day(paid_on, "--paid-on"), "note": note})
    with operator_context() as ctx:
        arrears.record_payment(ctx, entry_id, data)
        out = arrears_queries.entry_detail(ctx, entry_id)
    if as_json:
        _echo_json(out.model_dump(mode="json"))
        return
    typer.echo(f"已登记清偿：台账记录 {out.id} 尚欠 {out.outstanding} 元（{out.status_label}）")


@app.command("list")
def list_(
    status: str = typer.Option("", "--status", help="outstanding / cleared / disputed"),
    kind: str = typer.Option("", "--kind", help="organ / institution / soe"),
    year: int = typer.Option(0, "--year", help="欠款发生年度"),
    overdue: bool = typer.Option(False, "--overdue", help="只列逾期未清偿"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """列出台账。"""
    if status and status not in ("outstanding", "cleared", "disputed"):
        raise _fail("--status 应为 outstanding / cleared / disputed")
    with operator_context() as ctx:
        rows = arrears_queries.list_entries(ctx, status=status, kind=kind, year=year or None, overdue=overdue)
    if as_json:
        _echo_json([r.model_dump(mode="json") for r in rows])
        return
    for r in rows:
        late = f"\t逾期 {r.days_overdue} 天" if r.overdue else ""
        typer.echo(
            f"{r.id}\t{r.debtor_name}\t{r.creditor_name}\t{r.amount}\t尚欠 {r.outstanding}\t{r.status_label}{late}"
        )
    typer.echo(f"共 {len(rows)} 条")


@app.command("summary")
def summary(
    as_of: str = typer.Option("", "--as-of", help="统计基准日 YYYY-MM-DD（默认今天）"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """清欠进展与本年度新增拖欠（目标清零）。"""
    day = _day(as_of, "--as-of")
    with operator_context() as ctx:
        out = arrears_queries.summary(ctx, day)
    if as_json:
        _echo_json(out.model_dump(mode="json"))
        return
    t, n = out.total, out.new_arrears
    rate = "—" if t.clearing_rate is None else f"{t.clearing_rate * 100:.1f}%"
    typer.echo(
        f"截至 {out.as_of}：台账 {t.entries} 笔，欠款 {t.owed} 元，已清偿 {t.cleared} 元，"
        f"尚欠 {t.outstanding} 元，清偿率 {rate}"
    )
    typer.echo(
        f"{n.year} 年新增拖欠：{n.count} 笔 {n.amount} 元（目标 {n.target_count}）{'已清零' if n.met else '未清零'}"
    )
    for u in out.by_unit:
        typer.echo(f"  {u.label}\t{u.entries} 笔\t尚欠 {u.outstanding} 元")
    typer.echo(f"待处理投诉 {out.complaints_open} 件，超期 {out.complaints_overdue} 件")


@app.command("complaints")
def complaints(
    status: str = typer.Option("", "--status", help="received / accepted / rejected"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
) -> None:
    """列出拖欠账款投诉。"""
    if status and status not in ("received", "accepted", "rejected"):
        raise _fail("--status 应为 received / accepted / rejected")
    with operator_context() as ctx:
        rows = arrears_queries.list_complaints(ctx, status=status)
    if as_json:
        _echo_json([r.model_dump(mode="json") for r in rows])
        return
    for c in rows:
        late = "\t已超期" if c.overdue else ""
        typer.echo(
            f"{c.id}\t{c.complainant_name}\t→ {c.debtor_name}\t{c.amount}\t{c.status_label}\t时限 {c.deadline}{late}"
        )
    typer.echo(f"共 {len(rows)} 件")
