"""Demo 双随机、一公开 (issue #6): inspector pools, conflicts and plans in every status, planted through the
supervision services, so the plan, draw, result and public pages have data after ``xinyong demo``.

What ``plant_inspections`` writes (deterministic for a seed on the same registry):

* inspector pools of 区市场监管局 (8), 区消防救援大队 (6) and 区住建局 (6), towns drawn from Panyu's townships;
* two recorded conflicts (回避) of market-supervision inspectors with enterprises of the registry;
* a published 企业公示信息抽查 plan drawn with the issue's ratios A=0.02, B=0.05, C=1, D=1, with results entered
  for its first ``RESULTS`` tasks (some finding problems: credit records of item 双随机抽查结果信息);
* a drawn, unpublished 消防安全检查 plan and a draft 建筑施工安全检查 plan.

Plans use the newest general-model evaluation run on or before today (the evaluations step plants monthly
runs); without one, the step runs the evaluation for today itself. Seeds are derived from the demo seed and
published with the plans. The caller commits.
"""

from __future__ import annotations

import dataclasses
import random
from datetime import timedelta

from pydantic import BaseModel, Field
from sqlalchemy import or_, select

from xinyong.auth.context import Context
from xinyong.auth.permissions import require
from xinyong.codes.divisions import PANYU_TOWNSHIPS
from xinyong.errors import Conflict, XinyongError
from xinyong.evaluation.service import run_evaluation
from xinyong.subjects.models import Department, Subject
from xinyong.supervision import candidates, service
from xinyong.supervision.rules import inspection_rules
from xinyong.supervision.schemas import ConflictIn, InspectorIn, PlanIn, ResultIn

POOLS = {"scjgj": 8, "xfdd": 6, "zjj": 6}
BADGE_PREFIX = {"scjgj": "SJ", "xfdd": "XF", "zjj": "ZJ"}
SURNAMES = "陈李黄梁何吴张林罗郑谢冯邓曾彭苏卢蔡"
GIVEN = ("志强", "秀英", "伟明", "嘉欣", "国华", "丽萍", "建军", "惠玲", "振华", "静怡", "俊杰", "少芬")
# per-grade ratios: the for the published plan, lighter ones for the others
MARKET_RATIOS = {"A": "0.02", "B": "0.05", "C": "1", "D": "1"}
FIRE_RATIOS = {"A": "0.005", "B": "0.01", "C": "0.2", "D": "0.5"}
BUILDING_RATIOS = {"A": "0.05", "B": "0.1", "C": "0.5", "D": "1"}
CONFLICT_REASONS = ("近亲属在该企业任职", "曾在该企业任职未满三年")
RESULTS = 12  # tasks of the published plan given a result
# result codes cycled over the entered tasks: mostly 未发现问题, some problems
RESULT_CYCLE = ("no_problem", "no_problem", "not_disclosed", "no_problem", "corrected", "no_problem", "unreachable")


class InspectionDemo(BaseModel):
    """What ``plant_inspections`` planted."""

    seed: int
    inspectors: int
    conflicts: int
    as_of: str
    evaluation_run_id: int
    plans: dict[str, int] = Field(description="状态 → 计划编号")
    tasks: int = Field(description="已抽取的任务数（各计划合计）")
    results: int
    problems: int


def _officer(ctx: Context, department: Department) -> Context:
    """A regulator of ``department`` acting at the demo's time."""
    return dataclasses.replace(
        ctx, actor=f"demo:regulator:{department.code}", role="regulator", department_id=department.id
    )


def _enterprises(ctx: Context, limit: int) -> list[int]:
    stmt = (
        select(Subject.id)
        .where(Subject.kind == "legal_person", or_(Subject.uscc_problems.is_(None), Subject.uscc_problems == ""))
        .order_by(Subject.id)
        .limit(limit)
    )
    return list(ctx.session.scalars(stmt))


def plant_inspections(ctx: Context, *, seed: int = 2021) -> InspectionDemo:
    """Plant pools, conflicts and three plans (see the module docstring). ``Conflict`` when the registry has no
    enterprise or the departments are not registered."""
    require(ctx, "demo.load")
    session = ctx.session
    rng = random.Random(seed)
    departments = {d.code: d for d in session.scalars(select(Department).where(Department.code.in_(list(POOLS))))}
    missing = [code for code in POOLS if code not in departments]
    enterprises = _enterprises(ctx, 2000)
    if missing or not enterprises:
        raise Conflict("演示抽查需要主体库中的企业和已登记的部门：请先载入演示数据（xinyong demo）")
    run = candidates.find_run(session, inspection_rules().default_model, ctx.today)
    run_id, as_of = (run.id, run.as_of) if run else (0, ctx.today)
    if run is None:
        run_id = run_evaluation(ctx, as_of).run_id
    names = [s + g for s in SURNAMES for g in GIVEN]
    rng.shuffle(names)
    added = 0
    pool_ids: dict[str, list[int]] = {}
    for code, size in POOLS.items():
        officer = _officer(ctx, departments[code])
        for n in range(1, size + 1):
            town = PANYU_TOWNSHIPS[rng.randrange(len(PANYU_TOWNSHIPS))].code
            form = InspectorIn(
                name=names[added],
                department_id=departments[code].id,
                badge_no=f"{BADGE_PREFIX[code]}{seed % 10000:04d}{n:03d}",
                township_code=town,
            )
            pool_ids.setdefault(code, []).append(service.add_inspector(officer, form).id)
            added += 1
    market = _officer(ctx, departments["scjgj"])
    for inspector_id, reason in zip(
        pool_ids["scjgj"][:2], ("近亲属在该企业任职", "曾在该企业任职未满三年"), strict=True
    ):
        subject_id = enterprises[rng.randrange(len(enterprises))]
        service.add_conflict(market, ConflictIn(inspector_id=inspector_id, subject_id=subject_id, reason=reason))
    year, quarter = as_of.year, (as_of.month - 1) // 3 + 1
    plans: dict[str, int] = {}
    tasks = 0

    def plan(code: str, item: str, title: str, ratios: dict[str, str], n: int) -> int:
        form = PlanIn(
            title=title,
            department_id=departments[code].id,
            item_code=item,
            as_of=as_of,
            ratios=ratios,
            seed=f"demo{seed}-{n}",
            starts_on=as_of,
            ends_on=as_of + timedelta(days=90),
        )
        return service.create_plan(_officer(ctx, departments[code]), form).id

    published_id = plan(
        "scjgj",
        "scjg_gsxx",
        f"{year}年第{quarter}季度企业公示信息抽查",
        {"A": "0.02", "B": "0.05", "C": "1", "D": "1"},
        1,
    )
    drawn = service.draw_plan(market, published_id, service.get_plan(market, published_id).lock_version)
    service.publish_plan(market, published_id, drawn.lock_version)
    tasks += drawn.tasks
    plans["published"] = published_id
    fire = _officer(ctx, departments["xfdd"])
    fire_id = plan(
        "xfdd",
        "xf_xfaq",
        f"{year}年第{quarter}季度消防安全检查",
        {"A": "0.005", "B": "0.01", "C": "0.2", "D": "0.5"},
        2,
    )
    tasks += service.draw_plan(fire, fire_id, service.get_plan(fire, fire_id).lock_version).tasks
    plans["drawn"] = fire_id
    plans["draft"] = plan("zjj", "zj_jzsg", f"{year}年建筑施工安全检查", BUILDING_RATIOS, 3)
    results = problems = 0
    problem_codes = {r.code for r in inspection_rules().results if r.problem}
    span = max((ctx.today - as_of).days, 0)
    for task in service.plan_tasks(market, published_id):
        if results >= RESULTS:
            break
        code = RESULT_CYCLE[results % len(RESULT_CYCLE)]
        inspected_on = as_of + timedelta(days=rng.randint(0, span))
        note = "经现场核查，" + ("发现问题，已依法处理" if code in problem_codes else "未发现问题")
        form = ResultIn(result=code, inspected_on=inspected_on, note=note, lock_version=task.lock_version)
        try:
            service.enter_result(market, task.id, form)
        except XinyongError:
            continue  # a subject intake cannot link (a planted erroneous code): the next task
        results += 1
        problems += code in problem_codes
    return InspectionDemo(
        seed=seed,
        inspectors=added,
        conflicts=len(CONFLICT_REASONS),
        as_of=as_of.isoformat(),
        evaluation_run_id=run_id,
        plans=plans,
        tasks=tasks,
        results=results,
        problems=problems,
    )
