"""The listing procedure at the console (merged into ``xinyong lists``): propose, notice, defence, decide, drop,
publish, remove, entries, entry, import, expire.

Each command runs one service action as the console operator in its own transaction. ``--json`` prints the
entry (or the import result) as JSON. Exit codes: 0 done; 2 bad input or a refusal (the Chinese reason on
stderr; an import's rejected rows one per line).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from xinyong import clock
from xinyong.auth.context import Context
from xinyong.commands.operator import operator_context
from xinyong.db.base import fetch
from xinyong.errors import InvalidInput, NotFound
from xinyong.lists import entries, entry_queries, received
from xinyong.lists.entry_schemas import EntryDetail, EntryRow
from xinyong.lists.models import ListEntry
from xinyong.subjects.models import Subject

app = typer.Typer()

AsJson = typer.Option(False, "--json", help="输出 JSON")
Version = typer.Option(None, "--version", help="条目版本号（lock_version；给出时他人先行办理则拒绝）")


def _fail(message: str) -> typer.Exit:
    typer.echo(f"错误: {message}", err=True)
    return typer.Exit(2)


def _day(text: str | None, option: str, *, default_today: bool = False) -> date | None:
    if text is None or not text.strip():
        return clock.today() if default_today else None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise _fail(f"{option} 应为日期 YYYY-MM-DD（收到 {text!r}）") from None


def _required(text: str | None, option: str) -> date:
    found = _day(text, option, default_today=True)
    assert found is not None
    return found


def _subject(ctx: Context, ref: str, name: str | None) -> Subject:
    text = ref.strip()
    if text.isascii() and text.isdigit() and len(text) < 15:
        found = fetch(ctx.session, Subject, int(text))
        if found is None:
            raise NotFound(f"主体 {text} 不存在", field="subject")
        return found
    if name:
        return received.ensure_subject(ctx, text, name, "subject")
    found = received.find_subject(ctx, text, "subject")
    if found is None:
        raise InvalidInput(
            "主体库中没有该代码的主体：请用 --subject-name 给出名称（将新建并标记为待核实）", field="subject"
        )
    return found


def _person(ctx: Context, value: str) -> int:
    name, _, code = value.replace("：", ":").partition(":")
    if not name.strip() or not code.strip():
        raise InvalidInput(f"--person 应为“姓名:身份证号码”（收到 {value[:4]}…）", field="person")
    return received.ensure_subject(ctx, code.strip(), name.strip(), "person").id


def _show(ctx: Context, entry: ListEntry, as_json: bool) -> None:
    row = entry_queries.summary(ctx, entry)
    if as_json:
        typer.echo(row.model_dump_json())
        return
    typer.echo(_line(row))


def _line(row: EntryRow) -> str:
    dates = []
    if row.defence_due:
        dates.append(f"陈述申辩期至 {row.defence_due}")
    if row.decision_on:
        dates.append(f"决定 {row.decision_on}")
    if row.published_on:
        dates.append(f"公示 {row.published_on}")
    if row.expires_on:
        dates.append(f"期满 {row.expires_on}")
    if row.removed_on:
        dates.append(f"移出 {row.removed_on}")
    extra = f"，{'，'.join(dates)}" if dates else ""
    return f"条目 {row.id}（{row.list_name}）{row.subject_name}：{row.status_label}{extra}；版本 {row.lock_version}"


# --------------------------------------------------------------------------------------------- the procedure
@app.command("propose")
def propose(
    list_code: str = typer.Argument(..., help="名单类型代码，如 wage_arrears"),
    subject: str = typer.Argument(..., help="列入主体：统一社会信用代码、身份证号码或主体编号"),
    reasons: str = typer.Option(..., "--reasons", help="列入事由（事实）"),
    basis: str = typer.Option("", "--basis", help="列入依据（默认为名单的设立依据）"),
    case_ref: str = typer.Option("", "--case-ref", help="关联文书号，如责令限期支付文书号"),
    subject_name: str | None = typer.Option(None, "--subject-name", help="主体库中没有该代码时按此名称新建（待核实）"),
    person: list[str] = typer.Option([], "--person", help="同时列入的责任人“姓名:身份证号码”，可重复"),
    as_json: bool = AsJson,
) -> None:
    """拟列入 (dishonesty and red lists; received lists are imported)."""
    with operator_context() as ctx:
        found = _subject(ctx, subject, subject_name)
        persons = [_person(ctx, p) for p in person]
        entry = entries.propose(ctx, list_code, found.id, reasons, basis, case_ref, persons)
        _show(ctx, entry, as_json)


@app.command("notice")
def notice(
    entry_id: int = typer.Argument(..., help="名单条目编号"),
    doc_no: str = typer.Option(..., "--doc-no", help="告知书文号"),
    served_on: str | None = typer.Option(None, "--served-on", help="送达日期 YYYY-MM-DD（默认今天）"),
    version: int | None = Version,
    as_json: bool = AsJson,
) -> None:
    """送达列入前告知书: the defence period's last working day is computed."""
    day = _required(served_on, "--served-on")
    with operator_context() as ctx:
        _show(ctx, entries.serve_notice(ctx, entry_id, doc_no, day, version), as_json)


@app.command("defence")
def defence(
    entry_id: int = typer.Argument(..., help="名单条目编号"),
    text: str = typer.Option(..., "--text", help="陈述申辩意见"),
    received_on: str | None = typer.Option(None, "--received-on", help="收到日期 YYYY-MM-DD（默认今天）"),
    version: int | None = Version,
    as_json: bool = AsJson,
) -> None:
    """登记陈述申辩 (within the defence period)."""
    day = _required(received_on, "--received-on")
    with operator_context() as ctx:
        _show(ctx, entries.record_defence(ctx, entry_id, text, day, version), as_json)


@app.command("decide")
def decide(
    entry_id: int = typer.Argument(..., help="名单条目编号"),
    doc_no: str = typer.Option(..., "--doc-no", help="列入决定书文号"),
    decided_on: str | None = typer.Option(None, "--decided-on", help="决定日期 YYYY-MM-DD（默认今天）"),
    defence_outcome: str | None = typer.Option(
        None, "--defence-outcome", help="收到陈述申辩时：rejected（不予采纳）；采纳的请用 drop"
    ),
    version: int | None = Version,
    as_json: bool = AsJson,
) -> None:
    """作出列入决定 (dishonesty lists: after the notice, once the defence period has ended)."""
    day = _required(decided_on, "--decided-on")
    with operator_context() as ctx:
        _show(ctx, entries.decide(ctx, entry_id, doc_no, day, defence_outcome, version), as_json)


@app.command("drop")
def drop(
    entry_id: int = typer.Argument(..., help="名单条目编号"),
    reason: str = typer.Option(..., "--reason", help="不予列入的理由"),
    version: int | None = Version,
    as_json: bool = AsJson,
) -> None:
    """不予列入."""
    with operator_context() as ctx:
        _show(ctx, entries.drop(ctx, entry_id, reason, version), as_json)


@app.command("publish")
def publish(
    entry_id: int = typer.Argument(..., help="名单条目编号"),
    published_on: str | None = typer.Option(None, "--published-on", help="公示日期 YYYY-MM-DD（默认今天）"),
    version: int | None = Version,
    as_json: bool = AsJson,
) -> None:
    """列入并公示 (in force from that day)."""
    day = _required(published_on, "--published-on")
    with operator_context() as ctx:
        _show(ctx, entries.publish(ctx, entry_id, day, version), as_json)


@app.command("remove")
def remove(
    entry_id: int = typer.Argument(..., help="名单条目编号"),
    reason: str = typer.Option(
        ...,
        "--reason",
        help="expiry 期满 / early_removal 提前移出 / repair 信用修复 / revocation 撤销 / source_removed",
    ),
    note: str = typer.Option(..., "--note", help="移出说明"),
    removed_on: str | None = typer.Option(None, "--removed-on", help="移出日期 YYYY-MM-DD（默认今天）"),
    corrected_on: str | None = typer.Option(None, "--corrected-on", help="改正日期（提前移出自改正之日起算时必填）"),
    commitment: str = typer.Option("", "--commitment", help="信用承诺内容（提前移出须承诺时必填）"),
    version: int | None = Version,
    as_json: bool = AsJson,
) -> None:
    """移出名单 (the entry and its responsible persons)."""
    day = _required(removed_on, "--removed-on")
    corrected = _day(corrected_on, "--corrected-on")
    with operator_context() as ctx:
        entry = entries.remove(ctx, entry_id, reason, day, note, corrected, commitment, version)
        _show(ctx, entry, as_json)


# --------------------------------------------------------------------------------------------- reads
@app.command("entries")
def list_entries(
    list_code: str | None = typer.Option(None, "--list", help="名单类型代码"),
    status: str | None = typer.Option(
        None, "--status", help="proposed / noticed / decided / published / removed / dropped"
    ),
    subject_id: int | None = typer.Option(None, "--subject-id", help="主体编号"),
    q: str | None = typer.Option(None, "--q", help="主体名称片段或代码"),
    limit: int = typer.Option(50, "--limit", help="最多列出的条数（1–200）"),
    as_json: bool = AsJson,
) -> None:
    """Entries, newest first."""
    with operator_context() as ctx:
        page = entry_queries.list_entries(
            ctx, list_code=list_code, status=status, subject_id=subject_id, q=q, limit=limit
        )
    if as_json:
        typer.echo(page.model_dump_json())
        return
    table = Table("编号", "名单", "主体", "代码", "状态", "申辩期至", "决定", "公示", "期满/移出")
    for e in page.items:
        end = f"移出 {e.removed_on}" if e.removed_on else (f"期满 {e.expires_on}" if e.expires_on else "")
        table.add_row(
            str(e.id),
            e.list_name,
            e.subject_name,
            e.subject_code or "",
            e.status_label,
            str(e.defence_due or ""),
            str(e.decision_on or ""),
            str(e.published_on or ""),
            end,
        )
    Console(width=200).print(table)
    typer.echo(f"共 {page.total} 条")


def _describe(d: EntryDetail) -> list[str]:
    lines = [_line(d), f"部门：{d.department_name}；事由：{d.reasons}", f"依据：{d.basis}"]
    if d.notice_on:
        lines.append(f"告知：{d.notice_doc_no}，{d.notice_on} 送达，陈述申辩期至 {d.defence_due}")
    if d.defence_on:
        lines.append(f"陈述申辩（{d.defence_on}）：{d.defence_text}")
    if d.decision_doc_no:
        lines.append(f"决定：{d.decision_doc_no}，{d.decision_on}")
    if d.removal_reason_label or d.removal_note:
        lines.append(f"移出/不予列入：{d.removal_reason_label or ''} {d.removal_note}")
    if d.early_removal_rule:
        earliest = f"（最早 {d.earliest_early_removal}）" if d.earliest_early_removal else ""
        lines.append(f"提前移出：{d.early_removal_rule}{earliest}")
    lines += [f"责任人：条目 {p.id} {p.subject_name}（{p.status_label}）" for p in d.responsible_persons]
    if d.next_steps:
        lines.append("下一步：" + "、".join(d.next_steps))
    lines.append("办理记录：")
    lines += [
        f"  {h.at:%Y-%m-%d %H:%M} {h.action_label} {h.actor} {h.note.splitlines()[0] if h.note else ''}"
        for h in d.history
    ]
    lines += [f"材料：{f.id} {f.filename}（{f.size} 字节）" for f in d.files]
    return lines


@app.command("entry")
def show_entry(entry_id: int = typer.Argument(..., help="名单条目编号"), as_json: bool = AsJson) -> None:
    """One entry: every step, deadlines, responsible persons, history and files."""
    with operator_context() as ctx:
        detail = entry_queries.entry_detail(ctx, entry_id)
    if as_json:
        typer.echo(detail.model_dump_json())
        return
    typer.echo("\n".join(_describe(detail)))


# --------------------------------------------------------------------------------------------- received lists, expiry
@app.command("import")
def import_list(
    list_code: str = typer.Argument(..., help="接收名单代码，如 samr_serious_illegal"),
    file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True, help="CSV（UTF-8/GBK）或 .xlsx"),
    source_ref: str = typer.Option(..., "--source-ref", help="来源批次或文号"),
    partial: bool = typer.Option(False, "--partial", help="部分接收：正确行导入、错误行退回"),
    as_json: bool = AsJson,
) -> None:
    """Import a received list from its source's file (all or nothing unless --partial; idempotent)."""
    content = file.read_bytes()
    with operator_context() as ctx:
        result = received.import_received(ctx, list_code, file.name, content, source_ref, partial=partial)
    if as_json:
        typer.echo(result.model_dump_json())
        return
    typer.echo(
        f"已导入 {result.list_code}（{result.source_ref}）：数据行 {result.rows}，新增 {result.added}，"
        f"按来源移出 {result.removed}，未变化 {result.unchanged}，新建主体 {result.subjects_created}，"
        f"未导入的错误行 {result.rejected}"
    )
    for e in result.errors:
        typer.echo(f"  第 {e.row} 行 {e.column}：{e.reason}", err=True)


@app.command("expire")
def expire(
    as_of: str | None = typer.Option(None, "--as-of", help="基准日 YYYY-MM-DD（默认今天）"),
    as_json: bool = AsJson,
) -> None:
    """Close the entries whose period has ended (期满移出); a re-run closes nothing more."""
    day = _required(as_of, "--as-of")
    with operator_context() as ctx:
        closed = entries.expire_entries(ctx, day)
    if as_json:
        typer.echo(json.dumps({"as_of": day.isoformat(), "expired": closed}))
        return
    typer.echo(f"{day.isoformat()}：期满移出 {closed} 个条目")
