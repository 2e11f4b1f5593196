"""The eligibility check (issue #9 item 3): a provider presenting a person's consent token learns only eligible /
not eligible; every question (refusals included) leaves one eligibility_check row and one audit event; reuse by
another provider, unknown / expired / revoked tokens, a scenario the provider does not serve or the token does not
cover, an inactive or unregistered provider are refused; usage statistics count them. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from incentives import incentive_factories as f
from xinyong import clock
from xinyong.auth.context import Context
from xinyong.auth.models import AuditEvent
from xinyong.auth.permissions import PermissionDenied
from xinyong.incentives import queries, service
from xinyong.incentives.models import ConsentToken, EligibilityCheck, PersonalScore, PersonalScoreRun
from xinyong.incentives.score_queries import current_score

SCENARIO = "rental_deposit_waiver"


def _last_check(db: Session) -> EligibilityCheck:
    return db.scalars(select(EligibilityCheck).order_by(EligibilityCheck.id.desc())).first()  # type: ignore[return-value]


def test_eligible_and_not_eligible(db: Session, ctx: Context) -> None:
    rental = f.provider(db)
    good, poor, unscored = f.person(ctx, 1), f.person(ctx, 2, "王一般"), f.person(ctx, 3, "赵未评")
    f.give_band(db, good, "very_good")
    f.give_band(db, poor, "good")  # 良好: qualifies for tourism, not for rental deposits
    tokens = {
        who: service.issue_consent(f.person_ctx(db, s), rental.id, SCENARIO)
        for who, s in (("good", good), ("poor", poor), ("unscored", unscored))
    }
    asker = f.provider_ctx(db)
    answers = {who: service.check_eligibility(asker, raw, SCENARIO) for who, (raw, _) in tokens.items()}
    assert {who: a.outcome for who, a in answers.items()} == {
        "good": "eligible",
        "poor": "not_eligible",
        "unscored": "not_eligible",
    }
    assert answers["good"].eligible and not answers["poor"].eligible
    row = _last_check(db)
    assert (row.outcome, row.reason, row.subject_id, row.provider_id) == ("not_eligible", "", unscored.id, rental.id)
    db.expire_all()
    assert db.get(ConsentToken, tokens["good"][1].id).uses == 1  # type: ignore[union-attr]
    events = list(db.scalars(select(AuditEvent).where(AuditEvent.action == "incentives.eligibility")))
    assert len(events) == 3 and {e.outcome for e in events} == {"ok"}
    assert all("band" not in e.detail and "score" not in e.detail for e in events)


def test_reuse_by_another_provider_is_refused_and_logged(db: Session, ctx: Context) -> None:
    rental = f.provider(db)
    other = f.provider(db, "番禺另一家租房公司", "rental", 7003)
    someone = f.person(ctx)
    f.give_band(db, someone, "excellent")
    raw, consent = service.issue_consent(f.person_ctx(db, someone), rental.id, SCENARIO)
    answer = service.check_eligibility(f.provider_ctx(db, other.name), raw, SCENARIO)
    assert answer.refused and answer.reason == "token_other_provider" and not answer.eligible
    row = _last_check(db)
    assert (row.outcome, row.reason, row.provider_id, row.consent_id) == (
        "refused",
        "token_other_provider",
        other.id,
        consent.id,
    )
    event = db.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert event is not None and event.outcome == "denied" and event.detail["reason"] == "token_other_provider"
    db.expire_all()
    assert db.get(ConsentToken, consent.id).uses == 0  # type: ignore[union-attr]
    assert service.check_eligibility(f.provider_ctx(db), raw, SCENARIO).eligible  # the right provider still can


def test_every_refusal(db: Session, ctx: Context, pinned_clock: object) -> None:
    rental = f.provider(db)
    f.provider(db, f.HOSPITAL, "hospital", 7002)
    someone = f.person(ctx)
    f.give_band(db, someone, "excellent")
    me = f.person_ctx(db, someone)
    raw, _ = service.issue_consent(me, rental.id, SCENARIO)
    revoked_raw, revoked = service.issue_consent(me, rental.id, SCENARIO)
    service.revoke_consent(me, revoked.id)
    asker = f.provider_ctx(db)
    cases = {
        "token_unknown": (asker, "XYC-AAAAA-BBBBB-CCCCC-DDDDD", SCENARIO),
        "token_revoked": (asker, revoked_raw, SCENARIO),
        "scenario_unknown": (asker, raw, "library_loans"),
        "scenario_not_served": (asker, raw, "medical_deposit_free"),
        "provider_unknown": (f.provider_ctx(db, "未登记的公司"), raw, SCENARIO),
    }
    for reason, (who, token, scenario) in cases.items():
        answer = service.check_eligibility(who, token, scenario)
        assert (answer.outcome, answer.reason) == ("refused", reason)
        assert _last_check(db).reason == reason
    assert service.check_eligibility(asker, "garbage", SCENARIO).reason == "token_unknown"
    # another provider's scenario with its own consent works
    tour = f.provider(db, f.TOURISM, "tourism", 7004)
    tour_raw, _ = service.issue_consent(me, tour.id, "tourism_discount")
    assert service.check_eligibility(f.provider_ctx(db, f.TOURISM), tour_raw, "tourism_discount").eligible
    # expired: the same question a day after the expiry
    later = Context(
        session=db, actor=asker.actor, role="provider", institution=f.RENTAL, at=clock.now() + timedelta(days=15)
    )
    assert service.check_eligibility(later, raw, SCENARIO).reason == "token_expired"
    service.set_provider_active(f.system(db), rental.id, False)
    assert service.check_eligibility(asker, raw, SCENARIO).reason == "provider_inactive"
    with pytest.raises(PermissionDenied):
        service.check_eligibility(Context(session=db, actor="b", role="bank", institution=f.RENTAL), raw, SCENARIO)
    refused = db.scalar(select(func.count()).select_from(EligibilityCheck).where(EligibilityCheck.outcome == "refused"))
    assert refused == 8
    denied = db.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action == "incentives.eligibility", AuditEvent.outcome == "denied")
    )
    assert denied == 8


def test_usage_statistics_by_scenario_provider_and_month(db: Session, ctx: Context) -> None:
    rental = f.provider(db)
    tour = f.provider(db, f.TOURISM, "tourism", 7004)
    people = [f.person(ctx, n, f"居民{n}") for n in range(1, 5)]
    for s, band in zip(people, ("excellent", "very_good", "good", "poor"), strict=True):
        f.give_band(db, s, band)
    for s in people:
        raw, _ = service.issue_consent(f.person_ctx(db, s), rental.id, SCENARIO)
        service.check_eligibility(f.provider_ctx(db), raw, SCENARIO)
        raw, _ = service.issue_consent(f.person_ctx(db, s), tour.id, "tourism_discount")
        service.check_eligibility(f.provider_ctx(db, f.TOURISM), raw, "tourism_discount")
    service.check_eligibility(f.provider_ctx(db), "XYC-AAAAA-BBBBB-CCCCC-DDDDD", SCENARIO)
    # one question on 1 December 2026 00:30 China time (30 November 16:30 UTC): counted in 2026-12
    december = Context(
        session=db,
        actor="t",
        role="provider",
        institution=f.TOURISM,
        at=clock.now() + timedelta(days=3, hours=14, minutes=30),
    )
    raw, _ = service.issue_consent(f.person_ctx(db, people[0]), tour.id, "tourism_discount")
    service.check_eligibility(december, raw, "tourism_discount")
    office = Context(session=db, actor="office", role="credit_office_staff")
    stats = queries.usage_stats(office)
    by = {(r.scenario, r.provider, r.month): r for r in stats.rows}
    rent = by[(SCENARIO, f.RENTAL, "2026-11")]
    assert (rent.checks, rent.eligible, rent.not_eligible, rent.refused, rent.eligible_share) == (5, 2, 2, 1, 0.5)
    tour_nov = by[("tourism_discount", f.TOURISM, "2026-11")]
    assert (tour_nov.checks, tour_nov.eligible, tour_nov.eligible_share) == (4, 3, 0.75)
    assert by[("tourism_discount", f.TOURISM, "2026-12")].checks == 1
    totals = {t.scenario: t for t in stats.scenarios}
    assert totals["tourism_discount"].checks == 5 and totals["medical_deposit_free"].checks == 0
    assert totals["medical_deposit_free"].eligible_share is None
    only_dec = queries.usage_stats(office, since=date(2026, 12, 1))
    assert [(r.scenario, r.month) for r in only_dec.rows] == [("tourism_discount", "2026-12")]
    assert queries.usage_stats(office, scenario=SCENARIO).scenarios[0].checks == 5
    with pytest.raises(PermissionDenied):
        queries.usage_stats(f.provider_ctx(db))


def test_a_consent_covers_only_its_scenario(db: Session, ctx: Context) -> None:
    """Each provider kind has one scenario in the catalogue, so the mismatch is checked on the rule itself."""
    rental = f.provider(db)
    _, consent = service.issue_consent(f.person_ctx(db, f.person(ctx)), rental.id, SCENARIO)
    now = clock.now()
    assert service._consent_reason(consent, rental.id, SCENARIO, now) == ""
    assert service._consent_reason(consent, rental.id, "rental_other_scheme", now) == "scenario_mismatch"
    assert service._consent_reason(consent, rental.id + 1, SCENARIO, now) == "token_other_provider"
    assert service._consent_reason(None, rental.id, SCENARIO, now) == "token_unknown"


def test_the_answer_follows_the_latest_current_run_as_current_score_does(db: Session, ctx: Context) -> None:
    rental = f.provider(db)
    someone = f.person(ctx)
    f.give_band(db, someone, "poor")
    later = PersonalScoreRun(
        model="later",
        model_version=1,
        as_of=date(2026, 11, 27),
        current=True,
        persons=1,
        seconds=0.0,
        actor="test",
        started_at=clock.now(),
    )
    db.add(later)
    db.flush()
    db.add(PersonalScore(run_id=later.id, subject_id=someone.id, score=720, band="very_good", reasons=[]))
    db.flush()
    raw, _ = service.issue_consent(f.person_ctx(db, someone), rental.id, SCENARIO)
    assert current_score(db, someone.id).band == "very_good"  # type: ignore[union-attr]
    assert service.check_eligibility(f.provider_ctx(db), raw, SCENARIO).eligible
    later.current = False
    db.flush()
    assert current_score(db, someone.id).band == "poor"  # type: ignore[union-attr]
    assert not service.check_eligibility(f.provider_ctx(db), raw, SCENARIO).eligible


def test_answers_commit_without_waiting_for_the_flush_refusals_wait(db: Session, ctx: Context) -> None:
    """PostgreSQL: an answered question sets ``synchronous_commit`` off for its own transaction only; a refusal keeps
    the server's durable default (settings ``eligibility_async_commit``, docs/settings.md)."""
    if db.get_bind().dialect.name != "postgresql":
        pytest.skip("synchronous_commit is a PostgreSQL setting")
    rental = f.provider(db)
    someone = f.person(ctx)
    f.give_band(db, someone, "excellent")
    raw, _ = service.issue_consent(f.person_ctx(db, someone), rental.id, SCENARIO)
    setting = "SELECT current_setting('synchronous_commit')"
    before = db.execute(text(setting)).scalar_one()
    refused = service.check_eligibility(f.provider_ctx(db), "not-a-token", SCENARIO)
    assert refused.refused and db.execute(text(setting)).scalar_one() == before
    assert service.check_eligibility(f.provider_ctx(db), raw, SCENARIO).eligible
    assert db.execute(text(setting)).scalar_one() == "off"
