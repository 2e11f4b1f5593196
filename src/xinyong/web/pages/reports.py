"""Pages of credit reports (issue #8): issue and download, and the public verification page.

* ``/reports/verify`` (public): the form (report number and check code); ``/reports/verify/{number}?c=`` the
  verdict in a big banner — 真实有效 / 查无此报告 / 可能被篡改或伪造 — with what the report states (subject, kind,
  issue time, period, domains, conclusion) and whether the facts have changed since issue, with what changed.
* ``/my/reports`` (a subject's account): issue a public report or a 专用信用报告 (period and domains), the list of
  the subject's reports with their downloads.
* ``/reports`` (the credit office): issue for any subject by USCC or id with a purpose; the reports issued.
* ``/reports/{number}``: the report itself (its subject or the credit office, audited), with the PDF and HTML
  downloads (``/api/v1/reports/{number}.pdf|.html``).

Forms post the CSRF token; a refused form comes back with the Chinese reason and what was typed.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from xinyong.auth.context import Context
from xinyong.auth.permissions import PermissionDenied, allowed, require
from xinyong.errors import InvalidInput, NotFound
from xinyong.reports import service
from xinyong.reports.models import REPORT_KINDS, CreditReport
from xinyong.reports.render import document_context
from xinyong.reports.rules import report_rules
from xinyong.web import csrf
from xinyong.web.deps import get_context, require_login
from xinyong.web.forms import form_day
from xinyong.web.pages.objections import attempt
from xinyong.web.templating import render

router = APIRouter(include_in_schema=False)
Login = Annotated[Context, Depends(require_login)]
Anyone = Annotated[Context, Depends(get_context)]
Csrf = Depends(csrf.csrf_protect)
Number = Annotated[str, Path(max_length=64)]
NAV = "reports"  # the navigation keys of base.html: the office's page, the subject's, the public verification
MY_NAV = "my_reports"
VERIFY_NAV = "reports_verify"
DEFAULT_DOMAINS = ("market_supervision", "tax", "social_insurance", "environment", "work_safety")
DONE = {"issued": "报告已出具。可下载 PDF 或 HTML，报告上的二维码指向公开核验页。"}


# --------------------------------------------------------------------------------------------- verification
def _verify_page(
    request: Request, ctx: Context, number: str = "", code: str = "", *, error: str | None = None
) -> Response:
    result = None
    status = 200
    if number.strip() and error is None:
        try:
            result = service.verify_report(ctx, number, code or None)
        except InvalidInput as exc:
            error = exc.message
    if error:
        status = 422
    context = {"nav": VERIFY_NAV, "number": number, "code": code, "result": result, "error": error}
    return render(request, "report_verify.html", context, status_code=status)


@router.get("/reports/verify")
def verify_form(
    request: Request,
    ctx: Anyone,
    number: Annotated[str, Query(max_length=64)] = "",
    c: Annotated[str, Query(max_length=32)] = "",
) -> Response:
    """The verification form; with a number, the verdict."""
    return _verify_page(request, ctx, number, c)


@router.get("/reports/verify/{number}")
def verify_page(
    request: Request, number: Number, ctx: Anyone, c: Annotated[str, Query(max_length=32)] = ""
) -> Response:
    """The verdict on one report number (the QR code's address)."""
    return _verify_page(request, ctx, number, c)


# --------------------------------------------------------------------------------------------- issue forms
def _form_defaults(ctx: Context) -> dict[str, Any]:
    years = min(3, report_rules().special.period.max_years)
    return {
        "kind": "special",
        "period_start": service.years_before(ctx.today, years).isoformat(),
        "period_end": ctx.today.isoformat(),
        "domains": list(DEFAULT_DOMAINS),
        "purpose": "",
        "subject": "",
    }


def _issue_context(ctx: Context, form: dict[str, Any]) -> dict[str, Any]:
    special = report_rules().special
    return {
        "form": form,
        "kinds": REPORT_KINDS,
        "domains": special.domains,
        "max_years": special.period.max_years,
        "today": ctx.today.isoformat(),
    }


def _issue(ctx: Context, subject_id: int, form: dict[str, Any]) -> CreditReport:
    kind = form["kind"]
    special = kind == "special"
    return service.issue_report(
        ctx,
        subject_id,
        kind,
        period_start=form_day(form["period_start"], "查询期间开始日期", "period_start") if special else None,
        period_end=form_day(form["period_end"], "查询期间结束日期", "period_end") if special else None,
        domains=form["domains"] if special else (),
        purpose=form["purpose"],
    )


def _posted(
    kind: str, period_start: str, period_end: str, domains: list[str], purpose: str, subject: str = ""
) -> dict[str, Any]:
    return {
        "kind": kind,
        "period_start": period_start,
        "period_end": period_end,
        "domains": domains,
        "purpose": purpose,
        "subject": subject,
    }


def _summaries(reports: list[CreditReport]) -> list[Any]:
    return [service.summary(r) for r in reports]


# --------------------------------------------------------------------------------------------- the subject
def _my_page(
    request: Request, ctx: Context, form: dict[str, Any], *, error: str | None = None, status: int = 200
) -> Response:
    total, rows = service.list_reports(ctx, subject_id=ctx.subject_id)
    context = {"nav": MY_NAV, "error": error, "reports": _summaries(rows), "total": total, **_issue_context(ctx, form)}
    return render(request, "report_my.html", context, status_code=status)


def _own_subject(ctx: Context) -> int:
    require(ctx, service.ISSUE_OWN)
    if ctx.role != "subject" or ctx.subject_id is None:
        raise PermissionDenied(ctx.role, service.ISSUE_OWN, "“我的信用报告”仅供信用主体账户使用")
    return ctx.subject_id


@router.get("/my/reports")
def my_reports(request: Request, ctx: Login) -> Response:
    """The subject's report forms and its reports (the credit office goes to ``/reports``)."""
    if ctx.role != "subject" and allowed(ctx.role, service.READ):
        return RedirectResponse("/reports", status_code=303)
    _own_subject(ctx)
    return _my_page(request, ctx, _form_defaults(ctx))


@router.post("/my/reports", dependencies=[Csrf])
def issue_own(
    request: Request,
    ctx: Login,
    kind: Annotated[str, Form(max_length=16)] = "",
    period_start: Annotated[str, Form(max_length=20)] = "",
    period_end: Annotated[str, Form(max_length=20)] = "",
    domains: Annotated[list[str], Form(max_length=50)] = [],  # noqa: B006 - FastAPI form default
    purpose: Annotated[str, Form(max_length=400)] = "",
) -> Response:
    """Issue the subject's own report, then show it."""
    subject_id = _own_subject(ctx)
    form = _posted(kind, period_start, period_end, domains, purpose)
    made: list[str] = []
    refused = attempt(ctx, lambda: made.append(_issue(ctx, subject_id, form).number))
    if refused is not None:
        return _my_page(request, ctx, form, error=refused.message, status=refused.status)
    return RedirectResponse(f"/reports/{made[0]}?done=issued", status_code=303)


# --------------------------------------------------------------------------------------------- the office
def _office_page(
    request: Request,
    ctx: Context,
    form: dict[str, Any],
    subject: str = "",
    *,
    error: str | None = None,
    status: int = 200,
) -> Response:
    subject_id = None
    list_error = None
    if subject.strip():
        try:
            subject_id = service.subject_for(ctx, None, subject)
        except (InvalidInput, NotFound) as exc:  # shown beside the filter, not as an error page
            list_error = exc.message
    total, rows = (0, []) if list_error else service.list_reports(ctx, subject_id=subject_id)
    context = {
        "nav": NAV,
        "error": error,
        "list_error": list_error,
        "filter_subject": subject,
        "reports": _summaries(rows),
        "total": total,
        **_issue_context(ctx, form),
    }
    return render(request, "report_office.html", context, status_code=status)


@router.get("/reports")
def office_reports(request: Request, ctx: Login, subject: Annotated[str, Query(max_length=64)] = "") -> Response:
    """The credit office's issue form and the reports issued (filtered by subject)."""
    require(ctx, service.READ)
    return _office_page(request, ctx, _form_defaults(ctx), subject)


@router.post("/reports", dependencies=[Csrf])
def issue_for(
    request: Request,
    ctx: Login,
    subject: Annotated[str, Form(max_length=64)] = "",
    kind: Annotated[str, Form(max_length=16)] = "",
    period_start: Annotated[str, Form(max_length=20)] = "",
    period_end: Annotated[str, Form(max_length=20)] = "",
    domains: Annotated[list[str], Form(max_length=50)] = [],  # noqa: B006 - FastAPI form default
    purpose: Annotated[str, Form(max_length=400)] = "",
) -> Response:
    """Issue a report for a subject named by USCC or id (audited), then show it."""
    require(ctx, service.ISSUE)
    form = _posted(kind, period_start, period_end, domains, purpose, subject)
    made: list[str] = []

    def run() -> None:
        if not subject.strip():
            raise InvalidInput("请填写主体的统一社会信用代码或主体编号", field="subject")
        made.append(_issue(ctx, service.subject_for(ctx, None, subject), form).number)

    refused = attempt(ctx, run)
    if refused is not None:
        return _office_page(request, ctx, form, error=refused.message, status=refused.status)
    return RedirectResponse(f"/reports/{made[0]}?done=issued", status_code=303)


# --------------------------------------------------------------------------------------------- one report
@router.get("/reports/{number}")
def report_page(
    request: Request, number: Number, ctx: Login, done: Annotated[str, Query(max_length=16)] = ""
) -> Response:
    """The report as issued, with its downloads (its subject or the credit office; an office read is audited)."""
    report = service.get_report(ctx, number, purpose="page")
    context = {
        "nav": MY_NAV if ctx.role == "subject" else NAV,
        "summary": service.summary(report),
        "done": DONE.get(done, ""),
        "back": "/my/reports" if ctx.role == "subject" else "/reports",
        **document_context(report),
    }
    return render(request, "report_view.html", context)
