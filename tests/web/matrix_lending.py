"""Authorisation-matrix entries of web/api/lending.py (信易贷, issue #9 item 1), and the setup helpers the lending
tests share (everything created through the services as the console operator).

Products and institutions are public; the credit office registers them and reads the statistics; the SME (the
seed's HEFENG account) registers, publishes and withdraws needs and authorises institutions (the office may
record a paper authorisation, as in ``auth.authorisations``); banks (BANK, registered by the makers below, with
a ``credit`` authorisation from HEFENG; OTHER_BANK never registered nor authorised) see matching needs (an
unregistered institution sees none), read credit data (OTHER_BANK refused) and record outcomes (OTHER_BANK
refused: not registered).
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from matrix_common import ALL, BANKS_AUTHORISED, OFFICE, OWN_SUBJECT, TODAY, Spec
from principals import BANK, Seed
from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.auth.context import Context
from xinyong.lending import service
from xinyong.lending.models import FinancialInstitution, FinancingNeed, LoanProduct
from xinyong.lending.schemas import GrantIn, InstitutionIn, NeedIn, ProductIn, RegistrationIn
from xinyong.subjects.models import Subject

BANK_USCC = "91440113MA59BK0001"
BANKS = frozenset({"bank", "bank_unauthorised", "bank_token"})
OWN_OR_OFFICE = OFFICE | {"subject"}


# --------------------------------------------------------------------------------------------- setup helpers
def operator(session: Session) -> Context:
    """The console operator (every permission)."""
    return Context(session=session, actor="test:operator", role="system")


def sme(session: Session, subject: Subject) -> Context:
    """The SME's own account."""
    return Context(session=session, actor="test:sme", role="subject", subject_id=subject.id)


def bank(session: Session, name: str = BANK) -> Context:
    """A bank account of institution ``name``."""
    return Context(session=session, actor=f"test:bank:{name}", role="bank", institution=name)


def institution(session: Session, name: str = BANK, code: str = BANK_USCC) -> FinancialInstitution:
    """``name`` registered (once) with a 信用贷款 product up to 500 万元 and 36 months."""
    found = session.scalar(select(FinancialInstitution).where(FinancialInstitution.name == name))
    if found is not None:
        return found
    ctx = operator(session)
    inst = service.register_institution(ctx, InstitutionIn(name=name, uscc=code, kind="bank", contact="020-8888"))
    service.add_product(
        ctx,
        ProductIn(
            institution_id=inst.id,
            name="信易贷·税信贷",
            loan_type="credit",
            rate_min=Decimal("3.45"),
            rate_max=Decimal("4.35"),
            amount_max=Decimal(500),
            term_months_max=36,
            conditions="纳税信用B级以上",
        ),
    )
    return inst


def product_of(session: Session, inst: FinancialInstitution) -> LoanProduct:
    """The institution's first product."""
    found = session.scalar(select(LoanProduct).where(LoanProduct.institution_id == inst.id).order_by(LoanProduct.id))
    assert found is not None
    return found


def registered(session: Session, subject: Subject, sector: str = "manufacturing") -> None:
    """The subject registered on the platform (once)."""
    if service.registration_of(operator(session), subject.id) is None:
        service.register_sme(
            sme(session, subject),
            subject.id,
            RegistrationIn(sector=sector, contact_name="陈经理", contact_phone="13812345678"),
        )


def need_of(session: Session, subject: Subject, amount: str = "200", loan_type: str = "credit") -> FinancingNeed:
    """A registered subject's open need of ``amount`` 万元, 12 months."""
    registered(session, subject)
    data = NeedIn(amount=Decimal(amount), term_months=12, purpose="购置生产设备", loan_type=loan_type)
    return service.publish_need(sme(session, subject), subject.id, data)


def credit_grant(session: Session, subject: Subject, inst: FinancialInstitution, days: int = 90) -> int:
    """The subject authorises ``inst`` for ``basic`` and ``credit`` for ``days`` days; the authorisation id."""
    grant = service.authorise(
        sme(session, subject), subject.id, GrantIn(institution_id=inst.id, valid_to=TODAY + timedelta(days=days))
    )
    return grant.id


# --------------------------------------------------------------------------------------------- path and body makers
def _session(seed: Seed) -> Session:
    assert seed.session is not None
    return seed.session


def bank_id(seed: Seed) -> int:
    """BANK registered, with a product."""
    return institution(_session(seed)).id


def product_id(seed: Seed) -> int:
    """BANK's product."""
    return product_of(_session(seed), institution(_session(seed))).id


def open_need(seed: Seed) -> int:
    """An open need of HEFENG."""
    return need_of(_session(seed), seed.firm).id


def hefeng_authorised(seed: Seed) -> str:
    """HEFENG's code, with BANK registered and authorised for ``credit``."""
    session = _session(seed)
    credit_grant(session, seed.firm, institution(session))
    assert seed.firm.uscc
    return seed.firm.uscc


def lending_grant(seed: Seed) -> int:
    """A credit authorisation of HEFENG for BANK."""
    session = _session(seed)
    return credit_grant(session, seed.firm, institution(session))


def registered_firm(seed: Seed) -> int:
    """HEFENG registered on the platform."""
    registered(_session(seed), seed.firm)
    return seed.firm.id


ENTRIES: dict[tuple[str, str], Spec] = {
    ("GET", "/api/v1/lending/institutions"): Spec(ALL),
    ("POST", "/api/v1/lending/institutions"): Spec(
        OFFICE, body=lambda s: {"name": "矩阵测试银行", "uscc": "91440113MA59MX0001", "kind": "bank"}
    ),
    ("POST", "/api/v1/lending/institutions/{institution_id}/active"): Spec(
        OFFICE, path={"institution_id": bank_id}, body=lambda s: {"active": False}
    ),
    ("GET", "/api/v1/lending/products"): Spec(ALL),
    ("POST", "/api/v1/lending/products"): Spec(
        OFFICE,
        body=lambda s: {
            "institution_id": bank_id(s),
            "name": "矩阵抵押贷",
            "loan_type": "mortgage",
            "rate_min": "3.8",
            "rate_max": "5.2",
            "amount_max": "1000",
            "term_months_max": 60,
        },
    ),
    ("POST", "/api/v1/lending/products/{product_id}/active"): Spec(
        OFFICE, path={"product_id": product_id}, body=lambda s: {"active": False}
    ),
    ("GET", "/api/v1/lending/subjects/{subject_id}/registration"): Spec(OWN_OR_OFFICE),
    ("POST", "/api/v1/lending/subjects/{subject_id}/registration"): Spec(
        frozenset({"subject"}), body=lambda s: {"sector": "manufacturing", "contact_name": "陈经理"}
    ),
    ("GET", "/api/v1/lending/subjects/{subject_id}/needs"): Spec(OWN_OR_OFFICE),
    ("POST", "/api/v1/lending/subjects/{subject_id}/needs"): Spec(
        frozenset({"subject"}),
        path={"subject_id": registered_firm},
        body=lambda s: {"amount": "150.5", "term_months": 12, "purpose": "流动资金", "loan_type": "credit"},
    ),
    ("POST", "/api/v1/lending/needs/{need_id}/withdraw"): Spec(frozenset({"subject"}), path={"need_id": open_need}),
    ("GET", "/api/v1/lending/subjects/{subject_id}/authorisations"): Spec(OWN_SUBJECT),
    ("POST", "/api/v1/lending/subjects/{subject_id}/authorisations"): Spec(
        OWN_SUBJECT,
        body=lambda s: {"institution_id": bank_id(s), "valid_to": (TODAY + timedelta(days=30)).isoformat()},
    ),
    ("POST", "/api/v1/lending/authorisations/{authorisation_id}/revoke"): Spec(
        OWN_SUBJECT, path={"authorisation_id": lending_grant}
    ),
    ("GET", "/api/v1/lending/needs/matching"): Spec(BANKS),
    ("GET", "/api/v1/lending/credit/{uscc}"): Spec(BANKS_AUTHORISED, path={"uscc": hefeng_authorised}),
    ("POST", "/api/v1/lending/outcomes"): Spec(
        BANKS_AUTHORISED,
        body=lambda s: {
            "need_id": open_need(s),
            "approved": True,
            "amount": "200",
            "rate": "3.85",
            "loan_type": "credit",
        },
    ),
    ("GET", "/api/v1/lending/outcomes"): Spec(OFFICE | BANKS),
    ("GET", "/api/v1/lending/stats"): Spec(OFFICE, params={"dimension": "sector"}),
    ("GET", "/api/v1/lending/stats/export"): Spec(OFFICE, params={"dimension": "town", "format": "csv"}),
}
