"""Pages ``/special-campaigns``: 专项治理 (special campaigns) and the repeated-violator list (屡禁不止、屡罚不改),
issue #11 item 6 (``/campaigns`` is the portal's 诚信宣传 page).

* ``/special-campaigns``: the campaigns with target counts by status; ``/special-campaigns/new`` (the credit office)
  creates one.
* ``/special-campaigns/{id}``: sectors, units, goal, target counts by status (chart), progress by unit, the
  campaign's repeated violators, the targets with their status form (for the office, the lead unit and the assigned
  unit), and the office's forms: add a subject, add the latest run's violators, close.
* ``/special-campaigns/{id}/progress``: a unit's progress report form (a department officer for its own
  participating department; the office for any unit of the campaign).
* ``/special-campaigns/violators``: the latest detection run (or an ad-hoc query with other parameters), CSV/Excel
  export of a stored run, and (the office) a new run.

Every rule is in ``xinyong.campaigns``; refused forms come back with the Chinese reason.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, ValidationError
from starlette.responses import Response

from xinyong.auth.context import Context
from xinyong.auth.permissions import allowed, require
from xinyong.campaigns import queries, service, violators
from xinyong.campaigns.rules import campaign_rules
from xinyong.campaigns.schemas import (
    CampaignIn,
    CloseIn,
    FromRunIn,
    ProgressIn,
    TargetIn,
    TargetUpdateIn,
    ViolatorPage,
)
from xinyong.catalog.departments import load_departments
from xinyong.codes.divisions import PANYU_TOWNSHIPS
from xinyong.db.base import MAX_ID
from xinyong.errors import InvalidInput
from xinyong.subjects.departments import unit_code_of
from xinyong.web import csrf
from xinyong.web.deps import require_login
from xinyong.web.pages.objections import attempt
from xinyong.web.templating import render

router = APIRouter(include_in_schema=False)
Login = Annotated[Context, Depends(require_login)]
Csrf = Depends(csrf.csrf_protect)
CampaignId = Annotated[int, Path(ge=1, le=MAX_ID)]
Field = Annotated[str, Form(max_length=4000)]
NAV = "special_campaigns"
M = TypeVar("M", bound=BaseModel)
DONE = {
    "created": "专项治理行动已创建。",
    "target": "治理对象已纳入。",
    "updated": "治理对象已更新。",
    "progress": "进展已报送。",
    "closed": "行动已结束。",
    "run": "检测已完成，名单已保存。",
}


def _parse(model: type[M], data: dict[str, Any]) -> M:
    """``model`` from form values; the first problem as ``InvalidInput``."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"])
        raise InvalidInput(f"{field}：{err['msg']}", field=field) from None


def _day(raw: str, field: str) -> date | None:
    text = raw.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"日期“{text[:10]}”格式应为 YYYY-MM-DD", field=field) from None


def _int(raw: str, label: str, field: str) -> int | None:
    text = raw.strip()
    if not text:
        return None
    if not text.isdigit() or len(text) > 6:
        raise InvalidInput(f"{label}应为整数（收到“{text[:10]}”）", field=field)
    return int(text)


def _unit_options() -> list[tuple[str, str]]:
    """Every department of the catalogue and every Panyu township, for the unit pickers."""
    return [(d.code, d.short_name) for d in load_departments().departments] + [
        (t.code, t.name) for t in PANYU_TOWNSHIPS
    ]


# --------------------------------------------------------------------------------------------- violators
def _violators_page(
    request: Request,
    ctx: Context,
    page: ViolatorPage | None,
    *,
    form: dict[str, str],
    error: str | None = None,
    status: int = 200,
    done: str = "",
) -> Response:
    context = {
        "nav": NAV,
        "page": page,
        "runs": violators.list_runs(ctx, 10),
        "rule": campaign_rules().repeat_violators,
        "may_run": allowed(ctx.role, violators.RUN),
        "form": form,
        "error": error,
        "done": DONE.get(done, ""),
    }
    return render(request, "campaign_violators.html", context, status_code=status)


@router.get("/special-campaigns/violators")
def violators_page(
    request: Request,
    ctx: Login,
    run: Annotated[str, Query(max_length=20)] = "",
    as_of: Annotated[str, Query(max_length=10)] = "",
    min_count: Annotated[str, Query(max_length=6)] = "",
    window_days: Annotated[str, Query(max_length=6)] = "",
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    done: Annotated[str, Query(max_length=16)] = "",
) -> Response:
    """The latest stored run's list, a chosen run, or an ad-hoc query when parameters are given."""
    require(ctx, violators.READ)
    form = {"as_of": as_of, "min_count": min_count, "window_days": window_days, "run": run}
    try:
        if as_of.strip() or min_count.strip() or window_days.strip():
            page = violators.query(
                ctx,
                _day(as_of, "as_of") or ctx.today,
                _int(min_count, "处罚次数阈值", "min_count"),
                _int(window_days, "统计期间", "window_days"),
                offset=offset,
            )
        else:
            page = violators.run_violators(ctx, _int(run, "检测批次", "run"), offset=offset)
    except InvalidInput as exc:
        return _violators_page(request, ctx, None, form=form, error=exc.message, status=422)
    return _violators_page(request, ctx, page, form=form, done=done)


@router.post("/special-campaigns/violators/run", dependencies=[Csrf])
def violators_run(
    request: Request,
    ctx: Login,
    as_of: Annotated[str, Form(max_length=10)] = "",
    min_count: Annotated[str, Form(max_length=6)] = "",
    window_days: Annotated[str, Form(max_length=6)] = "",
) -> Response:
    """Run and store the detection (the credit office)."""
    require(ctx, violators.RUN)
    made: list[int] = []

    def run() -> None:
        stored = violators.run_detection(
            ctx,
            _day(as_of, "as_of"),
            _int(min_count, "处罚次数阈值", "min_count"),
            _int(window_days, "统计期间", "window_days"),
        )
        made.append(stored.id)

    refused = attempt(ctx, run)
    if refused is not None:
        form = {"as_of": as_of, "min_count": min_count, "window_days": window_days, "run": ""}
        return _violators_page(request, ctx, None, form=form, error=refused.message, status=refused.status)
    return RedirectResponse(f"/special-campaigns/violators?run={made[0]}&done=run", status_code=303)


# --------------------------------------------------------------------------------------------- list, new
@router.get("/special-campaigns")
def list_page(
    request: Request,
    ctx: Login,
    status: Annotated[str, Query(max_length=16)] = "",
    done: Annotated[str, Query(max_length=16)] = "",
) -> Response:
    """Campaigns with their target counts by status."""
    rows = queries.list_campaigns(ctx, status or None) if status in ("", *queries.CAMPAIGN_STATUS_LABELS) else []
    context = {
        "nav": NAV,
        "rows": rows,
        "status": status,
        "statuses": queries.CAMPAIGN_STATUS_LABELS,
        "target_labels": campaign_rules().status_labels(),
        "may_manage": allowed(ctx.role, service.MANAGE),
        "done": DONE.get(done, ""),
    }
    return render(request, "campaign_list.html", context)


def _new_page(
    request: Request, ctx: Context, form: dict[str, Any], error: str | None = None, status: int = 200
) -> Response:
    require(ctx, service.MANAGE)
    context = {
        "nav": NAV,
        "sectors": campaign_rules().sectors,
        "units": _unit_options(),
        "form": form,
        "error": error,
    }
    return render(request, "campaign_new.html", context, status_code=status)


@router.get("/special-campaigns/new")
def new_page(request: Request, ctx: Login) -> Response:
    """The creation form (the credit office)."""
    return _new_page(request, ctx, {"sectors": [], "units": []})


@router.post("/special-campaigns/new", dependencies=[Csrf])
def create(
    request: Request,
    ctx: Login,
    code: Annotated[str, Form(max_length=80)] = "",
    name: Annotated[str, Form(max_length=400)] = "",
    sectors: Annotated[list[str] | None, Form()] = None,
    lead_unit: Annotated[str, Form(max_length=32)] = "",
    units: Annotated[list[str] | None, Form()] = None,
    starts_on: Annotated[str, Form(max_length=10)] = "",
    ends_on: Annotated[str, Form(max_length=10)] = "",
    goal: Field = "",
) -> Response:
    """Create a campaign; a refused form comes back with the reason."""
    require(ctx, service.MANAGE)
    form = {
        "code": code,
        "name": name,
        "sectors": (sectors or [])[:20],
        "lead_unit": lead_unit,
        "units": (units or [])[:40],
        "starts_on": starts_on,
        "ends_on": ends_on,
        "goal": goal,
    }
    made: list[int] = []

    def run() -> None:
        data = _parse(
            CampaignIn,
            form | {"starts_on": _day(starts_on, "starts_on"), "ends_on": _day(ends_on, "ends_on")},
        )
        made.append(service.create_campaign(ctx, data).id)

    refused = attempt(ctx, run)
    if refused is not None:
        return _new_page(request, ctx, form, refused.message, refused.status)
    return RedirectResponse(f"/special-campaigns/{made[0]}?done=created", status_code=303)


# --------------------------------------------------------------------------------------------- detail
def _may_update(ctx: Context, lead: str, units: list[str], assigned: str | None) -> bool:
    if not allowed(ctx.role, service.REPORT):
        return False
    if service.is_office(ctx):
        return True
    own = unit_code_of(ctx)
    return own is not None and (own == lead or (own in units and own == assigned))


def _detail_page(
    request: Request,
    ctx: Context,
    campaign_id: int,
    *,
    error: str | None = None,
    status: int = 200,
    done: str = "",
    form: dict[str, str] | None = None,
) -> Response:
    detail = queries.campaign_detail(ctx, campaign_id)
    total, targets = queries.targets(ctx, campaign_id, limit=queries.MAX_LIMIT)
    rules = campaign_rules()
    labels = rules.status_labels()
    chart = {"statuses": [labels[k] for k in detail.by_status], "counts": list(detail.by_status.values())}
    unit_codes = [u.code for u in detail.units]
    own = unit_code_of(ctx)
    latest = violators.latest_run(ctx.session)
    context = {
        "nav": NAV,
        "c": detail,
        "targets": targets,
        "total": total,
        "editable": {
            t.id for t in targets if _may_update(ctx, detail.lead_unit.code, unit_codes, t.unit and t.unit.code)
        },
        "may_assign": service.is_office(ctx) or (own is not None and own == detail.lead_unit.code),
        "may_manage": allowed(ctx.role, service.MANAGE),
        "may_report": allowed(ctx.role, service.REPORT)
        and (service.is_office(ctx) or own in [detail.lead_unit.code, *unit_codes]),
        "violators": queries.campaign_violators(ctx, campaign_id),
        "reports": queries.progress_reports(ctx, campaign_id)[:20],
        "statuses": labels,
        "figures": rules.figure_labels(),
        "chart": json.dumps(chart, ensure_ascii=False),
        "max_count": max(detail.by_status.values(), default=0) or 1,
        "latest_run": latest,
        "form": form or {},
        "error": error,
        "done": DONE.get(done, ""),
    }
    return render(request, "campaign_detail.html", context, status_code=status)


@router.get("/special-campaigns/{campaign_id}")
def detail_page(
    request: Request, campaign_id: CampaignId, ctx: Login, done: Annotated[str, Query(max_length=16)] = ""
) -> Response:
    """A campaign with its targets, progress and repeated violators."""
    return _detail_page(request, ctx, campaign_id, done=done)


def _act(request: Request, ctx: Context, campaign_id: int, done: str, run: Any, form: dict[str, str]) -> Response:
    refused = attempt(ctx, run)
    if refused is not None:
        return _detail_page(request, ctx, campaign_id, error=refused.message, status=refused.status, form=form)
    return RedirectResponse(f"/special-campaigns/{campaign_id}?done={done}", status_code=303)


@router.post("/special-campaigns/{campaign_id}/targets", dependencies=[Csrf])
def add_target(
    request: Request,
    campaign_id: CampaignId,
    ctx: Login,
    uscc: Annotated[str, Form(max_length=64)] = "",
    case_ref: Annotated[str, Form(max_length=128)] = "",
    reason: Annotated[str, Form(max_length=1000)] = "",
    sector: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    """Put a subject in scope by USCC (the credit office)."""
    require(ctx, service.MANAGE)
    form = {"uscc": uscc, "case_ref": case_ref, "reason": reason, "sector": sector}

    def run() -> None:
        service.add_target(ctx, campaign_id, _parse(TargetIn, form | {"sector": sector or None}))

    return _act(request, ctx, campaign_id, "target", run, form)


@router.post("/special-campaigns/{campaign_id}/targets/from-run", dependencies=[Csrf])
def add_from_run(
    request: Request,
    campaign_id: CampaignId,
    ctx: Login,
    run_id: Annotated[str, Form(max_length=20)] = "",
    scope: Annotated[str, Form(max_length=8)] = "sector",
) -> Response:
    """Add a run's violators (the credit office)."""
    require(ctx, service.MANAGE)

    def run() -> None:
        number = _int(run_id, "检测批次", "run_id")
        if number is None:
            raise InvalidInput("请先运行屡禁不止、屡罚不改检测", field="run_id")
        service.add_targets_from_run(ctx, campaign_id, _parse(FromRunIn, {"run_id": number, "scope": scope}))

    return _act(request, ctx, campaign_id, "target", run, {})


@router.post("/special-campaigns/targets/{target_id}", dependencies=[Csrf])
def update_target(
    request: Request,
    target_id: CampaignId,
    ctx: Login,
    status: Annotated[str, Form(max_length=16)] = "",
    outcome: Annotated[str, Form(max_length=1000)] = "",
    unit_code: Annotated[str | None, Form(max_length=32)] = None,
) -> Response:
    """A target's status and outcome (and assignment for the office or the lead unit)."""
    require(ctx, service.REPORT)
    target = service.target_or_404(ctx, target_id)

    def run() -> None:
        data = _parse(TargetUpdateIn, {"status": status, "outcome": outcome, "unit_code": unit_code})
        service.update_target(ctx, target_id, data)

    return _act(request, ctx, target.campaign_id, "updated", run, {})


@router.post("/special-campaigns/{campaign_id}/close", dependencies=[Csrf])
def close(request: Request, campaign_id: CampaignId, ctx: Login, result: Field = "") -> Response:
    """Close with the result summary (the credit office)."""
    require(ctx, service.MANAGE)
    return _act(
        request,
        ctx,
        campaign_id,
        "closed",
        lambda: service.close_campaign(ctx, campaign_id, _parse(CloseIn, {"result": result})),
        {"result": result},
    )


# --------------------------------------------------------------------------------------------- progress
def _progress_page(
    request: Request,
    ctx: Context,
    campaign_id: int,
    form: dict[str, str],
    error: str | None = None,
    status: int = 200,
) -> Response:
    require(ctx, service.REPORT)
    detail = queries.campaign_detail(ctx, campaign_id)
    units = [detail.lead_unit, *detail.units]
    if not service.is_office(ctx):
        own = unit_code_of(ctx)
        units = [u for u in units if u.code == own]
    context = {
        "nav": NAV,
        "c": detail,
        "units": units,
        "figures": campaign_rules().figure_labels(),
        "form": form,
        "error": error,
    }
    return render(request, "campaign_progress.html", context, status_code=status)


@router.get("/special-campaigns/{campaign_id}/progress")
def progress_page(request: Request, campaign_id: CampaignId, ctx: Login) -> Response:
    """The progress form for the units the caller may report for."""
    return _progress_page(request, ctx, campaign_id, {})


@router.post("/special-campaigns/{campaign_id}/progress", dependencies=[Csrf])
async def report_progress(request: Request, campaign_id: CampaignId, ctx: Login) -> Response:
    """Report progress; a refused report comes back with the reason."""
    require(ctx, service.REPORT)
    raw = await request.form()
    keys = campaign_rules().figure_labels()
    form = {k: str(raw.get(k, ""))[:2000] for k in ("unit_code", "note", "reported_on", *[f"f_{k}" for k in keys])}

    def run() -> None:
        figures: dict[str, int] = {}
        for key, label in keys.items():
            value = _int(form[f"f_{key}"], label, "figures")
            if value is not None:
                figures[key] = value
        data = _parse(
            ProgressIn,
            {
                "unit_code": form["unit_code"] or None,
                "note": form["note"],
                "figures": figures,
                "reported_on": _day(form["reported_on"], "reported_on"),
            },
        )
        service.report_progress(ctx, campaign_id, data)

    refused = attempt(ctx, run)
    if refused is not None:
        return _progress_page(request, ctx, campaign_id, form, refused.message, refused.status)
    return RedirectResponse(f"/special-campaigns/{campaign_id}?done=progress", status_code=303)
