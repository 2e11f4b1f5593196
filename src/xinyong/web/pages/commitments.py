"""信用承诺 pages (issue #5): the public list, signing and recording, the lists of the subject and of the
department, the detail with its history and the verification form.

* ``/commitments/public`` (公开): published commitments, natural persons masked;
  ``/commitments/public/export.csv`` / ``export.xlsx``: all of them with the same ``q`` (``web.exports``).
* ``/commitments/new``: two steps without scripts — (1) a GET form chooses the type, the department and the
  matter (and, for staff recording a paper commitment, the subject's USCC); (2) the page shows the type's
  standard text filled in, which the signer may edit, and the POST form signs or records it.
* ``/commitments``: a subject's own commitments; for department officers, regulators and the credit office the
  department feed with verification due dates and overdue marks.
* ``/commitments/{id}``: detail, history, and for the department concerned / regulators / the office the
  verification form carrying the version that was shown (optimistic locking: a stale form gets a 409 page).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from xinyong import clock
from xinyong.auth.context import Context
from xinyong.auth.permissions import allowed, require
from xinyong.db.base import MAX_ID
from xinyong.errors import InvalidInput, XinyongError
from xinyong.portal.public_reads import commitment_rows
from xinyong.records import commitments, publication
from xinyong.records.commitment_rules import commitment_rules
from xinyong.records.commitment_schemas import STATUS_LABELS, CommitmentDetail, PublicCommitment
from xinyong.subjects.departments import list_departments
from xinyong.web import csrf
from xinyong.web.deps import get_public_context, require_login
from xinyong.web.exports import Column, ExportFormat, export_response
from xinyong.web.templating import render

router = APIRouter(include_in_schema=False)
Login = Annotated[Context, Depends(require_login)]
PublicContext = Annotated[Context, Depends(get_public_context)]
Csrf = Depends(csrf.csrf_protect)
CommitmentId = Annotated[int, Path(ge=1, le=MAX_ID)]
NAV = "commitments"
FEED_LIMIT = 50


@dataclass(frozen=True)
class Pager:
    """Links to the neighbouring pages of a list."""

    number: int
    prev_url: str | None
    next_url: str | None


def _pager(base: str, params: dict[str, Any], offset: int, limit: int, total: int) -> Pager:
    def url(at: int) -> str:
        query = {k: v for k, v in params.items() if v not in (None, "")} | ({"offset": at} if at else {})
        return base + ("?" + urlencode(query) if query else "")

    return Pager(
        number=offset // limit + 1,
        prev_url=url(max(offset - limit, 0)) if offset > 0 else None,
        next_url=url(offset + limit) if offset + limit < total else None,
    )


# --------------------------------------------------------------------------------------------- public list
@router.get("/commitments/public")
def public_page(
    request: Request,
    ctx: PublicContext,
    q: Annotated[str, Query(max_length=publication.MAX_QUERY)] = "",
    offset: Annotated[int, Query(ge=0, le=publication.MAX_OFFSET)] = 0,
) -> Response:
    """信用承诺公示 (anyone): search by USCC, name (not of natural persons) or matter."""
    error = None
    page = None
    try:
        page = commitments.public_commitments(ctx, q or None, offset)
    except InvalidInput as exc:
        error = exc.message
    context = {
        "nav": NAV,
        "q": q,
        "page": page,
        "pager": _pager("/commitments/public", {"q": q}, offset, page.limit, page.total) if page else None,
        "exports": {
            fmt: f"/commitments/public/export.{fmt}" + (f"?{urlencode({'q': q.strip()})}" if q.strip() else "")
            for fmt in ("csv", "xlsx")
        },
        "error": error,
    }
    return render(request, "commitment_public.html", context, status_code=422 if error else 200)


EXPORT_COLUMNS: list[Column[PublicCommitment]] = [
    Column("承诺主体", lambda c: c.subject_name),
    Column("统一社会信用代码", lambda c: c.uscc, text=True),
    Column("承诺类型", lambda c: c.kind_label),
    Column("承诺事项", lambda c: c.matter),
    Column("所涉部门", lambda c: c.department_name),
    Column("承诺日期", lambda c: c.signed_on),
    Column("履约情况", lambda c: c.status_label),
    Column("核查日期", lambda c: c.outcome_on),
]


@router.get("/commitments/public/export.{fmt}")
def public_export(
    fmt: Annotated[ExportFormat, Path(description="csv 或 xlsx")],
    ctx: PublicContext,
    q: Annotated[str, Query(max_length=publication.MAX_QUERY)] = "",
) -> Response:
    """Every published commitment matching ``q`` as CSV or Excel (the page's columns, persons masked)."""
    rows = commitment_rows(ctx, q or None)
    return export_response(fmt, "信用承诺公示", EXPORT_COLUMNS, rows.total, rows.read)


# --------------------------------------------------------------------------------------------- lists
@router.get("/commitments")
def list_page(
    request: Request,
    ctx: Login,
    status: Annotated[str, Query(max_length=16)] = "",
    overdue: Annotated[str, Query(max_length=8)] = "",
    department_id: Annotated[str, Query(max_length=20)] = "",
    offset: Annotated[int, Query(ge=0, le=publication.MAX_OFFSET)] = 0,
) -> Response:
    """A subject's own commitments, or the department feed for staff who read commitments."""
    if ctx.role == "subject":
        rows = commitments.my_commitments(ctx)
        context = {"nav": NAV, "mode": "mine", "rows": rows, "feed": None, "pager": None}
        return render(request, "commitment_list.html", context)
    require(ctx, commitments.READ)
    filters = {"status": status, "overdue": overdue, "department_id": department_id}
    try:
        department = _int_or_none(department_id, "部门") if ctx.department_id is None else None
        feed = commitments.department_feed(
            ctx,
            status=status or None,
            overdue=True if overdue in ("1", "true", "on") else None,
            department_id=department,
            offset=offset,
            limit=FEED_LIMIT,
        )
    except InvalidInput as exc:
        context = {"nav": NAV, "mode": "feed", "rows": [], "feed": None, "pager": None, "error": exc.message}
        context |= _feed_choices(ctx, filters)
        return render(request, "commitment_list.html", context, status_code=422)
    context = {
        "nav": NAV,
        "mode": "feed",
        "rows": feed.items,
        "feed": feed,
        "pager": _pager("/commitments", filters, offset, feed.limit, feed.total),
        "error": None,
        **_feed_choices(ctx, filters),
    }
    return render(request, "commitment_list.html", context)


def _feed_choices(ctx: Context, filters: dict[str, str]) -> dict[str, Any]:
    return {
        "filters": filters,
        "status_labels": STATUS_LABELS,
        "departments": list_departments(ctx.session) if ctx.department_id is None else [],
        "can_record": allowed(ctx.role, commitments.RECORD),
    }


def _int_or_none(raw: str, label: str) -> int | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_ID:
        raise InvalidInput(f"{label}无效，请从列表中选择", field="department_id")
    return int(raw)


# --------------------------------------------------------------------------------------------- signing
def _signing_page(
    request: Request,
    ctx: Context,
    *,
    kind: str,
    department_id: str,
    matter: str,
    uscc: str,
    text: str | None,
    signer_name: str = "",
    error: str | None = None,
    status: int = 200,
) -> Response:
    rules = commitment_rules()
    staff = ctx.role != "subject"
    departments = list_departments(ctx.session)
    own = next((d for d in departments if d.id == ctx.department_id), None)
    department = own or next((d for d in departments if str(d.id) == department_id), None)
    ready = kind in rules.types and department is not None and bool(matter.strip())
    if ready and department is not None and text is None:
        try:
            subject_id = commitments.resolve_subject(ctx, None, uscc) if staff else ctx.subject_id
        except XinyongError as exc:
            error, status, ready = exc.message, exc.status, False
        else:
            text = commitments.default_text(ctx, kind, subject_id or 0, department.id, matter)
    context = {
        "nav": NAV,
        "types": commitments.commitment_types(),
        "kind": kind,
        "spec": rules.types.get(kind),
        "departments": departments if own is None else [],
        "own_department": own,
        "department": department,
        "department_id": str(department.id) if department else department_id,
        "matter": matter,
        "uscc": uscc,
        "staff": staff,
        "ready": ready,
        "text": text or "",
        "signer_name": signer_name,
        "error": error,
    }
    return render(request, "commitment_new.html", context, status_code=status)


def _may_sign(ctx: Context) -> None:
    require(ctx, commitments.SIGN if ctx.role == "subject" else commitments.RECORD)


@router.get("/commitments/new")
def new_page(
    request: Request,
    ctx: Login,
    kind: Annotated[str, Query(max_length=32)] = "",
    department_id: Annotated[str, Query(max_length=20)] = "",
    matter: Annotated[str, Query(max_length=200)] = "",
    uscc: Annotated[str, Query(max_length=32)] = "",
) -> Response:
    """Step 1 (choose type, department, matter; staff: the subject's USCC) and step 2 (the text to sign)."""
    _may_sign(ctx)
    return _signing_page(request, ctx, kind=kind, department_id=department_id, matter=matter, uscc=uscc, text=None)


@router.post("/commitments/new", dependencies=[Csrf])
def sign(
    request: Request,
    ctx: Login,
    kind: Annotated[str, Form(max_length=32)] = "",
    department_id: Annotated[str, Form(max_length=20)] = "",
    matter: Annotated[str, Form(max_length=1000)] = "",
    uscc: Annotated[str, Form(max_length=32)] = "",
    text: Annotated[str, Form(max_length=40000)] = "",
    signer_name: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Sign (the subject) or record (staff) the commitment, then show it."""
    _may_sign(ctx)
    try:
        subject_id = commitments.resolve_subject(ctx, None, uscc if ctx.role != "subject" else None)
        department = ctx.department_id or _int_or_none(department_id, "承诺所涉部门")
        if department is None:
            raise InvalidInput("请选择承诺所涉部门", field="department_id")
        with ctx.session.begin_nested():
            row = commitments.sign_commitment(
                ctx,
                subject_id=subject_id,
                kind=kind,
                department_id=department,
                matter=matter,
                text=text,
                signer_name=signer_name,
            )
    except XinyongError as exc:
        if exc.status in (401, 403):
            raise
        return _signing_page(
            request,
            ctx,
            kind=kind,
            department_id=department_id,
            matter=matter,
            uscc=uscc,
            text=text,
            signer_name=signer_name,
            error=exc.message,
            status=exc.status,
        )
    return RedirectResponse(f"/commitments/{row.id}", status_code=303)


# --------------------------------------------------------------------------------------------- detail and verification
def _may_verify(ctx: Context, detail: CommitmentDetail) -> bool:
    if not allowed(ctx.role, commitments.VERIFY) or detail.status != "signed":
        return False
    return ctx.role != "department_officer" or ctx.department_id == detail.department_id


def _local_time(at: datetime) -> str:
    """A history time in China (stored in UTC; SQLite returns it without a zone)."""
    aware = at if at.tzinfo else at.replace(tzinfo=UTC)
    return aware.astimezone(clock.CHINA_TZ).strftime("%Y-%m-%d %H:%M")


def _detail_page(
    request: Request, ctx: Context, commitment_id: int, *, error: str | None = None, status: int = 200
) -> Response:
    detail = commitments.commitment_detail(ctx, commitment_id)
    context = {
        "nav": NAV,
        "c": detail,
        "today": ctx.today,
        "may_verify": _may_verify(ctx, detail),
        "may_publish": allowed(ctx.role, commitments.RECORD) and ctx.role != "department_officer",
        "status_labels": STATUS_LABELS,
        "local_time": _local_time,
        "error": error,
    }
    return render(request, "commitment_detail.html", context, status_code=status)


@router.get("/commitments/{commitment_id}")
def detail_page(request: Request, commitment_id: CommitmentId, ctx: Login) -> Response:
    """One commitment: text, outcome, history; the verification form for those who verify it."""
    return _detail_page(request, ctx, commitment_id)


@router.post("/commitments/{commitment_id}/verify", dependencies=[Csrf])
def verify(
    request: Request,
    commitment_id: CommitmentId,
    ctx: Login,
    outcome: Annotated[str, Form(max_length=16)] = "",
    reason: Annotated[str, Form(max_length=40000)] = "",
    false_commitment: Annotated[str, Form(max_length=8)] = "",
    version: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """Record the outcome on the version the form showed; a stale or invalid form shows the page again."""
    try:
        expected = int(version) if version.strip().isdigit() else None
        if expected is None:
            raise InvalidInput("表单缺少版本号，请刷新页面后重新核查", field="version")
        # a savepoint: a verification that fails half-way (a stale flush, a breach that does not load) leaves
        # nothing behind, and the page can still be read from the session
        with ctx.session.begin_nested():
            commitments.verify_commitment(
                ctx,
                commitment_id,
                outcome,
                reason,
                false_commitment in ("1", "on", "true"),
                expected_version=expected,
            )
    except XinyongError as exc:
        if exc.status in (401, 403, 404):
            raise
        return _detail_page(request, ctx, commitment_id, error=exc.message, status=exc.status)
    return RedirectResponse(f"/commitments/{commitment_id}", status_code=303)


@router.post("/commitments/{commitment_id}/publication", dependencies=[Csrf])
def publication_toggle(
    commitment_id: CommitmentId, ctx: Login, published: Annotated[str, Form(max_length=8)] = ""
) -> Response:
    """Show or hide on the public list (the credit office)."""
    commitments.set_published(ctx, commitment_id, published in ("1", "on", "true"))
    return RedirectResponse(f"/commitments/{commitment_id}", status_code=303)
