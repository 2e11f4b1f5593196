"""``/api/v1/reports``: credit reports (issue #8) — issue, list, read and download, and the public verification.

A subject's account issues and reads its own subject's reports (``reports.issue_own``); the credit office issues
for any subject with a purpose (``reports.issue``, audited) and reads any report (``reports.read``, each read
audited). ``GET /verify/{number}?c=`` needs no credential: it says whether the number belongs to a report of this
platform, whether the stored report still matches its signature and the printed check code, and whether the facts
it states have changed since issue. A malformed number is 422 with the expected shape. The rules live in
``xinyong.reports.service``; this router parses and returns.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import Response

from xinyong.auth.context import Context
from xinyong.db.base import MAX_ID
from xinyong.reports import service
from xinyong.reports.render import render_html, render_pdf
from xinyong.reports.schemas import ReportDetail, ReportSummary, VerificationResult
from xinyong.web.deps import get_context
from xinyong.web.downloads import attachment
from xinyong.web.errors import error_responses
from xinyong.web.security import CSRF, DENIED, SECURED, LoggedIn

router = APIRouter(prefix="/api/v1/reports", tags=["信用报告"])

Number = Annotated[str, Path(max_length=64, description="报告编号，如 PY-20261127-7K3M-9QXD-T4WA")]
READ_RESPONSES = error_responses(*DENIED, 404, 422)


class IssueIn(BaseModel):
    """A report to issue."""

    model_config = ConfigDict(extra="forbid")

    kind: str = Field(max_length=16, description="public 公共信用报告 / special 专用信用报告（替代无违法违规证明）")
    subject_id: int | None = Field(default=None, ge=1, le=MAX_ID, description="主体编号（主体账户可不填：本主体）")
    uscc: str | None = Field(default=None, max_length=64, description="或：统一社会信用代码")
    period_start: date | None = Field(default=None, description="专用信用报告：查询期间起")
    period_end: date | None = Field(default=None, description="专用信用报告：查询期间止（不晚于报告截止日）")
    domains: list[str] = Field(default_factory=list, max_length=50, description="专用信用报告：领域代码")
    purpose: str = Field(default="", max_length=400, description="用途（区信用办代为出具时必填）")
    as_of: date | None = Field(default=None, description="信息截止日（默认今天）")


class ReportPage(BaseModel):
    """One page of issued reports, newest first."""

    total: int
    offset: int
    limit: int
    items: list[ReportSummary]


@router.post(
    "",
    response_model=ReportSummary,
    status_code=201,
    summary="出具信用报告",
    dependencies=[*SECURED, *CSRF],
    responses=error_responses(*DENIED, 404, 409, 422),
)
def issue(data: IssueIn, ctx: LoggedIn) -> ReportSummary:
    """Issue and sign a report: a subject its own, the credit office any subject (with a purpose, audited)."""
    subject_id = service.subject_for(ctx, data.subject_id, data.uscc)
    report = service.issue_report(
        ctx,
        subject_id,
        data.kind,
        period_start=data.period_start,
        period_end=data.period_end,
        domains=data.domains,
        purpose=data.purpose,
        as_of=data.as_of,
    )
    out = service.summary(report)
    ctx.session.commit()  # committed before answering (the request session commits after the response)
    return out


@router.get(
    "",
    response_model=ReportPage,
    summary="已出具的信用报告",
    dependencies=SECURED,
    responses=error_responses(*DENIED, 422),
)
def reports(
    ctx: LoggedIn,
    subject_id: Annotated[int | None, Query(ge=1, le=MAX_ID, description="主体编号（区信用办筛选）")] = None,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=service.LIST_MAX)] = 50,
) -> ReportPage:
    """A subject's own reports, or (the credit office) every report, newest first."""
    total, rows = service.list_reports(ctx, subject_id=subject_id, offset=offset, limit=limit)
    return ReportPage(total=total, offset=offset, limit=limit, items=[service.summary(r) for r in rows])


@router.get(
    "/verify/{number}",
    response_model=VerificationResult,
    summary="核验信用报告（公开）",
    responses=error_responses(422),
)
def verify(
    number: Number,
    ctx: Annotated[Context, Depends(get_context)],
    c: Annotated[str | None, Query(max_length=32, description="校验码（报告上印制，二维码中已含）")] = None,
) -> VerificationResult:
    """Whether the report is this platform's and unaltered (signature, check code), and whether the facts it
    states have changed since issue (with what changed)."""
    return service.verify_report(ctx, number, c)


@router.get(
    "/{number}.pdf",
    summary="下载信用报告（PDF）",
    dependencies=SECURED,
    responses={200: {"content": {"application/pdf": {}}}, **READ_RESPONSES},
    response_class=Response,
)
def pdf(number: Number, ctx: LoggedIn) -> Response:
    """The report as PDF (its subject, or the credit office: audited)."""
    report = service.get_report(ctx, number, purpose="pdf")
    body = render_pdf(report)
    return Response(
        body, media_type="application/pdf", headers={"Content-Disposition": attachment(f"{report.number}.pdf")}
    )


@router.get(
    "/{number}.html",
    summary="下载信用报告（HTML）",
    dependencies=SECURED,
    responses={200: {"content": {"text/html": {}}}, **READ_RESPONSES},
    response_class=Response,
)
def html(number: Number, ctx: LoggedIn) -> Response:
    """The report as a standalone HTML file (its subject, or the credit office: audited)."""
    report = service.get_report(ctx, number, purpose="html")
    return Response(
        render_html(report),
        media_type="text/html; charset=utf-8",
        headers={"Content-Disposition": attachment(f"{report.number}.html")},
    )


@router.get(
    "/{number}",
    response_model=ReportDetail,
    summary="信用报告内容（含签名）",
    dependencies=SECURED,
    responses=READ_RESPONSES,
)
def report(number: Number, ctx: LoggedIn) -> ReportDetail:
    """The signed document with its number, check code, versions, digest and signature."""
    return service.detail(service.get_report(ctx, number))
