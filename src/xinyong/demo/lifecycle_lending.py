"""Demo 信易贷 (issue #9 item 1): five institutions and their products registered by the credit office, some demo
enterprises registered on the platform with needs, authorisations of one or two institutions, and outcomes
(credit loans, secured loans, declines), so the lending pages and the promotion statistics have something to show
after ``xinyong demo``.

Everything goes through ``lending.service`` in the role that acts in real life (the office, the SME's own
account, the bank), so the audit log reads as it would. Enterprises are drawn from the first ``CANDIDATES``
enterprise ids (legal persons with a township) by ``random.Random(seed)``: deterministic for a seed, and one
bounded query whatever the registry's size. Institutions already registered (a second run) are reused; an SME
already registered is skipped. The caller commits. Returns the number of rows planted.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from xinyong.auth.context import Context
from xinyong.codes.uscc import make_uscc
from xinyong.errors import XinyongError
from xinyong.lending import service
from xinyong.lending.models import FinancialInstitution
from xinyong.lending.rules import lending_rules
from xinyong.lending.schemas import GrantIn, InstitutionIn, NeedIn, OutcomeIn, ProductIn, RegistrationIn
from xinyong.subjects.models import Subject

CANDIDATES = 400
SMES = 36


@dataclass(frozen=True)
class Product:
    """A demo product: name, loan type, rate range, maximum amount (万元), longest term, conditions."""

    name: str
    loan_type: str
    rate_min: str
    rate_max: str
    amount_max: str
    term: int
    conditions: str = ""


INSTITUTIONS: tuple[tuple[str, str, str, tuple[Product, ...]], ...] = (
    (
        "广州农商银行番禺支行",
        "bank",
        "MA59XD01",
        (
            Product("信易贷·税信贷", "credit", "3.45", "4.35", "300", 36, "纳税信用B级以上，经营满两年"),
            Product("太阳升·厂房按揭贷", "mortgage", "3.80", "4.90", "2000", 120, "以自有厂房抵押"),
        ),
    ),
    (
        "中国工商银行广州番禺支行",
        "bank",
        "MA59XD02",
        (
            Product("经营快贷", "credit", "3.30", "4.20", "200", 12, "公共信用综合评价A级、B级企业"),
            Product("应收账款质押贷", "pledge", "3.60", "4.60", "1000", 24),
        ),
    ),
    (
        "中国建设银行广州番禺支行",
        "bank",
        "MA59XD03",
        (Product("云税贷", "credit", "3.50", "4.50", "300", 12, "依据纳税和公共信用信息授信"),),
    ),
    (
        "广州银行番禺支行",
        "bank",
        "MA59XD04",
        (Product("科技信用贷", "credit", "3.60", "4.80", "500", 36, "高新技术企业、专精特新企业"),),
    ),
    (
        "广州市番禺区融资担保有限公司",
        "guarantee",
        "MA59XD05",
        (Product("政银担·惠企贷", "policy_guarantee", "3.90", "5.50", "1000", 36, "区级政策性融资担保"),),
    ),
)
PURPOSES = ("购置生产设备", "采购原材料", "支付员工工资", "扩大门店经营", "研发投入", "厂房装修改造")


def _institutions(ctx: Context) -> list[FinancialInstitution]:
    out = []
    for name, kind, body, products in INSTITUTIONS:
        found = ctx.session.scalar(select(FinancialInstitution).where(FinancialInstitution.name == name))
        if found is None:
            found = service.register_institution(
                ctx,
                InstitutionIn(name=name, uscc=make_uscc("9", "1", "440113", body), kind=kind, contact="020-8482xxxx"),
            )
            for p in products:
                service.add_product(
                    ctx,
                    ProductIn(
                        institution_id=found.id,
                        name=p.name,
                        loan_type=p.loan_type,
                        rate_min=Decimal(p.rate_min),
                        rate_max=Decimal(p.rate_max),
                        amount_max=Decimal(p.amount_max),
                        term_months_max=p.term,
                        conditions=p.conditions,
                    ),
                )
        out.append(found)
    return out


def plant_lending(ctx: Context, seed: int) -> int:
    """Plant institutions, products, registrations, needs, authorisations and outcomes; the rows planted."""
    rng = random.Random(seed)
    planted = 0
    banks = _institutions(ctx)
    planted += len(banks)
    sectors = [s.key for s in lending_rules().sectors]
    candidates = list(
        ctx.session.scalars(
            select(Subject)
            .where(Subject.kind == "legal_person", Subject.township_code.is_not(None), Subject.uscc.is_not(None))
            .order_by(Subject.id)
            .limit(CANDIDATES)
        )
    )
    chosen = rng.sample(candidates, min(SMES, len(candidates)))
    for index, subject in enumerate(chosen):
        if subject.status in service.CLOSED_STATUSES or service.registration_of(ctx, subject.id) is not None:
            continue
        savepoint = ctx.session.begin_nested()
        try:
            count = _plant_sme(ctx, rng, index, subject, banks, sectors)
        except XinyongError:
            savepoint.rollback()  # a demo subject the rules refuse: skip it, nothing left behind
            continue
        savepoint.commit()
        planted += count
    return planted


def _plant_sme(
    ctx: Context,
    rng: random.Random,
    index: int,
    subject: Subject,
    banks: list[FinancialInstitution],
    sectors: list[str],
) -> int:
    """One SME's story: registered; most publish a need; most of those authorise a bank, which reads the credit
    data and approves or declines (some withdraw the need instead). The rows planted."""
    sme = Context(session=ctx.session, actor=f"demo:sme:{subject.id}", role="subject", subject_id=subject.id, at=ctx.at)
    service.register_sme(sme, subject.id, RegistrationIn(sector=rng.choice(sectors)))
    if index % 6 == 5:
        return 1  # registered only
    credit = rng.random() < 0.7
    amount = Decimal(rng.choice((50, 80, 100, 150, 200, 300)))
    need = service.publish_need(
        sme,
        subject.id,
        NeedIn(
            amount=amount,
            term_months=rng.choice((6, 12, 24)),
            purpose=rng.choice(PURPOSES),
            loan_type="credit" if credit else "mortgage",
        ),
    )
    if index % 4 == 3:
        return 2  # an open need nobody answered yet
    bank = rng.choice(banks[:4]) if credit else banks[0]
    service.authorise(sme, subject.id, GrantIn(institution_id=bank.id, valid_to=ctx.today + timedelta(days=180)))
    if index % 5 == 4:
        service.withdraw_need(sme, need.id)
        return 3
    lender = Context(session=ctx.session, actor=f"demo:bank:{bank.id}", role="bank", institution=bank.name, at=ctx.at)
    service.read_credit(lender, subject.uscc or "")
    if rng.random() < 0.8:
        rate = Decimal(rng.choice(("3.65", "3.85", "4.05", "4.35")))
        data = OutcomeIn(need_id=need.id, approved=True, amount=amount, rate=rate, loan_type=need.loan_type)
    else:
        data = OutcomeIn(need_id=need.id, approved=False, reason="经营流水不足，建议补充材料后再申请")
    service.record_outcome(lender, data)
    return 4
