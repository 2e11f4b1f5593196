"""Pages of 清理拖欠民营企业中小企业账款 (issue #11 item 3).

* ``/arrears`` (staff): the ledger with filters, CSV/Excel export (the API's export with the same filters).
* ``/arrears/new`` (the credit office): record an entry.
* ``/arrears/{id}`` (staff; forms for the office): an entry with its payments, record a payment, mark disputed.
* ``/arrears/progress`` (staff): clearing progress as of a date and the year's new arrears against zero.
* ``/arrears/complaints`` (the office): the complaints desk — accept into the ledger, reject with a reason, file
  on a firm's behalf.
* ``/my/arrears`` (a firm's own account): file a complaint, follow its own complaints.

Every rule is in ``xinyong.government.arrears``; refused forms come back with the Chinese reason.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, TypeVar
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, ValidationError
from starlette.responses import Response

from xinyong.auth.context import Context
from xinyong.auth.permissions import allowed, require
from xinyong.errors import InvalidInput
from xinyong.government import arrears, arrears_queries
from xinyong.government.arrears_rules import arrears_rules
from xinyong.government.arrears_schemas import AcceptIn, ComplaintIn, DisputeIn, EntryIn, PaymentIn
from xinyong.government.bodies import BODY_KINDS
from xinyong.web import csrf
from xinyong.web.deps import require_login
from xinyong.web.pages.objections import attempt
from xinyong.web.templating import render

router = APIRouter(include_in_schema=False)
Login = Annotated[Context, Depends(require_login)]
Csrf = Depends(csrf.csrf_protect)
Text = Annotated[str, Form(max_length=2000)]
Small = Annotated[str, Query(max_length=32)]
M = TypeVar("M", bound=BaseModel)
DONE = {
    "entry": "台账记录已登记。",
    "payment": "清偿已登记。",
    "dispute": "争议状态已更新。",
    "complaint": "投诉已提交，区信用办将在规定时限内处理。",
    "accepted": "投诉已受理，并已登记入台账。",
    "rejected": "投诉已不予受理，理由已告知企业。",
}
FIELD_LABELS = {
    "amount": "金额",
    "arose_on": "欠款发生日期",
    "due_on": "约定付款日期",
    "paid_on": "清偿日期",
    "debtor_id": "债务单位",
    "debtor_name": "被投诉单位",
    "description": "说明",
}


def _model(cls: type[M], data: dict[str, Any]) -> M:
    """``cls`` from form values; a pydantic refusal becomes ``InvalidInput`` naming the field in Chinese."""
    cleaned = {k: (v.strip() if isinstance(v, str) else v) for k, v in data.items()}
    cleaned = {k: v for k, v in cleaned.items() if v not in ("", None)}
    try:
        return cls.model_validate(cleaned)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = str(first["loc"][0]) if first.get("loc") else None
        label = FIELD_LABELS.get(field or "", field or "表单")
        raise InvalidInput(
            f"“{label}”填写有误：请检查格式（金额为正数、最多两位小数；日期为年-月-日）", field=field
        ) from None


def money(value: Decimal | float | int | None) -> str:
    """An amount in 元 with thousands separators and two decimals, ``—`` for none."""
    return "—" if value is None else f"{Decimal(str(value)):,.2f}"


def _base(ctx: Context, nav: str, **extra: Any) -> dict[str, Any]:
    rules = arrears_rules()
    return {
        "nav": nav,
        "rules": rules,
        "entry_labels": rules.entry_labels(),
        "complaint_labels": rules.complaint_labels(),
        "kinds": BODY_KINDS,
        "today": ctx.today,
        "may_manage": allowed(ctx.role, arrears.MANAGE),
        "money": money,
        **extra,
    }


def _int(text: str) -> int | None:
    return int(text) if text.strip().isdigit() and 0 < int(text) < 2**31 else None


# --------------------------------------------------------------------------------------------- the ledger
@router.get("/arrears")
def ledger(
    request: Request,
    ctx: Login,
    status: Small = "",
    kind: Small = "",
    unit_code: Small = "",
    q: Annotated[str, Query(max_length=100)] = "",
    year: Small = "",
    overdue: Small = "",
    done: Small = "",
) -> Response:
    """The ledger with filters and export links."""
    require(ctx, arrears.READ)
    status = status if status in arrears_rules().entry_labels() else ""
    kind = kind if kind in BODY_KINDS else ""
    year_value = _int(year)
    filters = {
        "status": status,
        "kind": kind,
        "unit_code": unit_code.strip(),
        "q": q.strip(),
        "year": str(year_value or ""),
        "overdue": "1" if overdue else "",
    }
    rows = arrears_queries.list_entries(
        ctx,
        status=status,
        kind=kind,
        unit_code=filters["unit_code"],
        q=filters["q"],
        year=year_value,
        overdue=bool(overdue),
    )
    export_query = urlencode({k: ("true" if k == "overdue" else v) for k, v in filters.items() if v})
    context = _base(ctx, "arrears", rows=rows, filters=filters, export_query=export_query, done=DONE.get(done, ""))
    return render(request, "arrears_ledger.html", context)


def _new_page(request: Request, ctx: Context, form: dict[str, str] | None = None, error: str = "", status: int = 200):
    require(ctx, arrears.MANAGE)
    context = _base(ctx, "arrears", debtors=arrears_queries.debtor_options(ctx), form=form or {}, error=error)
    return render(request, "arrears_new.html", context, status_code=status)


@router.get("/arrears/new")
def new_entry_page(request: Request, ctx: Login) -> Response:
    """The entry form (the office)."""
    return _new_page(request, ctx)


@router.post("/arrears/new", dependencies=[Csrf])
def new_entry(
    request: Request,
    ctx: Login,
    debtor_id: Text = "",
    creditor_uscc: Text = "",
    creditor_name: Text = "",
    creditor_sme: Text = "",
    amount: Text = "",
    arose_on: Text = "",
    due_on: Text = "",
    description: Text = "",
) -> Response:
    """Record an entry; back to the form with the reason when refused."""
    require(ctx, arrears.MANAGE)
    form = {
        "debtor_id": debtor_id,
        "creditor_uscc": creditor_uscc,
        "creditor_name": creditor_name,
        "creditor_sme": creditor_sme,
        "amount": amount,
        "arose_on": arose_on,
        "due_on": due_on,
        "description": description,
    }
    made: list[int] = []

    def run() -> None:
        data = _model(EntryIn, {**form, "creditor_sme": bool(creditor_sme)})
        made.append(arrears.record_entry(ctx, data).id)

    refused = attempt(ctx, run)
    if refused is not None:
        return _new_page(request, ctx, form, refused.message, refused.status)
    return RedirectResponse(f"/arrears/{made[0]}?done=entry", status_code=303)


# --------------------------------------------------------------------------------------------- progress
@router.get("/arrears/progress")
def progress(request: Request, ctx: Login, as_of: Small = "") -> Response:
    """Clearing progress as of a date (default today), the year's new arrears against zero."""
    require(ctx, arrears.READ)
    try:
        day = date.fromisoformat(as_of.strip()) if as_of.strip() else ctx.today
    except ValueError:
        raise InvalidInput("统计基准日应为年-月-日，例如 2026-11-27", field="as_of") from None
    context = _base(ctx, "arrears", summary=arrears_queries.summary(ctx, day), as_of=day)
    return render(request, "arrears_progress.html", context)


# --------------------------------------------------------------------------------------------- complaints desk
def _desk(request: Request, ctx: Context, *, status: str = "", done: str = "", error: str = "", code: int = 200):
    require(ctx, arrears.READ)
    status = status if status in arrears_rules().complaint_labels() else ""
    context = _base(
        ctx,
        "arrears",
        complaints=arrears_queries.list_complaints(ctx, status=status),
        debtors=arrears_queries.debtor_options(ctx),
        status=status,
        done=DONE.get(done, ""),
        error=error,
    )
    return render(request, "arrears_complaints.html", context, status_code=code)


@router.get("/arrears/complaints")
def complaints_desk(request: Request, ctx: Login, status: Small = "", done: Small = "") -> Response:
    """Complaints with deadlines; accept or reject (the office)."""
    return _desk(request, ctx, status=status, done=done)


def _desk_act(request: Request, ctx: Context, run: Callable[[], object], done: str) -> Response:
    refused = attempt(ctx, run)
    if refused is not None:
        return _desk(request, ctx, error=refused.message, code=refused.status)
    return RedirectResponse(f"/arrears/complaints?done={done}", status_code=303)


@router.post("/arrears/complaints/{complaint_id}/accept", dependencies=[Csrf])
def accept_complaint(
    request: Request, ctx: Login, complaint_id: int, debtor_id: Text = "", arose_on: Text = "", due_on: Text = ""
) -> Response:
    """Accept into the ledger."""
    data = {"debtor_id": debtor_id, "arose_on": arose_on, "due_on": due_on}
    return _desk_act(
        request, ctx, lambda: arrears.accept_complaint(ctx, complaint_id, _model(AcceptIn, data)), "accepted"
    )


@router.post("/arrears/complaints/{complaint_id}/reject", dependencies=[Csrf])
def reject_complaint(request: Request, ctx: Login, complaint_id: int, reason: Text = "") -> Response:
    """Reject with a reason."""
    return _desk_act(request, ctx, lambda: arrears.reject_complaint(ctx, complaint_id, reason), "rejected")


@router.post("/arrears/complaints", dependencies=[Csrf])
def file_on_behalf(
    request: Request,
    ctx: Login,
    complainant_name: Text = "",
    complainant_uscc: Text = "",
    debtor_name: Text = "",
    amount: Text = "",
    description: Text = "",
    contact: Text = "",
) -> Response:
    """The office files a complaint on a firm's behalf (a paper or telephone complaint)."""
    require(ctx, arrears.MANAGE)
    form = {
        "complainant_name": complainant_name,
        "complainant_uscc": complainant_uscc,
        "debtor_name": debtor_name,
        "amount": amount,
        "description": description,
        "contact": contact,
    }
    return _desk_act(request, ctx, lambda: arrears.file_complaint(ctx, _model(ComplaintIn, form)), "complaint")


# --------------------------------------------------------------------------------------------- a firm
def _my(
    request: Request,
    ctx: Context,
    *,
    done: str = "",
    error: str = "",
    form: dict[str, str] | None = None,
    code: int = 200,
) -> Response:
    require(ctx, arrears.COMPLAIN)
    context = _base(
        ctx,
        "my_arrears",
        complaints=arrears_queries.list_complaints(ctx),
        done=DONE.get(done, ""),
        error=error,
        form=form or {},
        is_subject=ctx.role == "subject",
    )
    return render(request, "arrears_my.html", context, status_code=code)


@router.get("/my/arrears")
def my_complaints(request: Request, ctx: Login, done: Small = "") -> Response:
    """The complaint form and the firm's own complaints."""
    return _my(request, ctx, done=done)


@router.post("/my/arrears", dependencies=[Csrf])
def my_file(
    request: Request,
    ctx: Login,
    debtor_name: Text = "",
    amount: Text = "",
    description: Text = "",
    contact: Text = "",
) -> Response:
    """File a complaint for the firm itself."""
    form = {"debtor_name": debtor_name, "amount": amount, "description": description, "contact": contact}
    if ctx.role != "subject":
        require(ctx, arrears.MANAGE)  # the office files on behalf at /arrears/complaints
    refused = attempt(ctx, lambda: arrears.file_complaint(ctx, _model(ComplaintIn, form)))
    if refused is not None:
        return _my(request, ctx, error=refused.message, form=form, code=refused.status)
    return RedirectResponse("/my/arrears?done=complaint", status_code=303)


# --------------------------------------------------------------------------------------------- one entry
def _detail(request: Request, ctx: Context, entry_id: int, *, done: str = "", error: str = "", code: int = 200):
    context = _base(
        ctx, "arrears", entry=arrears_queries.entry_detail(ctx, entry_id), done=DONE.get(done, ""), error=error
    )
    return render(request, "arrears_detail.html", context, status_code=code)


@router.get("/arrears/{entry_id}")
def entry_page(request: Request, ctx: Login, entry_id: int, done: Small = "") -> Response:
    """An entry with its payments; payment and dispute forms for the office."""
    return _detail(request, ctx, entry_id, done=done)


def _entry_act(request: Request, ctx: Context, entry_id: int, run: Callable[[], object], done: str) -> Response:
    refused = attempt(ctx, run)
    if refused is not None:
        return _detail(request, ctx, entry_id, error=refused.message, code=refused.status)
    return RedirectResponse(f"/arrears/{entry_id}?done={done}", status_code=303)


@router.post("/arrears/{entry_id}/payments", dependencies=[Csrf])
def entry_payment(
    request: Request, ctx: Login, entry_id: int, amount: Text = "", paid_on: Text = "", note: Text = ""
) -> Response:
    """Record a clearing payment."""
    data = {"amount": amount, "paid_on": paid_on, "note": note}
    return _entry_act(
        request, ctx, entry_id, lambda: arrears.record_payment(ctx, entry_id, _model(PaymentIn, data)), "payment"
    )


@router.post("/arrears/{entry_id}/dispute", dependencies=[Csrf])
def entry_dispute(request: Request, ctx: Login, entry_id: int, disputed: Text = "", reason: Text = "") -> Response:
    """Mark disputed (``disputed=1``) or take the dispute back."""
    data = {"disputed": disputed == "1", "reason": reason}
    return _entry_act(
        request, ctx, entry_id, lambda: arrears.set_disputed(ctx, entry_id, _model(DisputeIn, data)), "dispute"
    )
