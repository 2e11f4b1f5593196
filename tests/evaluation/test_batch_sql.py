"""The batch's SQL (``evaluation.queries``): indicators that count the same records (several layers over the
records in force), ``any_record`` extremes and category filters give, per subject, the scores its explanation
gives; on SQLite the batch reads ``credit_record`` in one table scan while one subject's explanation reads it
through the subject index."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from factories import company
from records_factories import make_batch, make_record
from xinyong.auth.context import Context
from xinyong.evaluation import queries, service
from xinyong.evaluation.models import EvaluationIndicator, EvaluationResult
from xinyong.evaluation.models_yaml import MODELS_DIR, EvaluationModel, load_model, parse_model
from xinyong.subjects.models import Department, Subject

AS_OF = date(2026, 11, 27)


def extended() -> EvaluationModel:
    """The general model plus indicators over records other indicators count too."""
    data: dict[str, Any] = yaml.safe_load((MODELS_DIR / "general.yaml").read_text(encoding="utf-8"))
    data["name"], data["version"] = "extended", 9
    by_code = {d["code"]: d for d in data["dimensions"]}
    by_code["basic"]["indicators"].append(
        {"code": "licence_any", "label": "持有任一行政许可", "kind": "any_record", "item": "licence"}
        | {"points": 2, "cap": 2, "source": "test: once, whatever the number of licences"}
    )
    by_code["supervision"]["indicators"] += [
        {"code": "penalty_any", "label": "任一失信行政处罚", "kind": "any_record", "item": "penalty"}
        | {"severity": ["serious", "general"], "points": -10, "decay": "recency", "cap": 10}
        | {"source": "test: the strongest record once"},
        {"code": "penalty_warning", "label": "警告类行政处罚", "kind": "per_record", "item": "penalty"}
        | {"categories": ["警告"], "points": -1, "cap": 5, "weight": 0.5, "source": "test: by category"},
    ]
    return parse_model(data)


def penalty(db: Session, batch: Any, firm: Subject, doc: str, day: date, severity: str, category: str) -> None:
    record = make_record(db, batch, doc_no=doc, decided_on=day, subject=firm, category=category)
    record.severity = severity
    db.flush()


@pytest.fixture
def firms(ctx: Context, departments: tuple[Department, Department]) -> dict[str, Subject]:
    db = ctx.session
    found = {name: company(ctx, f"广州批量{name}有限公司", 870 + n) for n, name in enumerate(("many", "one", "none"))}
    penalties = make_batch(db, departments[0])
    licences = make_batch(db, departments[0], item_id="licence")
    penalty(db, penalties, found["many"], "M1", date(2026, 6, 1), "serious", "罚款")  # -30; penalty_any -10
    penalty(db, penalties, found["many"], "M2", date(2025, 6, 1), "general", "警告")  # -12 × 0.6; -6; warning -1
    for n in range(3):  # +3; licence_any +2 once
        make_record(db, licences, doc_no=f"L{n}", decided_on=date(2025, 1, 1), subject=found["many"], row_no=n)
    penalty(db, penalties, found["one"], "O1", date(2026, 1, 10), "general", "罚款")  # -12; penalty_any -10
    return found


def test_indicators_sharing_records_are_grouped_in_layers() -> None:
    layers = [[i.code for i in layer] for layer in queries.indicator_layers(extended())]
    assert layers == [
        [i.code for i in load_model("general").indicators() if not i.on_list],
        ["licence_any", "penalty_any"],
        ["penalty_warning"],
    ]
    assert len(queries.indicator_layers(load_model("general"))) == 1


def test_layers_extremes_and_categories_agree_with_the_explanation(ctx: Context, firms: dict[str, Subject]) -> None:
    model = extended()
    run = service.run_evaluation(ctx, AS_OF, model)
    db = ctx.session
    stored = {
        r.subject_id: (r.score, r.grade)
        for r in db.scalars(select(EvaluationResult).where(EvaluationResult.run_id == run.run_id))
    }
    # 100 + 3 + 2 - 30 - 7.2 - 10 - 0.5 (one 警告 record: -1 × 0.5)
    assert stored[firms["many"].id] == (57.3, "D")
    assert stored[firms["one"].id] == (78.0, "B")  # 100 - 12 - 10
    assert stored[firms["none"].id] == (100.0, "A")
    for firm in firms.values():
        shown = service.explain(ctx, firm.id, AS_OF, model)
        assert (shown.score, shown.grade) == stored[firm.id]
    rows = db.execute(
        select(
            EvaluationIndicator.indicator,
            EvaluationIndicator.records,
            EvaluationIndicator.raw,
            EvaluationIndicator.points,
            EvaluationIndicator.weighted,
        )
        .where(EvaluationIndicator.run_id == run.run_id, EvaluationIndicator.subject_id == firms["many"].id)
        .order_by(EvaluationIndicator.indicator)
    ).all()
    assert [tuple(r) for r in rows] == [
        ("licence_any", 3, 2.0, 2.0, 2.0),
        ("licences_held", 3, 3.0, 3.0, 3.0),
        ("penalty_any", 2, -10.0, -10.0, -10.0),
        ("penalty_general", 1, -7.2, -7.2, -7.2),
        ("penalty_serious", 1, -30.0, -30.0, -30.0),
        ("penalty_warning", 1, -1.0, -1.0, -0.5),
    ]
    warning = next(
        i
        for d in service.explain(ctx, firms["many"].id, AS_OF, model).dimensions
        for i in d.indicators
        if i.code == "penalty_warning"
    )
    assert [(r.doc_no, r.category, r.points) for r in warning.records] == [("M2", "警告", -1.0)]


def test_sqlite_scans_the_table_for_the_batch_and_the_index_for_one_subject(
    ctx: Context, firms: dict[str, Subject], dialect: str
) -> None:
    if dialect != "sqlite":
        pytest.skip("SQLite's query plan")
    model = load_model("general")
    connection = ctx.session.connection()

    def plan(subject_id: int | None) -> str:
        stmt = queries.indicators_union(model, AS_OF, dialect, subject_id, ordered=subject_id is None)
        compiled = stmt.compile(dialect=connection.dialect, compile_kwargs={"render_postcompile": True})
        params = tuple(compiled.params[name] for name in compiled.positiontup or ())
        rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled.string}", params).all()
        return "\n".join(str(row[-1]) for row in rows)

    batch = plan(None)
    assert "SCAN credit_record" in batch and "ix_credit_record_item_decided" not in batch
    assert "FOR ORDER BY" not in batch  # the GROUP BY already gives the primary-key order
    one = plan(firms["many"].id)
    assert "SEARCH credit_record USING INDEX ix_credit_record_subject" in one
