"""Repeated-violator detection (屡禁不止、屡罚不改): counts per category, window edges, superseded, revoked and
repaired penalties, time travel, and the stored run equal to the ad-hoc query (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from campaigns import campaign_factories as cf
from xinyong.auth.context import Context
from xinyong.auth.models import AuditEvent
from xinyong.auth.permissions import PermissionDenied
from xinyong.campaigns import violators
from xinyong.campaigns.models import RepeatViolator
from xinyong.campaigns.rules import campaign_rules
from xinyong.errors import InvalidInput

AS_OF = cf.AS_OF
D = timedelta(days=1)


def _found(ctx: Context, as_of: date = AS_OF, **kw: int) -> set[tuple[int, str, int]]:
    page = violators.find_repeat_violators(ctx.session, as_of, limit=500, **kw)
    return {(r.subject_id, r.category, r.penalties) for r in page.rows}


def test_rule_defaults_come_from_the_rulebook() -> None:
    rule = campaign_rules().repeat_violators
    assert (rule.min_count, rule.window_days, rule.items) == (3, 730, ("penalty",))
    assert "revoked" in rule.exclude_effects


def test_counts_per_category_and_window_edges(ctx: Context) -> None:
    b = cf.batch(ctx.session, cf.market(ctx.session))
    a, other, mixed = cf.firm(ctx, 1), cf.firm(ctx, 2), cf.firm(ctx, 3)
    start = AS_OF - timedelta(days=730)
    # a: the first day inside the window, one in the middle, the as_of day itself; one on the excluded edge
    cf.penalties(ctx.session, b, a, [start + D, AS_OF - timedelta(days=100), AS_OF])
    cf.penalty(ctx.session, b, a, start)
    # other: three, but one decided after as_of
    cf.penalties(ctx.session, b, other, [AS_OF - 10 * D, AS_OF - 5 * D, AS_OF + D])
    # mixed: three penalties of two categories
    cf.penalties(ctx.session, b, mixed, [AS_OF - 30 * D, AS_OF - 20 * D])
    cf.penalty(ctx.session, b, mixed, AS_OF - 10 * D, "警告")
    assert _found(ctx) == {(a.id, "罚款", 3)}
    assert _found(ctx, min_count=2) == {(a.id, "罚款", 3), (other.id, "罚款", 2), (mixed.id, "罚款", 2)}
    assert _found(ctx, min_count=4) == set()
    # a shorter window drops a's oldest penalty; moving as_of a day brings other's third one in
    assert _found(ctx, window_days=729) == set()
    assert (other.id, "罚款", 3) in _found(ctx, AS_OF + D)
    row = violators.find_repeat_violators(ctx.session, AS_OF).rows[0]
    assert (row.first_on, row.last_on, row.subject_name) == (start + D, AS_OF, a.name)


def test_superseded_versions_count_once_with_their_correction(ctx: Context) -> None:
    b = cf.batch(ctx.session, cf.market(ctx.session))
    s = cf.firm(ctx, 4)
    first, second, third = cf.penalties(ctx.session, b, s, [AS_OF - 90 * D, AS_OF - 60 * D, AS_OF - 30 * D])
    cf.penalty(ctx.session, b, s, AS_OF - 60 * D, supersedes=second)  # a correction: still three penalties
    assert _found(ctx) == {(s.id, "罚款", 3)}
    cf.penalty(ctx.session, b, s, AS_OF - 30 * D, "警告", supersedes=third)  # corrected to another type
    assert _found(ctx) == set()
    assert _found(ctx, min_count=2) == {(s.id, "罚款", 2)}
    assert first.id  # the first version stays current


def test_revoked_and_repaired_penalties_do_not_count_from_their_date(ctx: Context) -> None:
    b = cf.batch(ctx.session, cf.market(ctx.session))
    s, t = cf.firm(ctx, 5), cf.firm(ctx, 6)
    ps = cf.penalties(ctx.session, b, s, [AS_OF - 300 * D, AS_OF - 200 * D, AS_OF - 100 * D])
    pt = cf.penalties(ctx.session, b, t, [AS_OF - 300 * D, AS_OF - 200 * D, AS_OF - 100 * D])
    cf.revoke(ctx, ps[0], AS_OF - 50 * D)
    cf.repair(ctx, pt[1], AS_OF - 20 * D)
    assert _found(ctx) == set()
    # time travel: before the revocation and the repair took effect both subjects were repeated violators
    assert _found(ctx, AS_OF - 51 * D) == {(s.id, "罚款", 3), (t.id, "罚款", 3)}
    assert _found(ctx, AS_OF - 21 * D) == {(t.id, "罚款", 3)}


def test_stored_run_equals_the_query_and_is_audited(ctx: Context) -> None:
    b = cf.batch(ctx.session, cf.market(ctx.session))
    subjects = [cf.firm(ctx, 10 + i) for i in range(4)]
    for i, s in enumerate(subjects):
        cf.penalties(ctx.session, b, s, [AS_OF - (k * 40 + i) * D for k in range(i + 2)])
        cf.penalties(ctx.session, b, s, [AS_OF - (k * 50 + 3) * D for k in range(3)], "警告")
    stored = violators.run_detection(ctx, AS_OF)
    rows = ctx.session.execute(
        select(RepeatViolator.subject_id, RepeatViolator.category, RepeatViolator.penalties).where(
            RepeatViolator.run_id == stored.id
        )
    ).all()
    expected = _found(ctx)
    assert {tuple(r) for r in rows} == expected
    assert stored.rows == len(expected) == 7  # 3 subjects × 罚款 (≥ 3) + 4 × 警告
    assert stored.subjects == 4
    assert stored.seconds is not None and stored.rule_version == campaign_rules().version
    page = violators.run_violators(ctx, None, limit=3)
    assert page is not None and page.run_id == stored.id and page.total == 7 and len(page.rows) == 3
    assert page.rows[0].penalties == 5
    events = ctx.session.scalars(select(AuditEvent).where(AuditEvent.action == "violators.run")).all()
    assert [e.target_id for e in events] == [str(stored.id)]


def test_bad_parameters_and_permissions(ctx: Context) -> None:
    with pytest.raises(InvalidInput):
        violators.find_repeat_violators(ctx.session, AS_OF, min_count=1)
    with pytest.raises(InvalidInput):
        violators.find_repeat_violators(ctx.session, AS_OF, window_days=0)
    with pytest.raises(InvalidInput):
        violators.find_repeat_violators(ctx.session, AS_OF, limit=0)
    with pytest.raises(InvalidInput):
        violators.find_repeat_violators(ctx.session, date(1999, 1, 1))
    officer = Context(session=ctx.session, actor="o", role="department_officer", department_id=1)
    with pytest.raises(PermissionDenied):
        violators.run_detection(officer, AS_OF)
    public = Context(session=ctx.session, actor="p", role="public")
    with pytest.raises(PermissionDenied):
        violators.query(public, AS_OF)
    assert violators.run_violators(ctx) is None
