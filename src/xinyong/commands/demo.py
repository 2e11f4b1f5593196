"""``xinyong demo``: load the synthetic demo district (departments, subjects and, by default, their licence and
penalty records) into the configured database."""

from __future__ import annotations

import getpass
import time

import typer
from alembic.script import ScriptDirectory
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from sqlalchemy.exc import OperationalError

from xinyong.auth.context import system_context
from xinyong.db import migrate
from xinyong.db.session import get_engine, session_scope
from xinyong.demo.service import DEFAULT_SEED, DEFAULT_SUBJECTS, DemoSummary, load_demo
from xinyong.errors import XinyongError
from xinyong.subjects.models import SUBJECT_KIND_LABELS


def _schema_problem() -> str | None:
    """One line telling the operator to migrate, or None when the database is at the newest revision."""
    engine = get_engine()
    try:
        current = migrate.current(engine)
    except OperationalError as exc:
        return f"错误: 无法连接数据库 (cannot connect): {str(exc.orig).strip().splitlines()[0]}"
    head = ScriptDirectory.from_config(migrate.alembic_config(engine.url.render_as_string())).get_current_head()
    if current is None:
        return "错误: 数据库尚未建表，请先运行 xinyong db upgrade"
    if current != head:
        return f"错误: 数据库版本 {current} 不是最新版本 {head}，请先运行 xinyong db upgrade"
    return None


# Each planted kind: its label and the unit its count is in (the summary line and the "skipped" reasons).
LIFECYCLE_KINDS = {
    "objections": ("异议", "件"),
    "repairs": ("信用修复申请", "件"),
    "commitments": ("信用承诺", "件"),
    "feeds": ("司法与行业信用记录", "条"),
    "evaluations": ("信用评价批次", "个"),
    "inspections": ("双随机抽查任务", "项"),
    "lists": ("名单条目", "条"),
    "checks": ("联合奖惩查询", "次"),
    "cases": ("失信案例", "件"),
    "portal": ("门户内容", "项"),
    "reports": ("信用报告", "份"),
    "workplan": ("工作要点进展", "条"),
    "lending": ("信易贷对接记录", "项"),
    "scores": ("个人诚信分", "人"),
    "incentives": ("守信激励记录", "项"),
    "privacy": ("隐私求交集合与交换", "项"),
    "government": ("公共机构与政府合同", "项"),
    "integrity": ("公务员诚信档案记录", "项"),
    "arrears": ("拖欠账款台账记录", "项"),
    "enforcement": ("涉政执行案件", "件"),
    "campaigns": ("专项治理记录", "项"),
    "monitoring": ("信用监测记录", "项"),
}


def summary_line(s: DemoSummary) -> str:
    """The final line: counts by kind, planted code errors, records and their planted problems, seconds."""
    kinds = "，".join(f"{SUBJECT_KIND_LABELS.get(k, k)} {n:,}" for k, n in s.by_kind.items() if n)
    line = (
        f"已载入演示数据（种子 {s.seed}）：主体 {s.subjects:,} 个（{kinds}；"
        f"其中个体工商户占位代码 {s.placeholders:,} 个），新增部门 {s.departments_added} 个；"
        f"预置错码 {s.erroneous} 个、重码 {s.duplicates} 个；"
    )
    if s.records is not None:
        r = s.records
        made = {k: sum(v[k] for v in r.expected.values()) for k in ("late", "bad", "omitted")}
        line += (
            f"许可、处罚决定 {r.decisions:,} 条（{r.start}至{r.end}，{r.batches:,} 个批次经归集入库 "
            f"{r.accepted:,} 条、退回 {r.rejected:,} 条；预置迟报 {made['late']:,} 条、错误 {made['bad']:,} 条、"
            f"漏报 {made['omitted']:,} 条）；"
        )
    elif s.records_skipped:
        line += f"未生成许可、处罚记录：{s.records_skipped}；"
    if s.lifecycle is not None:
        c = s.lifecycle
        line += "、".join(f"{label} {getattr(c, k)} {unit}" for k, (label, unit) in LIFECYCLE_KINDS.items()) + "；"
        line += "".join(f"未生成{LIFECYCLE_KINDS[k][0]}：{why}；" for k, why in c.skipped.items())
    return line + f"用时 {s.seconds:.1f} 秒"


def demo(
    subjects: int = typer.Option(DEFAULT_SUBJECTS, "--subjects", min=1, help="主体数量"),
    seed: int = typer.Option(DEFAULT_SEED, "--seed", help="随机种子（同一种子生成相同数据）"),
    if_empty: bool = typer.Option(False, "--if-empty", help="主体库已有数据时不载入"),
    records: bool = typer.Option(True, "--records/--no-records", help="同时生成并归集许可、处罚记录"),
    lifecycle: bool = typer.Option(
        True, "--lifecycle/--no-lifecycle", help="在记录上预置异议、信用修复申请与信用承诺（需同时生成记录）"
    ),
    record_scale: float = typer.Option(
        1.0, "--record-scale", min=0.0, help="记录规模系数（1.0 = 每 20 个主体 1 条处罚、每 10 个主体 1 条许可）"
    ),
) -> None:
    """Load the demo district: departments of the 2021 work plan, N synthetic subjects and their licence and
    penalty records with known shares of late, bad and omitted ones (deterministic per seed)."""
    problem = _schema_problem()
    if problem:
        typer.echo(problem, err=True)
        raise typer.Exit(2)
    console = Console()
    started = time.perf_counter()
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    try:
        bar_ctx = Progress(*columns, console=console, transient=True, disable=not console.is_terminal)
        with bar_ctx as bar, session_scope() as session:
            task = bar.add_task("载入演示数据", total=subjects)
            batches = bar.add_task("归集许可、处罚记录（批次）", total=None, visible=False)

            def record_progress(done: int, total: int) -> None:
                bar.update(batches, completed=done, total=total, visible=True)

            summary = load_demo(
                system_context(session, actor=f"cli:{getpass.getuser()}"),
                subjects,
                seed,
                if_empty=if_empty,
                progress=lambda done: bar.update(task, completed=done),
                records=record_scale if records else 0.0,
                record_progress=record_progress,
                lifecycle=lifecycle,
            )
            if not summary.skipped:
                bar.update(task, description="提交事务…")
    except XinyongError as exc:
        typer.echo(f"错误: {exc.message}", err=True)
        raise typer.Exit(2) from None
    if summary.skipped:
        typer.echo(summary.message)
        return
    summary.seconds = round(time.perf_counter() - started, 1)  # including the commit
    typer.echo(summary_line(summary))
