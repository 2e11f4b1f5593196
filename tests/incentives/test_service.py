"""Providers and consents (issue #9 item 3): the office registers providers; a natural person issues a consent for
one provider and one scenario (token shown once, stored hashed, expiring), lists and revokes it; bad input refused;
every action audited; provider accounts and tokens must name a registered provider. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from factories import company, uscc
from incentives import incentive_factories as f
from xinyong.auth import accounts, tokens
from xinyong.auth.context import Context
from xinyong.auth.credentials import hash_secret
from xinyong.auth.models import AuditEvent
from xinyong.auth.permissions import PermissionDenied
from xinyong.errors import Conflict, InvalidInput, NotFound
from xinyong.incentives import queries, service
from xinyong.incentives.models import ConsentToken


def _actions(db: Session, prefix: str) -> list[str]:
    return list(
        db.scalars(select(AuditEvent.action).where(AuditEvent.action.like(f"{prefix}%")).order_by(AuditEvent.id))
    )


def test_office_registers_providers(db: Session, ctx: Context) -> None:
    office = Context(session=db, actor="office", role="credit_office_staff")
    p = service.register_provider(office, " 番禺安心租房 ", uscc(11), "rental")
    assert p.name == "番禺安心租房" and p.active and p.registered_by == "office"
    with pytest.raises(Conflict):
        service.register_provider(office, "番禺安心租房", uscc(12), "rental")
    with pytest.raises(InvalidInput) as bad_code:
        service.register_provider(office, "另一家", "91440113XXXXXXXXXX", "rental")
    assert bad_code.value.field == "uscc"
    with pytest.raises(InvalidInput) as bad_kind:
        service.register_provider(office, "图书馆", uscc(13), "library")
    assert bad_kind.value.field == "kind"
    with pytest.raises(PermissionDenied):
        service.register_provider(Context(session=db, actor="r", role="regulator"), "某医院", uscc(14), "hospital")
    listed = queries.providers(office)
    assert [x.name for x in listed] == ["番禺安心租房"] and listed[0].scenarios == ["rental_deposit_waiver"]
    service.set_provider_active(office, p.id, False)
    assert not p.active
    assert _actions(db, "incentives.provider") == ["incentives.provider.register", "incentives.provider.deactivate"]


def test_person_issues_lists_and_revokes_a_consent(db: Session, ctx: Context) -> None:
    rental = f.provider(db)
    someone = f.person(ctx)
    me = f.person_ctx(db, someone)
    raw, consent = service.issue_consent(me, rental.id, "rental_deposit_waiver")
    assert raw.startswith("XYC-") and len(raw) == 27
    assert consent.token_hash == hash_secret("XYC" + raw[4:].replace("-", "")) and raw not in consent.token_hash
    assert consent.expires_at - consent.issued_at == timedelta(days=14)  # the scenario's default
    assert service.token_hash(raw.lower().replace("-", " ")) == consent.token_hash  # read out, typed loosely
    _, longer = service.issue_consent(me, rental.id, "rental_deposit_waiver", days=60)
    assert longer.expires_at - longer.issued_at == timedelta(days=60)
    mine = queries.my_consents(me)
    assert [c.id for c in mine] == [longer.id, consent.id] and all(c.status == "active" for c in mine)
    assert mine[1].provider == f.RENTAL and mine[1].scenario_name.startswith("信用+租赁")
    service.revoke_consent(me, consent.id)
    assert queries.my_consents(me)[1].status == "revoked"
    with pytest.raises(Conflict):
        service.revoke_consent(me, consent.id)
    other = f.person_ctx(db, f.person(ctx, 2, "李另一"))
    with pytest.raises(NotFound):
        service.revoke_consent(other, longer.id)
    assert queries.my_consents(other) == []
    assert _actions(db, "incentives.consent") == ["incentives.consent.issue"] * 2 + ["incentives.consent.revoke"]
    detail = db.scalars(select(AuditEvent.detail).where(AuditEvent.action == "incentives.consent.issue")).first()
    assert raw not in str(detail) and detail["provider"] == f.RENTAL


def test_consent_bad_input(db: Session, ctx: Context) -> None:
    rental = f.provider(db)
    hospital = f.provider(db, f.HOSPITAL, "hospital", 7002)
    me = f.person_ctx(db, f.person(ctx))
    with pytest.raises(InvalidInput) as unknown:
        service.issue_consent(me, rental.id, "library_loans")
    assert unknown.value.field == "scenario"
    with pytest.raises(InvalidInput) as wrong_kind:
        service.issue_consent(me, hospital.id, "rental_deposit_waiver")
    assert wrong_kind.value.field == "scenario"
    with pytest.raises(InvalidInput) as too_long:
        service.issue_consent(me, rental.id, "rental_deposit_waiver", days=366)
    assert too_long.value.field == "days"
    with pytest.raises(InvalidInput):
        service.issue_consent(me, 999_999, "rental_deposit_waiver")
    service.set_provider_active(f.system(db), rental.id, False)
    with pytest.raises(InvalidInput):
        service.issue_consent(me, rental.id, "rental_deposit_waiver")
    firm = company(ctx, "广州某公司", 8801)
    with pytest.raises(InvalidInput, match="自然人"):
        service.issue_consent(f.person_ctx(db, firm), hospital.id, "medical_deposit_free")
    with pytest.raises(PermissionDenied):
        service.issue_consent(
            Context(session=db, actor="o", role="credit_office_admin"), hospital.id, "medical_deposit_free"
        )
    assert db.scalar(select(func.count()).select_from(ConsentToken)) == 0


def test_provider_accounts_and_tokens_must_name_a_registered_provider(db: Session, ctx: Context) -> None:
    admin = Context(session=db, actor="admin", role="credit_office_admin")
    with pytest.raises(InvalidInput) as missing:
        accounts.create_account(admin, "rent_desk", "前台", "Xinyong-admin-2026", "provider")
    assert missing.value.field == "institution"
    with pytest.raises(InvalidInput, match="尚未登记"):
        accounts.create_account(admin, "rent_desk", "前台", "Xinyong-admin-2026", "provider", institution=f.RENTAL)
    with pytest.raises(InvalidInput, match="尚未登记"):
        tokens.create_token(
            admin,
            "租房系统",
            "provider",
            institution=f.RENTAL,
            scopes=["incentives.check"],
            expires_on=admin.today + timedelta(days=30),
        )
    f.provider(db)
    account = accounts.create_account(
        admin, "rent_desk", "前台", "Xinyong-admin-2026", "provider", institution=f.RENTAL
    )
    assert account.institution == f.RENTAL
    _, token = tokens.create_token(
        admin,
        "租房系统",
        "provider",
        institution=f.RENTAL,
        scopes=["incentives.check"],
        expires_on=admin.today + timedelta(days=30),
    )
    assert token.institution == f.RENTAL and token.role == "provider"
    with pytest.raises(InvalidInput):
        tokens.create_token(
            admin,
            "越权",
            "provider",
            institution=f.RENTAL,
            scopes=["lending.manage"],
            expires_on=admin.today + timedelta(days=30),
        )
    with pytest.raises(InvalidInput, match="机构名称"):
        accounts.create_account(admin, "reg_x", "监管", "Xinyong-admin-2026", "regulator", institution=f.RENTAL)
    # banks are unchanged: any institution name
    bank = accounts.create_account(admin, "bank_x", "银行", "Xinyong-admin-2026", "bank", institution="某银行")
    assert bank.institution == "某银行"
