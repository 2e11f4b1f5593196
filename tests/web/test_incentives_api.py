"""``/api/v1/incentives`` (issue #9 item 3): the public catalogue; the office registers a provider (its token then
names it); a person issues a consent (token in that answer only), lists and revokes it; the provider's token asks
eligibility and gets ``{"eligible": ...}`` only; refusals are 403 and recorded; the rate limit answers 429;
statistics for the office. SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from principals import add_account, issue_token, login_headers, token_headers
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from factories import uscc
from incentives import incentive_factories as f
from xinyong.auth.context import Context
from xinyong.incentives.models import EligibilityCheck
from xinyong.web import middleware

SCENARIO = "rental_deposit_waiver"


def _office(db: Session) -> dict[str, str]:
    return login_headers(db, add_account(db, "inc_office", "credit_office_staff"))


def test_public_catalogue(api: TestClient) -> None:
    answer = api.get("/api/v1/incentives/scenarios")
    assert answer.status_code == 200
    scenarios = {s["code"]: s for s in answer.json()["scenarios"]}
    assert {s["category"] for s in scenarios.values()} >= {"医疗", "交通", "家政", "租赁", "旅游"}
    assert scenarios[SCENARIO]["bands"] == ["excellent", "very_good"]
    assert scenarios[SCENARIO]["band_labels"] == ["信用极好", "信用优秀"] and scenarios[SCENARIO]["consent_days"] == 14


def test_provider_consent_and_eligibility(api: TestClient, db: Session, ctx: Context) -> None:
    office = _office(db)
    body = {"name": f.RENTAL, "uscc": uscc(7001), "kind": "rental"}
    created = api.post("/api/v1/incentives/providers", json=body, headers=office)
    assert created.status_code == 201 and created.json()["scenarios"] == [SCENARIO]
    assert api.post("/api/v1/incentives/providers", json=body, headers=office).status_code == 409
    bad = api.post("/api/v1/incentives/providers", json={**body, "name": "x", "kind": "library"}, headers=office)
    assert bad.status_code == 422 and bad.json()["field"] == "kind"
    provider_id = created.json()["id"]
    someone = f.person(ctx)
    f.give_band(db, someone, "very_good")
    me = login_headers(db, add_account(db, "inc_person", "subject", subject_id=someone.id))

    choices = api.get("/api/v1/incentives/consent-providers", headers=me).json()
    assert choices == [{"id": provider_id, "name": f.RENTAL, "kind": "rental", "scenarios": [SCENARIO]}]
    issued = api.post(
        "/api/v1/incentives/consents", json={"provider_id": provider_id, "scenario": SCENARIO}, headers=me
    )
    assert issued.status_code == 201
    raw = issued.json()["token"]
    assert issued.json()["info"]["status"] == "active" and issued.json()["info"]["provider"] == f.RENTAL
    listed = api.get("/api/v1/incentives/consents", headers=me).json()
    assert len(listed) == 1 and raw not in str(listed) and "token" not in listed[0]

    provider = token_headers(issue_token(db, "provider", institution=f.RENTAL))
    answer = api.post("/api/v1/incentives/eligibility", json={"token": raw, "scenario": SCENARIO}, headers=provider)
    assert answer.status_code == 200 and answer.json() == {"eligible": True}
    unknown = api.post(
        "/api/v1/incentives/eligibility",
        json={"token": "XYC-AAAAA-BBBBB-CCCCC-DDDDD", "scenario": SCENARIO},
        headers=provider,
    )
    assert unknown.status_code == 403 and unknown.json()["error"] == "refused"
    extra = api.post(
        "/api/v1/incentives/eligibility", json={"token": raw, "scenario": SCENARIO, "subject_id": 1}, headers=provider
    )
    assert extra.status_code == 422  # nothing but the token and the scenario is accepted

    revoked = api.post(f"/api/v1/incentives/consents/{listed[0]['id']}/revoke", headers=me)
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
    after = api.post("/api/v1/incentives/eligibility", json={"token": raw, "scenario": SCENARIO}, headers=provider)
    assert after.status_code == 403
    outcomes = list(db.scalars(select(EligibilityCheck.reason).order_by(EligibilityCheck.id)))
    assert outcomes == ["", "token_unknown", "token_revoked"]  # refusals are committed, not rolled back

    stats = api.get("/api/v1/incentives/stats", headers=office).json()
    rental = next(t for t in stats["scenarios"] if t["scenario"] == SCENARIO)
    assert (rental["checks"], rental["eligible"], rental["refused"]) == (3, 1, 2)
    assert api.get("/api/v1/incentives/stats", headers=provider).status_code == 403
    suspended = api.post(f"/api/v1/incentives/providers/{provider_id}/active", json={"active": False}, headers=office)
    assert suspended.status_code == 200 and suspended.json()["active"] is False


def test_a_provider_token_for_an_unregistered_provider_is_refused(api: TestClient, db: Session) -> None:
    admin = login_headers(db, add_account(db, "inc_admin", "credit_office_admin"))
    body = {
        "name": "租房系统",
        "role": "provider",
        "institution": "未登记公司",
        "scopes": ["incentives.check"],
        "expires_on": "2027-01-01",
    }
    refused = api.post("/api/v1/tokens", json=body, headers=admin)
    assert refused.status_code == 422 and refused.json()["field"] == "institution"
    f.provider(db)
    created = api.post("/api/v1/tokens", json={**body, "institution": f.RENTAL}, headers=admin)
    assert created.status_code == 201 and created.json()["info"]["role"] == "provider"


def test_eligibility_rate_limit_per_provider_credential(
    api: TestClient, db: Session, ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(middleware, "_per_minute", lambda bucket: 3 if bucket == middleware.ELIGIBILITY_BUCKET else 60)
    f.provider(db)
    first = token_headers(issue_token(db, "provider", institution=f.RENTAL))
    second = token_headers(issue_token(db, "provider", institution=f.RENTAL))
    body = {"token": "XYC-AAAAA-BBBBB-CCCCC-DDDDD", "scenario": SCENARIO}
    codes = [api.post("/api/v1/incentives/eligibility", json=body, headers=first).status_code for _ in range(4)]
    assert codes == [403, 403, 403, 429]
    limited = api.post("/api/v1/incentives/eligibility", json=body, headers=first)
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1
    assert api.post("/api/v1/incentives/eligibility", json=body, headers=second).status_code == 403  # its own bucket
    assert db.scalar(select(func.count()).select_from(EligibilityCheck)) == 4  # throttled questions never reach it
    assert middleware.classify("POST", "/api/v1/incentives/eligibility") == middleware.ELIGIBILITY_BUCKET
    assert middleware.classify("GET", "/api/v1/incentives/scenarios") is None
    assert middleware.classify("POST", "/login") == middleware.LOGIN_BUCKET
