"""Read side of 信易贷: institutions and products (public), an SME's registration and needs (the SME and the credit
office), the open needs matching an institution's active products, outcomes, and the promotion statistics by
town, sector and institution (set-based SQL: one grouped query per figure, never a loop over subjects)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, case, func, literal, or_, select
from sqlalchemy.sql import ColumnElement

from xinyong.auth import pii
from xinyong.auth.context import Context
from xinyong.auth.models import BankAuthorisation
from xinyong.auth.permissions import PermissionDenied, allowed, require, require_own_subject
from xinyong.codes.divisions import PANYU_TOWNSHIPS, township_by_code
from xinyong.errors import InvalidInput
from xinyong.lending import service
from xinyong.lending.models import FinancialInstitution, FinancingNeed, LendingRegistration, LoanOutcome, LoanProduct
from xinyong.lending.rules import lending_rules
from xinyong.lending.schemas import (
    DIMENSIONS,
    NEED_STATUSES,
    Dimension,
    InstitutionOut,
    NeedOut,
    OutcomeOut,
    ProductOut,
    RegistrationOut,
    StatRow,
    StatsOut,
)
from xinyong.subjects import queries as subject_queries
from xinyong.subjects.models import Subject

NO_TOWN = "(未登记镇街)"
MATCH_LIMIT = 500


def _town_name(code: str | None) -> str | None:
    if not code:
        return None
    town = township_by_code(code)
    return town.name if town else code


# --------------------------------------------------------------------------------------------- institutions, products
def institutions(ctx: Context, *, include_inactive: bool = False) -> list[InstitutionOut]:
    """Registered institutions with their count of active products (inactive ones for the credit office only)."""
    if include_inactive:
        require(ctx, service.READ)
    kinds = lending_rules().kind_labels()
    counts = (
        select(LoanProduct.institution_id, func.count().label("n"))
        .where(LoanProduct.active.is_(True))
        .group_by(LoanProduct.institution_id)
        .subquery()
    )
    stmt = (
        select(FinancialInstitution, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.institution_id == FinancialInstitution.id)
        .order_by(FinancialInstitution.name)
    )
    if not include_inactive:
        stmt = stmt.where(FinancialInstitution.active.is_(True))
    return [
        InstitutionOut(
            id=i.id,
            name=i.name,
            uscc=i.uscc,
            kind=i.kind,
            kind_label=kinds.get(i.kind, i.kind),
            contact=i.contact,
            active=i.active,
            registered_at=i.registered_at,
            products=n,
        )
        for i, n in ctx.session.execute(stmt).all()
    ]


def _product_out(p: LoanProduct, institution: str) -> ProductOut:
    rules = lending_rules()
    return ProductOut(
        id=p.id,
        institution_id=p.institution_id,
        institution=institution,
        name=p.name,
        loan_type=p.loan_type,
        loan_type_label=rules.loan_type_labels().get(p.loan_type, p.loan_type),
        credit_loan=p.loan_type in rules.credit_types(),
        rate_min=p.rate_min,
        rate_max=p.rate_max,
        amount_max=p.amount_max,
        term_months_max=p.term_months_max,
        conditions=p.conditions,
        active=p.active,
    )


def products(
    ctx: Context, *, loan_type: str | None = None, institution_id: int | None = None, include_inactive: bool = False
) -> list[ProductOut]:
    """Products of active institutions (all of them, inactive too, for the credit office when asked)."""
    if include_inactive:
        require(ctx, service.READ)
    stmt = select(LoanProduct, FinancialInstitution.name).join(
        FinancialInstitution, FinancialInstitution.id == LoanProduct.institution_id
    )
    if not include_inactive:
        stmt = stmt.where(LoanProduct.active.is_(True), FinancialInstitution.active.is_(True))
    if loan_type:
        stmt = stmt.where(LoanProduct.loan_type == loan_type)
    if institution_id:
        stmt = stmt.where(LoanProduct.institution_id == institution_id)
    stmt = stmt.order_by(FinancialInstitution.name, LoanProduct.name, LoanProduct.id)
    return [_product_out(p, name) for p, name in ctx.session.execute(stmt).all()]


# --------------------------------------------------------------------------------------------- the SME's side
def _own_or_office(ctx: Context, subject_id: int) -> None:
    """The SME itself (``lending.register``) or the credit office (``lending.read``)."""
    if allowed(ctx.role, service.READ) and ctx.role != "subject":
        require(ctx, service.READ)
        return
    require_own_subject(ctx, subject_id, service.REGISTER)


def registration(ctx: Context, subject_id: int) -> RegistrationOut | None:
    """The subject's registration with its contact (phone masked for the office), or None."""
    _own_or_office(ctx, subject_id)
    subject = subject_queries.subject_or_404(ctx.session, subject_id)
    found = service.registration_of(ctx, subject_id)
    if found is None:
        return None
    name = phone = ""
    if found.contact_enc:
        name, _, phone = pii.decrypt(found.contact_enc).partition("\n")
        if ctx.role != "subject" and phone:
            phone = pii.mask_phone(phone)
    return RegistrationOut(
        id=found.id,
        subject_id=subject_id,
        subject_name=subject.name,
        town=found.town,
        town_name=_town_name(found.town),
        sector=found.sector,
        sector_label=lending_rules().sector_labels().get(found.sector, found.sector),
        contact_name=name,
        contact_phone=phone,
        registered_at=found.registered_at,
    )


def status_of(status: str, valid_until: date, today: date) -> str:
    """A need's status on ``today``: an open need past its end day is ``expired``."""
    return "expired" if status == "open" and valid_until < today else status


def _approved_sums(ctx: Context, need_ids: list[int]) -> dict[int, Decimal]:
    """Approved amounts per need, for the needs shown (one grouped query)."""
    if not need_ids:
        return {}
    stmt = (
        select(LoanOutcome.need_id, func.sum(LoanOutcome.amount))
        .where(LoanOutcome.approved.is_(True), LoanOutcome.need_id.in_(need_ids))
        .group_by(LoanOutcome.need_id)
    )
    return {need_id: Decimal(str(total or 0)) for need_id, total in ctx.session.execute(stmt).all()}


def _need_rows(
    ctx: Context, conditions: Iterable[ColumnElement[bool]], limit: int | None = None, *, by_id: bool = False
) -> list[NeedOut]:
    rules = lending_rules()
    types, sectors = rules.loan_type_labels(), rules.sector_labels()
    stmt = (
        select(FinancingNeed, Subject.name, Subject.uscc, LendingRegistration.town, LendingRegistration.sector)
        .join(Subject, Subject.id == FinancingNeed.subject_id)
        .outerjoin(LendingRegistration, LendingRegistration.subject_id == FinancingNeed.subject_id)
        .where(*conditions)
        .order_by(
            *((FinancingNeed.id.desc(),) if by_id else (FinancingNeed.published_at.desc(), FinancingNeed.id.desc()))
        )
    )
    if limit:
        stmt = stmt.limit(limit)
    found = ctx.session.execute(stmt).all()
    approved = _approved_sums(ctx, [row[0].id for row in found])
    out = []
    for need, name, uscc, town, sector in found:
        status = status_of(need.status, need.valid_until, ctx.today)
        out.append(
            NeedOut(
                id=need.id,
                subject_id=need.subject_id,
                subject_name=name,
                uscc=uscc,
                town=town,
                town_name=_town_name(town),
                sector=sector,
                sector_label=sectors.get(sector, sector) if sector else None,
                amount=need.amount,
                term_months=need.term_months,
                purpose=need.purpose,
                loan_type=need.loan_type,
                loan_type_label=types.get(need.loan_type, need.loan_type),
                status=status,
                status_label=NEED_STATUSES.get(status, status),
                valid_until=need.valid_until,
                published_at=need.published_at,
                approved_amount=approved.get(need.id, Decimal(0)),
            )
        )
    return out


def needs_of_subject(ctx: Context, subject_id: int) -> list[NeedOut]:
    """Every need the subject published, newest first."""
    _own_or_office(ctx, subject_id)
    subject_queries.subject_or_404(ctx.session, subject_id)
    return _need_rows(ctx, [FinancingNeed.subject_id == subject_id])


# --------------------------------------------------------------------------------------------- the institution's side
def matching_needs(ctx: Context) -> list[NeedOut]:
    """Open needs (not past their end day) that an active product of the caller's institution covers: same loan
    type, amount within the product's maximum, term within its longest term. An institution not registered (or
    inactive) has no products, hence no matches. Each row says whether the SME authorised the caller today."""
    require(ctx, service.NEEDS)
    if not ctx.institution:
        raise PermissionDenied(ctx.role, service.NEEDS, "该凭证未绑定金融机构")
    products = ctx.session.execute(
        select(LoanProduct.loan_type, LoanProduct.amount_max, LoanProduct.term_months_max)
        .join(FinancialInstitution, FinancialInstitution.id == LoanProduct.institution_id)
        .where(
            FinancialInstitution.name == ctx.institution,
            FinancialInstitution.active.is_(True),
            LoanProduct.active.is_(True),
        )
    ).all()
    if not products:
        return []
    covered = or_(
        *(
            and_(
                FinancingNeed.loan_type == loan_type,
                FinancingNeed.amount <= amount_max,
                FinancingNeed.term_months <= term_max,
            )
            for loan_type, amount_max, term_max in products
        )
    )
    # newest first by id (ids grow with publication): the database walks the primary key backwards and stops at
    # the limit instead of sorting every open need
    rows = _need_rows(
        ctx, [FinancingNeed.status == "open", FinancingNeed.valid_until >= ctx.today, covered], MATCH_LIMIT, by_id=True
    )
    authorised = _authorised_subjects(ctx, ctx.institution, {row.subject_id for row in rows})
    for row in rows:
        row.authorised = row.subject_id in authorised
    return rows


def _authorised_subjects(ctx: Context, institution: str, subject_ids: set[int]) -> set[int]:
    """Which of ``subject_ids`` have a live ``credit`` authorisation for ``institution`` today (one query; the
    scope list is JSON, checked here as ``auth.authorisations.valid_authorisation`` does)."""
    if not subject_ids:
        return set()
    stmt = select(BankAuthorisation.subject_id, BankAuthorisation.scopes).where(
        BankAuthorisation.subject_id.in_(sorted(subject_ids)),
        BankAuthorisation.institution == institution,
        BankAuthorisation.revoked_at.is_(None),
        BankAuthorisation.valid_from <= ctx.today,
        BankAuthorisation.valid_to >= ctx.today,
    )
    return {sid for sid, scopes in ctx.session.execute(stmt).all() if service.CREDIT_SCOPE in (scopes or ())}


def outcomes(ctx: Context, *, limit: int = 500, outcome_id: int | None = None) -> list[OutcomeOut]:
    """Outcomes (or the one ``outcome_id``): a bank sees its own institution's, the credit office everyone's;
    newest first."""
    if ctx.institution:
        require(ctx, service.OUTCOME)
        condition: ColumnElement[bool] = FinancialInstitution.name == ctx.institution
    else:
        require(ctx, service.READ)
        condition = literal(True)
    if outcome_id is not None:
        condition = and_(condition, LoanOutcome.id == outcome_id)
    rules = lending_rules()
    types = rules.loan_type_labels()
    stmt = (
        select(LoanOutcome, FinancialInstitution.name, Subject.name, FinancingNeed.status, FinancingNeed.valid_until)
        .join(FinancialInstitution, FinancialInstitution.id == LoanOutcome.institution_id)
        .join(Subject, Subject.id == LoanOutcome.subject_id)
        .outerjoin(FinancingNeed, FinancingNeed.id == LoanOutcome.need_id)
        .where(condition)
        .order_by(LoanOutcome.decided_on.desc(), LoanOutcome.id.desc())
        .limit(limit)
    )
    return [
        OutcomeOut(
            id=o.id,
            institution_id=o.institution_id,
            institution=inst,
            subject_id=o.subject_id,
            subject_name=subject,
            need_id=o.need_id,
            product_id=o.product_id,
            approved=o.approved,
            amount=o.amount,
            rate=o.rate,
            loan_type=o.loan_type,
            loan_type_label=types.get(o.loan_type, o.loan_type) if o.loan_type else None,
            credit_loan=o.credit_loan,
            reason=o.reason,
            decided_on=o.decided_on,
            need_status=status_of(status, until, ctx.today) if status else None,
        )
        for o, inst, subject, status, until in ctx.session.execute(stmt).all()
    ]


# --------------------------------------------------------------------------------------------- statistics
def _labels(ctx: Context, dimension: Dimension) -> dict[str, str]:
    if dimension == "town":
        return {t.code: t.name for t in PANYU_TOWNSHIPS}
    if dimension == "sector":
        return lending_rules().sector_labels()
    return {str(i): name for i, name in ctx.session.execute(select(FinancialInstitution.id, FinancialInstitution.name))}


def _dec(value: object) -> Decimal:
    return Decimal(str(value or 0))


def stats(ctx: Context, dimension: Dimension = "town") -> StatsOut:
    """Registrations, needs posted and met, amounts requested, outcomes, approvals, approved amounts and the
    credit-loan share, grouped by ``dimension`` (town and sector as registered; institution for outcomes), with
    the district total. One grouped query per table."""
    require(ctx, service.READ)
    if dimension not in DIMENSIONS:
        raise InvalidInput(f"统计维度应为: {'、'.join(DIMENSIONS)}", field="dimension")
    rows: dict[str, StatRow] = {}
    labels = _labels(ctx, dimension)

    def at(key: object) -> StatRow:
        k = NO_TOWN if key is None else str(key)
        if k not in rows:
            rows[k] = StatRow(key=k, label=labels.get(k, k))
        return rows[k]

    reg = LendingRegistration
    if dimension != "institution":
        column = reg.town if dimension == "town" else reg.sector
        for key, n in ctx.session.execute(select(column, func.count()).group_by(column)).all():
            at(key).registrations = n
        expired = and_(FinancingNeed.status == "open", FinancingNeed.valid_until < ctx.today)
        needs = (
            select(
                column,
                func.count(),
                func.sum(case((FinancingNeed.status == "met", 1), else_=0)),
                func.coalesce(func.sum(FinancingNeed.amount), 0),
                func.sum(case((expired, 1), else_=0)),
            )
            .join(reg, reg.subject_id == FinancingNeed.subject_id)
            .group_by(column)
        )
        for key, posted, met, requested, _ in ctx.session.execute(needs).all():
            row = at(key)
            row.needs_posted, row.needs_met, row.amount_requested = posted, int(met or 0), _dec(requested)
        group: Any = column
        base = select(group).select_from(LoanOutcome).join(reg, reg.subject_id == LoanOutcome.subject_id)
    else:
        group = LoanOutcome.institution_id
        base = select(group).select_from(LoanOutcome)
        needs_by = (
            select(LoanOutcome.institution_id, func.count(func.distinct(LoanOutcome.need_id)))
            .join(FinancingNeed, FinancingNeed.id == LoanOutcome.need_id)
            .where(FinancingNeed.status == "met", LoanOutcome.approved.is_(True))
            .group_by(LoanOutcome.institution_id)
        )
        for key, met in ctx.session.execute(needs_by).all():
            at(key).needs_met = met
    approved = LoanOutcome.approved.is_(True)
    credit = and_(approved, LoanOutcome.credit_loan.is_(True))
    figures = base.add_columns(
        func.count(),
        func.sum(case((approved, 1), else_=0)),
        func.coalesce(func.sum(case((approved, LoanOutcome.amount), else_=0)), 0),
        func.sum(case((credit, 1), else_=0)),
        func.coalesce(func.sum(case((credit, LoanOutcome.amount), else_=0)), 0),
    ).group_by(group)
    for key, n, ok, amount, credits, credit_amount in ctx.session.execute(figures).all():
        row = at(key)
        row.outcomes, row.approved, row.approved_amount = n, int(ok or 0), _dec(amount)
        row.credit_loans, row.credit_amount = int(credits or 0), _dec(credit_amount)
    total = StatRow(key="total", label="合计")
    for row in rows.values():
        row.credit_share = round(row.credit_loans / row.approved, 4) if row.approved else None
        for name in ("registrations", "needs_posted", "needs_met", "outcomes", "approved", "credit_loans"):
            setattr(total, name, getattr(total, name) + getattr(row, name))
        for name in ("amount_requested", "approved_amount", "credit_amount"):
            setattr(total, name, getattr(total, name) + getattr(row, name))
    total.credit_share = round(total.credit_loans / total.approved, 4) if total.approved else None
    ordered = sorted(rows.values(), key=lambda r: (-r.approved_amount, -r.registrations, r.key))
    return StatsOut(dimension=dimension, dimension_label=DIMENSIONS[dimension], rows=ordered, total=total)
