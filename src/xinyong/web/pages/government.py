"""Pages: 公共机构名录、政府合同与政务失信记录 (issue #11 items 1–2), for staff (``government.read``).

* ``/government/bodies``: the register of public bodies and the unit answerable for each; the credit office
  registers a body and names another unit (``bodies.manage``).
* ``/government/contracts``: contracts with alert badges (临期 / 逾期) as of a day, filters, CSV/Excel export, the
  alerts list; ``/government/contracts/new`` (a form with up to ``TERM_ROWS`` terms) and
  ``/government/contracts/import`` (a CSV/xlsx file, every row problem shown, nothing stored on a bad file) for
  ``contracts.manage``; ``/government/contracts/{id}``: the schedule, term done, default (credit office), complete,
  terminate, and the audited timeline.
* ``/government/records``: government-integrity records (政务失信记录).

Every rule is in ``xinyong.government``; refused forms come back with the Chinese reason.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Path, Query, Request, UploadFile
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from starlette.responses import Response

from xinyong.auth.context import Context
from xinyong.auth.permissions import allowed, require
from xinyong.db.base import MAX_ID
from xinyong.errors import InvalidInput, XinyongError
from xinyong.government import bodies, contract_import, contract_queries, contracts
from xinyong.government.contract_rules import contract_rules
from xinyong.government.contract_schemas import ContractIn
from xinyong.settings import get_settings
from xinyong.web import csrf
from xinyong.web.api.government import EXPORT_COLUMNS
from xinyong.web.deps import require_login
from xinyong.web.exports import ExportFormat, export_response
from xinyong.web.forms import form_day, required_day
from xinyong.web.pages.inspections import local_time
from xinyong.web.pages.objections import attempt
from xinyong.web.templating import render
from xinyong.workplan.units import unit_label

router = APIRouter(include_in_schema=False)
Login = Annotated[Context, Depends(require_login)]
Csrf = Depends(csrf.csrf_protect)
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
Text = Annotated[str, Form(max_length=2000)]
Short = Annotated[str, Query(max_length=100)]
NAV = "government"
TERM_ROWS = 8
DONE = {
    "body": "公共机构已登记。",
    "unit": "责任单位已变更。",
    "term": "节点履行情况已登记。",
    "default": "已认定违约，并生成政务失信记录。",
    "complete": "合同已办结。",
    "terminate": "合同已终止。",
    "registered": "合同已登记。",
}


def money(value: Decimal | None) -> str:
    """``1,234.50`` (元), ``—`` for none."""
    return "—" if value is None else f"{value:,.2f}"


def _base(ctx: Context, **extra: Any) -> dict[str, Any]:
    rules = contract_rules()
    return {
        "nav": NAV,
        "rules": rules,
        "statuses": rules.status_labels(),
        "term_kinds": rules.term_kind_labels(),
        "body_kinds": bodies.BODY_KINDS,
        "today": ctx.today,
        "money": money,
        "local_time": local_time,
        "unit_label": unit_label,
        "may_bodies": allowed(ctx.role, bodies.MANAGE),
        "may_manage": allowed(ctx.role, contracts.MANAGE),
        "may_default": allowed(ctx.role, contracts.MANAGE) and ctx.role != "department_officer",
        **extra,
    }


def _as_of(ctx: Context, raw: str) -> date:
    return form_day(raw, "统计日期", "as_of") or ctx.today


# --------------------------------------------------------------------------------------------- bodies
def _bodies_page(
    request: Request, ctx: Context, *, error: str = "", status: int = 200, done: str = "", form: dict | None = None
) -> Response:
    require(ctx, bodies.READ)
    context = _base(ctx, items=contract_queries.list_bodies(ctx), error=error, done=DONE.get(done, ""), form=form or {})
    return render(request, "gov_bodies.html", context, status_code=status)


@router.get("/government/bodies")
def bodies_page(request: Request, ctx: Login, done: Annotated[str, Query(max_length=16)] = "") -> Response:
    """The register of public bodies."""
    return _bodies_page(request, ctx, done=done)


@router.post("/government/bodies", dependencies=[Csrf])
def bodies_add(
    request: Request, ctx: Login, name: Text = "", uscc: Text = "", kind: Text = "", unit_code: Text = ""
) -> Response:
    """Register a body."""
    form = {"name": name, "uscc": uscc, "kind": kind, "unit_code": unit_code}
    refused = attempt(ctx, lambda: bodies.register_body(ctx, name, uscc, kind, unit_code))
    if refused is not None:
        return _bodies_page(request, ctx, error=refused.message, status=refused.status, form=form)
    return RedirectResponse("/government/bodies?done=body", status_code=303)


@router.post("/government/bodies/{body_id}/unit", dependencies=[Csrf])
def bodies_unit(request: Request, ctx: Login, body_id: Id, unit_code: Text = "") -> Response:
    """Name another answerable unit."""
    refused = attempt(ctx, lambda: bodies.reassign_body(ctx, body_id, unit_code))
    if refused is not None:
        return _bodies_page(request, ctx, error=refused.message, status=refused.status)
    return RedirectResponse("/government/bodies?done=unit", status_code=303)


# --------------------------------------------------------------------------------------------- contracts
@router.get("/government/contracts")
def contracts_page(
    request: Request,
    ctx: Login,
    as_of: Short = "",
    status: Annotated[str, Query(max_length=16)] = "",
    unit_code: Annotated[str, Query(max_length=32)] = "",
    q: Short = "",
    alert: Annotated[str, Query(max_length=4)] = "",
) -> Response:
    """Contracts with alert badges, filters, alerts and the export links."""
    require(ctx, contracts.READ)
    day = _as_of(ctx, as_of)
    rows = contract_queries.list_contracts(
        ctx, day, status or None, None, unit_code or None, q or None, alert in ("1", "on")
    )
    context = _base(
        ctx,
        rows=rows,
        alerts=contract_queries.alerts(ctx, day, unit_code or None),
        as_of=day,
        filters={"status": status, "unit_code": unit_code, "q": q, "alert": alert, "as_of": as_of},
        units=sorted({r.unit_code for r in contract_queries.list_bodies(ctx)}),
    )
    return render(request, "gov_contracts.html", context)


@router.get("/government/contracts/export")
def contracts_export(
    ctx: Login,
    format: Annotated[ExportFormat, Query()] = "csv",
    as_of: Short = "",
    status: Annotated[str, Query(max_length=16)] = "",
    unit_code: Annotated[str, Query(max_length=32)] = "",
    q: Short = "",
) -> Response:
    """The contract list as CSV or Excel."""
    rows = contract_queries.list_contracts(ctx, _as_of(ctx, as_of), status or None, None, unit_code or None, q or None)
    return export_response(format, "政府合同", EXPORT_COLUMNS, len(rows), lambda: rows)


def _new_page(
    request: Request, ctx: Context, *, error: str = "", status: int = 200, form: dict | None = None
) -> Response:
    require(ctx, contracts.MANAGE)
    own = contracts.own_department_code(ctx)
    choices = [b for b in contract_queries.list_bodies(ctx) if b.active and (own is None or b.unit_code == own)]
    context = _base(ctx, choices=choices, error=error, form=form or {}, term_rows=TERM_ROWS)
    return render(request, "gov_contract_new.html", context, status_code=status)


@router.get("/government/contracts/new")
def contract_new(request: Request, ctx: Login) -> Response:
    """The registration form."""
    return _new_page(request, ctx)


def _amount(raw: str, label: str, field: str) -> Decimal | None:
    text = raw.strip().replace(",", "")
    if not text:
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        raise InvalidInput(f"{label}应为数字（元）", field=field) from None


def _contract_from_form(form: dict[str, Any]) -> ContractIn:
    terms = []
    for i in range(TERM_ROWS):
        kind, description, due, amount = (
            form["term_kind"][i],
            form["term_description"][i],
            form["term_due_on"][i],
            form["term_amount"][i],
        )
        if not (description.strip() or due.strip() or amount.strip()):
            continue
        label = f"第 {i + 1} 个节点"
        terms.append(
            {
                "seq": i + 1,
                "kind": kind,
                "description": description,
                "due_on": required_day(due, f"{label}的应履行日期", "terms"),
                "amount": _amount(amount, f"{label}的金额", "terms"),
            }
        )
    if not terms:
        raise InvalidInput("请至少填写一个履约或付款节点", field="terms")
    body_id = form["body_id"].strip()
    if not body_id.isdigit():
        raise InvalidInput("请选择政府方", field="body_id")
    amount = _amount(form["amount"], "合同金额", "amount")
    if amount is None:
        raise InvalidInput("请填写合同金额", field="amount")
    data = {
        "contract_no": form["contract_no"],
        "title": form["title"],
        "body_id": int(body_id),
        "counterparty_name": form["counterparty_name"],
        "counterparty_uscc": form["counterparty_uscc"],
        "amount": amount,
        "signed_on": required_day(form["signed_on"], "签订日期", "signed_on"),
        "ends_on": form_day(form["ends_on"], "履行期限届满日", "ends_on"),
        "note": form["note"],
        "terms": terms,
    }
    try:
        return ContractIn.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        raise InvalidInput(f"“{where}”填写有误：请检查长度和格式", field=where.split(".")[0] or None) from None


@router.post("/government/contracts/new", dependencies=[Csrf])
def contract_create(
    request: Request,
    ctx: Login,
    contract_no: Text = "",
    title: Text = "",
    body_id: Text = "",
    counterparty_name: Text = "",
    counterparty_uscc: Text = "",
    amount: Text = "",
    signed_on: Text = "",
    ends_on: Text = "",
    note: Text = "",
    term_kind: Annotated[list[str] | None, Form()] = None,
    term_description: Annotated[list[str] | None, Form()] = None,
    term_due_on: Annotated[list[str] | None, Form()] = None,
    term_amount: Annotated[list[str] | None, Form()] = None,
) -> Response:
    """Register the contract of the form; the form comes back with the reason when refused."""
    require(ctx, contracts.MANAGE)

    def column(values: list[str] | None) -> list[str]:
        return ((values or []) + [""] * TERM_ROWS)[:TERM_ROWS]

    form: dict[str, Any] = {
        "contract_no": contract_no,
        "title": title,
        "body_id": body_id,
        "counterparty_name": counterparty_name,
        "counterparty_uscc": counterparty_uscc,
        "amount": amount,
        "signed_on": signed_on,
        "ends_on": ends_on,
        "note": note,
        "term_kind": column(term_kind),
        "term_description": column(term_description),
        "term_due_on": column(term_due_on),
        "term_amount": column(term_amount),
    }
    made: list[int] = []
    refused = attempt(ctx, lambda: made.append(contracts.register_contract(ctx, _contract_from_form(form)).id))
    if refused is not None:
        return _new_page(request, ctx, error=refused.message, status=refused.status, form=form)
    return RedirectResponse(f"/government/contracts/{made[0]}?done=registered", status_code=303)


def _import_page(
    request: Request,
    ctx: Context,
    *,
    error: str = "",
    status: int = 200,
    errors: list | None = None,
    result: object = None,
) -> Response:
    require(ctx, contracts.MANAGE)
    context = _base(ctx, columns=contract_import.COLUMNS, error=error, errors=errors or [], result=result)
    return render(request, "gov_contract_import.html", context, status_code=status)


@router.get("/government/contracts/import")
def import_page(request: Request, ctx: Login) -> Response:
    """The upload form."""
    return _import_page(request, ctx)


@router.post("/government/contracts/import", dependencies=[Csrf])
def import_file(request: Request, ctx: Login, file: Annotated[UploadFile | None, File()] = None) -> Response:
    """Import every contract of the file, or show every row problem (nothing stored)."""
    require(ctx, contracts.MANAGE)
    try:
        if file is None or not file.filename:
            raise InvalidInput("请选择要导入的合同文件（CSV 或 Excel）", field="file")
        content = file.file.read(get_settings().intake_max_file_bytes + 1)
        with ctx.session.begin_nested():
            result = contract_import.import_contracts(ctx, file.filename, content)
    except XinyongError as exc:
        if exc.status in (401, 403):
            raise
        return _import_page(request, ctx, error=exc.message, status=exc.status, errors=getattr(exc, "errors", None))
    return _import_page(request, ctx, result=result)


def _detail_page(
    request: Request, ctx: Context, contract_id: int, *, error: str = "", status: int = 200, done: str = ""
) -> Response:
    require(ctx, contracts.READ)
    detail = contract_queries.contract_detail(ctx, contract_id, ctx.today)
    context = _base(ctx, c=detail, error=error, done=DONE.get(done, ""))
    return render(request, "gov_contract_detail.html", context, status_code=status)


@router.get("/government/contracts/{contract_id}")
def contract_page(
    request: Request, ctx: Login, contract_id: Id, done: Annotated[str, Query(max_length=16)] = ""
) -> Response:
    """A contract's schedule, actions and timeline."""
    return _detail_page(request, ctx, contract_id, done=done)


def _act(request: Request, ctx: Context, contract_id: int, done: str, run: Any) -> Response:
    refused = attempt(ctx, run)
    if refused is not None:
        return _detail_page(request, ctx, contract_id, error=refused.message, status=refused.status)
    return RedirectResponse(f"/government/contracts/{contract_id}?done={done}", status_code=303)


@router.post("/government/contracts/{contract_id}/terms/{term_id}/done", dependencies=[Csrf])
def term_done(
    request: Request, ctx: Login, contract_id: Id, term_id: Id, done_on: Text = "", paid_amount: Text = ""
) -> Response:
    """Record a term done (a payment in full by default, or part of it)."""

    def run() -> object:
        day = required_day(done_on, "履行日期", "done_on")
        paid = _amount(paid_amount, "支付金额", "paid_amount")
        return contracts.record_term_done(ctx, term_id, day, paid, contract_id=contract_id)

    return _act(request, ctx, contract_id, "term", run)


@router.post("/government/contracts/{contract_id}/default", dependencies=[Csrf])
def contract_default(request: Request, ctx: Login, contract_id: Id, reason: Text = "", on: Text = "") -> Response:
    """The credit office declares a default."""
    return _act(
        request,
        ctx,
        contract_id,
        "default",
        lambda: contracts.declare_default(ctx, contract_id, reason, form_day(on, "违约日期", "on")),
    )


@router.post("/government/contracts/{contract_id}/complete", dependencies=[Csrf])
def contract_complete(request: Request, ctx: Login, contract_id: Id) -> Response:
    """Every term done: complete."""
    return _act(request, ctx, contract_id, "complete", lambda: contracts.complete_contract(ctx, contract_id))


@router.post("/government/contracts/{contract_id}/terminate", dependencies=[Csrf])
def contract_terminate(request: Request, ctx: Login, contract_id: Id, reason: Text = "") -> Response:
    """End early, with a reason."""
    return _act(request, ctx, contract_id, "terminate", lambda: contracts.terminate_contract(ctx, contract_id, reason))


# --------------------------------------------------------------------------------------------- records
@router.get("/government/records")
def records_page(
    request: Request, ctx: Login, body_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None
) -> Response:
    """Government-integrity records (政务失信记录), newest first."""
    items = contract_queries.list_records(ctx, body_id)
    return render(request, "gov_records.html", _base(ctx, items=items, body_id=body_id))
