"""检查对象名录库 as of a day: the subjects a plan's filters select, each with its credit grade, as SQL.

Grades come from the evaluation run of the plan's model whose ``as_of`` is the newest on or before the plan's
day (``find_run``). A preview without such a run grades transiently with the evaluation's own SELECT
(``evaluation.queries.grades_select``: nothing is written). A plan's candidates are frozen into
``inspection_candidate`` by one INSERT … SELECT, then read back ordered by subject id.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from sqlalchemy import ColumnElement, Select, insert, literal, select
from sqlalchemy.orm import Session

from xinyong.evaluation import queries as evaluation_queries
from xinyong.evaluation.models import EvaluationResult, EvaluationRun
from xinyong.evaluation.models_yaml import EvaluationModel
from xinyong.subjects.models import Subject
from xinyong.supervision.draw import Candidate
from xinyong.supervision.models import InspectionCandidate


def find_run(session: Session, model: str, as_of: date) -> EvaluationRun | None:
    """The finished run of ``model`` with the newest ``as_of`` not after ``as_of`` (the latest such run)."""
    stmt = (
        select(EvaluationRun)
        .where(EvaluationRun.model == model, EvaluationRun.as_of <= as_of, EvaluationRun.finished_at.is_not(None))
        .order_by(EvaluationRun.as_of.desc(), EvaluationRun.id.desc())
        .limit(1)
    )
    return session.scalars(stmt).first()


def subject_conditions(filters: Mapping[str, object]) -> list[ColumnElement[bool]]:
    """SQL conditions on ``Subject`` for a plan's stored filters (statuses, kinds, industries, townships)."""
    conditions: list[ColumnElement[bool]] = []
    for key, column in (
        ("statuses", Subject.status),
        ("subject_kinds", Subject.kind),
        ("industries", Subject.industry),
        ("township_codes", Subject.township_code),
    ):
        values = filters.get(key)
        if values:
            conditions.append(column.in_(list(values)))  # type: ignore[call-overload]
    return conditions


def graded_from_run(run_id: int, filters: Mapping[str, object]) -> Select[tuple[int, str]]:
    """(subject_id, grade) of the run's results for the subjects the filters select."""
    return (
        select(EvaluationResult.subject_id.label("subject_id"), EvaluationResult.grade.label("grade"))
        .join(Subject, Subject.id == EvaluationResult.subject_id)
        .where(EvaluationResult.run_id == run_id, *subject_conditions(filters))
    )


def graded_transient(
    model: EvaluationModel, as_of: date, dialect: str, filters: Mapping[str, object]
) -> Select[tuple[int, str]]:
    """(subject_id, grade) computed as of ``as_of`` by the evaluation's SQL, for the subjects the filters select."""
    graded = evaluation_queries.grades_select(model, as_of, dialect).subquery("graded")
    return (
        select(graded.c.subject_id.label("subject_id"), graded.c.grade.label("grade"))
        .join(Subject, Subject.id == graded.c.subject_id)
        .where(*subject_conditions(filters))
    )


def read(session: Session, graded: Select[tuple[int, str]]) -> list[Candidate]:
    """The candidates of a (subject_id, grade) SELECT, ordered by subject id."""
    rows = session.execute(graded.order_by(graded.selected_columns[0]))
    return [Candidate(int(s), str(g)) for s, g in rows]


def freeze(session: Session, plan_id: int, graded: Select[tuple[int, str]]) -> None:
    """Store the candidates of ``graded`` for ``plan_id`` with one INSERT … SELECT."""
    rows = graded.subquery("candidates")
    session.execute(
        insert(InspectionCandidate).from_select(
            ["plan_id", "subject_id", "grade"], select(literal(plan_id), rows.c.subject_id, rows.c.grade)
        )
    )


def frozen(session: Session, plan_id: int) -> list[Candidate]:
    """A plan's frozen candidates, ordered by subject id."""
    stmt = (
        select(InspectionCandidate.subject_id, InspectionCandidate.grade)
        .where(InspectionCandidate.plan_id == plan_id)
        .order_by(InspectionCandidate.subject_id)
    )
    return [Candidate(int(s), str(g)) for s, g in session.execute(stmt)]
