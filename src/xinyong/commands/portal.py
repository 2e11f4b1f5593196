"""``xinyong portal``: the portal's articles and honest-enterprise selections (issue #8, work-plan item 十七).

``xinyong portal articles list|show|create|publish|withdraw``: ``create --kind news --title T --file body.html
[--publish]`` cleans the body like the web form and prints what was removed. ``xinyong portal selections
open|nominate|review|publish|list|show``: a round for a red list, nominations until the closing day, the office's
review, and publication onto the red list (all or nothing). The console operator acts with every permission; each
change leaves the same audit event as the web's. ``--json`` prints the shapes of ``/api/v1/portal``. Exit codes:
0 done; 2 bad input or a refused step (the reason in Chinese on stderr).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import typer

from xinyong.commands.operator import operator_context
from xinyong.evaluation.service import subject_by_ref
from xinyong.portal import article_queries, articles, selection_queries, selections
from xinyong.portal.schemas import ArticleAdmin, ArticleSaved, SelectionCard, SelectionDetail

app = typer.Typer(help="门户网站内容 (portal articles and selections)", no_args_is_help=True)
article_app = typer.Typer(help="文章：新闻、政策、诚信宣传、信用创新案例", no_args_is_help=True)
selection_app = typer.Typer(help="诚信评选：守合同重信用企业、诚信示范中小企业", no_args_is_help=True)
app.add_typer(article_app, name="articles")
app.add_typer(selection_app, name="selections")

JSON = typer.Option(False, "--json", help="输出 JSON")


def _fail(message: str) -> typer.Exit:
    typer.echo(f"错误: {message}", err=True)
    return typer.Exit(2)


def _echo_json(value: object) -> None:
    typer.echo(json.dumps(value, ensure_ascii=False, indent=2, default=str))


def _day(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise _fail(f"{option} 应为日期 YYYY-MM-DD（收到 {text!r}）") from None


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise _fail(f"找不到正文文件 {path}") from None
    except UnicodeDecodeError:
        raise _fail(f"正文文件 {path} 不是 UTF-8 编码") from None
    except OSError as exc:
        raise _fail(f"无法读取正文文件 {path}：{exc.strerror}") from None


def _article_line(a: ArticleAdmin) -> str:
    tag = f"，{a.campaign}" if a.campaign else ""
    return f"文章 {a.id}：{a.title}（{a.kind_label}，{a.status_label}{tag}，版本 {a.lock_version}）"


# --------------------------------------------------------------------------------------------- articles
@article_app.command("list")
def list_articles(
    status: str | None = typer.Option(None, "--status", help="draft 草稿 / published 已发布 / withdrawn 已撤下"),
    kind: str | None = typer.Option(None, "--kind", help="news / policy / campaign / innovation_case"),
    limit: int = typer.Option(50, "--limit", min=1, max=100, help="最多列出几篇"),
    as_json: bool = JSON,
) -> None:
    """Articles (drafts included), last changed first."""
    with operator_context() as ctx:
        page = article_queries.office_articles(ctx, status=status, kind=kind, limit=limit)
    if as_json:
        _echo_json(page.model_dump(mode="json"))
        return
    typer.echo(f"共 {page.total} 篇")
    for a in page.items:
        typer.echo(_article_line(a))


@article_app.command("show")
def show_article(article_id: int = typer.Argument(..., help="文章编号"), as_json: bool = JSON) -> None:
    """One article with its stored (cleaned) body."""
    with operator_context() as ctx:
        shown = article_queries.office_article(ctx, article_id)
    if as_json:
        _echo_json(shown.model_dump(mode="json"))
        return
    typer.echo(_article_line(shown))
    if shown.summary:
        typer.echo(f"摘要：{shown.summary}")
    typer.echo(shown.body_html)


@article_app.command("create")
def create_article(
    kind: str = typer.Option(..., "--kind", help="news / policy / campaign / innovation_case"),
    title: str = typer.Option(..., "--title", help="标题"),
    file: Path = typer.Option(..., "--file", help="正文 HTML 文件（UTF-8）"),
    summary: str = typer.Option("", "--summary", help="摘要"),
    source: str = typer.Option("", "--source", help="来源"),
    campaign: str = typer.Option("", "--campaign", help="宣传节点代码或名称，如 integrity_month / 诚信宣传月"),
    unit: str = typer.Option("", "--unit", help="信用创新案例：实施单位"),
    scenario: str = typer.Option("", "--scenario", help="信用创新案例：应用场景代码，如 credit_rental"),
    publish: bool = typer.Option(False, "--publish", help="保存后立即发布"),
    as_json: bool = JSON,
) -> None:
    """Save an article (a draft unless ``--publish``); prints what cleaning removed from the body."""
    body = _read(file)
    with operator_context() as ctx:
        saved = articles.create_article(
            ctx,
            kind,
            title,
            body,
            summary=summary,
            source=source,
            campaign=campaign,
            unit=unit,
            scenario=scenario,
            publish=publish,
        )
        out = ArticleSaved(article=article_queries.admin_out(saved.article), warnings=list(saved.warnings))
    if as_json:
        _echo_json(out.model_dump(mode="json"))
        return
    typer.echo("已保存 " + _article_line(out.article))
    for warning in out.warnings:
        typer.echo(f"  清理：{warning}")


@article_app.command("publish")
def publish_article(article_id: int = typer.Argument(..., help="文章编号"), as_json: bool = JSON) -> None:
    """Put a draft or withdrawn article on the site."""
    with operator_context() as ctx:
        out = article_queries.admin_out(articles.publish_article(ctx, article_id, None))
    if as_json:
        _echo_json(out.model_dump(mode="json"))
    else:
        typer.echo("已发布 " + _article_line(out))


@article_app.command("withdraw")
def withdraw_article(
    article_id: int = typer.Argument(..., help="文章编号"),
    reason: str = typer.Option(..., "--reason", help="撤下原因"),
    as_json: bool = JSON,
) -> None:
    """Take a published article off the site (404 to the public)."""
    with operator_context() as ctx:
        out = article_queries.admin_out(articles.withdraw_article(ctx, article_id, None, reason))
    if as_json:
        _echo_json(out.model_dump(mode="json"))
    else:
        typer.echo("已撤下 " + _article_line(out))


# --------------------------------------------------------------------------------------------- selections
def _card_line(s: SelectionCard) -> str:
    return (
        f"评选 {s.id}：{s.title}（{s.list_name}，{s.year} 年度，{s.status_label}，推荐截止 {s.closes_on}，"
        f"推荐 {s.nominations} 个，入选 {s.winners} 个）"
    )


def _show_detail(detail: SelectionDetail, as_json: bool) -> None:
    if as_json:
        _echo_json(detail.model_dump(mode="json"))
        return
    typer.echo(_card_line(detail))
    if detail.decision_doc_no:
        typer.echo(f"公布文号：{detail.decision_doc_no}（{detail.published_on}）")
    for n in detail.nominations_list:
        problems = f"；资格问题：{'；'.join(n.problems)}" if n.problems else ""
        entry = f"，名单条目 {n.list_entry_id}" if n.list_entry_id else ""
        typer.echo(
            f"  推荐 {n.id}：{n.subject_name}（{n.uscc or '—'}）{n.department_name}，{n.status_label}{entry}"
            f"（版本 {n.lock_version}）{problems}"
        )


@selection_app.command("list")
def list_selections(as_json: bool = JSON) -> None:
    """Every round with its counts."""
    with operator_context() as ctx:
        rows = selection_queries.office_selections(ctx)
    if as_json:
        _echo_json([r.model_dump(mode="json") for r in rows])
        return
    for row in rows:
        typer.echo(_card_line(row))
    if not rows:
        typer.echo("暂无评选")


@selection_app.command("show")
def show_selection(selection_id: int = typer.Argument(..., help="评选编号"), as_json: bool = JSON) -> None:
    """One round with its nominations and today's eligibility problems."""
    with operator_context() as ctx:
        detail = selection_queries.selection_detail(ctx, selection_id)
    _show_detail(detail, as_json)


@selection_app.command("open")
def open_selection(
    list_code: str = typer.Option(..., "--list", help="红名单代码：contract_honouring / integrity_model_sme"),
    year: int = typer.Option(..., "--year", help="评选年度"),
    title: str = typer.Option(..., "--title", help="评选名称"),
    closes_on: str = typer.Option(..., "--closes-on", help="推荐截止日 YYYY-MM-DD（含当日）"),
    description: str = typer.Option("", "--description", help="评选通知（纯文本）"),
    as_json: bool = JSON,
) -> None:
    """Open a round for a red list."""
    day = _day(closes_on, "--closes-on")
    with operator_context() as ctx:
        made = selections.open_selection(ctx, list_code, year, title, day, description)
        detail = selection_queries.selection_detail(ctx, made.id)
    _show_detail(detail, as_json)


@selection_app.command("nominate")
def nominate(
    selection_id: int = typer.Argument(..., help="评选编号"),
    subject: str = typer.Option(..., "--subject", help="主体编号或统一社会信用代码"),
    reason: str = typer.Option(..., "--reason", help="推荐理由"),
    as_json: bool = JSON,
) -> None:
    """Nominate a subject (refused with every reason when it is not eligible)."""
    with operator_context() as ctx:
        made = selections.nominate(ctx, selection_id, subject_by_ref(ctx, subject).id, reason)
        detail = selection_queries.selection_detail(ctx, selection_id)
    shown = next(n for n in detail.nominations_list if n.id == made.id)
    if as_json:
        _echo_json(shown.model_dump(mode="json"))
    else:
        typer.echo(f"已推荐 {shown.id}：{shown.subject_name}（{shown.uscc or '—'}）")


@selection_app.command("review")
def review(
    nomination_id: int = typer.Argument(..., help="推荐编号"),
    approve: bool = typer.Option(False, "--approve", help="评审通过"),
    reject: bool = typer.Option(False, "--reject", help="未通过（须写 --note）"),
    note: str = typer.Option("", "--note", help="评审意见"),
    as_json: bool = JSON,
) -> None:
    """Approve or reject a nomination after the closing day."""
    if approve == reject:
        raise _fail("请给出 --approve 或 --reject 之一")
    with operator_context() as ctx:
        done = selections.review(ctx, nomination_id, "approve" if approve else "reject", note, None)
        detail = selection_queries.selection_detail(ctx, done.selection_id)
    shown = next(n for n in detail.nominations_list if n.id == done.id)
    if as_json:
        _echo_json(shown.model_dump(mode="json"))
    else:
        typer.echo(f"推荐 {shown.id}（{shown.subject_name}）：{shown.status_label}，{shown.review_note}")


@selection_app.command("publish")
def publish(
    selection_id: int = typer.Argument(..., help="评选编号"),
    doc_no: str = typer.Option(..., "--doc-no", help="评选结果（列入决定）文号"),
    as_json: bool = JSON,
) -> None:
    """Publish the results: every approved nominee onto the red list, all or nothing."""
    with operator_context() as ctx:
        selections.publish_selection(ctx, selection_id, doc_no, None)
        detail = selection_queries.selection_detail(ctx, selection_id)
    _show_detail(detail, as_json)
