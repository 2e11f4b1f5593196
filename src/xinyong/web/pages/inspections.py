"""双随机、一公开 pages (issue #6): plans, the draw, results and the inspector pool for regulators and the credit
office; the published plans and their results for everyone.

* ``/inspections``: plans (status filter); ``/inspections/new``: the plan form (item, day, per-grade ratios
  prefilled A=0.02 B=0.05 C=1 D=1, optional seed, filters).
* ``/inspections/{id}``: seed, algorithm, candidate hash, candidates and drawn per grade, the draw / publish
  buttons (each carrying the plan's ``lock_version``), the candidate CSV, the tasks with a result form each;
  ``/inspections/{id}/verify`` shows the same page with the re-run of the draw.
* ``/inspections/inspectors``: the inspector pool (add, deactivate, activate) and the recorded conflicts.
* ``/inspections/public`` and ``/inspections/public/{id}`` (公开): published plans and their results, no
  inspectors' ids, natural persons masked (by the service); ``/inspections/public/export.csv`` (the plans) and
  ``/inspections/public/{id}/export.csv`` (one plan's subjects and results), also ``.xlsx`` (``web.exports``).

Forms post with the CSRF token; an invalid or stale form shows the page again with the Chinese error.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData
from starlette.responses import Response

from xinyong import clock
from xinyong.auth.context import Context
from xinyong.auth.permissions import allowed, require
from xinyong.codes.divisions import PANYU_TOWNSHIPS
from xinyong.db.base import MAX_ID
from xinyong.errors import InvalidInput, XinyongError
from xinyong.evaluation import service as evaluation
from xinyong.evaluation.models_yaml import load_model, model_names
from xinyong.subjects.departments import list_departments
from xinyong.subjects.industries import load_industries
from xinyong.subjects.models import SUBJECT_KIND_LABELS
from xinyong.supervision import service
from xinyong.supervision.draw import GRADES
from xinyong.supervision.schemas import ConflictIn, InspectorIn, PlanIn, PlanOut, ResultIn, TaskOut, VerifyOut
from xinyong.web import csrf
from xinyong.web.deps import get_public_context, require_login
from xinyong.web.exports import Column, ExportFormat, export_response
from xinyong.web.forms import form_day, required_day
from xinyong.web.templating import render

router = APIRouter(include_in_schema=False)
Login = Annotated[Context, Depends(require_login)]
PublicContext = Annotated[Context, Depends(get_public_context)]
Csrf = Depends(csrf.csrf_protect)
PlanId = Annotated[int, Path(ge=1, le=MAX_ID)]
Format = Annotated[ExportFormat, Path(description="csv 或 xlsx")]
TaskId = Annotated[int, Path(ge=1, le=MAX_ID)]
InspectorId = Annotated[int, Path(ge=1, le=MAX_ID)]
NAV = "inspections"
NAV_PUBLIC = "inspections_public"
READ = "inspections.read"
PLAN = "inspections.plan"
RESULT = "inspections.record_result"
POOL = "inspections.manage_pool"
DEFAULT_RATIOS = {"A": "0.02", "B": "0.05", "C": "1", "D": "1"}
STATUS_LABELS = service.STATUS_LABELS
TASK_STATUSES = ("drawn", "published")  # tasks exist once drawn
RESULT_STATUS = "published"  # results are entered once the plan and its list are public


# --------------------------------------------------------------------------------------------- form helpers
def local_time(at: datetime | None) -> str:
    """A stored time (UTC; SQLite returns it without a zone) in China, ``2026-11-27 10:00``; a dash for none."""
    if at is None:
        return "—"
    aware = at if at.tzinfo else at.replace(tzinfo=UTC)
    return aware.astimezone(clock.CHINA_TZ).strftime("%Y-%m-%d %H:%M")


def _form_error(exc: ValidationError, model: type[BaseModel]) -> InvalidInput:
    """The first problem of a form as one Chinese sentence naming the field by its label."""
    error = exc.errors()[0]
    name = str(error["loc"][0]) if error.get("loc") else ""
    info = model.model_fields.get(name)
    label = (info.description or name).split("，")[0].split("；")[0] if info else "表单"
    ctx = error.get("ctx") or {}
    kind = error.get("type", "")
    if kind == "missing":
        text = f"请填写{label}"
    elif kind == "string_too_short":
        text = f"请填写{label}" if ctx.get("min_length") == 1 else f"{label}至少 {ctx.get('min_length')} 个字"
    elif kind == "string_too_long":
        text = f"{label}过长（最多 {ctx.get('max_length')} 个字）"
    elif kind == "string_pattern_mismatch":
        text = f"{label}格式不正确"
    elif kind.startswith("date"):
        text = f"{label}应为日期（年-月-日）"
    elif kind.startswith("int") or kind.startswith(("greater", "less")):
        text = f"{label}无效，请重新选择或填写"
    else:
        text = f"{label}不正确"
    return InvalidInput(text, field=name or None)


def _build(model: type[BaseModel], data: dict[str, Any]) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise _form_error(exc, model) from None


def _blank_none(value: str) -> str | None:
    value = value.strip()
    return value or None


def _int_or_none(raw: str, label: str, field: str) -> int | None:
    raw = raw.strip()
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= MAX_ID:
        raise InvalidInput(f"{label}无效，请从列表中选择", field=field)
    return int(raw)


def _lock_version(raw: str) -> int:
    raw = raw.strip()
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= MAX_ID:
        raise InvalidInput("表单缺少版本号，请刷新页面后重试", field="lock_version")
    return int(raw)


# --------------------------------------------------------------------------------------------- 一公开 (public)
@router.get("/inspections/public")
def public_list_page(request: Request, ctx: PublicContext) -> Response:
    """公开的抽查计划与结果 (anyone): published plans, newest first."""
    context = {"nav": NAV_PUBLIC, "plans": service.public_plans(ctx), "grades": GRADES, "local_time": local_time}
    return render(request, "inspection_public.html", context)


def _plan_columns() -> list[Column[PlanOut]]:
    columns: list[Column[PlanOut]] = [
        Column("抽查计划", lambda p: p.title),
        Column("抽查事项", lambda p: p.item_label),
        Column("实施部门", lambda p: p.department_name),
        Column("名录基准日", lambda p: p.as_of),
    ]
    for g in GRADES:
        columns.append(Column(f"{g} 级抽取数", lambda p, g=g: (p.drawn_by_grade or {}).get(g, 0)))
        columns.append(Column(f"{g} 级对象数", lambda p, g=g: (p.candidates_by_grade or {}).get(g, 0)))
    columns += [
        Column("已公开结果", lambda p: p.results_entered),
        Column("抽查对象数", lambda p: p.tasks),
        Column("公开日期", lambda p: local_time(p.published_at)[:10]),
        Column("随机种子", lambda p: p.seed, text=True),
        Column("检查对象名录哈希（SHA-256）", lambda p: p.candidates_hash, text=True),
    ]
    return columns


TASK_COLUMNS: list[Column[TaskOut]] = [
    Column("序号", lambda t: t.position),
    Column("检查对象", lambda t: t.subject_name),
    Column("统一社会信用代码", lambda t: t.uscc, text=True),
    Column("检查结果", lambda t: t.result_label or "检查中"),
    Column("检查日期", lambda t: t.inspected_on),
]


@router.get("/inspections/public/export.{fmt}")
def public_plans_export(fmt: Format, ctx: PublicContext) -> Response:
    """The published plans as CSV or Excel (the columns of the public page, with seed and hash)."""
    plans = service.public_plans(ctx)
    return export_response(fmt, "双随机抽查计划", _plan_columns(), len(plans), lambda: iter(plans))


@router.get("/inspections/public/{plan_id}/export.{fmt}")
def public_results_export(plan_id: PlanId, fmt: Format, ctx: PublicContext) -> Response:
    """One published plan's subjects and results as CSV or Excel (natural persons masked)."""
    plan = service.public_plan(ctx, plan_id)
    tasks = service.public_tasks(ctx, plan_id)
    return export_response(fmt, f"抽查结果-{plan.title}", TASK_COLUMNS, len(tasks), lambda: iter(tasks))


def _public_plan_page(request: Request, ctx: Context, plan_id: int, verified: VerifyOut | None = None) -> Response:
    plan = service.public_plan(ctx, plan_id)
    context = {
        "nav": NAV_PUBLIC,
        "plan": plan,
        "tasks": service.public_tasks(ctx, plan_id),
        "grades": GRADES,
        "local_time": local_time,
        "verified": verified,
    }
    return render(request, "inspection_public_plan.html", context)


@router.get("/inspections/public/{plan_id}")
def public_plan_page(request: Request, plan_id: PlanId, ctx: PublicContext) -> Response:
    """One published plan with its seed, candidate hash, counts, the drawn subjects and their results."""
    return _public_plan_page(request, ctx, plan_id)


@router.get("/inspections/public/{plan_id}/verify")
def public_verify_page(request: Request, plan_id: PlanId, ctx: PublicContext) -> Response:
    """The published plan with the re-run of its draw (anyone may check it)."""
    service.public_plan(ctx, plan_id)  # 404 before anything else for a plan not published
    return _public_plan_page(request, ctx, plan_id, service.verify_plan(ctx, plan_id))


# --------------------------------------------------------------------------------------------- plan list
@router.get("/inspections")
def list_page(request: Request, ctx: Login, status: Annotated[str, Query(max_length=16)] = "") -> Response:
    """Plans, newest first, filtered by status."""
    require(ctx, READ)
    chosen = status if status in STATUS_LABELS else None
    context = {
        "nav": NAV,
        "plans": service.list_plans(ctx, chosen),
        "status": chosen or "",
        "status_labels": STATUS_LABELS,
        "may_plan": allowed(ctx.role, PLAN),
        "may_pool": allowed(ctx.role, POOL),
    }
    return render(request, "inspection_list.html", context)


# --------------------------------------------------------------------------------------------- new plan
def _plan_form(ctx: Context) -> dict[str, Any]:
    """The choices of the plan form."""
    catalogue = load_industries()
    departments = list_departments(ctx.session)
    items = service.inspection_items()
    own = next((d for d in departments if d.id == ctx.department_id), None)
    if own is not None:  # a regulator plans for its own department: its items only
        departments, items = [own], [i for i in items if i.department == own.code]
    names = {d.code: d.name for d in list_departments(ctx.session)}
    return {
        "items": [(i.code, f"{i.label}（{names.get(i.department, i.department)}）") for i in items],
        "departments": departments,
        "models": [(name, load_model(name).label) for name in model_names()],
        "kinds": SUBJECT_KIND_LABELS,
        "industries": [(i.key, i.label) for i in catalogue.industries],
        "townships": PANYU_TOWNSHIPS,
        "grades": GRADES,
    }


def _new_page(
    request: Request, ctx: Context, values: dict[str, Any], *, error: str | None = None, status: int = 200
) -> Response:
    context = {"nav": NAV, "v": values, "error": error, **_plan_form(ctx)}
    return render(request, "inspection_new.html", context, status_code=status)


def _blank_values(ctx: Context) -> dict[str, Any]:
    return {
        "title": "",
        "department_id": str(ctx.department_id or ""),
        "item_code": "",
        "as_of": ctx.today.isoformat(),
        "model": "",
        "ratios": dict(DEFAULT_RATIOS),
        "seed": "",
        "subject_kinds": [],
        "industries": [],
        "township_codes": [],
        "starts_on": "",
        "ends_on": "",
    }


@router.get("/inspections/new")
def new_page(request: Request, ctx: Login) -> Response:
    """The plan form, ratios prefilled A=0.02, B=0.05, C=1, D=1 (rules.md §6)."""
    require(ctx, PLAN)
    return _new_page(request, ctx, _blank_values(ctx))


def _form_values(form: FormData) -> dict[str, Any]:
    def text(name: str, limit: int = 200) -> str:
        value = form.get(name, "")
        return value[:limit] if isinstance(value, str) else ""

    def many(name: str) -> list[str]:
        return [v[:40] for v in form.getlist(name) if isinstance(v, str) and v.strip()][:50]

    return {
        "title": text("title"),
        "department_id": text("department_id", 20),
        "item_code": text("item_code", 40),
        "as_of": text("as_of", 20),
        "model": text("model", 40),
        "ratios": {g: text(f"ratio_{g}", 20) for g in GRADES},
        "seed": text("seed", 64),
        "subject_kinds": many("subject_kinds"),
        "industries": many("industries"),
        "township_codes": many("township_codes"),
        "starts_on": text("starts_on", 20),
        "ends_on": text("ends_on", 20),
    }


def _plan_in(ctx: Context, v: dict[str, Any]) -> PlanIn:
    department = _int_or_none(v["department_id"], "实施部门", "department_id") or ctx.department_id
    if department is None:
        raise InvalidInput("请选择实施部门", field="department_id")
    as_of = required_day(v["as_of"], "名录与信用等级基准日", "as_of")
    for grade, ratio in v["ratios"].items():
        if not ratio.strip():
            raise InvalidInput(f"请填写 {grade} 级的抽查比例（0 到 1 之间，如 0.05）", field="ratios")
    data = {
        "title": v["title"].strip(),
        "department_id": department,
        "item_code": v["item_code"].strip(),
        "as_of": as_of,
        "ratios": {g: r.strip() for g, r in v["ratios"].items()},
        "seed": _blank_none(v["seed"]),
        "model": _blank_none(v["model"]),
        "subject_kinds": v["subject_kinds"] or None,
        "industries": v["industries"] or None,
        "township_codes": v["township_codes"] or None,
        "starts_on": form_day(v["starts_on"], "检查开始日期", "starts_on"),
        "ends_on": form_day(v["ends_on"], "检查截止日期", "ends_on"),
    }
    if not data["item_code"]:
        raise InvalidInput("请选择抽查事项", field="item_code")
    return _build(PlanIn, data)


async def _posted_plan(request: Request) -> dict[str, Any]:
    """The plan form as posted (read here, so the route itself runs in the thread pool like the others)."""
    return _form_values(await request.form())


@router.post("/inspections/new", dependencies=[Csrf])
def create(request: Request, ctx: Login, values: Annotated[dict[str, Any], Depends(_posted_plan)]) -> Response:
    """Create the draft plan, then show it; an invalid form comes back with the error."""
    require(ctx, PLAN)
    try:
        data = _plan_in(ctx, values)
        with ctx.session.begin_nested():
            plan = service.create_plan(ctx, data)
    except XinyongError as exc:
        if exc.status in (401, 403):
            raise
        return _new_page(request, ctx, values, error=exc.message, status=exc.status)
    return RedirectResponse(f"/inspections/{plan.id}", status_code=303)


# --------------------------------------------------------------------------------------------- the inspector pool
def _pool_page(request: Request, ctx: Context, *, error: str | None = None, status: int = 200) -> Response:
    require(ctx, READ)
    context = {
        "nav": NAV,
        "inspectors": service.list_inspectors(ctx),
        "conflicts": service.list_conflicts(ctx),
        "departments": list_departments(ctx.session),
        "townships": PANYU_TOWNSHIPS,
        "may_pool": allowed(ctx.role, POOL),
        "error": error,
    }
    return render(request, "inspectors.html", context, status_code=status)


@router.get("/inspections/inspectors")
def pool_page(request: Request, ctx: Login) -> Response:
    """执法检查人员名录库 and the recorded conflicts, with the forms to change them."""
    return _pool_page(request, ctx)


@router.post("/inspections/inspectors", dependencies=[Csrf])
def add_inspector(
    request: Request,
    ctx: Login,
    name: Annotated[str, Form(max_length=200)] = "",
    department_id: Annotated[str, Form(max_length=20)] = "",
    badge_no: Annotated[str, Form(max_length=100)] = "",
    township_code: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """Add an officer to the pool."""
    require(ctx, POOL)
    try:
        department = _int_or_none(department_id, "所属部门", "department_id")
        if department is None:
            raise InvalidInput("请选择所属部门", field="department_id")
        data = _build(
            InspectorIn,
            {
                "name": name.strip(),
                "department_id": department,
                "badge_no": badge_no.strip(),
                "township_code": _blank_none(township_code),
            },
        )
        with ctx.session.begin_nested():
            service.add_inspector(ctx, data)
    except XinyongError as exc:
        if exc.status in (401, 403):
            raise
        return _pool_page(request, ctx, error=exc.message, status=exc.status)
    return RedirectResponse("/inspections/inspectors", status_code=303)


@router.post("/inspections/inspectors/{inspector_id}/active", dependencies=[Csrf])
def set_active(
    request: Request, inspector_id: InspectorId, ctx: Login, active: Annotated[str, Form(max_length=8)] = ""
) -> Response:
    """Deactivate (no longer drawn) or activate an officer."""
    try:
        with ctx.session.begin_nested():
            service.set_inspector_active(ctx, inspector_id, active in ("1", "true", "on"))
    except XinyongError as exc:
        if exc.status in (401, 403, 404):
            raise
        return _pool_page(request, ctx, error=exc.message, status=exc.status)
    return RedirectResponse("/inspections/inspectors", status_code=303)


@router.post("/inspections/conflicts", dependencies=[Csrf])
def add_conflict(
    request: Request,
    ctx: Login,
    inspector_id: Annotated[str, Form(max_length=20)] = "",
    subject: Annotated[str, Form(max_length=64)] = "",
    reason: Annotated[str, Form(max_length=400)] = "",
) -> Response:
    """Record a relationship keeping an officer away from a subject (by USCC or subject id)."""
    require(ctx, POOL)
    try:
        inspector = _int_or_none(inspector_id, "检查人员", "inspector_id")
        if inspector is None:
            raise InvalidInput("请选择检查人员", field="inspector_id")
        if not subject.strip():
            raise InvalidInput("请填写回避主体的统一社会信用代码或主体编号", field="subject_id")
        found = evaluation.subject_by_ref(ctx, subject)
        data = _build(ConflictIn, {"inspector_id": inspector, "subject_id": found.id, "reason": reason.strip()})
        with ctx.session.begin_nested():
            service.add_conflict(ctx, data)
    except XinyongError as exc:
        if exc.status in (401, 403):
            raise
        return _pool_page(request, ctx, error=exc.message, status=exc.status)
    return RedirectResponse("/inspections/inspectors", status_code=303)


# --------------------------------------------------------------------------------------------- plan detail
def _grade_rows(plan: PlanOut) -> list[dict[str, Any]]:
    """Per grade: the ratio, the candidates and the drawn count (None before the draw)."""
    counts = plan.candidates_by_grade or {}
    drawn = plan.drawn_by_grade or {}
    return [
        {
            "grade": g,
            "ratio": plan.ratios.get(g, "—"),
            "candidates": counts.get(g) if plan.candidates_by_grade is not None else None,
            "drawn": drawn.get(g) if plan.drawn_by_grade is not None else None,
        }
        for g in GRADES
    ]


def filter_rows(filters: dict[str, object]) -> list[tuple[str, str]]:
    """A plan's stored filters as (label, values) in Chinese, empty filters left out."""
    industries = load_industries()
    towns = {t.code: t.name for t in PANYU_TOWNSHIPS}
    labels: dict[str, tuple[str, Any]] = {
        "statuses": ("登记状态", lambda v: v),
        "subject_kinds": ("主体类别", lambda v: SUBJECT_KIND_LABELS.get(v, v)),
        "industries": ("行业", industries.label),
        "township_codes": ("镇街", lambda v: towns.get(v, v)),
    }
    rows = []
    for key, values in filters.items():
        if not values:
            continue
        label, name = labels.get(key, (key, lambda v: v))
        shown = [str(name(v)) for v in values] if isinstance(values, list) else [str(values)]
        rows.append((label, "、".join(shown)))
    return rows


def _detail_page(
    request: Request,
    ctx: Context,
    plan_id: int,
    *,
    verified: VerifyOut | None = None,
    error: str | None = None,
    error_task: int | None = None,
    status: int = 200,
) -> Response:
    plan = service.get_plan(ctx, plan_id)
    tasks = service.plan_tasks(ctx, plan_id) if plan.status in TASK_STATUSES else []
    context = {
        "nav": NAV,
        "plan": plan,
        "tasks": tasks,
        "grade_rows": _grade_rows(plan),
        "filter_rows": filter_rows(plan.filters),
        "result_codes": service.result_codes(),
        "may_plan": allowed(ctx.role, PLAN),
        "may_result": allowed(ctx.role, RESULT) and plan.status == RESULT_STATUS,
        "verified": verified,
        "error": error,
        "error_task": error_task,
        "today": ctx.today.isoformat(),
        "local_time": local_time,
    }
    return render(request, "inspection_detail.html", context, status_code=status)


@router.get("/inspections/{plan_id}")
def detail_page(request: Request, plan_id: PlanId, ctx: Login) -> Response:
    """One plan: its draw parameters and counts, the actions its status allows, the tasks and results."""
    return _detail_page(request, ctx, plan_id)


@router.get("/inspections/{plan_id}/verify")
def verify_page(request: Request, plan_id: PlanId, ctx: Login) -> Response:
    """The plan page with the re-run of its draw from the stored seed and frozen candidates."""
    try:
        verified = service.verify_plan(ctx, plan_id)
    except XinyongError as exc:
        if exc.status in (401, 403, 404):
            raise
        return _detail_page(request, ctx, plan_id, error=exc.message, status=exc.status)
    return _detail_page(request, ctx, plan_id, verified=verified)


@router.post("/inspections/{plan_id}/draw", dependencies=[Csrf])
def draw(
    request: Request, plan_id: PlanId, ctx: Login, lock_version: Annotated[str, Form(max_length=20)] = ""
) -> Response:
    """Draw on the plan version the page showed; nothing is stored when it fails."""
    try:
        with ctx.session.begin_nested():
            service.draw_plan(ctx, plan_id, _lock_version(lock_version))
    except XinyongError as exc:
        if exc.status in (401, 403, 404):
            raise
        return _detail_page(request, ctx, plan_id, error=exc.message, status=exc.status)
    return RedirectResponse(f"/inspections/{plan_id}", status_code=303)


@router.post("/inspections/{plan_id}/publish", dependencies=[Csrf])
def publish(
    request: Request, plan_id: PlanId, ctx: Login, lock_version: Annotated[str, Form(max_length=20)] = ""
) -> Response:
    """Publish the drawn plan (一公开)."""
    try:
        with ctx.session.begin_nested():
            service.publish_plan(ctx, plan_id, _lock_version(lock_version))
    except XinyongError as exc:
        if exc.status in (401, 403, 404):
            raise
        return _detail_page(request, ctx, plan_id, error=exc.message, status=exc.status)
    return RedirectResponse(f"/inspections/{plan_id}", status_code=303)


@router.post("/inspections/{plan_id}/tasks/{task_id}/result", dependencies=[Csrf])
def enter_result(
    request: Request,
    plan_id: PlanId,
    task_id: TaskId,
    ctx: Login,
    result: Annotated[str, Form(max_length=32)] = "",
    inspected_on: Annotated[str, Form(max_length=20)] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
    lock_version: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """Enter or correct a task's result on the version the page showed (a stale form gets the page with 409)."""
    try:
        if not result.strip():
            raise InvalidInput("请选择检查结果", field="result")
        day = form_day(inspected_on, "检查日期", "inspected_on")
        if day is None:
            raise InvalidInput("请填写检查日期", field="inspected_on")
        data = _build(
            ResultIn,
            {
                "result": result.strip(),
                "inspected_on": day,
                "note": note.strip(),
                "lock_version": _lock_version(lock_version),
            },
        )
        with ctx.session.begin_nested():  # a task of another plan leaves nothing behind
            task = service.enter_result(ctx, task_id, data)
            if task.plan_id != plan_id:
                raise InvalidInput("该任务不属于本抽查计划", field="task_id")
    except XinyongError as exc:
        if exc.status in (401, 403, 404):
            raise
        return _detail_page(request, ctx, plan_id, error=exc.message, error_task=task_id, status=exc.status)
    return RedirectResponse(f"/inspections/{plan_id}#task-{task.position}", status_code=303)
