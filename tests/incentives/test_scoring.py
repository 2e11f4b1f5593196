"""The personal honesty score batch by hand: points, caps, windows, repaired records counting less, lists in
force, kept commitments, only natural persons, time travel, the current flag, the audit event, permissions."""

from __future__ import annotations

from datetime import date

import pytest
import yaml
from sqlalchemy import select

from incentives.scoring_setup import AS_OF, EXPECTED, build
from xinyong.auth.context import Context
from xinyong.auth.models import AuditEvent
from xinyong.auth.permissions import PermissionDenied
from xinyong.errors import InvalidInput
from xinyong.incentives import scoring
from xinyong.incentives.model_yaml import MODELS_DIR, load_model, parse_model
from xinyong.incentives.models import PersonalScore, PersonalScoreRun
from xinyong.incentives.score_queries import current_score
from xinyong.subjects.models import Department, Subject


def stored(ctx: Context, run_id: int) -> dict[int, PersonalScore]:
    rows = ctx.session.scalars(select(PersonalScore).where(PersonalScore.run_id == run_id))
    return {r.subject_id: r for r in rows}


@pytest.fixture
def people(ctx: Context, departments: tuple[Department, Department]) -> dict[str, Subject]:
    return build(ctx, departments)


def test_scores_by_hand(ctx: Context, people: dict[str, Subject]) -> None:
    run = scoring.run(ctx, AS_OF)
    got = stored(ctx, run.id)
    assert {name: (got[people[name].id].score, got[people[name].id].band) for name in EXPECTED} == EXPECTED
    assert people["firm"].id not in got and people["employer"].id not in got  # natural persons only
    assert run.persons == len(got) == len(EXPECTED)
    assert run.current is True and run.model == "honesty" and run.model_version == 1 and run.as_of == AS_OF


def test_reasons_name_the_indicators_with_points(ctx: Context, people: dict[str, Subject]) -> None:
    run = scoring.run(ctx, AS_OF)
    got = stored(ctx, run.id)
    assert got[people["clean"].id].reasons == []
    assert got[people["capped"].id].reasons == [{"code": "penalty_serious", "count": 3, "points": -240}]
    assert got[people["repaired"].id].reasons == [{"code": "penalty_repaired", "count": 1, "points": -10}]
    assert got[people["kept"].id].reasons == [{"code": "commitments_kept", "count": 6, "points": 50}]
    mixed = sorted(got[people["mixed"].id].reasons, key=lambda r: r["code"])
    assert mixed == [
        {"code": "commitment_breach", "count": 1, "points": -60},
        {"code": "commitments_kept", "count": 2, "points": 20},
        {"code": "penalty_general", "count": 1, "points": -40},
    ]
    assert sum(r["points"] for r in mixed) == 570 - 650


def test_time_travel(ctx: Context, people: dict[str, Subject]) -> None:
    """As of 2026-09-30 the repair was not granted yet and the expired entry was still on the list; as of
    2026-04-30 the commitments had not been verified yet."""
    got = stored(ctx, scoring.run(ctx, date(2026, 9, 30)).id)
    assert got[people["repaired"].id].score == 530
    assert got[people["left_list"].id].score == 450
    assert got[people["kept"].id].score == 700
    earlier = stored(ctx, scoring.run(ctx, date(2026, 4, 30)).id)
    assert earlier[people["kept"].id].score == 650
    assert (earlier[people["mixed"].id].score, earlier[people["mixed"].id].band) == (550, "fair")
    assert earlier[people["capped"].id].score == 650  # decided in September


def test_rerun_moves_current_and_keeps_history(ctx: Context, people: dict[str, Subject]) -> None:
    first = scoring.run(ctx, date(2026, 10, 31))
    second = scoring.run(ctx, AS_OF)
    assert ctx.session.get(PersonalScoreRun, first.id).current is False
    assert second.current is True
    runs = ctx.session.scalars(select(PersonalScoreRun).where(PersonalScoreRun.model == "honesty")).all()
    assert len(runs) == 2
    score = current_score(ctx.session, people["repaired"].id)
    assert score is not None and score.run_id == second.id and score.score == 640
    assert current_score(ctx.session, people["repaired"].id, model="other") is None


def test_audit_event(ctx: Context, people: dict[str, Subject]) -> None:
    run = scoring.run(ctx, AS_OF)
    event = ctx.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "personal_score.run").order_by(AuditEvent.id.desc())
    ).first()
    assert event is not None and event.target_id == str(run.id)
    assert event.detail["persons"] == len(EXPECTED) and event.detail["bands"]["poor"] == 4


def test_refusals(ctx: Context) -> None:
    subject = Context(session=ctx.session, actor="someone", role="subject", subject_id=1)
    with pytest.raises(PermissionDenied):
        scoring.run(subject, AS_OF)
    with pytest.raises(InvalidInput) as exc:
        scoring.run(ctx, AS_OF, "nonexistent")
    assert exc.value.field == "model"
    with pytest.raises(InvalidInput):
        scoring.run(ctx, date(1899, 1, 1))


def test_one_person_equals_the_batch(ctx: Context, people: dict[str, Subject]) -> None:
    run = scoring.run(ctx, AS_OF)
    got = stored(ctx, run.id)
    for name in ("mixed", "capped", "clean", "wage"):
        one = scoring.compute_one(ctx, people[name].id, AS_OF)
        row = got[people[name].id]
        assert (one.score, one.band) == (row.score, row.band)
        assert sorted(one.reasons, key=lambda r: r["code"]) == sorted(row.reasons, key=lambda r: r["code"])
    assert scoring.compute_one(ctx, people["firm"].id, AS_OF) is None


def test_layers_read_each_item_once_and_overlaps_count_twice(ctx: Context, people: dict[str, Subject]) -> None:
    model = load_model()
    assert [[i.code for i in layer] for layer in scoring.record_layers(model)] == [
        ["penalty_serious", "penalty_general", "penalty_minor"],
        ["penalty_repaired"],
        ["commitment_breach"],
        ["commitment_breach_repaired"],
    ]
    data = yaml.safe_load((MODELS_DIR / "honesty.yaml").read_text(encoding="utf-8"))
    any_penalty = {**data["indicators"][1], "code": "penalty_any", "severity": [], "points": -1, "cap": 10}
    overlapping = parse_model({**data, "indicators": [*data["indicators"], any_penalty]})
    assert len(scoring.record_layers(overlapping)) == 5
    got = stored(ctx, scoring.run(ctx, AS_OF, overlapping).id)
    assert got[people["capped"].id].score == 650 - 240 - 3
    assert got[people["general"].id].score == 650 - 40 - 1
