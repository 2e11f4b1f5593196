"""信易贷 rules on the service layer: institutions and products validated, SME registration and needs, the SME's
authorisation of a registered institution, credit reads refused and logged without a live authorisation (never
given, expired, revoked, another institution's), outcomes (信用贷款 flagged, needs met), matching needs."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from matrix_lending import bank, credit_grant, institution, need_of, operator, product_of, registered, sme
from sqlalchemy import select
from sqlalchemy.orm import Session

from factories import company, uscc
from xinyong import clock
from xinyong.auth.context import Context
from xinyong.auth.models import AuditEvent
from xinyong.auth.permissions import PermissionDenied
from xinyong.errors import Conflict, InvalidInput, NotFound
from xinyong.lending import queries, service
from xinyong.lending.models import LendingRegistration
from xinyong.lending.schemas import GrantIn, InstitutionIn, NeedIn, OutcomeIn, ProductIn, RegistrationIn
from xinyong.subjects.models import Subject

TODAY = date(2026, 11, 27)
BANK = "广州农商银行番禺支行"
OTHER = "某未获授权银行"


@pytest.fixture
def firm(ctx: Context) -> Subject:
    return company(ctx, "广州禾丰食品有限公司", 1)


def events(db: Session, action: str) -> list[AuditEvent]:
    return list(db.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def product_in(institution_id: int, **overrides: object) -> ProductIn:
    data: dict[str, object] = {
        "institution_id": institution_id,
        "name": "抵押经营贷",
        "loan_type": "mortgage",
        "rate_min": Decimal("3.6"),
        "rate_max": Decimal("4.9"),
        "amount_max": Decimal("1000.123456"),
        "term_months_max": 60,
    }
    data.update(overrides)
    return ProductIn.model_validate(data)


# --------------------------------------------------------------------------------------------- office
def test_office_registers_institutions_and_products_with_validation(db: Session) -> None:
    office = Context(session=db, actor="test:office", role="credit_office_staff")
    inst = service.register_institution(office, InstitutionIn(name=BANK, uscc=uscc(90), kind="bank"))
    assert (inst.name, inst.active) == (BANK, True)
    with pytest.raises(Conflict):
        service.register_institution(office, InstitutionIn(name=BANK, uscc=uscc(91), kind="bank"))
    with pytest.raises(InvalidInput) as bad_kind:
        service.register_institution(office, InstitutionIn(name="乙银行", uscc=uscc(92), kind="casino"))
    assert bad_kind.value.field == "kind"
    product = service.add_product(office, product_in(inst.id))
    assert product.amount_max == Decimal("1000.123456")
    for overrides, field in (
        ({"rate_min": Decimal(5), "rate_max": Decimal(4)}, "rate_max"),
        ({"rate_max": Decimal(30)}, "rate_max"),
        ({"rate_min": Decimal(-1)}, "rate_min"),
        ({"amount_max": Decimal("1.1234567")}, "amount_max"),
        ({"amount_max": Decimal(0)}, "amount_max"),
        ({"term_months_max": 0}, "term_months_max"),
        ({"term_months_max": 999}, "term_months_max"),
        ({"loan_type": "payday"}, "loan_type"),
        ({"name": "抵押经营贷"}, "name"),
    ):
        with pytest.raises((InvalidInput, Conflict)) as refused:
            service.add_product(office, product_in(inst.id, **overrides))
        assert refused.value.field == field, overrides
    with pytest.raises(PermissionDenied):
        service.register_institution(
            sme(db, company(Context(session=db, actor="t", role="system"), "某公司", 5)),
            InstitutionIn(name="丙银行", uscc=uscc(93), kind="bank"),
        )
    assert [e.target_id for e in events(db, "lending.product")] == [str(product.id)]
    service.set_institution_active(office, inst.id, False)
    assert queries.products(office) == []  # products of an inactive institution are not listed


# --------------------------------------------------------------------------------------------- the SME
def test_sme_registers_with_town_from_registry_and_contact_encrypted(db: Session, firm: Subject) -> None:
    me = sme(db, firm)
    reg = service.register_sme(
        me, firm.id, RegistrationIn(sector="manufacturing", contact_name="陈经理", contact_phone="138-1234-5678")
    )
    assert (reg.town, reg.sector) == ("440113007", "manufacturing")
    assert "13812345678" not in reg.contact_enc
    assert queries.registration(me, firm.id).contact_phone == "13812345678"  # type: ignore[union-attr]
    office = Context(session=db, actor="test:office", role="credit_office_staff")
    assert queries.registration(office, firm.id).contact_phone == "138****5678"  # type: ignore[union-attr]
    with pytest.raises(Conflict):
        service.register_sme(me, firm.id, RegistrationIn(sector="manufacturing"))
    with pytest.raises(InvalidInput):
        service.register_sme(me, firm.id, RegistrationIn(sector="astrology"))


def test_natural_person_and_other_subjects_cannot_register(db: Session, ctx: Context, firm: Subject) -> None:
    other = company(ctx, "广州另一家贸易有限公司", 2)
    with pytest.raises(PermissionDenied):
        service.register_sme(sme(db, other), firm.id, RegistrationIn(sector="manufacturing"))
    from webdata import register

    person = register(ctx, kind="natural_person", name="王禾丰", ric="11010519491231002X")
    with pytest.raises(InvalidInput):
        service.register_sme(sme(db, person), person.id, RegistrationIn(sector="other"))
    assert db.scalar(select(LendingRegistration.id)) is None


def test_needs_published_validated_and_withdrawn(db: Session, firm: Subject) -> None:
    me = sme(db, firm)
    with pytest.raises(InvalidInput):  # not registered yet
        service.publish_need(me, firm.id, NeedIn(amount=Decimal(100), term_months=12, purpose="x", loan_type="credit"))
    registered(db, firm)
    need = service.publish_need(
        me, firm.id, NeedIn(amount=Decimal(100), term_months=12, purpose="周转", loan_type="credit")
    )
    assert (need.status, need.valid_until) == ("open", TODAY + timedelta(days=90))
    for data, field in (
        ({"amount": Decimal(0)}, "amount"),
        ({"amount": Decimal("-5")}, "amount"),
        ({"amount": Decimal("1.0000001")}, "amount"),
        ({"term_months": 0}, "term_months"),
        ({"loan_type": "nope"}, "loan_type"),
        ({"valid_until": TODAY - timedelta(days=1)}, "valid_until"),
        ({"valid_until": TODAY + timedelta(days=400)}, "valid_until"),
    ):
        args = {"amount": Decimal(50), "term_months": 6, "purpose": "周转", "loan_type": "credit", **data}
        with pytest.raises(InvalidInput) as refused:
            service.publish_need(me, firm.id, NeedIn.model_validate(args))
        assert refused.value.field == field
    service.withdraw_need(me, need.id)
    assert need.status == "withdrawn" and need.closed_at is not None
    with pytest.raises(Conflict):
        service.withdraw_need(me, need.id)
    assert [s.status for s in queries.needs_of_subject(me, firm.id)] == ["withdrawn"]


# --------------------------------------------------------------------------------------------- authorisation and reads
def test_sme_authorises_only_registered_active_institutions(db: Session, firm: Subject) -> None:
    inst = institution(db)
    me = sme(db, firm)
    with pytest.raises(NotFound):
        service.authorise(me, firm.id, GrantIn(institution_id=inst.id + 999, valid_to=TODAY + timedelta(days=5)))
    with pytest.raises(InvalidInput):  # the authorisations rules still apply: at most a year
        service.authorise(me, firm.id, GrantIn(institution_id=inst.id, valid_to=TODAY + timedelta(days=400)))
    grant = service.authorise(me, firm.id, GrantIn(institution_id=inst.id, valid_to=TODAY + timedelta(days=5)))
    assert (grant.institution, grant.scopes) == (BANK, ["basic", "credit"])
    service.set_institution_active(operator(db), inst.id, False)
    with pytest.raises(InvalidInput):
        service.authorise(me, firm.id, GrantIn(institution_id=inst.id, valid_to=TODAY + timedelta(days=5)))


def test_credit_read_under_live_authorisation(db: Session, firm: Subject) -> None:
    inst = institution(db)
    grant_id = credit_grant(db, firm, inst)
    data = service.read_credit(bank(db), firm.uscc or "")
    assert data.subject.name == firm.name and data.authorisation_id == grant_id
    ids = [s.id for s in data.sections]
    assert {"penalty", "lists_dishonesty", "lists_red", "evaluation"} <= set(ids)
    [event] = events(db, "bank.query")
    assert (event.outcome, event.detail["scope"], event.detail["authorisation_id"]) == ("ok", "credit", grant_id)


def _refused(db: Session, ctx: Context, code: str) -> AuditEvent:
    before = len(events(db, "bank.query"))
    with pytest.raises(PermissionDenied):
        service.read_credit(ctx, code)
    found = events(db, "bank.query")
    assert len(found) == before + 1
    assert found[-1].outcome == "denied"
    return found[-1]


def test_credit_read_refused_and_logged(db: Session, ctx: Context, firm: Subject) -> None:
    code = firm.uscc or ""
    inst = institution(db)
    institution(db, OTHER, uscc(77))
    # never authorised
    assert "授权" in _refused(db, bank(db), code).detail["reason"]
    # a basic-only authorisation does not open the credit data
    service.authorise(
        sme(db, firm), firm.id, GrantIn(institution_id=inst.id, scopes=["basic"], valid_to=TODAY + timedelta(days=5))
    )
    _refused(db, bank(db), code)
    # another institution's authorisation
    grant_id = credit_grant(db, firm, inst, days=3)
    assert service.read_credit(bank(db), code).authorisation_id == grant_id
    _refused(db, bank(db, OTHER), code)
    # an unregistered institution, even with a grant naming it
    _refused(db, bank(db, "未登记的银行"), code)
    # expired: three days later the grant is over
    later = datetime(2026, 12, 1, 2, 0, tzinfo=clock.CHINA_TZ)
    expired = Context(session=db, actor="test:bank", role="bank", institution=BANK, at=later)
    _refused(db, expired, code)
    # revoked
    service.revoke(sme(db, firm), grant_id)
    event = _refused(db, bank(db), code)
    assert event.detail["institution"] == BANK and event.target_id == str(firm.id)
    # a department officer is not a bank
    with pytest.raises(PermissionDenied):
        service.read_credit(Context(session=db, actor="x", role="department_officer", department_id=1), code)


# --------------------------------------------------------------------------------------------- outcomes and matching
def test_outcomes_flag_credit_loans_and_meet_needs(db: Session, firm: Subject) -> None:
    inst = institution(db)
    product = product_of(db, inst)
    need = need_of(db, firm, amount="300")
    me = bank(db)
    part = service.record_outcome(
        me, OutcomeIn(need_id=need.id, approved=True, amount=Decimal(100), rate=Decimal("3.85"), product_id=product.id)
    )
    assert (part.credit_loan, part.loan_type, need.status) == (True, "credit", "open")
    rest = service.record_outcome(
        me, OutcomeIn(need_id=need.id, approved=True, amount=Decimal(200), rate=Decimal("4.1"), loan_type="mortgage")
    )
    assert rest.credit_loan is False and need.status == "met" and need.closed_at is not None
    assert [e.detail["need_met"] for e in events(db, "lending.outcome")] == [False, True]
    with pytest.raises(InvalidInput):  # declined without a reason
        service.record_outcome(me, OutcomeIn(need_id=need.id, approved=False))
    with pytest.raises(InvalidInput):  # approved without an amount
        service.record_outcome(me, OutcomeIn(need_id=need.id, approved=True, rate=Decimal(4), loan_type="credit"))
    declined = service.record_outcome(me, OutcomeIn(uscc=firm.uscc, approved=False, reason="经营年限不足"))
    assert (declined.need_id, declined.amount, declined.credit_loan) == (None, None, False)
    with pytest.raises(PermissionDenied):  # an institution not registered on the platform
        service.record_outcome(bank(db, OTHER), OutcomeIn(need_id=need.id, approved=False, reason="x"))


def test_matching_needs_follow_active_products(db: Session, ctx: Context, firm: Subject) -> None:
    inst = institution(db)  # credit product: ≤ 500 万元, ≤ 36 months
    small = need_of(db, firm, amount="200")
    need_of(db, firm, amount="800")  # too large
    need_of(db, firm, amount="100", loan_type="mortgage")  # no mortgage product
    other = company(ctx, "广州另一家贸易有限公司", 2)
    gone = need_of(db, other, amount="50")
    service.withdraw_need(sme(db, other), gone.id)
    credit_grant(db, firm, inst)
    rows = queries.matching_needs(bank(db))
    assert [(r.id, r.authorised) for r in rows] == [(small.id, True)]
    assert queries.matching_needs(bank(db, OTHER)) == []
    # past its end day (90 days by default) a need no longer matches and reads 已过期 to its SME
    later = Context(session=db, actor="b", role="bank", institution=BANK, at=clock.now() + timedelta(days=91))
    assert queries.matching_needs(later) == []
    own_later = Context(session=db, actor="s", role="subject", subject_id=firm.id, at=clock.now() + timedelta(days=91))
    assert {n.status_label for n in queries.needs_of_subject(own_later, firm.id)} == {"已过期"}
    service.set_product_active(operator(db), product_of(db, inst).id, False)
    assert queries.matching_needs(bank(db)) == []


def test_stats_by_town_sector_and_institution(db: Session, ctx: Context, firm: Subject) -> None:
    inst = institution(db)
    need = need_of(db, firm, amount="100")
    other = company(ctx, "广州另一家贸易有限公司", 2)
    registered(db, other, sector="wholesale_retail")
    service.record_outcome(
        bank(db),
        OutcomeIn(need_id=need.id, approved=True, amount=Decimal(100), rate=Decimal("3.9"), loan_type="credit"),
    )
    office = Context(session=db, actor="test:office", role="credit_office_staff")
    by_town = queries.stats(office, "town")
    [town] = by_town.rows
    assert (town.label, town.registrations, town.needs_posted, town.needs_met) == ("市桥街道", 2, 1, 1)
    assert (town.approved_amount, town.credit_share) == (Decimal(100), 1.0)
    by_sector = {r.key: r for r in queries.stats(office, "sector").rows}
    assert by_sector["manufacturing"].approved == 1 and by_sector["wholesale_retail"].registrations == 1
    [row] = queries.stats(office, "institution").rows
    assert (row.label, row.approved, row.needs_met, row.credit_loans) == (inst.name, 1, 1, 1)
    assert queries.stats(office, "sector").total.registrations == 2
    with pytest.raises(PermissionDenied):
        queries.stats(bank(db), "town")
