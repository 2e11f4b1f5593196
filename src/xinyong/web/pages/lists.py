"""Pages of the listing procedure (issue #7): the public lists, list management, one entry's steps, imports.

* ``/lists/public`` (anyone): the public lists with how many subjects are on each today, 失信名单 (dishonesty and
  received lists) and 红名单 (red lists) in their own sections (``?kind=dishonesty`` / ``?kind=red`` shows one);
  ``/lists/public/{code}``: the subjects on one list on a day (search by organisation name or USCC), natural
  persons' names masked, ID numbers never shown, responsible persons (masked) with their employer;
  ``/lists/public/{code}/export.csv`` / ``export.xlsx``: the same subjects with the same filters
  (``portal.public_reads.list_rows``, ``web.exports``).
* ``/lists`` (``lists.read``): entries filtered by list, status and name or code, and the proposal form (list,
  subject by USCC / ID number or subject id, reasons, basis, responsible persons as "姓名 身份证号码" lines;
  a subject the registry lacks is created unverified when its name is given).
* ``/lists/entries/{id}``: the steps with their dates and deadlines (defence period, earliest decision,
  expiry, earliest early removal), the form of each next step (carrying ``lock_version``), the notice text,
  responsible persons, history and documents.
* ``/lists/import`` (``lists.import``): upload a received list's CSV / Excel file; the result or every row error.

Forms post with the CSRF token; an invalid or stale form shows the page again with the Chinese error (and
leaves nothing behind: each post runs in a savepoint).
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, File, Form, Path, Query, Request, UploadFile
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from xinyong.auth.context import Context
from xinyong.auth.permissions import allowed, require
from xinyong.db.base import MAX_ID, fetch
from xinyong.errors import InvalidInput, NotFound, XinyongError
from xinyong.lists import entries, entry_queries, received
from xinyong.lists.entry_schemas import (
    DEFENCE_OUTCOMES,
    REMOVAL_LABELS,
    STATUS_LABELS,
    EntryDetail,
    ImportResult,
    PublicEntry,
)
from xinyong.lists.types import list_catalogue
from xinyong.portal.figures import cached_home_figures
from xinyong.portal.public_reads import list_rows
from xinyong.settings import get_settings
from xinyong.subjects.models import Subject
from xinyong.web import csrf
from xinyong.web.deps import get_public_context, require_login
from xinyong.web.downloads import case_file_response
from xinyong.web.exports import Column, ExportFormat, export_response
from xinyong.web.forms import form_day, required_day
from xinyong.web.pages.inspections import local_time
from xinyong.web.templating import render

router = APIRouter(include_in_schema=False)
Login = Annotated[Context, Depends(require_login)]
PublicContext = Annotated[Context, Depends(get_public_context)]
Csrf = Depends(csrf.csrf_protect)
EntryId = Annotated[int, Path(ge=1, le=MAX_ID)]
FileId = Annotated[int, Path(ge=1, le=MAX_ID)]
ListCode = Annotated[str, Path(min_length=2, max_length=40)]
Format = Annotated[ExportFormat, Path(description="csv 或 xlsx")]
NAV = "lists"
NAV_PUBLIC = "lists_public"
PAGE = 50
PERSON_LINE = re.compile(r"^\s*(\S+?)[\s,，:：]+(\S+)\s*$")


# --------------------------------------------------------------------------------------------- form helpers
def _version(raw: str) -> int:
    raw = raw.strip()
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= 2**31 - 1:
        raise InvalidInput("表单缺少版本号，请刷新页面后重试", field="lock_version")
    return int(raw)


def _page_number(raw: str) -> int:
    return int(raw) if raw.isascii() and raw.isdigit() and 0 < int(raw) <= 10_000 else 1


def _subject(ctx: Context, ref: str, name: str, field: str) -> Subject:
    """A subject by id (digits, shorter than a code) or by USCC / ID number — created unverified when the
    registry lacks it and a name is given."""
    text = ref.strip()
    if not text:
        raise InvalidInput("请填写列入主体的统一社会信用代码、身份证号码或主体编号", field=field)
    if text.isascii() and text.isdigit() and len(text) < 15:
        found = fetch(ctx.session, Subject, int(text))
        if found is None:
            raise NotFound(f"主体 {text} 不存在", field=field)
        return found
    if not name.strip():
        lookup = received.find_subject(ctx, text, field)
        if lookup is None:
            raise InvalidInput("主体库中没有该代码的主体：请同时填写名称（将新建并标记为待核实）", field=field)
        return lookup
    return received.ensure_subject(ctx, text, name, field)


def _persons(ctx: Context, text: str) -> list[int]:
    """Responsible persons from "姓名 身份证号码" lines (found in the registry, or created unverified)."""
    ids: list[int] = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        found = PERSON_LINE.match(line)
        if found is None:
            raise InvalidInput(
                f"责任人第 {number} 行应为“姓名 身份证号码”（以空格或逗号分隔）", field="responsible_persons"
            )
        ids.append(received.ensure_subject(ctx, found.group(2), found.group(1), "responsible_persons").id)
    return ids


# --------------------------------------------------------------------------------------------- public
LIST_SECTIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "dishonesty": ("失信名单", ("dishonesty", "received")),
    "red": ("红名单", ("red",)),
}


@router.get("/lists/public")
def public_index(request: Request, ctx: PublicContext, kind: Annotated[str, Query(max_length=16)] = "") -> Response:
    """The public lists and how many subjects are on each today: 失信名单 and 红名单 in their own sections
    (``kind`` = ``dishonesty`` or ``red`` shows one of them)."""
    chosen = kind if kind in LIST_SECTIONS else ""
    # the counts of the day come from the home page's cached figures (counting every entry in force on each
    # request cost 50 ms at 100,000 entries under the portal benchmark's readers)
    figures = cached_home_figures(ctx.session, ctx.today)
    lists = entry_queries.public_lists(ctx, counts={x.code: x.count for x in figures.lists_by_type})
    sections = [
        (key, label, [x for x in lists if x.kind in kinds])
        for key, (label, kinds) in LIST_SECTIONS.items()
        if not chosen or key == chosen
    ]
    context = {"nav": NAV_PUBLIC, "sections": sections, "chosen": chosen, "today": ctx.today}
    return render(request, "list_public.html", context)


def _export_urls(list_code: str, q: str, as_of: str) -> dict[str, str]:
    params = {k: v.strip() for k, v in (("q", q), ("as_of", as_of)) if v.strip()}
    query = f"?{urlencode(params)}" if params else ""
    return {fmt: f"/lists/public/{list_code}/export.{fmt}{query}" for fmt in ("csv", "xlsx")}


@router.get("/lists/public/{list_code}")
def public_list(
    request: Request,
    list_code: ListCode,
    ctx: PublicContext,
    q: Annotated[str, Query(max_length=100)] = "",
    as_of: Annotated[str, Query(max_length=20)] = "",
    page: Annotated[str, Query(max_length=8)] = "1",
) -> Response:
    """The subjects on one public list on a day (default today), with a search box and the export links."""
    number = _page_number(page)
    error = None
    day: date | None = None
    try:
        day = form_day(as_of, "查询日期", "as_of")
        shown = entry_queries.public_entries(ctx, list_code, as_of=day, q=q, offset=(number - 1) * PAGE, limit=PAGE)
    except InvalidInput as exc:
        error = exc.message
        shown = entry_queries.public_entries(ctx, list_code, limit=PAGE)
    kind = list_catalogue().types[shown.list_code]
    context = {
        "nav": NAV_PUBLIC,
        "page": shown,
        "kind": kind,
        "q": q,
        "as_of": as_of,
        "number": number,
        "pages": max(1, -(-shown.total // PAGE)),
        "exports": _export_urls(shown.list_code, q, as_of) if error is None else None,
        "error": error,
    }
    return render(request, "list_public_entries.html", context, status_code=422 if error else 200)


EXPORT_COLUMNS: list[Column[PublicEntry]] = [
    Column("主体名称", lambda e: e.subject_name),
    Column("主体类别", lambda e: e.subject_kind_label),
    Column("统一社会信用代码", lambda e: e.uscc, text=True),
    Column("列入事由", lambda e: e.reasons),
    Column("决定文书号", lambda e: e.decision_doc_no, text=True),
    Column("列入日期", lambda e: e.published_on),
    Column("期满日", lambda e: e.expires_on or "无固定期限"),
    Column("决定机关", lambda e: e.authority),
    Column("责任人", lambda e: e.responsible_persons),
]


@router.get("/lists/public/{list_code}/export.{fmt}")
def public_list_export(
    list_code: ListCode,
    fmt: Format,
    ctx: PublicContext,
    q: Annotated[str, Query(max_length=100)] = "",
    as_of: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    """Every subject on the list on the day (with ``q``) as CSV or Excel: the page's columns and masking."""
    kind, day, rows = list_rows(ctx, list_code, as_of=form_day(as_of, "查询日期", "as_of"), q=q)
    return export_response(fmt, f"{kind.name}-{day.isoformat()}", EXPORT_COLUMNS, rows.total, rows.read)


# --------------------------------------------------------------------------------------------- management
def _manageable(ctx: Context) -> list[Any]:
    """The dishonesty and red list types the caller may propose for."""
    if not allowed(ctx.role, entries.MANAGE):
        return []
    chosen = []
    for kind in list_catalogue().types.values():
        if kind.kind == "received":
            continue
        try:
            entries.require_list(ctx, kind)
        except XinyongError:
            continue
        chosen.append(kind)
    return chosen


def _manage_page(
    request: Request,
    ctx: Context,
    *,
    filters: dict[str, str],
    form: dict[str, str] | None = None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    number = _page_number(filters.get("page", "1"))
    shown = entry_queries.list_entries(
        ctx,
        list_code=filters.get("list_code") or None,
        status=filters.get("status") or None,
        q=filters.get("q") or None,
        offset=(number - 1) * PAGE,
        limit=PAGE,
    )
    context = {
        "nav": NAV,
        "entries": shown,
        "filters": filters,
        "number": number,
        "pages": max(1, -(-shown.total // PAGE)),
        "types": list(list_catalogue().types.values()),
        "manageable": _manageable(ctx),
        "may_import": allowed(ctx.role, received.IMPORT),
        "status_labels": STATUS_LABELS,
        "form": form or {},
        "error": error,
    }
    return render(request, "list_manage.html", context, status_code=status)


@router.get("/lists")
def manage_page(
    request: Request,
    ctx: Login,
    list_code: Annotated[str, Query(max_length=40)] = "",
    status: Annotated[str, Query(max_length=16)] = "",
    q: Annotated[str, Query(max_length=100)] = "",
    page: Annotated[str, Query(max_length=8)] = "1",
) -> Response:
    """Entries (own department's for officers) with filters, and the proposal form."""
    require(ctx, entry_queries.READ)
    filters = {
        "list_code": list_code if list_code in list_catalogue().types else "",
        "status": status if status in STATUS_LABELS else "",
        "q": q,
        "page": page,
    }
    return _manage_page(request, ctx, filters=filters)


@router.post("/lists", dependencies=[Csrf])
def propose(
    request: Request,
    ctx: Login,
    list_code: Annotated[str, Form(max_length=40)] = "",
    subject: Annotated[str, Form(max_length=64)] = "",
    subject_name: Annotated[str, Form(max_length=200)] = "",
    reasons: Annotated[str, Form(max_length=8000)] = "",
    basis: Annotated[str, Form(max_length=8000)] = "",
    case_ref: Annotated[str, Form(max_length=400)] = "",
    responsible_persons: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    """拟列入, then the entry's page; an invalid form comes back with the error and what was typed."""
    require(ctx, entries.MANAGE)
    form = {
        "list_code": list_code,
        "subject": subject,
        "subject_name": subject_name,
        "reasons": reasons,
        "basis": basis,
        "case_ref": case_ref,
        "responsible_persons": responsible_persons,
    }
    try:
        if not list_code.strip():
            raise InvalidInput("请选择名单", field="list_code")
        with ctx.session.begin_nested():
            found = _subject(ctx, subject, subject_name, "subject")
            persons = _persons(ctx, responsible_persons)
            entry = entries.propose(ctx, list_code, found.id, reasons, basis, case_ref, persons)
    except XinyongError as exc:
        if exc.status in (401, 403):
            raise
        return _manage_page(request, ctx, filters={}, form=form, error=exc.message, status=exc.status)
    return RedirectResponse(f"/lists/entries/{entry.id}", status_code=303)


# --------------------------------------------------------------------------------------------- one entry
def _removal_reasons(detail: EntryDetail) -> dict[str, str]:
    if detail.kind == "received":
        keys = ["source_removed", "expiry"]
    else:
        keys = ["early_removal", "repair", "revocation", "expiry"]
        if detail.early_removal_rule is None:
            keys.remove("early_removal")
    if detail.expires_on is None:
        keys.remove("expiry")
    return {k: REMOVAL_LABELS[k] for k in keys}


def _entry_page(
    request: Request,
    ctx: Context,
    entry_id: int,
    *,
    error: str | None = None,
    step: str | None = None,
    form: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    detail = entry_queries.entry_detail(ctx, entry_id)
    kind = list_catalogue().types.get(detail.list_code)
    context = {
        "nav": NAV,
        "e": detail,
        "kind": kind,
        "error": error,
        "error_step": step,
        "form": form or {},
        "today": ctx.today.isoformat(),
        "earliest_decision": (detail.defence_due + timedelta(days=1)) if detail.defence_due else None,
        "removal_reasons": _removal_reasons(detail),
        "defence_outcomes": DEFENCE_OUTCOMES,
        "status_labels": STATUS_LABELS,
        "may_attach": entry_queries.may_manage(ctx, detail.department_id),
        "local_time": local_time,
    }
    return render(request, "list_entry.html", context, status_code=status)


@router.get("/lists/entries/{entry_id}")
def entry_page(request: Request, entry_id: EntryId, ctx: Login) -> Response:
    """One entry: its steps, deadlines, next-step forms, responsible persons, history and documents."""
    return _entry_page(request, ctx, entry_id)


def _step(request: Request, ctx: Context, entry_id: int, step: str, form: dict[str, str], act: Any) -> Response:
    """Run one step in a savepoint; a refusal shows the page again with the error next to the step's form."""
    try:
        with ctx.session.begin_nested():
            act()
    except XinyongError as exc:
        if exc.status in (401, 403, 404):
            raise
        return _entry_page(request, ctx, entry_id, error=exc.message, step=step, form=form, status=exc.status)
    return RedirectResponse(f"/lists/entries/{entry_id}", status_code=303)


@router.post("/lists/entries/{entry_id}/notice", dependencies=[Csrf])
def notice(
    request: Request,
    entry_id: EntryId,
    ctx: Login,
    doc_no: Annotated[str, Form(max_length=200)] = "",
    served_on: Annotated[str, Form(max_length=20)] = "",
    lock_version: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """送达列入前告知书."""
    form = {"doc_no": doc_no, "served_on": served_on}
    return _step(
        request,
        ctx,
        entry_id,
        "notice",
        form,
        lambda: entries.serve_notice(
            ctx, entry_id, doc_no, required_day(served_on, "送达日期", "served_on"), _version(lock_version)
        ),
    )


@router.post("/lists/entries/{entry_id}/defence", dependencies=[Csrf])
def defence(
    request: Request,
    entry_id: EntryId,
    ctx: Login,
    text: Annotated[str, Form(max_length=8000)] = "",
    received_on: Annotated[str, Form(max_length=20)] = "",
    lock_version: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """登记陈述申辩."""
    form = {"text": text, "received_on": received_on}
    return _step(
        request,
        ctx,
        entry_id,
        "defence",
        form,
        lambda: entries.record_defence(
            ctx, entry_id, text, required_day(received_on, "收到日期", "received_on"), _version(lock_version)
        ),
    )


@router.post("/lists/entries/{entry_id}/decision", dependencies=[Csrf])
def decision(
    request: Request,
    entry_id: EntryId,
    ctx: Login,
    doc_no: Annotated[str, Form(max_length=200)] = "",
    decided_on: Annotated[str, Form(max_length=20)] = "",
    defence_outcome: Annotated[str, Form(max_length=16)] = "",
    lock_version: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """作出列入决定."""
    form = {"doc_no": doc_no, "decided_on": decided_on, "defence_outcome": defence_outcome}
    return _step(
        request,
        ctx,
        entry_id,
        "decide",
        form,
        lambda: entries.decide(
            ctx,
            entry_id,
            doc_no,
            required_day(decided_on, "决定日期", "decided_on"),
            defence_outcome.strip() or None,
            _version(lock_version),
        ),
    )


@router.post("/lists/entries/{entry_id}/drop", dependencies=[Csrf])
def drop(
    request: Request,
    entry_id: EntryId,
    ctx: Login,
    reason: Annotated[str, Form(max_length=8000)] = "",
    lock_version: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """不予列入."""
    return _step(
        request,
        ctx,
        entry_id,
        "drop",
        {"reason": reason},
        lambda: entries.drop(ctx, entry_id, reason, _version(lock_version)),
    )


@router.post("/lists/entries/{entry_id}/publication", dependencies=[Csrf])
def publication(
    request: Request,
    entry_id: EntryId,
    ctx: Login,
    published_on: Annotated[str, Form(max_length=20)] = "",
    lock_version: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """列入并公示."""
    return _step(
        request,
        ctx,
        entry_id,
        "publish",
        {"published_on": published_on},
        lambda: entries.publish(
            ctx, entry_id, required_day(published_on, "公示日期", "published_on"), _version(lock_version)
        ),
    )


@router.post("/lists/entries/{entry_id}/removal", dependencies=[Csrf])
def removal(
    request: Request,
    entry_id: EntryId,
    ctx: Login,
    reason: Annotated[str, Form(max_length=32)] = "",
    removed_on: Annotated[str, Form(max_length=20)] = "",
    note: Annotated[str, Form(max_length=8000)] = "",
    corrected_on: Annotated[str, Form(max_length=20)] = "",
    commitment_text: Annotated[str, Form(max_length=8000)] = "",
    lock_version: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """移出名单."""
    form = {
        "reason": reason,
        "removed_on": removed_on,
        "note": note,
        "corrected_on": corrected_on,
        "commitment_text": commitment_text,
    }

    def act() -> None:
        if not reason.strip():
            raise InvalidInput("请选择移出情形", field="reason")
        entries.remove(
            ctx,
            entry_id,
            reason.strip(),
            required_day(removed_on, "移出日期", "removed_on"),
            note,
            form_day(corrected_on, "改正日期", "corrected_on"),
            commitment_text,
            _version(lock_version),
        )

    return _step(request, ctx, entry_id, "remove", form, act)


@router.post("/lists/entries/{entry_id}/files", dependencies=[Csrf])
def add_files(
    request: Request,
    entry_id: EntryId,
    ctx: Login,
    files: Annotated[list[UploadFile] | None, File()] = None,
) -> Response:
    """Attach documents to the entry."""
    uploads = [f for f in files or [] if f.filename]
    limit = get_settings().case_file_max_bytes

    def act() -> None:
        if not uploads:
            raise InvalidInput("请选择要上传的材料文件", field="files")
        for upload in uploads:
            entries.attach(ctx, entry_id, upload.filename or "", upload.file.read(limit + 1))

    return _step(request, ctx, entry_id, "files", {}, act)


@router.get("/lists/entries/{entry_id}/files/{file_id}")
def file_content(entry_id: EntryId, file_id: FileId, ctx: Login) -> Response:
    """Download one document of the entry (audited)."""
    row = entry_queries.entry_file(ctx, entry_id, file_id)
    return case_file_response(row)


# --------------------------------------------------------------------------------------------- imports
def _import_page(
    request: Request,
    ctx: Context,
    *,
    form: dict[str, str] | None = None,
    result: ImportResult | None = None,
    errors: list[Any] | None = None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    require(ctx, received.IMPORT)
    kinds = []
    for kind in list_catalogue().types.values():
        if kind.kind != "received":
            continue
        try:
            entries.require_list(ctx, kind, received.IMPORT)
        except XinyongError:
            continue
        kinds.append(kind)
    context = {
        "nav": NAV,
        "kinds": kinds,
        "columns": received.HEADERS,
        "form": form or {},
        "result": result,
        "errors": errors or [],
        "error": error,
    }
    return render(request, "list_import.html", context, status_code=status)


@router.get("/lists/import")
def import_page(request: Request, ctx: Login) -> Response:
    """The received-list upload form."""
    return _import_page(request, ctx)


@router.post("/lists/import", dependencies=[Csrf])
def import_file(
    request: Request,
    ctx: Login,
    list_code: Annotated[str, Form(max_length=40)] = "",
    source_ref: Annotated[str, Form(max_length=400)] = "",
    partial: Annotated[str, Form(max_length=8)] = "",
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """Import the file; show what was imported, or every row error (nothing imported)."""
    require(ctx, received.IMPORT)
    form = {"list_code": list_code, "source_ref": source_ref, "partial": partial}
    try:
        if not list_code.strip():
            raise InvalidInput("请选择接收名单", field="list_code")
        if file is None or not file.filename:
            raise InvalidInput("请选择要导入的名单文件（CSV 或 Excel）", field="file")
        content = file.file.read(get_settings().intake_max_file_bytes + 1)
        with ctx.session.begin_nested():
            result = received.import_received(
                ctx, list_code, file.filename, content, source_ref, partial=partial in ("1", "on", "true")
            )
    except XinyongError as exc:
        if exc.status in (401, 403):
            raise
        rows = getattr(exc, "errors", None)
        return _import_page(request, ctx, form=form, errors=rows, error=exc.message, status=exc.status)
    return _import_page(request, ctx, form=form, result=result, errors=result.errors)
