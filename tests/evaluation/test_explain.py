"""A subject's explanation lists exactly the records that count, adds up to the batch's score, and the grade
history follows the runs."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from factories import company
from records_factories import make_batch, make_record
from xinyong.auth.context import Context
from xinyong.auth.models import AuditEvent
from xinyong.auth.permissions import PermissionDenied
from xinyong.evaluation import service
from xinyong.evaluation.models import EvaluationResult
from xinyong.records import effects
from xinyong.subjects.models import Department

AS_OF = date(2026, 11, 27)


def test_explanation_lists_exactly_the_records_that_count(
    ctx: Context, departments: tuple[Department, Department]
) -> None:
    db = ctx.session
    firm = company(ctx, "广州解释样本有限公司", 801)
    penalties = make_batch(db, departments[0])
    counted = []
    for n, (day, severity) in enumerate(
        [(date(2026, 8, 1), "serious"), (date(2024, 8, 1), "serious"), (date(2026, 2, 1), "general")]
    ):
        record = make_record(db, penalties, doc_no=f"罚〔2026〕{n}号", decided_on=day, subject=firm, row_no=n)
        record.severity = severity
        counted.append(record)
    repaired = make_record(db, penalties, doc_no="罚〔2026〕9号", decided_on=date(2026, 5, 1), subject=firm)
    repaired.severity = "serious"
    db.flush()
    effects.add_effect(ctx, repaired, "repaired", date(2026, 11, 20), source_type="repair", source_id=None)

    run = service.run_evaluation(ctx, AS_OF)
    shown = service.explain(ctx, firm.id, AS_OF)
    stored = db.scalars(
        select(EvaluationResult).where(EvaluationResult.run_id == run.run_id, EvaluationResult.subject_id == firm.id)
    ).one()
    assert (shown.score, shown.grade) == (stored.score, stored.grade) == (40.0, "D")  # 100 - 30 - 30 × 0.6 - 12
    serious = next(i for d in shown.dimensions for i in d.indicators if i.code == "penalty_serious")
    assert [(r.record_id, r.points) for r in serious.records] == [(counted[0].id, -30.0), (counted[1].id, -18.0)]
    assert (serious.raw, serious.points, serious.weighted) == (-48.0, -48.0, -48.0)
    general = next(i for d in shown.dimensions for i in d.indicators if i.code == "penalty_general")
    assert [(r.record_id, r.doc_no, r.severity) for r in general.records] == [
        (counted[2].id, "罚〔2026〕2号", "general")
    ]
    listed = {r.record_id for d in shown.dimensions for i in d.indicators for r in i.records}
    assert repaired.id not in listed and listed == {r.id for r in counted}
    assert (shown.grade_label, shown.version, shown.base_score) == ("高风险", 2, 100.0)
    assert (
        db.scalars(select(AuditEvent).where(AuditEvent.action == "read.evaluation").order_by(AuditEvent.id)).first()
        is not None
    )

    # As of the day before the repair the repaired record is back, with its points.
    earlier = service.explain(ctx, firm.id, date(2026, 11, 19))
    serious_then = next(i for d in earlier.dimensions for i in d.indicators if i.code == "penalty_serious")
    assert repaired.id in {r.record_id for r in serious_then.records} and serious_then.points == -60.0


def test_history_follows_the_runs(ctx: Context, departments: tuple[Department, Department]) -> None:
    db = ctx.session
    firm = company(ctx, "广州历史样本有限公司", 802)
    record = make_record(db, make_batch(db, departments[0]), doc_no="H1", decided_on=date(2026, 4, 1), subject=firm)
    record.severity = "serious"
    db.flush()
    before = service.run_evaluation(ctx, date(2026, 3, 31))
    after = service.run_evaluation(ctx, date(2026, 4, 1))
    entries = service.history(ctx, firm.id)
    assert [(e.run_id, e.as_of, e.score, e.grade) for e in entries] == [
        (before.run_id, date(2026, 3, 31), 100.0, "A"),
        (after.run_id, date(2026, 4, 1), 70.0, "C"),
    ]
    dist = service.distribution(ctx, after.run_id)
    assert [(g.grade, g.label) for g in dist.grades][:2] == [("A", "低风险"), ("B", "一般风险")]
    assert sum(g.subjects for g in dist.grades) == after.subjects
    assert service.latest_run(ctx).run_id == after.run_id  # type: ignore[union-attr]
    public = Context(session=db, actor="anyone", role="public")
    with pytest.raises(PermissionDenied):
        service.explain(public, firm.id, AS_OF)
