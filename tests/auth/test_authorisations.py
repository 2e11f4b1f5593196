"""Bank authorisations (rules.md §10): given by the subject, scoped, time-limited, revocable; bank queries
succeed only under a valid one and every query is audited."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from factories import company, uscc
from xinyong.auth import authorisations as authz
from xinyong.auth.context import Context
from xinyong.auth.models import AuditEvent, BankAuthorisation
from xinyong.auth.permissions import PermissionDenied
from xinyong.errors import Conflict, InvalidInput, NotFound
from xinyong.subjects.models import Subject

TODAY = date(2026, 11, 27)
BANK = "广州农商银行番禺支行"


@pytest.fixture
def firm(ctx: Context) -> Subject:
    return company(ctx, "广州禾丰食品有限公司", 1)


@pytest.fixture
def other(ctx: Context) -> Subject:
    return company(ctx, "广州另一家贸易有限公司", 2)


def as_role(db: Session, role: str, **scope: object) -> Context:
    return Context(session=db, actor=f"test:{role}", role=role, **scope)  # type: ignore[arg-type]


def grant(ctx: Context, subject: Subject, **overrides: object) -> BankAuthorisation:
    args: dict[str, object] = {
        "institution": BANK,
        "purpose": "信易贷贷款审批",
        "scopes": ["basic"],
        "valid_from": TODAY,
        "valid_to": TODAY + timedelta(days=90),
    }
    args.update(overrides)
    return authz.grant_authorisation(ctx, subject.id, **args)  # type: ignore[arg-type]


def events(db: Session, action: str) -> list[AuditEvent]:
    return list(db.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def test_subject_grants_for_itself_only(db: Session, firm: Subject, other: Subject) -> None:
    me = as_role(db, "subject", subject_id=firm.id)
    g = grant(me, firm)
    assert (g.subject_id, g.institution, g.scopes, g.granted_by) == (firm.id, BANK, ["basic"], "test:subject")
    with pytest.raises(PermissionDenied):
        grant(me, other)
    [event] = events(db, "authorisations.grant")
    assert event.target_id == str(g.id) and event.detail["institution"] == BANK


def test_credit_office_records_paper_authorisations_others_cannot(db: Session, firm: Subject) -> None:
    grant(as_role(db, "credit_office_staff"), firm)
    grant(as_role(db, "credit_office_admin"), firm)
    for role in ("department_officer", "regulator", "bank", "auditor", "public"):
        with pytest.raises(PermissionDenied):
            grant(as_role(db, role, institution=BANK, department_id=1), firm)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"institution": " "}, "institution"),
        ({"institution": "银行\x00"}, "institution"),
        ({"purpose": ""}, "purpose"),
        ({"scopes": []}, "scopes"),
        ({"scopes": ["everything"]}, "scopes"),
        ({"valid_from": TODAY - timedelta(days=1)}, "valid_from"),
        ({"valid_to": TODAY - timedelta(days=1)}, "valid_to"),
        ({"valid_to": TODAY + authz.MAX_VALIDITY + timedelta(days=1)}, "valid_to"),
        ({"valid_from": date(9999, 12, 1), "valid_to": date(9999, 12, 31)}, None),  # far future is fine
        ({"valid_from": date(1, 1, 1), "valid_to": date(9999, 12, 31)}, "valid_from"),
    ],
)
def test_grant_validation(db: Session, firm: Subject, overrides: dict[str, object], field: str | None) -> None:
    staff = as_role(db, "credit_office_staff")
    if field is None:
        grant(staff, firm, **overrides)
        return
    with pytest.raises(InvalidInput) as err:
        grant(staff, firm, **overrides)
    assert err.value.field == field


def test_validity_is_at_most_one_year(db: Session, firm: Subject) -> None:
    g = grant(as_role(db, "credit_office_staff"), firm, valid_to=TODAY + authz.MAX_VALIDITY)
    assert (g.valid_to - g.valid_from).days == 365


def test_unknown_subject(db: Session) -> None:
    staff = as_role(db, "credit_office_staff")
    for subject_id in (999_999, 2**70, 0):
        with pytest.raises(NotFound):
            authz.grant_authorisation(staff, subject_id, BANK, "x", ["basic"], TODAY, TODAY)
        with pytest.raises(NotFound):
            authz.list_authorisations(staff, subject_id)
        with pytest.raises(NotFound):
            authz.revoke_authorisation(staff, subject_id)


def test_valid_authorisation_window_scope_institution_revocation(db: Session, firm: Subject) -> None:
    staff = as_role(db, "credit_office_staff")
    g = grant(staff, firm, valid_from=TODAY + timedelta(days=1), valid_to=TODAY + timedelta(days=10))

    def check(on: date, institution: str = BANK, scope: str = "basic") -> BankAuthorisation | None:
        return authz.valid_authorisation(db, firm.id, institution, on, scope)

    assert check(TODAY) is None  # not yet
    assert check(TODAY + timedelta(days=1)) is g
    assert check(TODAY + timedelta(days=10)) is g  # the last day counts
    assert check(TODAY + timedelta(days=11)) is None  # expired
    assert check(TODAY + timedelta(days=5), institution="另一家银行") is None
    assert check(TODAY + timedelta(days=5), scope="records") is None
    authz.revoke_authorisation(staff, g.id)
    assert check(TODAY + timedelta(days=5)) is None


def test_revoke_and_list_are_the_subjects_own(db: Session, firm: Subject, other: Subject) -> None:
    me = as_role(db, "subject", subject_id=firm.id)
    stranger = as_role(db, "subject", subject_id=other.id)
    g = grant(me, firm)
    assert [a.id for a in authz.list_authorisations(me, firm.id)] == [g.id]
    with pytest.raises(PermissionDenied):
        authz.list_authorisations(stranger, firm.id)
    with pytest.raises(PermissionDenied):
        authz.revoke_authorisation(stranger, g.id)
    for role in ("bank", "department_officer", "regulator", "auditor", "public"):
        with pytest.raises(PermissionDenied):
            authz.list_authorisations(as_role(db, role, institution=BANK), firm.id)
        with pytest.raises(PermissionDenied):
            authz.revoke_authorisation(as_role(db, role, institution=BANK), g.id)
    revoked = authz.revoke_authorisation(me, g.id)
    assert revoked.revoked_at is not None
    with pytest.raises(Conflict):
        authz.revoke_authorisation(me, g.id)
    assert [a.revoked_at is not None for a in authz.list_authorisations(me, firm.id)] == [True]
    assert [e.target_id for e in events(db, "authorisations.revoke")] == [str(g.id)]


def test_bank_query_needs_a_valid_authorisation_and_is_always_audited(db: Session, firm: Subject) -> None:
    bank = as_role(db, "bank", institution=BANK)
    with pytest.raises(PermissionDenied):
        authz.bank_query_subject(bank, firm.uscc or "")
    g = grant(as_role(db, "subject", subject_id=firm.id), firm)
    out = authz.bank_query_subject(bank, (firm.uscc or "").lower())
    assert out.id == firm.id
    other_bank = as_role(db, "bank", institution="另一家银行")
    with pytest.raises(PermissionDenied):
        authz.bank_query_subject(other_bank, firm.uscc or "")
    with pytest.raises(NotFound):
        authz.bank_query_subject(bank, uscc(77))
    with pytest.raises(InvalidInput):
        authz.bank_query_subject(bank, "123")
    with pytest.raises(PermissionDenied):
        authz.bank_query_subject(as_role(db, "credit_office_staff"), firm.uscc or "")
    with pytest.raises(PermissionDenied):
        authz.bank_query_subject(as_role(db, "bank"), firm.uscc or "")  # no institution bound
    authz.revoke_authorisation(as_role(db, "subject", subject_id=firm.id), g.id)
    with pytest.raises(PermissionDenied):
        authz.bank_query_subject(bank, firm.uscc or "")
    log = [(e.outcome, e.target_id, e.detail.get("institution")) for e in events(db, "bank.query")]
    assert log == [
        ("denied", str(firm.id), BANK),
        ("ok", str(firm.id), BANK),
        ("denied", str(firm.id), "另一家银行"),
        ("not_found", uscc(77), BANK),
        ("invalid", "123", BANK),
        ("denied", firm.uscc, None),
        ("denied", firm.uscc, None),
        ("denied", str(firm.id), BANK),
    ]
    ok = events(db, "bank.query")[1]
    assert ok.detail["authorisation_id"] == g.id and ok.detail["uscc"] == firm.uscc


def test_bank_query_after_expiry(db: Session, firm: Subject) -> None:
    grant(as_role(db, "credit_office_staff"), firm, valid_to=TODAY + timedelta(days=2))
    from datetime import datetime

    from xinyong import clock

    at = datetime.combine(TODAY + timedelta(days=3), datetime.min.time(), tzinfo=clock.CHINA_TZ)
    later = Context(session=db, actor="bank", role="bank", institution=BANK, at=at)
    with pytest.raises(PermissionDenied):
        authz.bank_query_subject(later, firm.uscc or "")
    on_last_day = Context(session=db, actor="bank", role="bank", institution=BANK, at=at - timedelta(seconds=1))
    assert authz.bank_query_subject(on_last_day, firm.uscc or "").id == firm.id
