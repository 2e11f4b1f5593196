"""Pages of the joint check (issue #7): 一键查询 for department officers, 惩戒反馈, the feedback dashboard and the
measures ledger tracking.

* ``/checks``: the check form (code, scenario, optional day), the batch upload (a CSV or TXT file of codes, one a
  line or in the first column) and the actor's recent checks. A check posts, is logged, and shows
  ``/checks/{id}``: the subject, the entries in force, the measures with basis, department and status, and a
  feedback form for every measure not yet given feedback. A batch answers with its result table at once
  (malformed codes are not logged, so the page is the only place their reasons are shown).
* ``/checks/rates``: feedback rates per department over a period (the office sees all, a department its own).
* ``/measures``: the ledger — basis, status, deadline, newest progress — overdue tasks highlighted, and a
  progress form per measure for the credit office (``measures.update``).

Forms post with the CSRF token; an invalid form shows the page again with the Chinese error. A form that writes
commits before it redirects (the request session's own commit runs after the response is sent, and the page the
browser is sent to must find what was written).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Path, Query, Request, UploadFile
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from xinyong import clock
from xinyong.auth.context import Context
from xinyong.auth.permissions import allowed, require
from xinyong.db.base import MAX_ID
from xinyong.errors import InvalidInput, XinyongError
from xinyong.lists import check_queries, checks, measure_progress
from xinyong.lists.check_schemas import CODE_INPUT_MAX, MAX_BATCH, SCENARIO_MAX, BatchOut
from xinyong.lists.checks import MAX_UPLOAD_BYTES, codes_from_file
from xinyong.lists.measures import measure_ledger
from xinyong.web import csrf
from xinyong.web.deps import require_login
from xinyong.web.forms import form_day
from xinyong.web.templating import render

router = APIRouter(include_in_schema=False)
Login = Annotated[Context, Depends(require_login)]
Csrf = Depends(csrf.csrf_protect)
CheckId = Annotated[int, Path(ge=1, le=MAX_ID)]
NAV = "checks"
NAV_MEASURES = "measures"
MAX_SHOWN = MAX_BATCH


# --------------------------------------------------------------------------------------------- helpers
def local_time(at: datetime | None) -> str:
    """A stored time (UTC; SQLite returns it without a zone) in China, ``2026-11-27 10:00``; a dash for none."""
    if at is None:
        return "—"
    aware = at if at.tzinfo else at.replace(tzinfo=UTC)
    return aware.astimezone(clock.CHINA_TZ).strftime("%Y-%m-%d %H:%M")


def _scenarios() -> dict[str, str]:
    return dict(measure_ledger().scenarios)


# --------------------------------------------------------------------------------------------- the check form
def _form_page(
    request: Request,
    ctx: Context,
    *,
    values: dict[str, str] | None = None,
    error: str | None = None,
    batch_error: str | None = None,
    batch: BatchOut | None = None,
    status: int = 200,
) -> Response:
    context = {
        "nav": NAV,
        "scenarios": _scenarios(),
        "v": values or {"code": "", "scenario": "", "as_of": ""},
        "error": error,
        "batch_error": batch_error,
        "batch": batch,
        "max_batch": MAX_BATCH,
        "recent": check_queries.recent_checks(ctx, 20),
        "may_read_all": checks.reads_all(ctx),
        "local_time": local_time,
        "today": ctx.today.isoformat(),
    }
    return render(request, "check_form.html", context, status_code=status)


@router.get("/checks")
def form_page(request: Request, ctx: Login) -> Response:
    """一键查询: the check form, the batch upload and the recent checks."""
    require(ctx, checks.RUN)
    return _form_page(request, ctx)


@router.post("/checks", dependencies=[Csrf])
def run_check(
    request: Request,
    ctx: Login,
    code: Annotated[str, Form(max_length=CODE_INPUT_MAX)] = "",
    scenario: Annotated[str, Form(max_length=SCENARIO_MAX)] = "",
    as_of: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """Check one code, then show the logged check with its feedback forms."""
    require(ctx, checks.RUN)
    values = {"code": code, "scenario": scenario, "as_of": as_of}
    try:
        if not code.strip():
            raise InvalidInput("请填写统一社会信用代码或身份证号码", field="code")
        day = form_day(as_of, "查询基准日", "as_of")
        with ctx.session.begin_nested():
            answer = checks.check(ctx, code, scenario, day)
        ctx.session.commit()  # before the redirect: the next request must find the logged check
    except XinyongError as exc:
        if exc.status in (401, 403):
            raise
        values["code"] = "" if exc.field == "code" and len(code.strip()) >= 15 else code  # no ID numbers echoed
        return _form_page(request, ctx, values=values, error=exc.message, status=exc.status)
    return RedirectResponse(f"/checks/{answer.check_id}", status_code=303)


@router.post("/checks/batch", dependencies=[Csrf])
def run_batch(
    request: Request,
    ctx: Login,
    scenario: Annotated[str, Form(max_length=SCENARIO_MAX)] = "",
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """Check the codes of an uploaded file and show the result table (every position, the reasons of bad ones)."""
    require(ctx, checks.RUN)
    try:
        if file is None or not file.filename:
            raise InvalidInput("请选择要上传的文件（CSV 或 TXT，每行一个代码）", field="file")
        content = file.file.read(MAX_UPLOAD_BYTES + 1)
        codes = codes_from_file(content)
        with ctx.session.begin_nested():
            batch = checks.check_batch(ctx, codes, scenario)
        ctx.session.commit()
    except XinyongError as exc:
        if exc.status in (401, 403):
            raise
        values = {"code": "", "scenario": scenario, "as_of": ""}
        return _form_page(request, ctx, values=values, batch_error=exc.message, status=exc.status)
    return _form_page(request, ctx, values={"code": "", "scenario": scenario, "as_of": ""}, batch=batch)


# --------------------------------------------------------------------------------------------- rates
@router.get("/checks/rates")
def rates_page(
    request: Request,
    ctx: Login,
    date_from: Annotated[str, Query(max_length=20)] = "",
    date_to: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    """惩戒反馈率 per department over a period (default: this year to today)."""
    require(ctx, checks.RUN)
    error = None
    try:
        start = form_day(date_from, "起始日", "date_from")
        end = form_day(date_to, "截止日", "date_to")
        rates = check_queries.feedback_rates(ctx, start, end)
    except XinyongError as exc:
        if exc.status in (401, 403):
            raise
        error = exc.message
        rates = check_queries.feedback_rates(ctx)
    context = {"nav": NAV, "rates": rates, "error": error}
    return render(request, "check_rates.html", context, status_code=422 if error else 200)


# --------------------------------------------------------------------------------------------- one check
def _detail_page(
    request: Request,
    ctx: Context,
    check_id: int,
    *,
    error: str | None = None,
    error_measure: str | None = None,
    status: int = 200,
) -> Response:
    shown = check_queries.get_check(ctx, check_id)
    given = {f.measure_id: f for f in shown.feedback}
    context = {
        "nav": NAV,
        "c": shown,
        "given": given,
        "may_feedback": allowed(ctx.role, checks.FEEDBACK),
        "error": error,
        "error_measure": error_measure,
        "local_time": local_time,
    }
    return render(request, "check_result.html", context, status_code=status)


@router.get("/checks/{check_id}")
def detail_page(request: Request, check_id: CheckId, ctx: Login) -> Response:
    """A logged check: the answer as given, the feedback recorded and the forms for the rest."""
    return _detail_page(request, ctx, check_id)


@router.post("/checks/{check_id}/feedback", dependencies=[Csrf])
def feedback(
    request: Request,
    check_id: CheckId,
    ctx: Login,
    measure_id: Annotated[str, Form(max_length=48)] = "",
    applied: Annotated[str, Form(max_length=8)] = "",
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Record whether a measure was applied (a reason when not), then show the check again."""
    try:
        if applied not in ("1", "0"):
            raise InvalidInput("请选择是否已实施该措施", field="applied")
        with ctx.session.begin_nested():
            checks.record_feedback(ctx, check_id, measure_id, applied == "1", reason)
        ctx.session.commit()
    except XinyongError as exc:
        if exc.status in (401, 403, 404):
            raise
        return _detail_page(request, ctx, check_id, error=exc.message, error_measure=measure_id, status=exc.status)
    return RedirectResponse(f"/checks/{check_id}#measure-{measure_id}", status_code=303)


# --------------------------------------------------------------------------------------------- the ledger
def _ledger_page(
    request: Request,
    ctx: Context,
    as_of: date | None = None,
    *,
    error: str | None = None,
    error_measure: str | None = None,
    status: int = 200,
) -> Response:
    report = measure_progress.ledger_tracking(ctx, as_of)
    context = {
        "nav": NAV_MEASURES,
        "report": report,
        "may_update": allowed(ctx.role, measure_progress.UPDATE),
        "error": error,
        "error_measure": error_measure,
        "today": ctx.today.isoformat(),
        "as_of": (as_of or ctx.today).isoformat(),
    }
    return render(request, "measures.html", context, status_code=status)


@router.get("/measures")
def ledger_page(request: Request, ctx: Login, as_of: Annotated[str, Query(max_length=20)] = "") -> Response:
    """失信约束措施台账: every measure with basis, status, deadline and progress; overdue tasks highlighted."""
    require(ctx, measure_progress.READ)
    try:
        day = form_day(as_of, "检查基准日", "as_of")
    except XinyongError as exc:
        return _ledger_page(request, ctx, error=exc.message, status=exc.status)
    return _ledger_page(request, ctx, day)


@router.post("/measures/{measure_id}/progress", dependencies=[Csrf])
def progress(
    request: Request,
    ctx: Login,
    measure_id: Annotated[str, Path(max_length=48)],
    note: Annotated[str, Form(max_length=4000)] = "",
    done: Annotated[str, Form(max_length=8)] = "",
    reported_on: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """Record a progress note (the credit office), then show the ledger."""
    require(ctx, measure_progress.UPDATE)
    try:
        day = form_day(reported_on, "进展日期", "reported_on")
        with ctx.session.begin_nested():
            measure_progress.record_progress(ctx, measure_id, note, done in ("1", "on", "true"), day)
        ctx.session.commit()
    except XinyongError as exc:
        if exc.status in (401, 403):
            raise
        return _ledger_page(request, ctx, error=exc.message, error_measure=measure_id, status=exc.status)
    return RedirectResponse(f"/measures#measure-{measure_id}", status_code=303)
