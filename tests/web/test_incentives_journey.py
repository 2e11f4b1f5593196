"""The issue's "done when" for the honesty incentives, tried as new users would: the credit office scores the
natural persons and registers two rental providers; a citizen logs in with a password and sees their band on
/my/score, issues a consent for one rental provider on /my/consents (the token shown once); that provider's system
asks eligibility with its API token and gets ``{"eligible": true}`` and nothing else; the other provider presenting
the same token is refused, and the refusal is in the eligibility log and the audit log; the office's statistics
count both. SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import date
from html import unescape

import pytest
from principals import PASSWORD, form_token, https_client, issue_token, log_in, token_headers
from sqlalchemy import select
from sqlalchemy.orm import Session

from factories import uscc
from incentives.scoring_setup import build
from xinyong.auth import accounts
from xinyong.auth.context import Context
from xinyong.auth.models import AuditEvent
from xinyong.incentives import queries, scoring, service
from xinyong.incentives.models import EligibilityCheck
from xinyong.incentives.score_queries import current_score
from xinyong.subjects.models import Department

pytestmark = pytest.mark.usefixtures("fast_hasher")
RENTAL = "番禺安心租房服务有限公司"
OTHER = "番禺另一家租房公司"
SCENARIO = "rental_deposit_waiver"
TOKEN = re.compile(r"XYC(?:-[A-Z2-9]{5}){4}")


def test_citizen_consents_and_only_the_rental_provider_learns_eligible(
    db: Session, ctx: Context, departments: tuple[Department, Department]
) -> None:
    people = build(ctx, departments)
    citizen = people["kept"]  # 700 points: 信用优秀 (very_good) under the honesty model
    office = Context(session=db, actor="office", role="credit_office_admin")
    scoring.run(office, date(2026, 11, 27))
    ours = service.register_provider(office, RENTAL, uscc(7001), "rental")
    service.register_provider(office, OTHER, uscc(7002), "rental")
    accounts.create_account(
        office, "chen_shouxin", "陈守信", PASSWORD, "subject", subject_id=citizen.id, must_change_password=False
    )
    ours_token = token_headers(issue_token(db, "provider", institution=RENTAL, scopes=["incentives.check"]))
    other_token = token_headers(issue_token(db, "provider", institution=OTHER, scopes=["incentives.check"]))
    db.commit()

    browser = https_client(db)
    assert log_in(browser, "chen_shouxin", PASSWORD).status_code == 303
    score_page = unescape(browser.get("/my/score").text)
    band = current_score(db, citizen.id)
    assert band is not None and band.band == "very_good" and "信用优秀" in score_page

    consents = browser.get("/my/consents")
    assert "信用优秀" in unescape(consents.text) and "信用+租赁" in unescape(consents.text)
    issued = browser.post(
        "/my/consents",
        data={"csrf_token": form_token(consents.text), "choice": f"{ours.id}:{SCENARIO}", "days": "30"},
    )
    assert issued.status_code == 201
    (raw,) = TOKEN.findall(issued.text)
    assert not TOKEN.findall(browser.get("/my/consents").text)  # shown once

    machine = https_client(db)
    answer = machine.post(
        "/api/v1/incentives/eligibility", json={"token": raw, "scenario": SCENARIO}, headers=ours_token
    )
    assert answer.status_code == 200
    assert answer.json() == {"eligible": True} and set(answer.json()) == {"eligible"}
    assert "陈" not in answer.text and "700" not in answer.text and "very_good" not in answer.text

    reused = machine.post(
        "/api/v1/incentives/eligibility", json={"token": raw, "scenario": SCENARIO}, headers=other_token
    )
    assert reused.status_code == 403 and set(reused.json()) == {"error", "message", "field"}
    assert "eligible" not in reused.json()
    logged = db.scalars(select(EligibilityCheck).order_by(EligibilityCheck.id)).all()
    assert [(c.outcome, c.reason) for c in logged] == [("eligible", ""), ("refused", "token_other_provider")]
    event = db.scalars(
        select(AuditEvent).where(AuditEvent.action == "incentives.eligibility").order_by(AuditEvent.id.desc())
    ).first()
    assert event is not None and event.outcome == "denied" and event.detail["provider"] == OTHER

    staff = Context(session=db, actor="office", role="credit_office_staff")
    totals = next(t for t in queries.usage_stats(staff).scenarios if t.scenario == SCENARIO)
    assert (totals.checks, totals.eligible, totals.refused) == (2, 1, 1)
