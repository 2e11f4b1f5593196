"""Pages of 信易贷 (issue #9 item 1) for the public, enterprises, institutions and the credit office.

* ``/lending`` (everyone): the platform's policy in brief, registered institutions and their products.
* ``/my/lending`` (an SME's own account): register on the platform, publish and withdraw financing needs,
  authorise a registered institution (scopes, end day) and revoke.
* ``/lending/institution`` (a bank account): needs matching its products, the authorised credit query (every query
  audited; a refusal is shown with its reason and its audit event kept), recording an outcome.
* ``/lending/admin`` (the credit office): institutions and products, switched on and off.
* ``/lending/stats`` (the credit office): statistics by town, sector and institution, chart, CSV/Excel export.

Every rule is in ``xinyong.lending``; refused forms come back with the Chinese reason.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, Field, ValidationError
from starlette.responses import Response

from xinyong.auth import authorisations
from xinyong.auth.context import Context
from xinyong.auth.permissions import PermissionDenied, allowed, require
from xinyong.errors import InvalidInput, XinyongError
from xinyong.lending import queries, service
from xinyong.lending.rules import lending_rules
from xinyong.lending.schemas import (
    DIMENSIONS,
    GrantIn,
    InstitutionIn,
    NeedIn,
    OutcomeIn,
    ProductIn,
    RegistrationIn,
)
from xinyong.web import csrf
from xinyong.web.deps import get_context, require_login
from xinyong.web.pages.objections import attempt
from xinyong.web.templating import render

router = APIRouter(include_in_schema=False)
Login = Annotated[Context, Depends(require_login)]
Anyone = Annotated[Context, Depends(get_context)]
Csrf = Depends(csrf.csrf_protect)
NAV = "lending"
M = TypeVar("M", bound=BaseModel)
DONE = {
    "registered": "已在信易贷平台注册。",
    "need": "融资需求已发布，匹配的金融机构可以看到。",
    "withdrawn": "融资需求已撤回。",
    "granted": "授权已生效。",
    "revoked": "授权已撤销，该机构不能再查询。",
    "outcome": "放款结果已登记。",
    "institution": "金融机构已登记。",
    "product": "产品已登记。",
    "switched": "状态已更新。",
}
Text = Annotated[str, Form(max_length=2000)]
FIELD = 2000  # longest value of any form field (the service's own limits are stricter)


class _FormFields(BaseModel):
    """Base of the page forms: every field a string as typed (the schema models parse and check them)."""

    def values(self) -> dict[str, str]:
        """The typed values, for re-showing the form after a refusal."""
        return {k: v for k, v in self.model_dump().items() if isinstance(v, str)}


class RegistrationForm(_FormFields):
    """The SME's registration form."""

    sector: str = Field("", max_length=FIELD)
    contact_name: str = Field("", max_length=FIELD)
    contact_phone: str = Field("", max_length=FIELD)


class NeedForm(_FormFields):
    """A financing need."""

    amount: str = Field("", max_length=FIELD)
    term_months: str = Field("", max_length=FIELD)
    purpose: str = Field("", max_length=FIELD)
    loan_type: str = Field("", max_length=FIELD)
    valid_until: str = Field("", max_length=FIELD)


class GrantForm(_FormFields):
    """An authorisation of an institution (``scopes``: the boxes ticked)."""

    institution_id: str = Field("", max_length=FIELD)
    valid_to: str = Field("", max_length=FIELD)
    scopes: list[str] | None = None


class OutcomeForm(_FormFields):
    """A bank's outcome of a need (``approved`` "1" when approved)."""

    need_id: str = Field("", max_length=FIELD)
    uscc: str = Field("", max_length=FIELD)
    product_id: str = Field("", max_length=FIELD)
    approved: str = Field("", max_length=FIELD)
    amount: str = Field("", max_length=FIELD)
    rate: str = Field("", max_length=FIELD)
    loan_type: str = Field("", max_length=FIELD)
    reason: str = Field("", max_length=FIELD)


class InstitutionForm(_FormFields):
    """A financial institution."""

    name: str = Field("", max_length=FIELD)
    uscc: str = Field("", max_length=FIELD)
    kind: str = Field("", max_length=FIELD)
    contact: str = Field("", max_length=FIELD)


class ProductForm(_FormFields):
    """A loan product."""

    institution_id: str = Field("", max_length=FIELD)
    name: str = Field("", max_length=FIELD)
    loan_type: str = Field("", max_length=FIELD)
    rate_min: str = Field("", max_length=FIELD)
    rate_max: str = Field("", max_length=FIELD)
    amount_max: str = Field("", max_length=FIELD)
    term_months_max: str = Field("", max_length=FIELD)
    conditions: str = Field("", max_length=FIELD)


def _model(cls: type[M], data: dict[str, Any]) -> M:
    """``cls`` from form values; a pydantic refusal becomes ``InvalidInput`` naming the field."""
    cleaned = {k: (v.strip() if isinstance(v, str) else v) for k, v in data.items()}
    cleaned = {k: v for k, v in cleaned.items() if v not in ("", None)}
    try:
        return cls.model_validate(cleaned)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = str(first["loc"][0]) if first.get("loc") else None
        raise InvalidInput(f"“{field}”填写有误：请检查格式", field=field) from None


def money(value: Decimal | float | int | None) -> str:
    """An amount or rate without trailing zeros (``200.000000`` → ``200``), ``—`` for none."""
    if value is None:
        return "—"
    text = f"{Decimal(str(value)):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _base(ctx: Context, **extra: Any) -> dict[str, Any]:
    rules = lending_rules()
    return {
        "nav": NAV,
        "rules": rules,
        "loan_types": rules.loan_type_labels(),
        "sectors": rules.sector_labels(),
        "kinds": rules.kind_labels(),
        "scopes": authorisations.SCOPES,
        "today": ctx.today,
        "may_manage": allowed(ctx.role, service.MANAGE),
        "money": money,
        **extra,
    }


# --------------------------------------------------------------------------------------------- public
@router.get("/lending")
def public_page(request: Request, ctx: Anyone, loan_type: Annotated[str, Query(max_length=24)] = "") -> Response:
    """Policy in brief, institutions and products (filter by loan type)."""
    context = _base(
        ctx,
        institutions=queries.institutions(ctx),
        products=queries.products(ctx, loan_type=loan_type or None),
        loan_type=loan_type,
        is_subject=ctx.role == "subject",
        is_bank=ctx.role == "bank",
    )
    return render(request, "lending_public.html", context)


# --------------------------------------------------------------------------------------------- the SME
def _own_subject(ctx: Context) -> int:
    require(ctx, service.REGISTER)
    if ctx.subject_id is None:
        raise PermissionDenied(ctx.role, service.REGISTER, "只有企业本身的账户可以办理信易贷")
    return ctx.subject_id


def _my_page(
    request: Request,
    ctx: Context,
    *,
    error: str | None = None,
    status: int = 200,
    done: str = "",
    form: dict[str, str] | None = None,
) -> Response:
    subject_id = _own_subject(ctx)
    registration = queries.registration(ctx, subject_id)
    context = _base(
        ctx,
        registration=registration,
        needs=queries.needs_of_subject(ctx, subject_id) if registration else [],
        grants=service.list_authorisations(ctx, subject_id),
        institutions=queries.institutions(ctx),
        default_until=service.need_validity_default(ctx.today),
        error=error,
        done=DONE.get(done, ""),
        form=form or {},
    )
    return render(request, "lending_my.html", context, status_code=status)


@router.get("/my/lending")
def my_page(request: Request, ctx: Login, done: Annotated[str, Query(max_length=16)] = "") -> Response:
    """The SME's registration, needs and authorisations."""
    return _my_page(request, ctx, done=done)


def _my_act(request: Request, ctx: Context, run: Callable[[], object], done: str, form: dict[str, str]) -> Response:
    _own_subject(ctx)
    refused = attempt(ctx, run)
    if refused is not None:
        return _my_page(request, ctx, error=refused.message, status=refused.status, form=form)
    return RedirectResponse(f"/my/lending?done={done}", status_code=303)


@router.post("/my/lending/register", dependencies=[Csrf])
def my_register(request: Request, ctx: Login, fields: Annotated[RegistrationForm, Form()]) -> Response:
    """Register on the platform."""
    form = fields.values()
    subject_id = _own_subject(ctx)
    return _my_act(
        request, ctx, lambda: service.register_sme(ctx, subject_id, _model(RegistrationIn, form)), "registered", form
    )


@router.post("/my/lending/needs", dependencies=[Csrf])
def my_need(request: Request, ctx: Login, fields: Annotated[NeedForm, Form()]) -> Response:
    """Publish a need."""
    form = fields.values()
    subject_id = _own_subject(ctx)
    return _my_act(request, ctx, lambda: service.publish_need(ctx, subject_id, _model(NeedIn, form)), "need", form)


@router.post("/my/lending/needs/{need_id}/withdraw", dependencies=[Csrf])
def my_withdraw(request: Request, ctx: Login, need_id: int) -> Response:
    """Withdraw an open need."""
    return _my_act(request, ctx, lambda: service.withdraw_need(ctx, need_id), "withdrawn", {})


@router.post("/my/lending/authorise", dependencies=[Csrf])
def my_authorise(request: Request, ctx: Login, fields: Annotated[GrantForm, Form()]) -> Response:
    """Authorise a registered institution."""
    form = fields.values()
    subject_id = _own_subject(ctx)

    def run() -> object:
        data = _model(GrantIn, {**form, "scopes": fields.scopes or None})
        return service.authorise(ctx, subject_id, data)

    return _my_act(request, ctx, run, "granted", form)


@router.post("/my/lending/authorisations/{authorisation_id}/revoke", dependencies=[Csrf])
def my_revoke(request: Request, ctx: Login, authorisation_id: int) -> Response:
    """Revoke an authorisation."""
    return _my_act(request, ctx, lambda: service.revoke(ctx, authorisation_id), "revoked", {})


# --------------------------------------------------------------------------------------------- the institution
def _institution_page(
    request: Request,
    ctx: Context,
    *,
    uscc: str = "",
    error: str | None = None,
    status: int = 200,
    done: str = "",
    form: dict[str, str] | None = None,
) -> Response:
    require(ctx, service.NEEDS)
    credit = None
    credit_error = ""
    if uscc.strip():
        try:
            credit = service.read_credit(ctx, uscc)
        except XinyongError as exc:  # audited by the service; the page answers normally, so the event is committed
            credit_error, status = exc.message, exc.status if status == 200 else status
    try:
        mine = service.caller_institution(ctx, service.NEEDS)
    except PermissionDenied:
        mine = None
    context = _base(
        ctx,
        institution=mine,
        needs=queries.matching_needs(ctx),
        outcomes=queries.outcomes(ctx, limit=50),
        products=queries.products(ctx, institution_id=mine.id) if mine else [],
        uscc=uscc,
        credit=credit,
        credit_error=credit_error,
        error=error,
        done=DONE.get(done, ""),
        form=form or {},
    )
    return render(request, "lending_institution.html", context, status_code=status)


@router.get("/lending/institution")
def institution_page(
    request: Request,
    ctx: Login,
    uscc: Annotated[str, Query(max_length=64)] = "",
    done: Annotated[str, Query(max_length=16)] = "",
) -> Response:
    """Matching needs, the credit query (``?uscc=``), outcomes."""
    return _institution_page(request, ctx, uscc=uscc, done=done)


@router.post("/lending/institution/outcomes", dependencies=[Csrf])
def institution_outcome(request: Request, ctx: Login, fields: Annotated[OutcomeForm, Form()]) -> Response:
    """Record an outcome."""
    require(ctx, service.OUTCOME)
    form = fields.values()

    def run() -> object:
        data: dict[str, Any] = {**form, "approved": fields.approved == "1"}
        if not data["approved"]:
            data.update(amount="", rate="", loan_type="")
        return service.record_outcome(ctx, _model(OutcomeIn, data))

    refused = attempt(ctx, run)
    if refused is not None:
        return _institution_page(request, ctx, error=refused.message, status=refused.status, form=form)
    return RedirectResponse("/lending/institution?done=outcome", status_code=303)


# --------------------------------------------------------------------------------------------- the credit office
def _admin_page(
    request: Request,
    ctx: Context,
    *,
    error: str | None = None,
    status: int = 200,
    done: str = "",
    form: dict[str, str] | None = None,
) -> Response:
    require(ctx, service.MANAGE)
    context = _base(
        ctx,
        institutions=queries.institutions(ctx, include_inactive=True),
        products=queries.products(ctx, include_inactive=True),
        error=error,
        done=DONE.get(done, ""),
        form=form or {},
    )
    return render(request, "lending_admin.html", context, status_code=status)


@router.get("/lending/admin")
def admin_page(request: Request, ctx: Login, done: Annotated[str, Query(max_length=16)] = "") -> Response:
    """Institutions and products."""
    return _admin_page(request, ctx, done=done)


def _admin_act(request: Request, ctx: Context, run: Callable[[], object], done: str, form: dict[str, str]) -> Response:
    require(ctx, service.MANAGE)
    refused = attempt(ctx, run)
    if refused is not None:
        return _admin_page(request, ctx, error=refused.message, status=refused.status, form=form)
    return RedirectResponse(f"/lending/admin?done={done}", status_code=303)


@router.post("/lending/admin/institutions", dependencies=[Csrf])
def admin_institution(request: Request, ctx: Login, fields: Annotated[InstitutionForm, Form()]) -> Response:
    """Register an institution."""
    form = fields.values()
    return _admin_act(
        request, ctx, lambda: service.register_institution(ctx, _model(InstitutionIn, form)), "institution", form
    )


@router.post("/lending/admin/products", dependencies=[Csrf])
def admin_product(request: Request, ctx: Login, fields: Annotated[ProductForm, Form()]) -> Response:
    """Register a product."""
    form = fields.values()
    return _admin_act(request, ctx, lambda: service.add_product(ctx, _model(ProductIn, form)), "product", form)


@router.post("/lending/admin/institutions/{institution_id}/active", dependencies=[Csrf])
def admin_institution_active(request: Request, ctx: Login, institution_id: int, active: Text = "") -> Response:
    """Switch an institution on or off."""
    return _admin_act(
        request, ctx, lambda: service.set_institution_active(ctx, institution_id, active == "1"), "switched", {}
    )


@router.post("/lending/admin/products/{product_id}/active", dependencies=[Csrf])
def admin_product_active(request: Request, ctx: Login, product_id: int, active: Text = "") -> Response:
    """Put a product on or take it off."""
    return _admin_act(request, ctx, lambda: service.set_product_active(ctx, product_id, active == "1"), "switched", {})


@router.get("/lending/stats")
def stats_page(request: Request, ctx: Login, dimension: Annotated[str, Query(max_length=16)] = "town") -> Response:
    """The promotion statistics by town, sector or institution, with a chart and export links."""
    require(ctx, service.READ)
    if dimension not in DIMENSIONS:
        dimension = "town"
    result = queries.stats(ctx, dimension)  # type: ignore[arg-type]
    chart = json.dumps(
        {
            "labels": [r.label for r in result.rows],
            "registrations": [r.registrations for r in result.rows],
            "needs_met": [r.needs_met for r in result.rows],
            "approved_amount": [float(r.approved_amount) for r in result.rows],
            "credit_share": [None if r.credit_share is None else round(r.credit_share * 100, 2) for r in result.rows],
        },
        ensure_ascii=False,
    )
    context = _base(ctx, stats=result, dimension=dimension, dimensions=DIMENSIONS, chart=chart)
    return render(request, "lending_stats.html", context)
