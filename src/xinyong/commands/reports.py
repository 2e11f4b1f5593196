"""``xinyong reports``: credit reports (issue #8) — issue a public or special (专用) report for a subject, verify a
report number, list issued reports, write a report's PDF or HTML again, rotate the signing key, build the font.

The console operator issues like the credit office (audit event ``reports.issue``; the purpose defaults to
"区信用办控制台出具"). ``verify`` exits 0 when the report is authentic and its facts unchanged, 1 when authentic but
the facts have changed since issue, 2 when the number is unknown, the content altered, the check code wrong or the
input malformed (the reason in Chinese on stderr).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import typer

from xinyong.commands.operator import operator_context
from xinyong.errors import XinyongError
from xinyong.evaluation.service import subject_by_ref
from xinyong.reports import service, signing
from xinyong.reports.fonts import ensure_subset
from xinyong.reports.models import CreditReport
from xinyong.reports.render import render_html, render_pdf
from xinyong.reports.rules import report_rules
from xinyong.reports.schemas import VerificationResult

app = typer.Typer(help="信用报告 (credit reports)", no_args_is_help=True)
CONSOLE_PURPOSE = "区信用办控制台出具"


def _fail(message: str) -> typer.Exit:
    typer.echo(f"错误: {message}", err=True)
    return typer.Exit(2)


def _echo_json(value: object) -> None:
    typer.echo(json.dumps(value, ensure_ascii=False, indent=2, default=str))


def _day(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise _fail(f"{option} 应为日期 YYYY-MM-DD（收到 {text!r}）") from None


def _write(report: CreditReport, pdf: Path | None, html: Path | None) -> None:
    if pdf is not None:
        pdf.write_bytes(render_pdf(report))
        typer.echo(f"PDF 已写入 {pdf}")
    if html is not None:
        html.write_text(render_html(report), encoding="utf-8")
        typer.echo(f"HTML 已写入 {html}")


@app.command("issue")
def issue(
    subject: str = typer.Argument(..., help="主体的统一社会信用代码或主体编号"),
    kind: str = typer.Option("public", "--kind", help="public 公共信用报告 / special 专用信用报告"),
    start: str | None = typer.Option(None, "--from", help="专用：查询期间起 YYYY-MM-DD"),
    end: str | None = typer.Option(None, "--to", help="专用：查询期间止 YYYY-MM-DD"),
    domains: list[str] = typer.Option([], "--domain", help="专用：领域代码，可重复（xinyong reports domains 查看）"),
    purpose: str = typer.Option(CONSOLE_PURPOSE, "--purpose", help="报告用途"),
    as_of: str | None = typer.Option(None, "--as-of", help="信息截止日 YYYY-MM-DD（默认今天）"),
    pdf: Path | None = typer.Option(None, "--pdf", help="同时写出 PDF 文件"),
    html: Path | None = typer.Option(None, "--html", help="同时写出 HTML 文件"),
    as_json: bool = typer.Option(False, "--json", help="输出 JSON（报告编号、校验码、核验地址）"),
) -> None:
    """Issue and sign a report; print its number, check code and verification address."""
    period_start, period_end, day = _day(start, "--from"), _day(end, "--to"), _day(as_of, "--as-of")
    with operator_context() as ctx:
        report = service.issue_report(
            ctx,
            subject_by_ref(ctx, subject).id,
            kind,
            period_start=period_start,
            period_end=period_end,
            domains=domains,
            purpose=purpose,
            as_of=day,
        )
        shown = service.summary(report)
        _write(report, pdf, html)
    if as_json:
        _echo_json(shown.model_dump(mode="json"))
        return
    typer.echo(f"已出具{shown.kind_label}：{shown.subject_name}")
    typer.echo(f"报告编号 {shown.number}  校验码 {shown.check_code}")
    typer.echo(f"核验地址 {shown.links.verify}")


def _print_verification(result: VerificationResult) -> None:
    typer.echo(f"{result.verdict_label}：{result.message}")
    if result.report is not None:
        r = result.report
        period = f"，查询期间 {r.period_start} 至 {r.period_end}" if r.period_start else ""
        typer.echo(f"{r.kind_label}：{r.subject_name}，出具于 {r.issued_at}，信息截止 {r.as_of}{period}")
    if result.facts_message:
        typer.echo(result.facts_message)
    for change in result.changes:
        for label, items in (("新增", change.added), ("移除", change.removed), ("变化", change.changed)):
            for item in items:
                typer.echo(f"  {change.section} {label}：{item}")


@app.command("verify")
def verify(
    number: str = typer.Argument(..., help="报告编号"),
    code: str | None = typer.Option(None, "--code", help="报告上印制的校验码"),
    as_json: bool = typer.Option(False, "--json", help="输出 JSON"),
) -> None:
    """Verify a report: exit 0 authentic and unchanged, 1 facts changed since issue, 2 unknown / altered / forged."""
    with operator_context() as ctx:
        result = service.verify_report(ctx, number, code)
    if as_json:
        _echo_json(result.model_dump(mode="json"))
    else:
        _print_verification(result)
    if not result.authentic:
        if not as_json:
            typer.echo(f"错误: {result.message}", err=True)
        raise typer.Exit(2)
    raise typer.Exit(1 if result.facts_changed else 0)


@app.command("list")
def list_reports(
    subject: str | None = typer.Option(None, "--subject", help="主体的统一社会信用代码或主体编号"),
    limit: int = typer.Option(50, "--limit", help="条数（最多 200）"),
    as_json: bool = typer.Option(False, "--json", help="输出 JSON"),
) -> None:
    """Issued reports, newest first."""
    with operator_context() as ctx:
        subject_id = subject_by_ref(ctx, subject).id if subject else None
        total, rows = service.list_reports(ctx, subject_id=subject_id, limit=limit)
        shown = [service.summary(r) for r in rows]
    if as_json:
        _echo_json({"total": total, "items": [s.model_dump(mode="json") for s in shown]})
        return
    for s in shown:
        period = f" {s.period_start}～{s.period_end} {'、'.join(s.domain_labels)}" if s.period_start else ""
        typer.echo(f"{s.number} {s.check_code} {s.issued_at:%Y-%m-%d %H:%M} {s.kind_label} {s.subject_name}{period}")
    typer.echo(f"共 {total} 份报告" if total else "尚未出具报告")


@app.command("download")
def download(
    number: str = typer.Argument(..., help="报告编号"),
    pdf: Path | None = typer.Option(None, "--pdf", help="写出 PDF 文件"),
    html: Path | None = typer.Option(None, "--html", help="写出 HTML 文件"),
) -> None:
    """Write an issued report's PDF and/or HTML again (the same signed content)."""
    if pdf is None and html is None:
        raise _fail("请用 --pdf 或 --html 指定要写出的文件")
    with operator_context() as ctx:
        _write(service.get_report(ctx, number, purpose="download"), pdf, html)


@app.command("domains")
def domains() -> None:
    """The domains a special report may cover, with their departments and lists."""
    rules = report_rules().special
    typer.echo(f"{rules.name}：查询期间最长 {rules.period.max_years} 年")
    for d in rules.domains:
        lists = f"；名单 {'、'.join(d.lists)}" if d.lists else ""
        typer.echo(f"  {d.id}  {d.label}：部门 {'、'.join(d.departments)}{lists}")


@app.command("rotate-key")
def rotate_key() -> None:
    """Replace the signing key; reports signed with the old key still verify (its public half is kept)."""
    with operator_context() as ctx:
        old, new = signing.rotate_key(ctx)
    typer.echo(f"新的签名密钥 {new} 已启用" + (f"；原密钥 {old} 已停用（其公钥保留，原报告仍可核验）" if old else ""))


@app.command("build-font")
def build_font(rebuild: bool = typer.Option(False, "--rebuild", help="已有缓存也重新生成")) -> None:
    """Build (or check) the CJK font subset embedded in report PDFs."""
    try:
        path, seconds = ensure_subset(rebuild=rebuild)
    except XinyongError as exc:
        raise _fail(exc.message) from None
    state = f"已生成（{seconds:.1f} 秒）" if seconds else "已存在"
    typer.echo(f"报告字体子集{state}：{path}（{path.stat().st_size // 1024} KiB）")
