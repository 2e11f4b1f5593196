"""A bank reads a subject only under the subject's valid authorisation, and every query, refused ones
included, leaves an audit event that survives the failed request (on SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from principals import BANK, add_account, issue_token, login_headers, savepoint_client, token_headers
from sqlalchemy import select
from sqlalchemy.orm import Session
from webdata import HEFENG_USCC, SHOP_USCC, Registry

from xinyong import clock
from xinyong.auth.models import Account, AuditEvent, BankAuthorisation


@pytest.fixture
def bank(db: Session) -> dict[str, str]:
    """A bank's API token for ``BANK``."""
    return token_headers(issue_token(db, "bank", institution=BANK, scopes=["bank.query"]))


def owner(db: Session, subject_id: int) -> dict[str, str]:
    """A fresh login of the subject's own account (created on first use)."""
    name = f"owner{subject_id}"
    account = db.scalars(select(Account).where(Account.username == name)).first()
    return login_headers(db, account or add_account(db, name, "subject", subject_id=subject_id))


def authorise(api: TestClient, db: Session, subject_id: int, days: int = 90, **overrides: object) -> dict:
    today = clock.today()
    body = {
        "institution": BANK,
        "purpose": "信易贷贷款审批",
        "scopes": ["basic"],
        "valid_from": today.isoformat(),
        "valid_to": (today + timedelta(days=days)).isoformat(),
        **overrides,
    }
    r = api.post(f"/api/v1/subjects/{subject_id}/authorisations", json=body, headers=owner(db, subject_id))
    assert r.status_code == 201, r.text
    return r.json()


def queries(db: Session) -> list[tuple[str, str]]:
    stmt = select(AuditEvent.outcome, AuditEvent.target_id).where(AuditEvent.action == "bank.query")
    return [tuple(row) for row in db.execute(stmt.order_by(AuditEvent.id))]  # type: ignore[misc]


def test_without_authorisation_403_and_the_refusal_is_audited(
    api: TestClient, db: Session, registry: Registry, bank: dict[str, str]
) -> None:
    r = api.get(f"/api/v1/bank/subjects/{HEFENG_USCC}", headers=bank)
    assert r.status_code == 403 and r.json()["error"] == "forbidden"
    assert "授权" in r.json()["message"]
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "bank.query").order_by(AuditEvent.id)).one()
    assert (event.outcome, event.target_id, event.role) == ("denied", str(registry.hefeng.id), "bank")
    assert event.actor.startswith("token:") and event.detail["institution"] == BANK


def test_the_refusal_survives_the_rollback_of_the_failed_request(
    db: Session, registry: Registry, bank: dict[str, str]
) -> None:
    """Without the route's commit the request's savepoint would roll the event back, as production would."""
    with savepoint_client(db, keep=False) as c:  # even success is rolled back
        assert c.get(f"/api/v1/bank/subjects/{HEFENG_USCC}", headers=bank).status_code == 403
        assert c.get("/api/v1/bank/subjects/123", headers=bank).status_code == 422
    assert queries(db) == [("denied", str(registry.hefeng.id)), ("invalid", "123")]


def test_with_authorisation_200_then_revoked_403(
    api: TestClient, db: Session, registry: Registry, bank: dict[str, str]
) -> None:
    grant = authorise(api, db, registry.hefeng.id)
    assert grant["institution"] == BANK and grant["scopes"] == ["basic"]
    r = api.get(f"/api/v1/bank/subjects/{HEFENG_USCC.lower()}", headers=bank)
    assert r.status_code == 200, r.text
    assert r.json()["id"] == registry.hefeng.id and r.json()["uscc"] == HEFENG_USCC
    listed = api.get(f"/api/v1/subjects/{registry.hefeng.id}/authorisations", headers=owner(db, registry.hefeng.id))
    assert [g["id"] for g in listed.json()] == [grant["id"]]
    revoke = api.post(f"/api/v1/authorisations/{grant['id']}/revoke", headers=owner(db, registry.hefeng.id))
    assert revoke.status_code == 200 and revoke.json()["revoked_at"]
    assert api.get(f"/api/v1/bank/subjects/{HEFENG_USCC}", headers=bank).status_code == 403
    ok_event = db.scalars(
        select(AuditEvent).where(AuditEvent.action == "bank.query", AuditEvent.outcome == "ok").order_by(AuditEvent.id)
    ).one()
    assert ok_event.detail["authorisation_id"] == grant["id"]
    assert queries(db) == [("ok", str(registry.hefeng.id)), ("denied", str(registry.hefeng.id))]


def test_after_expiry_403(api: TestClient, db: Session, registry: Registry, bank: dict[str, str]) -> None:
    grant = authorise(api, db, registry.hefeng.id, days=3)
    last_day = clock.now() + timedelta(days=3)
    clock.set_clock(lambda: last_day)
    assert api.get(f"/api/v1/bank/subjects/{HEFENG_USCC}", headers=bank).status_code == 200
    clock.set_clock(lambda: last_day + timedelta(days=1))
    assert api.get(f"/api/v1/bank/subjects/{HEFENG_USCC}", headers=bank).status_code == 403
    assert db.get(BankAuthorisation, grant["id"]) is not None


def test_other_institutions_and_roles_are_refused(api: TestClient, db: Session, registry: Registry) -> None:
    authorise(api, db, registry.hefeng.id)
    url = f"/api/v1/bank/subjects/{HEFENG_USCC}"
    other_bank = token_headers(issue_token(db, "bank", institution="另一家银行", scopes=["bank.query"]))
    assert api.get(url, headers=other_bank).status_code == 403
    no_scope = token_headers(issue_token(db, "bank", institution=BANK, scopes=["subjects.search_public"]))
    assert api.get(url, headers=no_scope).status_code == 403
    staff = login_headers(db, add_account(db, "staff", "credit_office_staff"))
    assert api.get(url, headers=staff).status_code == 403
    bank_officer = login_headers(db, add_account(db, "officer", "bank", institution=BANK))
    assert api.get(url, headers=bank_officer).status_code == 200
    assert api.get(url).status_code == 401
    assert api.get(url, headers={"Authorization": "Bearer xy_0_forged"}).status_code == 401
    outcomes = [o for o, _ in queries(db)]
    assert outcomes == ["denied", "denied", "denied", "ok"]  # anonymous and forged calls are not a bank's query


def test_not_found_and_malformed_codes_are_audited(
    api: TestClient, db: Session, registry: Registry, bank: dict[str, str]
) -> None:
    from factories import uscc

    missing = uscc(999)
    assert api.get(f"/api/v1/bank/subjects/{missing}", headers=bank).status_code == 404
    assert api.get("/api/v1/bank/subjects/" + "X" * 70, headers=bank).status_code == 422
    assert queries(db) == [("not_found", missing), ("invalid", "(过长)")]


def test_bank_sees_the_operator_of_an_individual_business_it_was_authorised_by(
    api: TestClient, db: Session, registry: Registry, bank: dict[str, str]
) -> None:
    public = api.get(f"/api/v1/subjects/{SHOP_USCC}").json()
    assert public["legal_representative"] == "李**"
    authorise(api, db, registry.shop.id)
    r = api.get(f"/api/v1/bank/subjects/{SHOP_USCC}", headers=bank)
    assert r.status_code == 200 and r.json()["legal_representative"] == "李小禾"


def test_authorisation_api_validation(api: TestClient, db: Session, registry: Registry) -> None:
    me = owner(db, registry.hefeng.id)
    today = clock.today()
    base = {"institution": BANK, "purpose": "贷款", "scopes": ["basic"], "valid_from": today.isoformat()}
    url = f"/api/v1/subjects/{registry.hefeng.id}/authorisations"
    too_long = {**base, "valid_to": (today + timedelta(days=366)).isoformat()}
    r = api.post(url, json=too_long, headers=me)
    assert r.status_code == 422 and r.json()["field"] == "valid_to"
    r = api.post(url, json={**base, "valid_to": today.isoformat(), "scopes": ["all"]}, headers=me)
    assert r.status_code == 422 and r.json()["field"] == "scopes"
    other = f"/api/v1/subjects/{registry.shop.id}/authorisations"
    assert api.post(other, json={**base, "valid_to": today.isoformat()}, headers=me).status_code == 403
    assert api.get(other, headers=me).status_code == 403
    assert (
        api.post(url, json={**base, "valid_to": today.isoformat()}, headers={"Cookie": me["Cookie"]}).status_code == 403
    )
    assert api.post("/api/v1/authorisations/999999/revoke", headers=me).status_code == 404
    assert api.get("/api/v1/subjects/999999/authorisations", headers=me).status_code == 403  # not its own
