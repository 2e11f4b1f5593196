"""``/api/v1/lending``: 信易贷 (issue #9 item 1): institutions, products, registrations, needs, authorisations,
matching needs, authorised credit reads, outcomes and the promotion statistics.

Institutions and products are public. The credit office (``lending.manage`` / ``lending.read``) registers them
and reads the statistics; an SME's own account (``lending.register``) registers, publishes needs and authorises
registered institutions; a bank (``lending.needs``, ``bank.query``, ``lending.outcome``) sees the needs its
products match, reads an SME's credit data under a live ``credit`` authorisation (every query audited, the
refused ones committed before the error is answered) and records outcomes. Rules: ``xinyong.lending``.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query
from starlette.responses import Response

from xinyong.auth.context import Context
from xinyong.db.base import MAX_ID
from xinyong.errors import XinyongError
from xinyong.lending import queries, service
from xinyong.lending.models import FinancialInstitution, FinancingNeed, LendingRegistration, LoanOutcome, LoanProduct
from xinyong.lending.schemas import (
    ActiveIn,
    CreditDataOut,
    Dimension,
    GrantIn,
    InstitutionIn,
    InstitutionOut,
    NeedIn,
    NeedOut,
    OutcomeIn,
    OutcomeOut,
    ProductIn,
    ProductOut,
    RegistrationIn,
    RegistrationOut,
    StatRow,
    StatsOut,
)
from xinyong.web import exports
from xinyong.web.api.authorisations import AuthorisationOut
from xinyong.web.deps import get_public_context
from xinyong.web.errors import error_responses
from xinyong.web.security import CSRF, DENIED, SECURED, LoggedIn

router = APIRouter(prefix="/api/v1/lending", tags=["信易贷"])
Public = Annotated[Context, Depends(get_public_context)]
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
Dim = Annotated[Dimension, Query(description="统计维度: town 镇街 / sector 行业 / institution 金融机构")]
WRITE = [*SECURED, *CSRF]


def _institution_out(ctx: Context, institution: FinancialInstitution) -> InstitutionOut:
    return next(i for i in queries.institutions(ctx, include_inactive=True) if i.id == institution.id)


def _product_out(ctx: Context, product: LoanProduct) -> ProductOut:
    return next(p for p in queries.products(ctx, include_inactive=True) if p.id == product.id)


def _need_out(ctx: Context, need: FinancingNeed) -> NeedOut:
    return next(n for n in queries.needs_of_subject(ctx, need.subject_id) if n.id == need.id)


# --------------------------------------------------------------------------------------------- institutions, products
@router.get("/institutions", response_model=list[InstitutionOut], summary="登记的金融机构（公开）")
def list_institutions(ctx: Public) -> list[InstitutionOut]:
    """Active institutions with their count of active products."""
    return queries.institutions(ctx)


@router.post(
    "/institutions",
    response_model=InstitutionOut,
    status_code=201,
    summary="登记金融机构（区信用办）",
    responses=error_responses(*DENIED, 409, 422),
    dependencies=WRITE,
)
def add_institution(data: InstitutionIn, ctx: LoggedIn) -> InstitutionOut:
    """Register an institution under the name its accounts and tokens carry."""
    return _institution_out(ctx, service.register_institution(ctx, data))


@router.post(
    "/institutions/{institution_id}/active",
    response_model=InstitutionOut,
    summary="启用或停用金融机构（区信用办）",
    responses=error_responses(*DENIED, 404, 409, 422),
    dependencies=WRITE,
)
def institution_active(institution_id: Id, data: ActiveIn, ctx: LoggedIn) -> InstitutionOut:
    """An inactive institution cannot be authorised, sees no needs and records no outcomes."""
    return _institution_out(ctx, service.set_institution_active(ctx, institution_id, data.active))


@router.get("/products", response_model=list[ProductOut], summary="信易贷产品（公开）")
def list_products(
    ctx: Public,
    loan_type: Annotated[str | None, Query(max_length=24, description="贷款类型")] = None,
    institution_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> list[ProductOut]:
    """Active products of active institutions."""
    return queries.products(ctx, loan_type=loan_type, institution_id=institution_id)


@router.post(
    "/products",
    response_model=ProductOut,
    status_code=201,
    summary="登记产品（区信用办）",
    responses=error_responses(*DENIED, 404, 409, 422),
    dependencies=WRITE,
)
def add_product(data: ProductIn, ctx: LoggedIn) -> ProductOut:
    """Rate range, maximum amount (万元, 6 decimals), longest term and conditions, validated by the rulebook."""
    return _product_out(ctx, service.add_product(ctx, data))


@router.post(
    "/products/{product_id}/active",
    response_model=ProductOut,
    summary="上架或下架产品（区信用办）",
    responses=error_responses(*DENIED, 404, 409, 422),
    dependencies=WRITE,
)
def product_active(product_id: Id, data: ActiveIn, ctx: LoggedIn) -> ProductOut:
    """A product taken off matches no need."""
    return _product_out(ctx, service.set_product_active(ctx, product_id, data.active))


# --------------------------------------------------------------------------------------------- the SME
@router.get(
    "/subjects/{subject_id}/registration",
    response_model=RegistrationOut | None,
    summary="企业的信易贷注册信息",
    responses=error_responses(*DENIED, 404),
    dependencies=SECURED,
)
def get_registration(subject_id: Id, ctx: LoggedIn) -> RegistrationOut | None:
    """The SME itself or the credit office (contact phone masked for the office); null when not registered."""
    return queries.registration(ctx, subject_id)


@router.post(
    "/subjects/{subject_id}/registration",
    response_model=RegistrationOut,
    status_code=201,
    summary="企业注册信易贷平台",
    responses=error_responses(*DENIED, 404, 409, 422),
    dependencies=WRITE,
)
def register(subject_id: Id, data: RegistrationIn, ctx: LoggedIn) -> RegistrationOut:
    """Linked to the registry entry; the town comes from the registry."""
    registration: LendingRegistration = service.register_sme(ctx, subject_id, data)
    found = queries.registration(ctx, registration.subject_id)
    assert found is not None
    return found


@router.get(
    "/subjects/{subject_id}/needs",
    response_model=list[NeedOut],
    summary="企业的融资需求",
    responses=error_responses(*DENIED, 404),
    dependencies=SECURED,
)
def subject_needs(subject_id: Id, ctx: LoggedIn) -> list[NeedOut]:
    """Every need of the SME with its status today and the amount approved so far."""
    return queries.needs_of_subject(ctx, subject_id)


@router.post(
    "/subjects/{subject_id}/needs",
    response_model=NeedOut,
    status_code=201,
    summary="发布融资需求",
    responses=error_responses(*DENIED, 404, 422),
    dependencies=WRITE,
)
def publish_need(subject_id: Id, data: NeedIn, ctx: LoggedIn) -> NeedOut:
    """Open until met, withdrawn or past its end day (default from the rulebook)."""
    return _need_out(ctx, service.publish_need(ctx, subject_id, data))


@router.post(
    "/needs/{need_id}/withdraw",
    response_model=NeedOut,
    summary="撤回融资需求",
    responses=error_responses(*DENIED, 404, 409),
    dependencies=WRITE,
)
def withdraw_need(need_id: Id, ctx: LoggedIn) -> NeedOut:
    """Only an open need; institutions no longer see it."""
    return _need_out(ctx, service.withdraw_need(ctx, need_id))


@router.get(
    "/subjects/{subject_id}/authorisations",
    response_model=list[AuthorisationOut],
    summary="企业给出的授权",
    responses=error_responses(*DENIED, 404),
    dependencies=SECURED,
)
def list_grants(subject_id: Id, ctx: LoggedIn) -> list[AuthorisationOut]:
    """Every authorisation, revoked and expired ones included."""
    return [AuthorisationOut.of(g) for g in service.list_authorisations(ctx, subject_id)]


@router.post(
    "/subjects/{subject_id}/authorisations",
    response_model=AuthorisationOut,
    status_code=201,
    summary="授权已登记的金融机构查询本企业信用信息",
    responses=error_responses(*DENIED, 404, 422),
    dependencies=WRITE,
)
def grant(subject_id: Id, data: GrantIn, ctx: LoggedIn) -> AuthorisationOut:
    """Scopes ``basic`` and ``credit`` by default; at most a year; the institution must be registered and active."""
    return AuthorisationOut.of(service.authorise(ctx, subject_id, data))


@router.post(
    "/authorisations/{authorisation_id}/revoke",
    response_model=AuthorisationOut,
    summary="撤销授权",
    responses=error_responses(*DENIED, 404, 409),
    dependencies=WRITE,
)
def revoke(authorisation_id: Id, ctx: LoggedIn) -> AuthorisationOut:
    """Queries under it are refused from now on."""
    return AuthorisationOut.of(service.revoke(ctx, authorisation_id))


# --------------------------------------------------------------------------------------------- the institution
@router.get(
    "/needs/matching",
    response_model=list[NeedOut],
    summary="与本机构产品匹配的融资需求",
    responses=error_responses(*DENIED),
    dependencies=SECURED,
)
def matching(ctx: LoggedIn) -> list[NeedOut]:
    """Open needs an active product of the caller's institution covers (type, amount, term); whether authorised."""
    return queries.matching_needs(ctx)


@router.get(
    "/credit/{uscc}",
    response_model=CreditDataOut,
    summary="查询已授权企业的信用信息（每次查询留痕）",
    responses=error_responses(*DENIED, 404, 422),
    dependencies=SECURED,
)
def credit(uscc: Annotated[str, Path(description="18位统一社会信用代码")], ctx: LoggedIn) -> CreditDataOut:
    """Registry entry, public records with publicity status, list entries in force, latest grade — only under a
    live ``credit`` authorisation for the caller's registered institution. Refusals are audited and committed."""
    try:
        return service.read_credit(ctx, uscc)
    except XinyongError:
        ctx.session.commit()  # the request's session rolls back on error: keep the audit event of the refusal
        raise


@router.post(
    "/outcomes",
    response_model=OutcomeOut,
    status_code=201,
    summary="登记放款结果",
    responses=error_responses(*DENIED, 404, 409, 422),
    dependencies=WRITE,
)
def record_outcome(data: OutcomeIn, ctx: LoggedIn) -> OutcomeOut:
    """Approved (amount, rate, loan type; 信用贷款 flagged) or declined (reason); an approval covering the need
    marks it met."""
    outcome: LoanOutcome = service.record_outcome(ctx, data)
    return queries.outcomes(ctx, outcome_id=outcome.id)[0]


@router.get(
    "/outcomes",
    response_model=list[OutcomeOut],
    summary="放款结果",
    responses=error_responses(*DENIED),
    dependencies=SECURED,
)
def list_outcomes(ctx: LoggedIn) -> list[OutcomeOut]:
    """A bank: its own institution's; the credit office: everyone's. Newest first."""
    return queries.outcomes(ctx)


# --------------------------------------------------------------------------------------------- statistics
STAT_COLUMNS: tuple[exports.Column[StatRow], ...] = (
    exports.Column("单位", lambda r: r.label),
    exports.Column("注册企业数", lambda r: r.registrations),
    exports.Column("发布需求数", lambda r: r.needs_posted),
    exports.Column("已满足需求数", lambda r: r.needs_met),
    exports.Column("需求金额（万元）", lambda r: str(r.amount_requested)),
    exports.Column("放款结果数", lambda r: r.outcomes),
    exports.Column("获批笔数", lambda r: r.approved),
    exports.Column("获批金额（万元）", lambda r: str(r.approved_amount)),
    exports.Column("信用贷款笔数", lambda r: r.credit_loans),
    exports.Column("信用贷款金额（万元）", lambda r: str(r.credit_amount)),
    exports.Column("信用贷款占比", lambda r: "" if r.credit_share is None else f"{r.credit_share * 100:.2f}%"),
)


@router.get(
    "/stats",
    response_model=StatsOut,
    summary="信易贷推广统计（区信用办）",
    responses=error_responses(*DENIED, 422),
    dependencies=SECURED,
)
def stats(ctx: LoggedIn, dimension: Dim = "town") -> StatsOut:
    """Registrations, needs posted and met, approved amounts and the credit-loan share by town, sector or
    institution."""
    return queries.stats(ctx, dimension)


@router.get(
    "/stats/export",
    summary="导出信易贷推广统计（CSV / Excel）",
    responses=error_responses(*DENIED, 422),
    dependencies=SECURED,
    response_class=Response,
)
def stats_export(
    ctx: LoggedIn, dimension: Dim = "town", format: Annotated[Literal["csv", "xlsx"], Query()] = "csv"
) -> Response:
    """The statistics table with a total row."""
    result = queries.stats(ctx, dimension)
    rows = [*result.rows, result.total]
    return exports.export_response(format, f"xinyidai-{dimension}", STAT_COLUMNS, len(rows), lambda: rows)
