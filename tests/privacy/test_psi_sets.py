"""Compiled PSI server sets (issue #10 item 1): the codes of a scope as of a day, versioned atomic rebuilds skipped
when nothing changed, the key encrypted at rest, list changes taking effect on the next rebuild."""

from __future__ import annotations

from datetime import UTC, date, datetime

import private_set_intersection.python as psi
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from factories import company, market_regulator
from list_factories import published_entry
from xinyong.auth import pii
from xinyong.auth.context import Context
from xinyong.auth.models import AuditEvent
from xinyong.auth.permissions import PermissionDenied
from xinyong.errors import NotFound
from xinyong.evaluation.models import EvaluationResult, EvaluationRun
from xinyong.privacy import psi_sets
from xinyong.privacy.models import PsiSet
from xinyong.privacy.policy import load_policy, scope_policy
from xinyong.subjects.models import Subject

TODAY = date(2026, 11, 27)


def listed_district(ctx: Context) -> dict[str, Subject]:
    """Subjects on and off the dishonesty lists on TODAY."""
    db = ctx.session
    db.add(market_regulator())
    db.flush()
    s = {
        name: company(ctx, f"测试{name}有限公司", n)
        for n, name in enumerate(("wage", "serious", "gone", "old", "later", "abnormal", "clean"), start=7001)
    }
    published_entry(db, s["wage"], "wage_arrears")
    published_entry(db, s["serious"], "serious_dishonesty")
    removed = published_entry(db, s["gone"], "wage_arrears")
    removed.status, removed.removed_on, removed.removal_reason = "removed", date(2026, 10, 1), "repair"
    published_entry(db, s["old"], "wage_arrears", expires_on=date(2026, 6, 1))
    published_entry(db, s["later"], "wage_arrears", published_on=date(2026, 12, 1))
    published_entry(db, s["abnormal"], "abnormal_operation")
    db.flush()
    return s


def test_scope_codes_are_the_subjects_on_its_lists_in_force(ctx: Context) -> None:
    s = listed_district(ctx)
    codes = psi_sets.scope_codes(ctx.session, scope_policy("lists_dishonesty"), TODAY)
    assert codes == sorted([s["wage"].uscc, s["serious"].uscc])
    # time travel: on 2026-05-01 the expired entry still counted, the removed one too
    earlier = psi_sets.scope_codes(ctx.session, scope_policy("lists_dishonesty"), date(2026, 5, 1))
    assert set(earlier) == {s["wage"].uscc, s["serious"].uscc, s["gone"].uscc, s["old"].uscc}


def test_rebuild_stores_a_current_version_that_answers_the_protocol(ctx: Context) -> None:
    s = listed_district(ctx)
    result = psi_sets.rebuild(ctx, "lists_dishonesty", TODAY, reason="test")
    assert (result.built, result.version, result.elements, result.previous_version) == (True, 1, 2, None)
    row = psi_sets.current_set(ctx.session, "lists_dishonesty")
    assert row is not None and row.version == 1 and row.reveal_intersection is True
    assert row.data_structure == "BLOOM"  # GCS cannot hold 2 elements sized for 200,000 queries
    # the key is encrypted at rest and opens with the platform's key
    key = psi_sets.server_key(row)
    assert len(key) == 32 and row.key_enc != pii.encrypt(key.hex()) and key.hex() not in row.key_enc
    # a client intersecting against the stored setup finds exactly the listed codes
    portfolio = [s["clean"].uscc, s["wage"].uscc, s["gone"].uscc, s["serious"].uscc, "91440113MA00000000"]
    client = psi.client.CreateWithNewKey(True)
    response = psi_sets.server_for(row).ProcessRequest(client.CreateRequest(portfolio))
    setup = psi.ServerSetup()
    setup.ParseFromString(row.setup)
    found = sorted(portfolio[i] for i in client.GetIntersection(setup, response))
    assert found == sorted([s["wage"].uscc, s["serious"].uscc])
    event = ctx.session.scalar(select(AuditEvent).where(AuditEvent.action == "privacy.rebuild"))
    assert event is not None and event.detail["elements"] == 2 and event.detail["version"] == 1
    assert s["wage"].uscc not in str(event.detail)


def test_unchanged_set_is_skipped_and_a_change_moves_current(ctx: Context) -> None:
    s = listed_district(ctx)
    first = psi_sets.rebuild(ctx, "lists_dishonesty", TODAY)
    again = psi_sets.rebuild(ctx, "lists_dishonesty", TODAY)
    assert again.built is False and again.version == first.version and again.digest == first.digest
    # a repair removes the wage-arrears entry: the next rebuild drops it
    entry = s["wage"]
    from xinyong.lists.models import ListEntry

    row = ctx.session.scalar(select(ListEntry).where(ListEntry.subject_id == entry.id))
    assert row is not None
    row.status, row.removed_on, row.removal_reason = "removed", TODAY, "repair"
    ctx.session.flush()
    second = psi_sets.rebuild(ctx, "lists_dishonesty", TODAY, reason="repair")
    assert (second.built, second.version, second.elements, second.previous_version) == (True, 2, 1, 1)
    rows = list(ctx.session.scalars(select(PsiSet).where(PsiSet.scope == "lists_dishonesty").order_by(PsiSet.version)))
    assert [(r.version, r.current) for r in rows] == [(1, False), (2, True)]
    assert rows[0].key_enc != rows[1].key_enc  # each build rotates the key
    # forcing rotates the key without a data change
    forced = psi_sets.rebuild(ctx, "lists_dishonesty", TODAY, force=True, reason="密钥\x00轮换\n")
    assert forced.built and forced.version == 3 and forced.elements == 1
    current = psi_sets.current_set(ctx.session, "lists_dishonesty")
    assert current is not None and current.reason == "密钥 轮换"  # control characters never stored


def _run(db: Session, as_of: date, grades: dict[int, str]) -> EvaluationRun:
    run = EvaluationRun(
        model="general",
        model_version=1,
        as_of=as_of,
        started_at=datetime(2026, 1, 1, tzinfo=UTC),
        finished_at=datetime(2026, 1, 1, tzinfo=UTC),
        subjects=len(grades),
        grades={},
        actor="test",
    )
    db.add(run)
    db.flush()
    db.add_all(EvaluationResult(run_id=run.id, subject_id=sid, score=50.0, grade=g) for sid, g in grades.items())
    db.flush()
    return run


def test_grade_scope_takes_the_newest_run_up_to_the_day_and_is_cardinality_only(ctx: Context) -> None:
    a, b, c = (company(ctx, f"评价{n}有限公司", n) for n in (7101, 7102, 7103))
    _run(ctx.session, date(2026, 9, 30), {a.id: "D", b.id: "D", c.id: "A"})
    _run(ctx.session, date(2026, 10, 31), {a.id: "D", b.id: "B", c.id: "D"})
    _run(ctx.session, date(2026, 12, 31), {a.id: "A", b.id: "A", c.id: "A"})  # after the day: not used
    policy = scope_policy("grade_D")
    assert psi_sets.scope_codes(ctx.session, policy, TODAY) == sorted([a.uscc, c.uscc])
    assert psi_sets.scope_codes(ctx.session, policy, date(2026, 10, 1)) == sorted([a.uscc, b.uscc])
    assert psi_sets.scope_codes(ctx.session, policy, date(2026, 1, 1)) == []
    result = psi_sets.rebuild(ctx, "grade_D", TODAY)
    row = psi_sets.current_set(ctx.session, "grade_D")
    assert result.elements == 2 and row is not None and row.reveal_intersection is False


def test_empty_scope_builds_an_empty_set(ctx: Context) -> None:
    result = psi_sets.rebuild(ctx, "lists_dishonesty", TODAY)
    assert result.built and result.elements == 0


def test_rebuild_all_covers_every_scope_of_the_policy(ctx: Context) -> None:
    listed_district(ctx)
    results = psi_sets.rebuild_all(ctx, TODAY)
    assert [r.scope for r in results] == list(load_policy().scopes)
    assert all(r.built for r in results)
    assert not any(r.built for r in psi_sets.rebuild_all(ctx, TODAY))


def test_rebuild_needs_privacy_manage_and_a_known_scope(ctx: Context) -> None:
    bank = Context(session=ctx.session, actor="test:bank", role="bank", institution="某银行")
    with pytest.raises(PermissionDenied):
        psi_sets.rebuild(bank, "lists_dishonesty", TODAY)
    with pytest.raises(NotFound) as exc:
        psi_sets.rebuild(ctx, "no_such_scope", TODAY)
    assert "lists_dishonesty" in exc.value.message


def test_the_daily_job_recompiles_the_sets_after_a_removal(ctx: Context) -> None:
    """records.jobs.run_daily's ``privacy_sets`` step: a removal reaches the compiled set the same day."""
    from xinyong.lists.models import ListEntry
    from xinyong.records.jobs import run_daily

    s = listed_district(ctx)
    first = run_daily(ctx, TODAY)
    assert first.steps["privacy_sets"] == 2  # both scopes compiled for the first time
    assert run_daily(ctx, TODAY).steps["privacy_sets"] == 0  # nothing changed: nothing rebuilt
    row = ctx.session.scalar(select(ListEntry).where(ListEntry.subject_id == s["serious"].id))
    assert row is not None
    row.status, row.removed_on, row.removal_reason = "removed", TODAY, "repair"
    ctx.session.flush()
    assert run_daily(ctx, TODAY).steps["privacy_sets"] == 1
    current = psi_sets.current_set(ctx.session, "lists_dishonesty")
    assert current is not None and current.version == 2 and current.elements == 1
