"""Read side of the personal honesty score: a person's score in the current run of a model; the runs, their band
distribution; a person's score, band, reasons in plain Chinese and history — for the person itself
(``incentives.own``: natural persons only) and for the credit office (``incentives.read``, audited, name masked).
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from xinyong.auth import audit
from xinyong.auth.context import Context
from xinyong.auth.permissions import require
from xinyong.auth.pii import mask_name
from xinyong.errors import InvalidInput, NotFound
from xinyong.incentives.model_yaml import PERSON, Band, PersonalScoreModel
from xinyong.incentives.models import PersonalScore, PersonalScoreRun
from xinyong.incentives.score_schemas import BandCount, Distribution, HistoryEntry, PersonScore, Reason, RunOut
from xinyong.incentives.scoring import OWN, READ, model_or_422
from xinyong.lists.active import lookup_code
from xinyong.subjects.models import Subject

MAX_RUNS = 100
NOTE = (
    "个人诚信分仅依据有法律依据的公共信用信息（行政处罚、违背信用承诺、依法设列的名单、履行的信用承诺等）计算，"
    "不使用信访、拆迁、闯红灯、遛狗、物业费等无法律依据的信息。"
)


def current_score(session: Session, subject_id: int, model: str | None = None) -> PersonalScore | None:
    """The person's score in the latest current run (of ``model`` when given), or None when never scored."""
    stmt = (
        select(PersonalScore)
        .join(PersonalScoreRun, PersonalScoreRun.id == PersonalScore.run_id)
        .where(PersonalScore.subject_id == subject_id, PersonalScoreRun.current.is_(True))
        .order_by(PersonalScoreRun.id.desc())
        .limit(1)
    )
    if model is not None:
        stmt = stmt.where(PersonalScoreRun.model == model)
    return session.scalars(stmt).first()


# --------------------------------------------------------------------------------------------- runs
def summary(run: PersonalScoreRun) -> RunOut:
    """The API shape of a stored run."""
    return RunOut(
        run_id=run.id,
        model=run.model,
        version=run.model_version,
        as_of=run.as_of,
        current=run.current,
        persons=run.persons,
        seconds=run.seconds,
        actor=run.actor,
        started_at=run.started_at,
    )


def list_runs(ctx: Context, model: str | None = None, limit: int = 20) -> list[RunOut]:
    """The latest runs, newest first (of one model when given)."""
    require(ctx, READ)
    if not 1 <= limit <= MAX_RUNS:
        raise InvalidInput(f"条数应在 1 到 {MAX_RUNS} 之间", field="limit")
    stmt = select(PersonalScoreRun).order_by(PersonalScoreRun.id.desc()).limit(limit)
    if model:
        stmt = stmt.where(PersonalScoreRun.model == model)
    return [summary(r) for r in ctx.session.scalars(stmt)]


def current_run(session: Session, model: str) -> PersonalScoreRun | None:
    """The current run of ``model`` (None before the first run)."""
    stmt = (
        select(PersonalScoreRun)
        .where(PersonalScoreRun.model == model, PersonalScoreRun.current.is_(True))
        .order_by(PersonalScoreRun.id.desc())
        .limit(1)
    )
    return session.scalars(stmt).first()


def band_range(band: Band) -> str:
    """``[min, below)`` with ∞ for an open end."""
    return f"[{'-∞' if band.min is None else band.min}, {'+∞' if band.below is None else band.below})"


def distribution(ctx: Context, run_id: int | None = None, model: str | None = None) -> Distribution:
    """The band distribution of run ``run_id`` (default: the current run of ``model``, default ``honesty``)."""
    require(ctx, READ)
    if run_id is not None:
        run = ctx.session.get(PersonalScoreRun, run_id)
        if run is None:
            raise NotFound("未找到该评分批次", field="run_id")
    else:
        run = current_run(ctx.session, model_or_422(model).name)
        if run is None:
            raise NotFound("尚未计算个人诚信分", field="run_id")
    spec = model_or_422(run.model)
    rows = ctx.session.execute(
        select(PersonalScore.band, func.count(), func.sum(PersonalScore.score))
        .where(PersonalScore.run_id == run.id)
        .group_by(PersonalScore.band)
    ).all()
    counts = {str(band): int(n) for band, n, _ in rows}
    total = sum(counts.values())
    points = sum(int(s or 0) for _, _, s in rows)
    bands = [
        BandCount(
            band=b.code,
            label=b.label,
            range=band_range(b),
            persons=counts.get(b.code, 0),
            share=round(counts.get(b.code, 0) / total, 4) if total else 0.0,
        )
        for b in spec.bands
    ]
    return Distribution(
        run=summary(run), label=spec.label, bands=bands, average=round(points / total, 1) if total else None
    )


# --------------------------------------------------------------------------------------------- a person
def reason_text(spec: PersonalScoreModel, code: str, count: int, points: int) -> Reason:
    """A stored reason (``code``, ``count``, ``points``) in plain Chinese."""
    indicator = spec.indicator(code)
    label = indicator.label if indicator else code
    explain = indicator.explain if indicator else label
    unit = "项" if indicator is not None and indicator.kind == "list_entries" else "条"
    verb = "扣" if points < 0 else "加"
    text = f"{explain}：{count} {unit}，{verb} {abs(points)} 分"
    if indicator is not None and abs(count * indicator.points) > abs(points):
        text += f"（本项最多{verb} {indicator.cap} 分）"
    return Reason(
        code=code, label=label, count=count, points=points, text=text, advice=indicator.advice if indicator else ""
    )


def _history(session: Session, subject_id: int, spec: PersonalScoreModel) -> list[HistoryEntry]:
    stmt = (
        select(PersonalScoreRun, PersonalScore.score, PersonalScore.band)
        .join(PersonalScore, PersonalScore.run_id == PersonalScoreRun.id)
        .where(PersonalScore.subject_id == subject_id, PersonalScoreRun.model == spec.name)
        .order_by(PersonalScoreRun.as_of, PersonalScoreRun.id)
    )
    return [
        HistoryEntry(
            run_id=run.id,
            as_of=run.as_of,
            version=run.model_version,
            score=score,
            band=band,
            band_label=spec.band_label(band),
            current=run.current,
        )
        for run, score, band in session.execute(stmt)
    ]


def _person_score(ctx: Context, subject: Subject, model: str | None, *, masked: bool) -> PersonScore:
    if subject.kind != PERSON:
        raise InvalidInput("个人诚信分仅适用于自然人", field="subject_id")
    spec = model_or_422(model)
    row = current_score(ctx.session, subject.id, spec.name)
    if row is None:
        raise NotFound("尚未计算该自然人的个人诚信分（请等待信用办完成评分）", field="subject_id")
    run = ctx.session.get(PersonalScoreRun, row.run_id)
    assert run is not None
    reasons = [reason_text(spec, r["code"], int(r["count"]), int(r["points"])) for r in row.reasons or []]
    reasons.sort(key=lambda r: (-abs(r.points), r.code))
    band = spec.band(row.band)
    return PersonScore(
        subject_id=subject.id,
        name=mask_name(subject.name) if masked else subject.name,
        model=spec.name,
        label=spec.label,
        version=run.model_version,
        run_id=run.id,
        as_of=run.as_of,
        base_score=spec.base_score,
        score=row.score,
        band=row.band,
        band_label=spec.band_label(row.band),
        band_range=band_range(band) if band is not None else "",
        reasons=reasons,
        history=_history(ctx.session, subject.id, spec),
        note=NOTE,
    )


def own_score(ctx: Context, model: str | None = None) -> PersonScore:
    """The caller's own score (a natural person's account), with reasons and history."""
    require(ctx, OWN)
    subject = ctx.session.get(Subject, ctx.subject_id) if ctx.subject_id is not None else None
    if subject is None:
        raise InvalidInput("该账户未关联信用主体，无法查看个人诚信分", field="subject_id")
    return _person_score(ctx, subject, model, masked=False)


def person_score(ctx: Context, subject_id: int, model: str | None = None) -> PersonScore:
    """A person's score for the credit office (audited; the name masked)."""
    require(ctx, READ)
    subject = ctx.session.get(Subject, subject_id)
    if subject is None:
        raise NotFound("未找到该信用主体", field="subject_id")
    result = _person_score(ctx, subject, model, masked=True)
    audit.record_read(ctx, "personal_score", subject.id, {"model": result.model, "run_id": result.run_id})
    return result


def subject_by_ref(ctx: Context, ref: str) -> int:
    """A natural person's subject id from its id (digits) or its ID number; ``NotFound`` / ``InvalidInput``."""
    text = ref.strip()
    if text.isdigit() and len(text) < 15:
        return int(text)
    found = lookup_code(ctx.session, text, ctx.today, field="subject")
    if not found.subject_ids:
        raise NotFound("未找到持有该代码的信用主体", field="subject")
    if len(found.subject_ids) > 1:
        raise InvalidInput("该代码对应多个主体，请按主体编号查询", field="subject")
    return found.subject_ids[0]
