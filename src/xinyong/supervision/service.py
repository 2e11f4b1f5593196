"""双随机、一公开 actions: plans (create, draw, publish, verify), the draw preview, and — re-exported here so the
web, API and CLI import one module — the pool (``pool``), results (``results``) and reads (``queries``).

* ``create_plan``: an item of the library (``rules/inspections.yaml``) of the plan's department, ratios per grade
  (``draw.parse_ratios``), a seed (``secrets`` when none is given; published with the plan), filters (subject
  kinds default to the item's, industries to the item's, townships). Status ``draft``.
* ``draw_plan``: the candidates are the subjects the filters select, graded by the evaluation run of the plan's
  model with the newest ``as_of`` on or before the plan's (recorded on the plan); they are frozen with one
  INSERT … SELECT, read back, drawn (``draw.draw``) and the drawn subjects are given two inspectors each
  (``assignment.assign``). All or nothing: an empty pool or a task without two eligible inspectors stores nothing.
* ``publish_plan`` (一公开): the plan, seed, algorithm, candidate hash, counts, tasks and, as they are entered, the
  results are public. ``verify_plan`` re-runs the draw from the stored seed and frozen candidates.
* Plans and tasks are versioned (``lock_version``): an action on a stale version is a ``StaleCase`` (409).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal

from sqlalchemy import insert, select

from xinyong.auth import audit
from xinyong.auth.context import Context
from xinyong.auth.permissions import require
from xinyong.codes.divisions import township_by_code
from xinyong.errors import Conflict, InvalidInput
from xinyong.evaluation.service import model_or_422
from xinyong.records.cases import flush_locked
from xinyong.records.publication import check_as_of
from xinyong.subjects.industries import check_industry
from xinyong.subjects.models import SUBJECT_KIND_LABELS, SUBJECT_KINDS, Department, Subject
from xinyong.supervision import candidates
from xinyong.supervision.access import (
    PLAN,
    PLAN_LABEL,
    READ,
    READ_PUBLIC,
    check_version,
    department_or_404,
    plan_or_404,
    require_scope,
)
from xinyong.supervision.assignment import AssignmentError, PoolMember, TaskSlot, assign
from xinyong.supervision.draw import ALGORITHM, Draw, DrawError, check_seed, draw, parse_ratios, ratios_text
from xinyong.supervision.models import InspectionPlan, InspectionTask, Inspector
from xinyong.supervision.pool import (
    active_pool,
    add_conflict,
    add_inspector,
    conflict_pairs,
    list_conflicts,
    list_inspectors,
    open_task_counts,
    set_inspector_active,
)
from xinyong.supervision.queries import (
    STATUS_LABELS,
    candidates_csv,
    get_plan,
    list_plans,
    one_plan,
    plan_tasks,
    public_plan,
    public_plans,
    public_tasks,
)
from xinyong.supervision.results import enter_result
from xinyong.supervision.rules import InspectionItem, InspectionRules, inspection_rules
from xinyong.supervision.schemas import DrawOut, InspectionItemOut, PlanIn, PlanOut, ResultCodeOut, VerifyOut

__all__ = [
    "STATUS_LABELS",
    "add_conflict",
    "add_inspector",
    "candidates_csv",
    "create_plan",
    "draw_plan",
    "enter_result",
    "get_plan",
    "inspection_items",
    "list_conflicts",
    "list_inspectors",
    "list_plans",
    "plan_tasks",
    "preview_draw",
    "public_plan",
    "public_plans",
    "public_tasks",
    "publish_plan",
    "result_codes",
    "set_inspector_active",
    "verify_plan",
]

CHUNK = 5000  # ids per IN list (inside SQLite's bound-parameter limit)


# --------------------------------------------------------------------------------------------- the rulebook
def inspection_items() -> list[InspectionItemOut]:
    """The item library, in the rulebook's order."""
    return [
        InspectionItemOut(
            code=i.code,
            label=i.label,
            department=i.department,
            basis=i.basis,
            subject_kinds=list(i.subject_kinds),
            industries=list(i.industries),
        )
        for i in inspection_rules().items
    ]


def result_codes() -> list[ResultCodeOut]:
    """The result categories, in the rulebook's order."""
    return [ResultCodeOut(code=r.code, label=r.label, problem=r.problem) for r in inspection_rules().results]


# --------------------------------------------------------------------------------------------- validation
def _ratios(value: str | Mapping[str, object]) -> dict[str, Decimal]:
    try:
        return parse_ratios(value)
    except DrawError as exc:
        raise InvalidInput(str(exc), field="ratios") from None


def _seed(value: str | None) -> str:
    if value is None or not str(value).strip():
        return f"{secrets.randbelow(10**12):012d}"
    try:
        return check_seed(value)
    except DrawError as exc:
        raise InvalidInput(str(exc), field="seed") from None


def _item(rules: InspectionRules, code: str, department: Department | None) -> InspectionItem:
    item = rules.item(code.strip())
    if item is None:
        choices = "、".join(f"{i.code}（{i.label}）" for i in rules.items)
        raise InvalidInput(f"抽查事项代码无效，可选：{choices}", field="item_code")
    if department is not None and item.department != department.code:
        raise InvalidInput(
            f"抽查事项“{item.label}”由部门 {item.department} 实施，不能列入{department.name}的抽查计划",
            field="item_code",
        )
    return item


def _filters(
    rules: InspectionRules,
    item: InspectionItem | None,
    subject_kinds: Sequence[str] | None,
    industries: Sequence[str] | None,
    township_codes: Sequence[str] | None,
) -> dict[str, object]:
    """The stored filters: registry statuses (rulebook), kinds and industries (default: the item's), townships."""
    kinds = list(subject_kinds) if subject_kinds else list(item.subject_kinds) if item else []
    for kind in kinds:
        if kind not in SUBJECT_KINDS:
            known = "、".join(f"{k}（{v}）" for k, v in SUBJECT_KIND_LABELS.items())
            raise InvalidInput(f"主体类别 {kind!r} 无效，可选：{known}", field="subject_kinds")
    chosen = list(industries) if industries is not None else list(item.industries) if item else []
    for key in chosen:
        try:
            check_industry(key)
        except ValueError as exc:
            raise InvalidInput(str(exc), field="industries") from None
    towns: list[str] = []
    for code in township_codes or []:
        town = township_by_code(str(code))
        if town is None:
            raise InvalidInput(
                f"镇街代码 {code!r} 不是番禺区的镇街（9位代码，如 440113007 市桥街道）", field="township_codes"
            )
        towns.append(town.code)
    return {
        "statuses": list(rules.candidate_statuses),
        "subject_kinds": sorted(set(kinds)),
        "industries": sorted(set(chosen)),
        "township_codes": sorted(set(towns)),
    }


def _title(value: str) -> str:
    text = " ".join((value or "").split())
    if len(text) < 2 or len(text) > 200:
        raise InvalidInput("计划名称应为 2 到 200 个字", field="title")
    return text


# --------------------------------------------------------------------------------------------- plans
def create_plan(ctx: Context, data: PlanIn) -> PlanOut:
    """A draft plan (see the module docstring); the seed is generated and stored when none is given."""
    require_scope(ctx, data.department_id, PLAN)
    department = department_or_404(ctx, data.department_id)
    rules = inspection_rules()
    item = _item(rules, data.item_code, department)
    title = _title(data.title)
    day = check_as_of(ctx, data.as_of)
    if day > ctx.today:
        raise InvalidInput("名录与信用等级基准日不能晚于今天", field="as_of")
    ratios = _ratios(data.ratios)
    seed = _seed(data.seed)
    spec = model_or_422(data.model or rules.default_model)
    filters = _filters(rules, item, data.subject_kinds, data.industries, data.township_codes)
    if data.starts_on and data.ends_on and data.ends_on < data.starts_on:
        raise InvalidInput("检查截止日期不能早于开始日期", field="ends_on")
    plan = InspectionPlan(
        title=title,
        department_id=department.id,
        item_code=item.code,
        as_of=day,
        model=spec.name,
        ratios=ratios_text(ratios),
        filters=filters,
        seed=seed,
        algorithm=rules.algorithm,
        rules_version=rules.version,
        status="draft",
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        created_by=ctx.actor,
        created_at=ctx.at,
    )
    ctx.session.add(plan)
    ctx.session.flush()
    audit.record(
        ctx,
        "inspections.create_plan",
        "inspection_plan",
        plan.id,
        {
            "department": department.code,
            "item": item.code,
            "as_of": day.isoformat(),
            "model": spec.name,
            "ratios": plan.ratios,
            "seed": seed,
            "seed_given": bool(data.seed and data.seed.strip()),
            "filters": filters,
        },
    )
    return one_plan(ctx, plan)


def _no_run(model: str, day: date) -> InvalidInput:
    return InvalidInput(
        f"评价模型 {model} 在 {day.isoformat()} 及之前没有信用评价结果，无法按信用等级抽取；请先运行信用评价"
        f"（命令行 xinyong evaluate run --as-of {day.isoformat()} --model {model}，或在“信用评价”页面运行）",
        field="as_of",
    )


def _subjects(ctx: Context, ids: Sequence[int]) -> dict[int, tuple[str, str, str | None, str | None]]:
    """Subject id → (name, kind, uscc, township code), read in chunks."""
    found: dict[int, tuple[str, str, str | None, str | None]] = {}
    for start in range(0, len(ids), CHUNK):
        chunk = list(ids[start : start + CHUNK])
        stmt = select(Subject.id, Subject.name, Subject.kind, Subject.uscc, Subject.township_code).where(
            Subject.id.in_(chunk)
        )
        for sid, name, kind, uscc, town in ctx.session.execute(stmt):
            found[int(sid)] = (name, kind, uscc, town)
    return found


def _assign(
    ctx: Context,
    department: Department,
    result: Draw,
    subjects: Mapping[int, tuple[str, str, str | None, str | None]],
    pool: Sequence[Inspector],
) -> dict[int, tuple[int, ...]]:
    """Two inspectors per drawn subject, by position; ``InvalidInput`` naming the subject when one cannot be staffed."""
    rules = inspection_rules().assignment
    per_task = rules.inspectors_per_task
    if len(pool) < per_task:
        hint = "为空" if not pool else f"在册检查人员仅 {len(pool)} 名（每项任务需 {per_task} 名）"
        raise InvalidInput(
            f"{department.name}的执法检查人员名录库{hint}，"
            "请先添加检查人员（xinyong inspect inspectors add 或“检查人员”页面）",
            field="inspectors",
        )
    slots = [TaskSlot(n, c.subject_id, subjects[c.subject_id][3]) for n, c in enumerate(result.drawn, 1)]
    try:
        return assign(
            slots,
            [PoolMember(i.id, i.township_code) for i in pool],
            seed=result.seed,
            per_task=per_task,
            avoid_same_township=rules.avoid_same_township,
            conflicts=conflict_pairs(ctx, department.id),
            open_tasks=open_task_counts(ctx, [i.id for i in pool]),
        )
    except AssignmentError as exc:
        name, _, uscc, _ = subjects.get(exc.subject_id or 0, ("", "", None, None))
        raise InvalidInput(
            f"第 {exc.position} 项任务（{name}，{uscc or '无代码'}）可选派的检查人员不足 {per_task} 名："
            f"{department.name}在册 {len(pool)} 名，其中 {exc.excluded} 名因与该主体同镇街或登记了回避情形被排除；"
            "请补充检查人员后重新抽取，本次未抽取",
            field="inspectors",
        ) from None


def draw_plan(ctx: Context, plan_id: int, lock_version: int) -> PlanOut:
    """Freeze the candidates, draw and assign inspectors (see the module docstring); status ``drawn``."""
    plan = plan_or_404(ctx, plan_id)
    require_scope(ctx, plan.department_id, PLAN)
    check_version(plan.lock_version, lock_version, PLAN_LABEL)
    if plan.status != "draft":
        raise Conflict(
            f"该计划已抽取（{STATUS_LABELS.get(plan.status, plan.status)}），不能重复抽取", code="already_drawn"
        )
    if plan.algorithm != ALGORITHM:
        raise InvalidInput(f"该计划的抽取算法 {plan.algorithm} 未实现", field="algorithm")
    session = ctx.session
    department = department_or_404(ctx, plan.department_id)
    run = candidates.find_run(session, plan.model, plan.as_of)
    if run is None:
        raise _no_run(plan.model, plan.as_of)
    pool = active_pool(ctx, department.id)
    ratios = _ratios(plan.ratios)
    with session.begin_nested():  # all or nothing: a failed assignment leaves no candidates behind
        candidates.freeze(session, plan.id, candidates.graded_from_run(run.id, plan.filters))
        result = draw(candidates.frozen(session, plan.id), ratios, plan.seed)
        subjects = _subjects(ctx, [c.subject_id for c in result.drawn])
        chosen = _assign(ctx, department, result, subjects, pool)
        rows = [
            {
                "plan_id": plan.id,
                "position": n,
                "subject_id": c.subject_id,
                "grade": c.grade,
                "inspector_a_id": chosen[n][0],
                "inspector_b_id": chosen[n][1],
                "result_note": "",
                "lock_version": 1,
            }
            for n, c in enumerate(result.drawn, 1)
        ]
        for start in range(0, len(rows), CHUNK):
            session.execute(insert(InspectionTask), rows[start : start + CHUNK])
        plan.status = "drawn"
        plan.evaluation_run_id = run.id
        plan.candidates_hash = result.candidates_hash
        plan.candidates_by_grade = result.candidates_by_grade
        plan.drawn_by_grade = result.drawn_by_grade
        plan.drawn_at = ctx.at
        plan.drawn_by = ctx.actor
        flush_locked(ctx, PLAN_LABEL)
    audit.record(
        ctx,
        "inspections.draw_plan",
        "inspection_plan",
        plan.id,
        {
            "seed": plan.seed,
            "algorithm": plan.algorithm,
            "evaluation_run_id": run.id,
            "candidates_hash": result.candidates_hash,
            "candidates_by_grade": result.candidates_by_grade,
            "drawn_by_grade": result.drawn_by_grade,
        },
    )
    return one_plan(ctx, plan)


def publish_plan(ctx: Context, plan_id: int, lock_version: int) -> PlanOut:
    """一公开: show a drawn plan (seed, algorithm, hash, counts, tasks and results) to the public."""
    plan = plan_or_404(ctx, plan_id)
    require_scope(ctx, plan.department_id, PLAN)
    check_version(plan.lock_version, lock_version, PLAN_LABEL)
    if plan.status == "published":
        raise Conflict("该计划已公示", code="already_published")
    if plan.status != "drawn":
        raise Conflict("该计划尚未抽取，抽取后方可公示", code="not_drawn")
    plan.status = "published"
    plan.published_at = ctx.at
    flush_locked(ctx, PLAN_LABEL)
    audit.record(ctx, "inspections.publish_plan", "inspection_plan", plan.id, {"candidates_hash": plan.candidates_hash})
    return one_plan(ctx, plan)


def verify_plan(ctx: Context, plan_id: int) -> VerifyOut:
    """Re-run a plan's draw from its stored seed, ratios and frozen candidates; compare the hash and the tasks.
    Anyone may verify a published plan; staff an unpublished one of their department."""
    plan = plan_or_404(ctx, plan_id)
    if plan.status == "published":
        require(ctx, READ_PUBLIC)
    else:
        require_scope(ctx, plan.department_id, READ)
    if plan.status == "draft":
        raise InvalidInput("该计划尚未抽取，无可复核的抽取结果", field="plan_id")
    if plan.algorithm != ALGORITHM:
        raise InvalidInput(f"该计划的抽取算法 {plan.algorithm} 未实现，无法复核", field="algorithm")
    result = draw(candidates.frozen(ctx.session, plan.id), _ratios(plan.ratios), plan.seed)
    stored = ctx.session.execute(
        select(InspectionTask.position, InspectionTask.subject_id, InspectionTask.grade)
        .where(InspectionTask.plan_id == plan.id)
        .order_by(InspectionTask.position)
    ).all()
    expected = {n: (c.subject_id, c.grade) for n, c in enumerate(result.drawn, 1)}
    actual = {int(p): (int(s), str(g)) for p, s, g in stored}
    mismatches = sorted(p for p in set(expected) | set(actual) if expected.get(p) != actual.get(p))
    return VerifyOut(
        plan_id=plan.id,
        candidates_hash=result.candidates_hash,
        hash_matches=result.candidates_hash == plan.candidates_hash,
        tasks_match=not mismatches,
        drawn=len(result.drawn),
        mismatches=mismatches,
    )


# --------------------------------------------------------------------------------------------- preview
def preview_draw(
    ctx: Context,
    as_of: date,
    ratios: str | Mapping[str, object],
    seed: str,
    model: str | None = None,
    *,
    item_code: str | None = None,
    department_id: int | None = None,
    subject_kinds: Sequence[str] | None = None,
    industries: Sequence[str] | None = None,
    township_codes: Sequence[str] | None = None,
) -> DrawOut:
    """What a plan with these settings would draw today; nothing is stored (the read of the grades is audited).

    Grades come from the newest run of the model on or before ``as_of``; without one they are computed
    transiently by the evaluation's SQL (a SELECT). With ``department_id`` the tasks get inspectors from that
    department's pool (the same rule as a plan's draw), else none."""
    if department_id is not None:
        require_scope(ctx, department_id, READ)
    else:
        require(ctx, READ)
    rules = inspection_rules()
    department = department_or_404(ctx, department_id) if department_id is not None else None
    item = _item(rules, item_code, department) if item_code else None
    day = check_as_of(ctx, as_of)
    parsed = _ratios(ratios)
    try:
        seed = check_seed(seed)
    except DrawError as exc:
        raise InvalidInput(str(exc), field="seed") from None
    spec = model_or_422(model or rules.default_model)
    filters = _filters(rules, item, subject_kinds, industries, township_codes)
    if not filters["subject_kinds"]:
        filters["subject_kinds"] = list(spec.applies_to.subject_kinds)
    session = ctx.session
    run = candidates.find_run(session, spec.name, day)
    graded = (
        candidates.graded_from_run(run.id, filters)
        if run is not None
        else candidates.graded_transient(spec, day, session.get_bind().dialect.name, filters)
    )
    result = draw(candidates.read(session, graded), parsed, seed)
    subjects = _subjects(ctx, [c.subject_id for c in result.drawn])
    names: dict[int, str] = {}
    chosen: dict[int, tuple[int, ...]] = {}
    if department is not None:
        pool = active_pool(ctx, department.id)
        chosen = _assign(ctx, department, result, subjects, pool)
        names = {i.id: i.name for i in pool}
    tasks: list[dict[str, object]] = [
        {
            "position": n,
            "subject_id": c.subject_id,
            "uscc": subjects[c.subject_id][2],
            "grade": c.grade,
            "inspectors": [{"id": i, "name": names[i]} for i in chosen.get(n, ())],
        }
        for n, c in enumerate(result.drawn, 1)
    ]
    audit.record_read(
        ctx,
        "inspection_preview",
        "*",
        {"as_of": day.isoformat(), "model": spec.name, "seed": seed, "candidates_hash": result.candidates_hash},
    )
    return DrawOut(
        seed=result.seed,
        algorithm=result.algorithm,
        as_of=day,
        model=spec.name,
        ratios=ratios_text(parsed),
        candidates_hash=result.candidates_hash,
        candidates_by_grade=result.candidates_by_grade,
        drawn_by_grade=result.drawn_by_grade,
        tasks=tasks,
        evaluation_run_id=run.id if run is not None else None,
    )
