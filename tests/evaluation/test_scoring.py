"""Batch scoring by hand on a small set: decay bands, caps, weights, thresholds, and the lifecycle statuses
(repaired, expired, pending, superseded records stop counting)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from factories import company, ric, uscc
from records_factories import make_batch, make_record
from xinyong.auth.context import Context
from xinyong.auth.models import AuditEvent
from xinyong.auth.permissions import PermissionDenied
from xinyong.errors import InvalidInput
from xinyong.evaluation import service
from xinyong.evaluation.models import EvaluationIndicator, EvaluationResult
from xinyong.evaluation.models_yaml import MODELS_DIR, parse_model
from xinyong.intake.models import IntakeBatch
from xinyong.records import effects
from xinyong.records.models import CreditRecord
from xinyong.subjects.industry_service import set_industry
from xinyong.subjects.models import Department, Subject
from xinyong.subjects.schemas import SubjectIn
from xinyong.subjects.service import register_subject

AS_OF = date(2026, 11, 27)


def penalty(
    db: Session, batch: IntakeBatch, subject: Subject, doc: str, decided: date, severity: str, **kw: Any
) -> CreditRecord:
    record = make_record(db, batch, doc_no=doc, decided_on=decided, subject=subject, **kw)
    record.severity = severity
    db.flush()
    return record


def scores(db: Session, run_id: int) -> dict[int, tuple[float, str]]:
    rows = db.execute(select(EvaluationResult).where(EvaluationResult.run_id == run_id)).scalars()
    return {r.subject_id: (r.score, r.grade) for r in rows}


@pytest.fixture
def firms(ctx: Context, departments: tuple[Department, Department]) -> dict[str, Subject]:
    """Subjects with hand-countable records (general model, as of 2026-11-27)."""
    db = ctx.session
    names = ("clean", "recent", "older", "capped", "mixed", "repaired", "expired", "corrected", "pending", "ancient")
    firm = {name: company(ctx, f"广州评价{name}有限公司", 700 + i) for i, name in enumerate(names)}
    penalties = make_batch(db, departments[0])
    licences = make_batch(db, departments[0], item_id="licence")
    breaches = make_batch(db, departments[1], item_id="commitment_breach")
    penalty(db, penalties, firm["recent"], "R1", date(2026, 6, 1), "serious")  # -30 → 70 C
    penalty(db, penalties, firm["older"], "O1", date(2025, 6, 1), "serious")  # 12–36 months: -18 → 82 B
    penalty(db, penalties, firm["ancient"], "A1", date(2022, 6, 1), "serious")  # > 36 months: -9 → 91 A
    for n in range(3):  # -90 capped at -60, licences +7 capped at +5 → 45 D
        penalty(db, penalties, firm["capped"], f"C{n}", date(2026, 9, 1 + n), "serious", row_no=10 + n)
    for n in range(7):
        make_record(db, licences, doc_no=f"L{n}", decided_on=date(2025, 1, 1), subject=firm["capped"], row_no=n)
    penalty(db, penalties, firm["mixed"], "M1", date(2026, 1, 10), "general")  # -12
    make_record(db, breaches, doc_no="B1", decided_on=date(2020, 1, 1), subject=firm["mixed"])  # -20 × 0.3 = -6
    repaired = penalty(db, penalties, firm["repaired"], "P1", date(2026, 3, 1), "serious")
    effects.add_effect(ctx, repaired, "repaired", date(2026, 11, 1), source_type="repair", source_id=None)
    penalty(db, penalties, firm["expired"], "E1", date(2026, 3, 1), "serious", publicity_end=date(2026, 10, 1))
    old = penalty(db, penalties, firm["corrected"], "X1", date(2026, 5, 1), "serious")
    penalty(db, penalties, firm["corrected"], "X1", date(2026, 5, 1), "general", supersedes=old)  # -12 → 88 B
    penalty(db, penalties, firm["pending"], "F1", date(2026, 12, 1), "serious")  # decided after as_of
    return firm


def test_scores_by_hand(ctx: Context, firms: dict[str, Subject]) -> None:
    person = register_subject(ctx, SubjectIn(kind="natural_person", name="张三", ric=ric()))
    run = service.run_evaluation(ctx, AS_OF)
    got = scores(ctx.session, run.run_id)
    expected = {
        "clean": (100.0, "A"),
        "recent": (70.0, "C"),
        "older": (82.0, "B"),
        "ancient": (91.0, "A"),
        "capped": (45.0, "D"),
        "mixed": (82.0, "B"),
        "repaired": (100.0, "A"),
        "expired": (100.0, "A"),
        "corrected": (88.0, "B"),
        "pending": (100.0, "A"),
    }
    assert {name: got[s.id] for name, s in firms.items()} == expected
    assert person.id not in got  # natural persons are outside the general model
    assert (run.model, run.version, run.as_of, run.subjects) == ("general", 2, AS_OF, 10)
    assert run.grades == {"A": 5, "B": 3, "C": 1, "D": 1}
    capped = ctx.session.execute(
        select(
            EvaluationIndicator.indicator,
            EvaluationIndicator.records,
            EvaluationIndicator.raw,
            EvaluationIndicator.points,
        )
        .where(EvaluationIndicator.run_id == run.run_id, EvaluationIndicator.subject_id == firms["capped"].id)
        .order_by(EvaluationIndicator.indicator)
    ).all()
    assert [tuple(r) for r in capped] == [("licences_held", 7, 7.0, 5.0), ("penalty_serious", 3, -90.0, -60.0)]
    event = ctx.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "evaluation.run").order_by(AuditEvent.id)
    ).one()
    assert event.target_id == str(run.run_id) and event.detail["subjects"] == 10


def test_a_repaired_record_stops_counting_from_its_repair_day(ctx: Context, firms: dict[str, Subject]) -> None:
    before = service.run_evaluation(ctx, date(2026, 10, 31))
    on_the_day = service.run_evaluation(ctx, date(2026, 11, 1))
    firm = firms["repaired"].id
    assert scores(ctx.session, before.run_id)[firm] == (70.0, "C")
    assert scores(ctx.session, on_the_day.run_id)[firm] == (100.0, "A")


def test_an_expired_record_stops_counting_after_its_last_day(ctx: Context, firms: dict[str, Subject]) -> None:
    last_day = service.run_evaluation(ctx, date(2026, 10, 1))
    after = service.run_evaluation(ctx, date(2026, 10, 2))
    firm = firms["expired"].id
    assert scores(ctx.session, last_day.run_id)[firm] == (70.0, "C")
    assert scores(ctx.session, after.run_id)[firm] == (100.0, "A")


def test_decay_bands_follow_calendar_months(ctx: Context, firms: dict[str, Subject]) -> None:
    # 2026-06-01 is exactly 12 months before 2027-06-01: from that day it is in the 12–36 month band.
    inside = service.run_evaluation(ctx, date(2027, 5, 31))
    on_boundary = service.run_evaluation(ctx, date(2027, 6, 1))
    firm = firms["recent"].id
    assert scores(ctx.session, inside.run_id)[firm] == (70.0, "C")
    assert scores(ctx.session, on_boundary.run_id)[firm] == (82.0, "B")


def test_weights_and_thresholds_come_from_the_model(ctx: Context, firms: dict[str, Subject]) -> None:
    data = yaml.safe_load((MODELS_DIR / "general.yaml").read_text(encoding="utf-8"))
    data["name"], data["version"] = "weighted", 7
    supervision = next(d for d in data["dimensions"] if d["code"] == "supervision")
    supervision["weight"] = "0.5"
    next(i for i in supervision["indicators"] if i["code"] == "penalty_general")["weight"] = 2
    data["grades"] = [
        {"grade": "A", "label": "优", "min": 99},
        {"grade": "B", "label": "良", "min": 88, "below": 99},
        {"grade": "C", "label": "中", "min": 85, "below": 88},
        {"grade": "D", "label": "差", "below": 85},
    ]
    model = parse_model(data)
    run = service.run_evaluation(ctx, AS_OF, model)
    got = scores(ctx.session, run.run_id)
    assert got[firms["recent"].id] == (85.0, "C")  # -30 × 0.5
    assert got[firms["older"].id] == (91.0, "B")  # -18 × 0.5
    assert got[firms["corrected"].id] == (88.0, "B")  # -12 × 2 × 0.5: exactly the B threshold
    assert got[firms["mixed"].id] == (82.0, "D")  # -12 × 2 × 0.5 - 6
    assert got[firms["capped"].id] == (75.0, "D")  # -60 × 0.5 + 5
    assert (run.model, run.version) == ("weighted", 7)


def test_same_as_of_on_unchanged_data_gives_the_same_scores(ctx: Context, firms: dict[str, Subject]) -> None:
    first = service.run_evaluation(ctx, AS_OF)
    second = service.run_evaluation(ctx, AS_OF)
    assert first.run_id != second.run_id
    assert scores(ctx.session, first.run_id) == scores(ctx.session, second.run_id)
    assert first.grades == second.grades


def test_industry_models_ship_and_weigh_penalties_more(ctx: Context, firms: dict[str, Subject]) -> None:
    assert service.run_evaluation(ctx, AS_OF, "construction").subjects == 0  # nobody is in the industry yet
    for name, industry, score in (
        ("construction", "construction", 64.0),  # -30 × 1.2
        ("off_campus_training", "off_campus_training", 67.0),  # -30 × 1.1
        ("fire_safety_service", "fire_safety_service", 62.5),  # -30 × 1.25
    ):
        set_industry(ctx, firms["recent"].id, industry)
        run = service.run_evaluation(ctx, AS_OF, name)
        assert (run.model, run.version, run.subjects) == (name, 2, 1)
        assert scores(ctx.session, run.run_id) == {firms["recent"].id: (score, "C")}


def test_run_needs_the_permission_and_a_known_model(ctx: Context, firms: dict[str, Subject]) -> None:
    officer = Context(session=ctx.session, actor="d", role="department_officer")
    with pytest.raises(PermissionDenied):
        service.run_evaluation(officer, AS_OF)
    regulator = Context(session=ctx.session, actor="r", role="regulator")  # runs the monthly evaluation (issue #6)
    assert service.run_evaluation(regulator, AS_OF).subjects == 10
    with pytest.raises(InvalidInput) as unknown:
        service.run_evaluation(ctx, AS_OF, "nonesuch")
    assert unknown.value.field == "model" and "nonesuch" in unknown.value.message
    with pytest.raises(InvalidInput):
        service.run_evaluation(ctx, date(1900, 1, 1))
    assert uscc(700) == firms["clean"].uscc
