"""The actions of 信易贷 (work-plan item 十三; rules.md §10). Each takes a ``Context``, checks the permission,
validates, writes and appends one audit event.

* The credit office (``lending.manage``) registers institutions and their products.
* An SME (a subject account, ``lending.register``; never a natural person) registers on the platform linked to its
  registry entry (town from the registry), publishes financing needs and withdraws them, and authorises a
  registered, active institution to read its data (``auth.authorisations``: scopes, expiry, revocation).
* An institution (a bank account or token, ``bank.query``) reads an SME's credit data only under a live ``credit``
  authorisation for its own institution: every query is audited, the refused ones too
  (``auth.authorisations.bank_access``); it records outcomes (``lending.outcome``); an approved outcome covering
  the need's amount (with earlier approvals) marks the need met.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from sqlalchemy import func, select, update

from xinyong.auth import audit, authorisations, pii
from xinyong.auth.context import Context
from xinyong.auth.models import BankAuthorisation
from xinyong.auth.permissions import PermissionDenied, require, require_own_subject
from xinyong.auth.tokens import clean_text
from xinyong.db.base import fetch, fetch_or_404
from xinyong.errors import Conflict, InvalidInput, NotFound
from xinyong.lending.models import FinancialInstitution, FinancingNeed, LendingRegistration, LoanOutcome, LoanProduct
from xinyong.lending.rules import lending_rules
from xinyong.lending.schemas import (
    CONDITIONS_MAX,
    CONTACT_MAX,
    NAME_MAX,
    PRODUCT_NAME_MAX,
    PURPOSE_MAX,
    REASON_MAX,
    CreditDataOut,
    GrantIn,
    InstitutionIn,
    NeedIn,
    OutcomeIn,
    ProductIn,
    RegistrationIn,
    SectionOut,
)
from xinyong.reports.facts_public import dual_section, evaluation_section, list_sections
from xinyong.reports.rules import report_rules
from xinyong.subjects import queries as subject_queries
from xinyong.subjects.models import Subject
from xinyong.subjects.public import parse_uscc

MANAGE = "lending.manage"
READ = "lending.read"
REGISTER = "lending.register"
NEEDS = "lending.needs"
OUTCOME = "lending.outcome"
BANK_QUERY = authorisations.BANK_QUERY
CREDIT_SCOPE = "credit"
AMOUNT_PLACES = 6
RATE_PLACES = 4
CLOSED_STATUSES = ("注销", "吊销")  # a deregistered or revoked business cannot register or publish needs


# --------------------------------------------------------------------------------------------- validation
def decimal_value(
    value: object, field: str, label: str, places: int, *, ceiling: Decimal, positive: bool = False
) -> Decimal:
    """``value`` as a Decimal ≥ 0 (> 0 if ``positive``), at most ``places`` decimals and at most ``ceiling``."""
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise InvalidInput(f"{label}应为数字", field=field) from None
    if not number.is_finite():
        raise InvalidInput(f"{label}应为数字", field=field)
    if number < 0 or (positive and number == 0):
        raise InvalidInput(f"{label}应{'大于' if positive else '不小于'} 0", field=field)
    if number > ceiling:  # first: quantizing a huge number would overflow the decimal context
        raise InvalidInput(f"{label}不能超过 {ceiling}", field=field)
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -places and number != number.quantize(Decimal(1).scaleb(-places)):
        raise InvalidInput(f"{label}至多保留 {places} 位小数", field=field)
    return (number if number else Decimal(0)).quantize(Decimal(1).scaleb(-places))


def _term(value: int, field: str) -> int:
    ceiling = lending_rules().products.term_months_ceiling
    if not isinstance(value, int) or isinstance(value, bool) or value < 1 or value > ceiling:
        raise InvalidInput(f"期限应为 1 至 {ceiling} 个月", field=field)
    return value


def _loan_type(key: str | None, field: str = "loan_type") -> str:
    labels = lending_rules().loan_type_labels()
    key = (key or "").strip()
    if key not in labels:
        raise InvalidInput(f"贷款类型应为: {'、'.join(f'{k}（{v}）' for k, v in labels.items())}", field=field)
    return key


def _sector(key: str) -> str:
    labels = lending_rules().sector_labels()
    key = (key or "").strip()
    if key not in labels:
        raise InvalidInput(f"行业应为: {'、'.join(f'{k}（{v}）' for k, v in labels.items())}", field="sector")
    return key


def _optional_text(value: str, field: str, label: str, max_length: int) -> str:
    value = (value or "").strip()
    if len(value) > max_length:
        raise InvalidInput(f"{label}不能超过 {max_length} 个字符", field=field)
    if any(ord(ch) < 32 and ch not in "\n\t" for ch in value):
        raise InvalidInput(f"{label}含有控制字符", field=field)
    return value


# --------------------------------------------------------------------------------------------- lookups
def institution_or_404(ctx: Context, institution_id: int) -> FinancialInstitution:
    """The institution or ``NotFound``."""
    return fetch_or_404(ctx.session, FinancialInstitution, institution_id, "未找到该金融机构", "institution_id")


def caller_institution(ctx: Context, permission: str) -> FinancialInstitution:
    """The registered, active institution the caller's account or token names; ``PermissionDenied`` otherwise."""
    require(ctx, permission)
    if not ctx.institution:
        raise PermissionDenied(ctx.role, permission, "该凭证未绑定金融机构")
    found = ctx.session.scalar(select(FinancialInstitution).where(FinancialInstitution.name == ctx.institution))
    if found is None or not found.active:
        raise PermissionDenied(ctx.role, permission, "该金融机构未在信易贷平台登记或已停用")
    return found


def registration_of(ctx: Context, subject_id: int) -> LendingRegistration | None:
    """The subject's registration, if any."""
    return ctx.session.scalar(select(LendingRegistration).where(LendingRegistration.subject_id == subject_id))


def _enterprise(ctx: Context, subject_id: int) -> Subject:
    subject = subject_queries.subject_or_404(ctx.session, subject_id)
    if subject.kind == "natural_person":
        raise InvalidInput("信易贷平台面向企业等市场主体，自然人不能注册", field="subject_id")
    if subject.status in CLOSED_STATUSES:
        raise InvalidInput(f"该主体登记状态为“{subject.status}”，不能办理信易贷", field="subject_id")
    return subject


def _need_or_404(ctx: Context, need_id: int) -> FinancingNeed:
    return fetch_or_404(ctx.session, FinancingNeed, need_id, "未找到该融资需求", "need_id")


# --------------------------------------------------------------------------------------------- the credit office
def register_institution(ctx: Context, data: InstitutionIn) -> FinancialInstitution:
    """Register a financial institution; its ``name`` must equal the institution its accounts and tokens carry."""
    require(ctx, MANAGE)
    name = clean_text(data.name, "name", "机构名称", NAME_MAX)
    code = parse_uscc(data.uscc)
    kinds = lending_rules().kind_labels()
    if data.kind not in kinds:
        raise InvalidInput(f"机构类别应为: {'、'.join(f'{k}（{v}）' for k, v in kinds.items())}", field="kind")
    contact = _optional_text(data.contact, "contact", "联系方式", 200)
    if ctx.session.scalar(select(FinancialInstitution.id).where(FinancialInstitution.name == name)) is not None:
        raise Conflict(f"金融机构“{name}”已登记", field="name")
    institution = FinancialInstitution(
        name=name,
        uscc=code,
        kind=data.kind,
        contact=contact,
        active=True,
        registered_by=ctx.actor,
        registered_at=ctx.at,
    )
    ctx.session.add(institution)
    ctx.session.flush()
    audit.record(ctx, "lending.institution", "financial_institution", institution.id, {"name": name, "kind": data.kind})
    return institution


def set_institution_active(ctx: Context, institution_id: int, active: bool) -> FinancialInstitution:
    """Switch an institution on or off (an inactive one cannot be authorised, see needs or record outcomes)."""
    require(ctx, MANAGE)
    institution = institution_or_404(ctx, institution_id)
    if institution.active == active:
        raise Conflict("该金融机构已是此状态", field="active")
    institution.active = active
    ctx.session.flush()
    audit.record(ctx, "lending.institution_active", "financial_institution", institution.id, {"active": active})
    return institution


def add_product(ctx: Context, data: ProductIn) -> LoanProduct:
    """Register a product of an active institution (rate range, maximum amount and term within the rulebook)."""
    require(ctx, MANAGE)
    bounds = lending_rules().products
    institution = institution_or_404(ctx, data.institution_id)
    if not institution.active:
        raise InvalidInput("该金融机构已停用，不能登记产品", field="institution_id")
    name = clean_text(data.name, "name", "产品名称", PRODUCT_NAME_MAX)
    loan_type = _loan_type(data.loan_type)
    rate_min = decimal_value(data.rate_min, "rate_min", "利率下限", RATE_PLACES, ceiling=bounds.rate_ceiling)
    rate_max = decimal_value(data.rate_max, "rate_max", "利率上限", RATE_PLACES, ceiling=bounds.rate_ceiling)
    if rate_max < rate_min:
        raise InvalidInput("利率上限不能低于下限", field="rate_max")
    amount = decimal_value(
        data.amount_max, "amount_max", "最高额度", AMOUNT_PLACES, ceiling=bounds.amount_ceiling, positive=True
    )
    term = _term(data.term_months_max, "term_months_max")
    conditions = _optional_text(data.conditions, "conditions", "申请条件", CONDITIONS_MAX)
    exists = select(LoanProduct.id).where(LoanProduct.institution_id == institution.id, LoanProduct.name == name)
    if ctx.session.scalar(exists) is not None:
        raise Conflict(f"该机构已有名为“{name}”的产品", field="name")
    product = LoanProduct(
        institution_id=institution.id,
        name=name,
        loan_type=loan_type,
        rate_min=rate_min,
        rate_max=rate_max,
        amount_max=amount,
        term_months_max=term,
        conditions=conditions,
        active=True,
        created_by=ctx.actor,
        created_at=ctx.at,
    )
    ctx.session.add(product)
    ctx.session.flush()
    audit.record(
        ctx,
        "lending.product",
        "loan_product",
        product.id,
        {"institution_id": institution.id, "name": name, "loan_type": loan_type},
    )
    return product


def set_product_active(ctx: Context, product_id: int, active: bool) -> LoanProduct:
    """Withdraw a product from (or put it back on) the platform."""
    require(ctx, MANAGE)
    product = fetch(ctx.session, LoanProduct, product_id)
    if product is None:
        raise NotFound("未找到该产品", field="product_id")
    if product.active == active:
        raise Conflict("该产品已是此状态", field="active")
    product.active = active
    ctx.session.flush()
    audit.record(ctx, "lending.product_active", "loan_product", product.id, {"active": active})
    return product


# --------------------------------------------------------------------------------------------- the SME
def register_sme(ctx: Context, subject_id: int, data: RegistrationIn) -> LendingRegistration:
    """The SME registers on the platform: linked to its registry entry, town from the registry, its sector."""
    require_own_subject(ctx, subject_id, REGISTER)
    subject = _enterprise(ctx, subject_id)
    sector = _sector(data.sector)
    name = _optional_text(data.contact_name, "contact_name", "联系人", CONTACT_MAX)
    try:
        phone = pii.normalize_phone(data.contact_phone) if data.contact_phone.strip() else ""
    except InvalidInput as exc:
        raise InvalidInput(exc.message, field="contact_phone") from None
    if registration_of(ctx, subject_id) is not None:
        raise Conflict("该企业已在信易贷平台注册", field="subject_id")
    contact = pii.encrypt(f"{name}\n{phone}") if (name or phone) else ""
    registration = LendingRegistration(
        subject_id=subject_id,
        town=subject.township_code,
        sector=sector,
        contact_enc=contact,
        registered_by=ctx.actor,
        registered_at=ctx.at,
    )
    ctx.session.add(registration)
    ctx.session.flush()
    audit.record(
        ctx,
        "lending.register",
        "subject",
        subject_id,
        {"registration_id": registration.id, "town": subject.township_code, "sector": sector},
    )
    return registration


def publish_need(ctx: Context, subject_id: int, data: NeedIn) -> FinancingNeed:
    """Publish a financing need of a registered SME, open until met, withdrawn or past ``valid_until``."""
    require_own_subject(ctx, subject_id, REGISTER)
    _enterprise(ctx, subject_id)
    if registration_of(ctx, subject_id) is None:
        raise InvalidInput("请先在信易贷平台注册，再发布融资需求", field="subject_id")
    rules = lending_rules()
    amount = decimal_value(
        data.amount, "amount", "融资金额", AMOUNT_PLACES, ceiling=rules.products.amount_ceiling, positive=True
    )
    term = _term(data.term_months, "term_months")
    purpose = clean_text(data.purpose, "purpose", "融资用途", PURPOSE_MAX)
    loan_type = _loan_type(data.loan_type)
    until = data.valid_until or ctx.today + timedelta(days=rules.needs.validity_days_default)
    if until < ctx.today:
        raise InvalidInput("征集截止日不能早于今天", field="valid_until")
    if until > ctx.today + timedelta(days=rules.needs.validity_days_max):
        raise InvalidInput(f"征集期限不能超过 {rules.needs.validity_days_max} 天", field="valid_until")
    need = FinancingNeed(
        subject_id=subject_id,
        amount=amount,
        term_months=term,
        purpose=purpose,
        loan_type=loan_type,
        status="open",
        valid_until=until,
        published_by=ctx.actor,
        published_at=ctx.at,
        closed_at=None,
        version=1,
    )
    ctx.session.add(need)
    ctx.session.flush()
    audit.record(
        ctx,
        "lending.need",
        "financing_need",
        need.id,
        {"subject_id": subject_id, "amount": str(amount), "term_months": term, "loan_type": loan_type},
    )
    return need


def withdraw_need(ctx: Context, need_id: int) -> FinancingNeed:
    """The SME withdraws an open need (a met or withdrawn one cannot be)."""
    require(ctx, REGISTER)
    need = _need_or_404(ctx, need_id)
    require_own_subject(ctx, need.subject_id, REGISTER)
    if need.status != "open":
        raise Conflict("该融资需求已满足或已撤回", field="need_id")
    _close(ctx, need, "withdrawn")
    audit.record(ctx, "lending.need_withdraw", "financing_need", need.id, {"subject_id": need.subject_id})
    return need


def _close(ctx: Context, need: FinancingNeed, status: str) -> None:
    """Close ``need`` guarded by its version: a concurrent change in between is a ``Conflict``."""
    done = ctx.session.execute(
        update(FinancingNeed)
        .where(FinancingNeed.id == need.id, FinancingNeed.version == need.version, FinancingNeed.status == "open")
        .values(status=status, closed_at=ctx.at, version=need.version + 1)
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:
        raise Conflict("该融资需求刚被他人更改，请刷新后重试", field="need_id")
    ctx.session.refresh(need)


def authorise(ctx: Context, subject_id: int, data: GrantIn) -> BankAuthorisation:
    """The SME authorises a registered, active institution (scopes, validity; ``auth.authorisations`` rules)."""
    require_own_subject(ctx, subject_id, authorisations.GRANT)
    institution = institution_or_404(ctx, data.institution_id)
    if not institution.active:
        raise InvalidInput("该金融机构已停用，不能授权", field="institution_id")
    return authorisations.grant_authorisation(
        ctx,
        subject_id,
        institution.name,
        data.purpose,
        data.scopes,
        data.valid_from or ctx.today,
        data.valid_to,
    )


def revoke(ctx: Context, authorisation_id: int) -> BankAuthorisation:
    """Withdraw an authorisation (``auth.authorisations.revoke_authorisation``)."""
    return authorisations.revoke_authorisation(ctx, authorisation_id)


def list_authorisations(ctx: Context, subject_id: int) -> list[BankAuthorisation]:
    """Every authorisation the subject has given (``auth.authorisations.list_authorisations``)."""
    return authorisations.list_authorisations(ctx, subject_id)


# --------------------------------------------------------------------------------------------- the institution
def read_credit(ctx: Context, uscc: str) -> CreditDataOut:
    """An institution reads an SME's credit data under a live ``credit`` authorisation for its institution.

    Registry entry, public records with their publicity status, list entries in force and the latest grade, built
    by the public report's code (``reports.facts_public``) as of today. Audited whatever happens
    (``bank_access``); a refused query raises after its event is written: the caller commits it.
    """

    def registered() -> None:
        caller_institution(ctx, BANK_QUERY)

    subject, grant = authorisations.bank_access(ctx, uscc, CREDIT_SCOPE, check=registered)
    as_of = ctx.today
    sections = [dual_section(ctx.session, subject, item_id, as_of) for item_id in report_rules().public.columns]
    sections += list_sections(ctx.session, subject, as_of)
    sections.append(evaluation_section(ctx.session, subject, as_of))
    return CreditDataOut(
        subject=subject_queries.to_out(subject, authorisations.BANK_AUDIENCE),
        as_of=as_of,
        authorisation_id=grant.id,
        valid_to=grant.valid_to,
        sections=[
            SectionOut(
                id=s["id"],
                label=s["label"],
                columns=s["columns"],
                rows=[{k: r[k] for k in ("key", "title", "cells", "status", "status_label")} for r in s["rows"]],
                total=s["total"],
                summary=s.get("summary", ""),
            )
            for s in sections
        ],
    )


def record_outcome(ctx: Context, data: OutcomeIn) -> LoanOutcome:
    """The caller's institution records its decision; an approval covering the need marks it met.

    On a need: the need's SME (the need must not be withdrawn). Without one: the registered SME holding ``uscc``.
    Approved: amount > 0, rate, loan type (the product's by default; 信用贷款 flagged from the rulebook).
    Declined: a reason.
    """
    institution = caller_institution(ctx, OUTCOME)
    rules = lending_rules()
    need: FinancingNeed | None = None
    if data.need_id is not None:
        need = _need_or_404(ctx, data.need_id)
        if need.status == "withdrawn":
            raise Conflict("该融资需求已撤回", field="need_id")
        subject_id = need.subject_id
    elif data.uscc:
        code = parse_uscc(data.uscc)
        holders = [s.id for s in subject_queries.subjects_by_uscc(ctx.session, code) if s.kind != "natural_person"]
        registered = ctx.session.scalars(
            select(LendingRegistration.subject_id).where(LendingRegistration.subject_id.in_(holders or [-1]))
        ).first()
        if registered is None:
            raise NotFound("未找到在信易贷平台注册的该主体", field="uscc")
        subject_id = registered
    else:
        raise InvalidInput("请指明融资需求或主体的统一社会信用代码", field="need_id")
    product: LoanProduct | None = None
    if data.product_id is not None:
        product = fetch(ctx.session, LoanProduct, data.product_id)
        if product is None or product.institution_id != institution.id:
            raise InvalidInput("该产品不属于本机构", field="product_id")
    decided_on = data.decided_on or ctx.today
    if decided_on > ctx.today:
        raise InvalidInput("决定日不能晚于今天", field="decided_on")
    if need is not None and decided_on < need.published_at.date() - timedelta(days=1):
        raise InvalidInput("决定日不能早于需求发布日", field="decided_on")
    reason = _optional_text(data.reason, "reason", "说明", REASON_MAX)
    amount = rate = None
    loan_type: str | None = None
    if data.approved:
        if data.amount is None:
            raise InvalidInput("请填写批准金额", field="amount")
        amount = decimal_value(
            data.amount, "amount", "批准金额", AMOUNT_PLACES, ceiling=rules.products.amount_ceiling, positive=True
        )
        if data.rate is None:
            raise InvalidInput("请填写年利率", field="rate")
        rate = decimal_value(data.rate, "rate", "年利率", RATE_PLACES, ceiling=rules.products.rate_ceiling)
        loan_type = _loan_type(data.loan_type or (product.loan_type if product else None))
    elif not reason:
        raise InvalidInput("未批准时请填写说明", field="reason")
    outcome = LoanOutcome(
        institution_id=institution.id,
        subject_id=subject_id,
        need_id=need.id if need else None,
        product_id=product.id if product else None,
        approved=data.approved,
        amount=amount,
        rate=rate,
        loan_type=loan_type,
        credit_loan=loan_type in rules.credit_types() if loan_type else False,
        reason=reason,
        decided_on=decided_on,
        recorded_by=ctx.actor,
        recorded_at=ctx.at,
    )
    ctx.session.add(outcome)
    ctx.session.flush()
    met = False
    if need is not None and need.status == "open" and data.approved:
        covered = ctx.session.scalar(
            select(func.coalesce(func.sum(LoanOutcome.amount), 0)).where(
                LoanOutcome.need_id == need.id, LoanOutcome.approved.is_(True)
            )
        )
        if Decimal(str(covered)) >= need.amount:
            _close(ctx, need, "met")
            met = True
    audit.record(
        ctx,
        "lending.outcome",
        "loan_outcome",
        outcome.id,
        {
            "institution": institution.name,
            "subject_id": subject_id,
            "need_id": outcome.need_id,
            "approved": data.approved,
            "amount": str(amount) if amount is not None else None,
            "loan_type": loan_type,
            "credit_loan": outcome.credit_loan,
            "need_met": met,
        },
    )
    return outcome


def need_validity_default(today: date) -> date:
    """The default end day of a need published ``today``."""
    return today + timedelta(days=lending_rules().needs.validity_days_default)
