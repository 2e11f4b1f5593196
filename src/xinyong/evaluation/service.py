"""Run a credit evaluation (``evaluation.run``) and read runs, distributions, explanations and histories
(``evaluation.read``).

``run_evaluation`` scores every subject the model covers as of ``as_of`` with two INSERT … SELECT statements
(``evaluation.queries``): no per-subject Python loop. Only the current versions of records in force on
``as_of`` count (``records.status.in_force_condition``: published or under objection), so repaired, revoked,
expired, pending and unpublished records do not. Results are stored with the model version and ``as_of``;
evaluating the same ``as_of`` again on unchanged data gives the same scores.

The model is chosen by name (default ``general``, which covers every enterprise kind). An industry model
(construction, off-campus training, fire-safety service) covers the subjects whose ``industry`` it lists in
``applies_to.industries``; ``run_all`` runs the general model and every industry model. A subject is explained
(and its history shown) under ``model_for_subject``: its industry's model, else the general one.
"""

from __future__ import annotations

import time
from datetime import date

from sqlalchemy import func, insert, literal, select

from xinyong import clock
from xinyong.auth import audit
from xinyong.auth.context import Context
from xinyong.auth.permissions import require
from xinyong.db.base import fetch_or_404
from xinyong.errors import InvalidInput, NotFound
from xinyong.evaluation import queries
from xinyong.evaluation.models import EvaluationIndicator, EvaluationResult, EvaluationRun
from xinyong.evaluation.models_yaml import (
    GRADES,
    EvaluationModel,
    ModelError,
    industry_models,
    load_model,
    model_names,
)
from xinyong.evaluation.schemas import (
    DimensionScore,
    Distribution,
    Explanation,
    GradeCount,
    HistoryEntry,
    IndicatorScore,
    RecordPoints,
    RunSummary,
)
from xinyong.records.publication import check_as_of
from xinyong.subjects.industries import load_industries
from xinyong.subjects.models import Subject
from xinyong.subjects.public import parse_uscc
from xinyong.subjects.queries import subject_or_404, subjects_by_uscc

DEFAULT_MODEL = "general"
MAX_RUNS = 100


def model_or_422(name: str | EvaluationModel | None) -> EvaluationModel:
    """The evaluation model ``name`` (default ``general``; a model already loaded is used as it is);
    ``InvalidInput`` (field ``model``) if unknown."""
    if isinstance(name, EvaluationModel):
        return name
    try:
        return load_model(name or DEFAULT_MODEL)
    except ModelError as exc:
        raise InvalidInput(str(exc), field="model") from None


def summary(run: EvaluationRun) -> RunSummary:
    """The API shape of a stored run."""
    return RunSummary(
        run_id=run.id,
        model=run.model,
        version=run.model_version,
        as_of=run.as_of,
        subjects=run.subjects,
        grades={g: int(run.grades.get(g, 0)) for g in GRADES},
        started_at=run.started_at,
        finished_at=run.finished_at,
        seconds=run.seconds,
        actor=run.actor,
    )


def run_evaluation(ctx: Context, as_of: date, model: str | EvaluationModel | None = None) -> RunSummary:
    """Evaluate every subject ``model`` covers as of ``as_of``; store and audit the run, return its summary."""
    require(ctx, "evaluation.run")
    day = check_as_of(ctx, as_of)
    spec = model_or_422(model)
    session = ctx.session
    dialect = session.get_bind().dialect.name
    run = EvaluationRun(
        model=spec.name,
        model_version=spec.version,
        as_of=day,
        started_at=clock.now(),
        subjects=0,
        grades={},
        actor=ctx.actor,
    )
    session.add(run)
    session.flush()
    started = time.perf_counter()
    indicators = queries.indicators_union(spec, day, dialect, ordered=True).subquery("rows")
    with queries.batch_settings(session):
        session.execute(
            insert(EvaluationIndicator).from_select(
                ["run_id", "subject_id", "indicator", "records", "raw", "points", "weighted"],
                select(
                    literal(run.id),
                    indicators.c.subject_id,
                    indicators.c.indicator,
                    indicators.c.records,
                    indicators.c.raw,
                    indicators.c.points,
                    indicators.c.weighted,
                ),
            )
        )
        session.execute(
            insert(EvaluationResult).from_select(
                ["run_id", "subject_id", "score", "grade"], queries.results_select(spec, run.id, dialect)
            )
        )
    counts = dict(
        session.execute(
            select(EvaluationResult.grade, func.count())
            .where(EvaluationResult.run_id == run.id)
            .group_by(EvaluationResult.grade)
        ).all()
    )
    run.grades = {g: int(counts.get(g, 0)) for g in GRADES}
    run.subjects = sum(run.grades.values())
    run.seconds = round(time.perf_counter() - started, 3)
    run.finished_at = clock.now()
    session.flush()
    audit.record(
        ctx,
        "evaluation.run",
        "evaluation_run",
        run.id,
        {"model": spec.name, "version": spec.version, "as_of": day.isoformat(), "subjects": run.subjects},
    )
    return summary(run)


def run_all(ctx: Context, as_of: date) -> list[RunSummary]:
    """Run the general model, then every industry model (by name), as of ``as_of``: one stored run each."""
    require(ctx, "evaluation.run")
    return [run_evaluation(ctx, as_of, name) for name in (DEFAULT_MODEL, *industry_model_names())]


def industry_model_names() -> list[str]:
    """The models that select their subjects by industry, by name."""
    return [name for name in model_names() if load_model(name).applies_to.industries]


def model_for_subject(subject: Subject) -> str:
    """The name of the model a subject is explained by: the model of its industry when one covers its kind,
    else the general model."""
    name = industry_models().get(subject.industry or "")
    if name and load_model(name).applies_to.covers(subject.kind, subject.industry):
        return name
    return DEFAULT_MODEL


# --------------------------------------------------------------------------------------------- reads
def list_runs(ctx: Context, model: str | None = None, limit: int = 20) -> list[RunSummary]:
    """The latest runs (newest first), optionally of one model."""
    require(ctx, "evaluation.read")
    if not 1 <= limit <= MAX_RUNS:
        raise InvalidInput(f"条数应在 1 到 {MAX_RUNS} 之间", field="limit")
    stmt = select(EvaluationRun).order_by(EvaluationRun.id.desc()).limit(limit)
    if model:
        stmt = stmt.where(EvaluationRun.model == model)
    return [summary(r) for r in ctx.session.scalars(stmt)]


def latest_run(ctx: Context, model: str | None = None) -> RunSummary | None:
    """The newest run (of ``model`` when given), or None before the first run."""
    runs = list_runs(ctx, model, limit=1)
    return runs[0] if runs else None


def _run_or_404(ctx: Context, run_id: int) -> EvaluationRun:
    return fetch_or_404(ctx.session, EvaluationRun, run_id, "未找到该评价批次", "run_id")


def _range(low: float | None, high: float | None) -> str:
    return f"[{'-∞' if low is None else f'{low:g}'}, {'+∞' if high is None else f'{high:g}'})"


def distribution(ctx: Context, run_id: int) -> Distribution:
    """The grade distribution of a run, with the labels and score bands of its model."""
    require(ctx, "evaluation.read")
    run = _run_or_404(ctx, run_id)
    spec = model_or_422(run.model)
    total = run.subjects or 0
    grades = [
        GradeCount(
            grade=band.grade,
            label=band.label,
            range=_range(band.min, band.below),
            subjects=int(run.grades.get(band.grade, 0)),
            share=round(int(run.grades.get(band.grade, 0)) / total, 4) if total else 0.0,
        )
        for band in spec.grades
    ]
    return Distribution(run=summary(run), label=spec.label, grades=grades)


def subject_by_ref(ctx: Context, ref: str) -> Subject:
    """A subject by id (digits) or USCC; ``NotFound`` / ``InvalidInput`` with a Chinese message."""
    text = ref.strip()
    if text.isdigit() and len(text) < 18:
        return subject_or_404(ctx.session, int(text))
    holders = subjects_by_uscc(ctx.session, parse_uscc(text))
    if not holders:
        raise NotFound("未找到持有该统一社会信用代码的信用主体", field="uscc")
    if len(holders) > 1:
        raise InvalidInput("该统一社会信用代码对应多个主体（重码），请按主体编号查询", field="uscc")
    return holders[0]


def explain(
    ctx: Context, subject_id: int, as_of: date | None = None, model: str | EvaluationModel | None = None
) -> Explanation:
    """The subject's score as of ``as_of`` under ``model``: by dimension and indicator, with the records behind
    each indicator. Computed by the batch's own SQL restricted to the subject, so it equals a run's result."""
    require(ctx, "evaluation.read")
    day = check_as_of(ctx, as_of)
    subject = subject_or_404(ctx.session, subject_id)
    spec = model_or_422(model or model_for_subject(subject))
    if subject.kind not in spec.applies_to.subject_kinds:
        raise InvalidInput(f"评价模型“{spec.label}”不适用于该类主体", field="subject_id")
    if not spec.applies_to.covers(subject.kind, subject.industry):
        industry = load_industries().label(subject.industry)
        raise InvalidInput(f"评价模型“{spec.label}”不适用于该主体的行业（{industry}）", field="model")
    session = ctx.session
    dialect = session.get_bind().dialect.name
    rows = {r.indicator: r for r in session.execute(queries.indicators_union(spec, day, dialect, subject.id))}
    dimensions: list[DimensionScore] = []
    total = 0.0
    for dimension in spec.dimensions:
        scores: list[IndicatorScore] = []
        for indicator in dimension.indicators:
            row = rows.get(indicator.code)
            records = [
                RecordPoints(
                    record_id=rid, item=item, doc_no=doc, decided_on=on, severity=sev, category=cat, points=pts
                )
                for rid, item, doc, on, sev, cat, pts in (
                    [] if indicator.on_list else queries.record_rows(session, spec, indicator, day, subject.id)
                )
            ]
            scores.append(
                IndicatorScore(
                    code=indicator.code,
                    label=indicator.label,
                    kind=indicator.kind,
                    points_per_record=indicator.points,
                    cap=indicator.cap,
                    weight=indicator.weight * dimension.weight,
                    raw=float(row.raw) if row else 0.0,
                    points=float(row.points) if row else 0.0,
                    weighted=float(row.weighted) if row else 0.0,
                    records=records,
                )
            )
        weighted = sum(s.weighted for s in scores)
        total += weighted
        dimensions.append(
            DimensionScore(
                code=dimension.code,
                label=dimension.label,
                weight=dimension.weight,
                weighted=round(weighted, 2),
                indicators=scores,
            )
        )
    score, grade = queries.score_of(session, spec, total)
    audit.record_read(ctx, "evaluation", subject.id, {"model": spec.name, "as_of": day.isoformat()})
    return Explanation(
        subject_id=subject.id,
        subject_name=subject.name,
        uscc=subject.uscc,
        model=spec.name,
        version=spec.version,
        as_of=day,
        base_score=spec.base_score,
        score=score,
        grade=grade,
        grade_label=spec.grade_label(grade),
        dimensions=dimensions,
        industry=subject.industry,
        industry_label=load_industries().label(subject.industry),
        industry_model=model_for_subject(subject),
    )


def history(ctx: Context, subject_id: int, model: str | None = None) -> list[HistoryEntry]:
    """The subject's grades in the stored runs of ``model`` (default ``model_for_subject``), by evaluation day
    then run (oldest first)."""
    require(ctx, "evaluation.read")
    subject = subject_or_404(ctx.session, subject_id)
    stmt = (
        select(EvaluationRun, EvaluationResult.score, EvaluationResult.grade)
        .join(EvaluationResult, EvaluationResult.run_id == EvaluationRun.id)
        .where(EvaluationResult.subject_id == subject_id, EvaluationRun.model == (model or model_for_subject(subject)))
        .order_by(EvaluationRun.as_of, EvaluationRun.id)
    )
    return [
        HistoryEntry(
            run_id=run.id, model=run.model, version=run.model_version, as_of=run.as_of, score=score, grade=grade
        )
        for run, score, grade in ctx.session.execute(stmt)
    ]
