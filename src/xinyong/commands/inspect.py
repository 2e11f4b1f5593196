"""``xinyong inspect``: 双随机、一公开 — preview a draw, manage plans, enter results, the inspector pool and conflicts.

``inspect draw … --json`` prints ``{"seed", "candidates_hash", "candidates_by_grade", "drawn_by_grade", "tasks"}``
first, then ``algorithm``, ``as_of``, ``model``, ``ratios`` and ``evaluation_run_id``; identical input on the same
data gives byte-identical output (no timestamps). Exit codes: 0 done; 1 ``plan verify`` found a mismatch; 2 bad
input (the reason in Chinese on stderr).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import typer
from pydantic import BaseModel, ValidationError
from rich.console import Console
from rich.table import Table
from sqlalchemy import select

from xinyong.auth.context import Context
from xinyong.commands.operator import operator_context
from xinyong.errors import NotFound
from xinyong.evaluation.service import subject_by_ref
from xinyong.subjects.models import Department
from xinyong.supervision import service
from xinyong.supervision.access import task_or_404
from xinyong.supervision.draw import GRADES, DrawError, parse_ratios, ratios_text
from xinyong.supervision.schemas import ConflictIn, DrawOut, InspectorIn, PlanIn, PlanOut, ResultIn, TaskOut

app = typer.Typer(help="双随机、一公开 (random inspections)", no_args_is_help=True)
plan_app = typer.Typer(help="抽查计划：创建、抽取、公示、查看、复核", no_args_is_help=True)
inspectors_app = typer.Typer(help="执法检查人员名录库", no_args_is_help=True)
conflicts_app = typer.Typer(help="检查人员回避情形", no_args_is_help=True)
app.add_typer(plan_app, name="plan")
app.add_typer(inspectors_app, name="inspectors")
app.add_typer(conflicts_app, name="conflicts")

M = TypeVar("M", bound=BaseModel)


def _fail(message: str) -> typer.Exit:
    typer.echo(f"错误: {message}", err=True)
    return typer.Exit(2)


def _day(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise _fail(f"{option} 应为日期 YYYY-MM-DD（收到 {text!r}）") from None


def _form(model: type[M], values: dict[str, Any]) -> M:
    """``model`` from the options; a validation error exits 2 with the field and reason."""
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        problems = "；".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        raise _fail(f"输入无效（{problems}）") from None


def _department(ctx: Context, code: str) -> Department:
    found = ctx.session.scalars(select(Department).where(Department.code == code.strip())).first()
    if found is None:
        raise NotFound(f"部门代码 {code!r} 未登记（xinyong departments list 查看已登记的部门）", field="department")
    return found


def _list(text: str | None) -> list[str] | None:
    return [part.strip() for part in text.split(",") if part.strip()] if text is not None else None


def _echo_json(value: object) -> None:
    typer.echo(json.dumps(value, ensure_ascii=False, indent=2, default=str))


# --------------------------------------------------------------------------------------------- draw preview
def draw_json(shown: DrawOut) -> dict[str, object]:
    """The ``draw --json`` shape: the five documented keys first, in order, then the extras."""
    return {
        "seed": shown.seed,
        "candidates_hash": shown.candidates_hash,
        "candidates_by_grade": {g: shown.candidates_by_grade[g] for g in GRADES},
        "drawn_by_grade": {g: shown.drawn_by_grade[g] for g in GRADES},
        "tasks": shown.tasks,
        "algorithm": shown.algorithm,
        "as_of": shown.as_of.isoformat(),
        "model": shown.model,
        "ratios": {g: shown.ratios[g] for g in GRADES},
        "evaluation_run_id": shown.evaluation_run_id,
    }


@app.command("draw")
def draw(
    as_of: str = typer.Option(..., "--as-of", help="名录与信用等级基准日 YYYY-MM-DD"),
    ratios: str = typer.Option(..., "--ratios", help="各等级抽查比例，如 A=0.02,B=0.05,C=1,D=1"),
    seed: str = typer.Option(..., "--seed", help="随机种子（公开，任何人可据此复核）"),
    model: str | None = typer.Option(None, "--model", help="评价模型（默认 general）"),
    item: str | None = typer.Option(None, "--item", help="抽查事项代码（xinyong inspect items）"),
    department: str | None = typer.Option(None, "--department", help="部门代码：按该部门检查人员名录选派"),
    as_json: bool = typer.Option(False, "--json", help="输出 JSON"),
) -> None:
    """Preview a draw: candidates graded as of the day, per-grade counts, the drawn list; nothing is stored."""
    day = _day(as_of, "--as-of")
    with operator_context() as ctx:
        department_id = _department(ctx, department).id if department else None
        shown = service.preview_draw(ctx, day, ratios, seed, model, item_code=item, department_id=department_id)
    if as_json:
        typer.echo(json.dumps(draw_json(shown), ensure_ascii=False))
        return
    source = f"评价批次 {shown.evaluation_run_id}" if shown.evaluation_run_id else "即时计算（无评价批次）"
    typer.echo(
        f"基准日 {shown.as_of.isoformat()}，模型 {shown.model}（{source}），算法 {shown.algorithm}，种子 {shown.seed}\n"
        f"候选名单哈希 {shown.candidates_hash}\n"
        + "，".join(
            f"{g} 级 {shown.candidates_by_grade[g]} 户抽 {shown.drawn_by_grade[g]} 户（比例 {shown.ratios[g]}）"
            for g in GRADES
        )
    )
    table = Table()
    for column in ("序号", "主体编号", "统一社会信用代码", "等级", "检查人员"):
        table.add_column(column)
    for task in shown.tasks:
        names = "、".join(str(i["name"]) for i in task["inspectors"]) or "—"  # type: ignore[attr-defined]
        table.add_row(
            str(task["position"]), str(task["subject_id"]), str(task["uscc"] or "—"), str(task["grade"]), names
        )
    Console(width=160).print(table)


# --------------------------------------------------------------------------------------------- plans
def _plan_line(plan: PlanOut) -> str:
    drawn = ""
    if plan.drawn_by_grade:
        drawn = "，抽取 " + "、".join(f"{g} {plan.drawn_by_grade.get(g, 0)}" for g in GRADES)
    return (
        f"计划 {plan.id}（{plan.status_label}）：{plan.title}；{plan.department_name}·{plan.item_label}；"
        f"基准日 {plan.as_of.isoformat()}，种子 {plan.seed}，比例 "
        + ",".join(f"{g}={plan.ratios[g]}" for g in GRADES)
        + f"{drawn}；任务 {plan.tasks} 项，已录入结果 {plan.results_entered} 项"
    )


def _tasks_table(tasks: list[TaskOut]) -> None:
    table = Table()
    for column in ("任务编号", "序号", "检查对象", "统一社会信用代码", "等级", "检查人员", "检查结果", "检查日期"):
        table.add_column(column)
    for t in tasks:
        table.add_row(
            str(t.id),
            str(t.position),
            t.subject_name,
            t.uscc or "—",
            t.grade,
            f"{t.inspector_a}、{t.inspector_b}",
            t.result_label or "未录入",
            t.inspected_on.isoformat() if t.inspected_on else "—",
        )
    Console(width=200).print(table)


def _show(plan: PlanOut, as_json: bool) -> None:
    if as_json:
        _echo_json(plan.model_dump(mode="json"))
    else:
        typer.echo(_plan_line(plan))


@plan_app.command("create")
def plan_create(
    title: str = typer.Option(..., "--title", help="计划名称"),
    department: str = typer.Option(..., "--department", help="实施部门代码，如 scjgj"),
    item: str = typer.Option(..., "--item", help="抽查事项代码"),
    as_of: str = typer.Option(..., "--as-of", help="名录与信用等级基准日 YYYY-MM-DD"),
    ratios: str = typer.Option(..., "--ratios", help="各等级抽查比例，如 A=0.02,B=0.05,C=1,D=1"),
    seed: str | None = typer.Option(None, "--seed", help="随机种子；不填由系统生成并公开"),
    model: str | None = typer.Option(None, "--model", help="评价模型（默认 general）"),
    kinds: str | None = typer.Option(None, "--kinds", help="主体类别，逗号分隔（默认按抽查事项）"),
    industries: str | None = typer.Option(None, "--industries", help="行业，逗号分隔（默认按抽查事项）"),
    towns: str | None = typer.Option(None, "--towns", help="镇街代码，逗号分隔"),
    as_json: bool = typer.Option(False, "--json", help="输出 JSON"),
) -> None:
    """Create a draft plan."""
    day = _day(as_of, "--as-of")
    with operator_context() as ctx:
        try:
            parsed = ratios_text(parse_ratios(ratios))
        except DrawError as exc:
            raise _fail(str(exc)) from None
        form = _form(
            PlanIn,
            {
                "title": title,
                "department_id": _department(ctx, department).id,
                "item_code": item,
                "as_of": day,
                "ratios": parsed,
                "seed": seed,
                "model": model,
                "subject_kinds": _list(kinds),
                "industries": _list(industries),
                "township_codes": _list(towns),
            },
        )
        plan = service.create_plan(ctx, form)
    _show(plan, as_json)


def _plan_action(action: Callable[[Context, int, int], PlanOut], plan_id: int, as_json: bool) -> None:
    with operator_context() as ctx:
        current = service.get_plan(ctx, plan_id)
        plan = action(ctx, plan_id, current.lock_version)
    _show(plan, as_json)


@plan_app.command("draw")
def plan_draw(
    plan_id: int = typer.Argument(..., help="计划编号"), as_json: bool = typer.Option(False, "--json")
) -> None:
    """Draw a draft plan: freeze the candidates, draw, assign two inspectors per task."""
    _plan_action(service.draw_plan, plan_id, as_json)


@plan_app.command("publish")
def plan_publish(
    plan_id: int = typer.Argument(..., help="计划编号"), as_json: bool = typer.Option(False, "--json")
) -> None:
    """Publish a drawn plan (一公开)."""
    _plan_action(service.publish_plan, plan_id, as_json)


@plan_app.command("show")
def plan_show(
    plan_id: int = typer.Argument(..., help="计划编号"), as_json: bool = typer.Option(False, "--json")
) -> None:
    """A plan with its tasks, inspectors and results."""
    with operator_context() as ctx:
        plan = service.get_plan(ctx, plan_id)
        tasks = service.plan_tasks(ctx, plan_id)
    if as_json:
        _echo_json({"plan": plan.model_dump(mode="json"), "tasks": [t.model_dump(mode="json") for t in tasks]})
        return
    typer.echo(_plan_line(plan))
    if plan.candidates_hash:
        typer.echo(f"算法 {plan.algorithm}，候选名单哈希 {plan.candidates_hash}，评价批次 {plan.evaluation_run_id}")
    if tasks:
        _tasks_table(tasks)


@plan_app.command("list")
def plan_list(
    status: str | None = typer.Option(None, "--status", help="draft / drawn / published"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Plans, newest first."""
    with operator_context() as ctx:
        plans = service.list_plans(ctx, status)
    if as_json:
        _echo_json([p.model_dump(mode="json") for p in plans])
        return
    for plan in plans:
        typer.echo(_plan_line(plan))
    if not plans:
        typer.echo("暂无抽查计划")


@plan_app.command("verify")
def plan_verify(
    plan_id: int = typer.Argument(..., help="计划编号"), as_json: bool = typer.Option(False, "--json")
) -> None:
    """Re-run a plan's draw from its seed and frozen candidates; exit 1 when anything differs."""
    with operator_context() as ctx:
        check = service.verify_plan(ctx, plan_id)
    if as_json:
        _echo_json(check.model_dump(mode="json"))
    else:
        verdict = "一致" if check.hash_matches and check.tasks_match else "不一致"
        typer.echo(
            f"计划 {check.plan_id} 复核{verdict}：候选名单哈希 {check.candidates_hash}"
            f"（{'与公布的一致' if check.hash_matches else '与公布的不一致'}），重新抽取 {check.drawn} 户，"
            + ("抽取名单一致" if check.tasks_match else f"不一致的任务序号 {check.mismatches}")
        )
    if not (check.hash_matches and check.tasks_match):
        raise typer.Exit(1)


@app.command("candidates")
def candidates(
    plan_id: int = typer.Argument(..., help="计划编号"),
    out: Path = typer.Option(..., "--out", help="输出文件（subject_id,grade 每行一户，按主体编号排序）"),
) -> None:
    """Write a plan's frozen candidate list in canonical form: its SHA-256 is the published hash."""
    with operator_context() as ctx:
        body = service.candidates_csv(ctx, plan_id)
    out.write_bytes(body)
    lines = body.count(b"\n")
    typer.echo(f"已写入 {out}（{lines} 户），SHA-256 {hashlib.sha256(body).hexdigest()}")


# --------------------------------------------------------------------------------------------- results
@app.command("result")
def result(
    task_id: int = typer.Argument(..., help="任务编号（plan show 中的任务编号）"),
    code: str = typer.Option(..., "--result", help="检查结果代码（xinyong inspect items 列出）"),
    day: str = typer.Option(..., "--date", help="检查日期 YYYY-MM-DD"),
    note: str = typer.Option("", "--note", help="检查情况说明"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Enter (or correct) a task's result; it becomes a credit record of item 双随机抽查结果信息."""
    inspected_on = _day(day, "--date")
    with operator_context() as ctx:
        version = task_or_404(ctx, task_id).lock_version
        form = _form(ResultIn, {"result": code, "inspected_on": inspected_on, "note": note, "lock_version": version})
        task = service.enter_result(ctx, task_id, form)
    if as_json:
        _echo_json(task.model_dump(mode="json"))
        return
    typer.echo(
        f"任务 {task.id}（{task.subject_name}）检查结果：{task.result_label}，检查日期 {task.inspected_on}，"
        f"信用记录 {task.record_id}"
    )


@app.command("items")
def items(as_json: bool = typer.Option(False, "--json")) -> None:
    """The inspection item library and the result categories."""
    listed, codes = service.inspection_items(), service.result_codes()
    if as_json:
        _echo_json({"items": [i.model_dump() for i in listed], "results": [r.model_dump() for r in codes]})
        return
    table = Table(title="随机抽查事项清单")
    for column in ("代码", "事项", "实施部门", "主体类别", "行业", "依据"):
        table.add_column(column)
    for i in listed:
        table.add_row(i.code, i.label, i.department, ",".join(i.subject_kinds), ",".join(i.industries) or "—", i.basis)
    Console(width=200).print(table)
    typer.echo("检查结果：" + "；".join(f"{r.code} {r.label}{'（发现问题）' if r.problem else ''}" for r in codes))


# --------------------------------------------------------------------------------------------- pool
@inspectors_app.command("add")
def inspectors_add(
    name: str = typer.Option(..., "--name", help="姓名"),
    department: str = typer.Option(..., "--department", help="部门代码"),
    badge: str = typer.Option(..., "--badge", help="执法证号"),
    town: str | None = typer.Option(None, "--town", help="所在镇街代码（9位）"),
) -> None:
    """Add an inspector to a department's pool."""
    with operator_context() as ctx:
        form = _form(
            InspectorIn,
            {"name": name, "department_id": _department(ctx, department).id, "badge_no": badge, "township_code": town},
        )
        added = service.add_inspector(ctx, form)
    typer.echo(f"已添加检查人员 {added.id}：{added.name}（{added.department_name}，执法证号 {added.badge_no}）")


@inspectors_app.command("list")
def inspectors_list(
    department: str | None = typer.Option(None, "--department", help="部门代码"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """The pool, by department and badge number, with open tasks."""
    with operator_context() as ctx:
        department_id = _department(ctx, department).id if department else None
        pool = service.list_inspectors(ctx, department_id)
    if as_json:
        _echo_json([i.model_dump(mode="json") for i in pool])
        return
    table = Table()
    for column in ("编号", "姓名", "部门", "执法证号", "镇街", "状态", "未完成任务"):
        table.add_column(column)
    for i in pool:
        table.add_row(
            str(i.id),
            i.name,
            i.department_name,
            i.badge_no,
            i.township_name or "—",
            "在册" if i.active else "停用",
            str(i.open_tasks),
        )
    Console(width=160).print(table)


@inspectors_app.command("deactivate")
def inspectors_deactivate(inspector_id: int = typer.Argument(..., help="检查人员编号")) -> None:
    """Take an inspector out of later draws (assigned tasks stay)."""
    with operator_context() as ctx:
        done = service.set_inspector_active(ctx, inspector_id, False)
    typer.echo(f"已停用检查人员 {done.id}：{done.name}")


@conflicts_app.command("add")
def conflicts_add(
    inspector: int = typer.Option(..., "--inspector", help="检查人员编号"),
    subject: str = typer.Option(..., "--subject", help="主体编号或统一社会信用代码"),
    reason: str = typer.Option(..., "--reason", help="回避事由"),
) -> None:
    """Record a relationship that excludes an inspector from a subject (回避)."""
    with operator_context() as ctx:
        subject_id = subject_by_ref(ctx, subject).id
        form = _form(ConflictIn, {"inspector_id": inspector, "subject_id": subject_id, "reason": reason})
        made = service.add_conflict(ctx, form)
    typer.echo(f"已登记回避 {made.id}：{made.inspector_name} 不检查 {made.subject_name}（{made.reason}）")


@conflicts_app.command("list")
def conflicts_list(
    inspector: int | None = typer.Option(None, "--inspector", help="检查人员编号"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Recorded conflicts, newest first."""
    with operator_context() as ctx:
        rows = service.list_conflicts(ctx, inspector)
    if as_json:
        _echo_json([c.model_dump(mode="json") for c in rows])
        return
    for c in rows:
        typer.echo(
            f"{c.id}：{c.inspector_name}（{c.inspector_id}）不检查 {c.subject_name}（{c.subject_id}）：{c.reason}"
        )
    if not rows:
        typer.echo("暂无回避登记")
