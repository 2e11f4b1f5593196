"""Reads of city credit monitoring (``monitoring.read``): a month's run by unit, the district trend, run history,
manual entries and the live negative check. Aggregates only (no personal data)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from xinyong.auth.context import Context
from xinyong.auth.permissions import require
from xinyong.codes.divisions import township_by_code
from xinyong.errors import InvalidInput, NotFound
from xinyong.monitoring import negative_check
from xinyong.monitoring.model_yaml import DEFAULT_VERSION, MonitoringModel, load_model
from xinyong.monitoring.models import MonitoringEntry, MonitoringRun, MonitoringValue
from xinyong.monitoring.schemas import (
    EntryOut,
    IndicatorDef,
    IndicatorValue,
    ModelOut,
    NegativeFinding,
    NegativeResult,
    RunDetail,
    RunOut,
    TrendPoint,
    UnitScore,
)
from xinyong.monitoring.service import READ, current_run, parse_month, units

TREND_MONTHS = 24


def unit_name(model: MonitoringModel, code: str) -> str:
    """番禺区 for the district code, the township's name otherwise."""
    if code == model.district:
        return "番禺区"
    town = township_by_code(code)
    return town.name if town else code


def _model(version: int | None) -> MonitoringModel:
    return load_model(version or DEFAULT_VERSION)


def run_detail(ctx: Context, month: str, unit: str | None = None, version: int | None = None) -> RunDetail:
    """The current run of the month: the unit's indicators (the district by default), every unit's total and the
    negative check's findings. 404 before the month was run."""
    require(ctx, READ)
    model = _model(version)
    parse_month(month)
    code = (unit or model.district).strip()
    if code not in units(model):
        raise InvalidInput(f"单位代码“{code[:12]}”不是区或番禺区镇街代码", field="unit")
    run = current_run(ctx, model.version, month)
    if run is None:
        raise NotFound(f"{month} 尚未计算（{model.version} 版指标模型）", field="month")
    values = {
        v.indicator: v
        for v in ctx.session.scalars(
            select(MonitoringValue).where(MonitoringValue.run_id == run.id, MonitoringValue.unit == code)
        )
    }
    indicators = []
    for group, sub, ind in model.indicators():
        row = values.get(ind.code)
        if row is None:
            continue
        indicators.append(
            IndicatorValue(
                code=ind.code,
                name=ind.name,
                group=group.name,
                subgroup=sub.name,
                weight=ind.weight,
                unit_label=ind.unit_label,
                manual=ind.manual,
                source=ind.source,
                confidence=ind.confidence,
                value=row.value,
                numerator=row.numerator,
                denominator=row.denominator,
                score=row.score,
                previous=row.previous,
                warnings=list(row.warnings or []),
            )
        )
    totals = ctx.session.execute(
        select(MonitoringValue.unit, func.sum(MonitoringValue.score))
        .where(MonitoringValue.run_id == run.id)
        .group_by(MonitoringValue.unit)
    )
    flags: dict[str, int] = {}
    for u, w in ctx.session.execute(
        select(MonitoringValue.unit, MonitoringValue.warnings).where(MonitoringValue.run_id == run.id)
    ):
        flags[u] = flags.get(u, 0) + (1 if w else 0)
    scores = {u: float(s or 0) for u, s in totals}
    unit_scores = [
        UnitScore(unit=u, name=unit_name(model, u), score=round(scores.get(u, 0.0), 2), warnings=flags.get(u, 0))
        for u in units(model)
    ]
    base = RunOut.model_validate(run, from_attributes=True).model_dump()
    return RunDetail(
        **base,
        unit=code,
        indicators=indicators,
        units=unit_scores,
        negative=[NegativeFinding.model_validate(f) for f in run.negative or []],
    )


def trend_points(session: Session, version: int | None = None, limit: int = TREND_MONTHS) -> list[TrendPoint]:
    """The district score of each month's current run, oldest first (at most ``limit`` months); no permission
    check (the callers check theirs: ``trend`` here, the dashboard's figures)."""
    model = _model(version)
    runs = session.scalars(
        select(MonitoringRun)
        .where(MonitoringRun.model_version == model.version, MonitoringRun.current.is_(True))
        .order_by(MonitoringRun.month.desc())
        .limit(limit)
    )
    points = [TrendPoint(month=r.month, score=r.district_score, warnings=r.warnings) for r in runs]
    return points[::-1]


def trend(ctx: Context, version: int | None = None, limit: int = TREND_MONTHS) -> list[TrendPoint]:
    """The district score of each month's current run, oldest first (at most ``limit`` months)."""
    require(ctx, READ)
    return trend_points(ctx.session, version, limit)


def runs_of_month(ctx: Context, month: str, version: int | None = None) -> list[RunOut]:
    """Every run of the month, newest first (the history of reruns)."""
    require(ctx, READ)
    model = _model(version)
    parse_month(month)
    rows = ctx.session.scalars(
        select(MonitoringRun)
        .where(MonitoringRun.model_version == model.version, MonitoringRun.month == month)
        .order_by(MonitoringRun.id.desc())
    )
    return [RunOut.model_validate(r, from_attributes=True) for r in rows]


def entries(ctx: Context, month: str, version: int | None = None) -> list[EntryOut]:
    """The month's manual entries, newest first (every entry: earlier ones are kept)."""
    require(ctx, READ)
    model = _model(version)
    parse_month(month)
    rows = ctx.session.scalars(
        select(MonitoringEntry)
        .where(MonitoringEntry.model_version == model.version, MonitoringEntry.month == month)
        .order_by(MonitoringEntry.id.desc())
    )
    return [EntryOut.model_validate(e, from_attributes=True) for e in rows]


def check_negative(ctx: Context, version: int | None = None) -> NegativeResult:
    """The negative check against the catalogue and the records now (nothing stored)."""
    require(ctx, READ)
    model = _model(version)
    findings = negative_check.run_check(ctx.session, model)
    return NegativeResult(ok=not findings, source=model.negative_check.source, findings=findings)


def model_out(ctx: Context, version: int | None = None) -> ModelOut:
    """The model as configured."""
    require(ctx, READ)
    model = _model(version)
    groups = [
        {
            "code": g.code,
            "name": g.name,
            "weight": g.weight,
            "subgroups": [{"name": s.name, "weight": s.weight} for s in g.subgroups],
        }
        for g in model.groups
    ]
    indicators = [
        IndicatorDef(
            code=i.code,
            name=i.name,
            group=g.name,
            subgroup=s.name,
            weight=i.weight,
            unit_label=i.unit_label,
            manual=i.manual,
            compute=i.compute.kind if i.compute else None,
            params=i.compute.params() if i.compute else {},
            departments=list(i.departments),
            scoring=i.scoring.kind,
            floor=i.scoring.floor,
            target=i.scoring.target,
            warn_at=i.warn_at,
            source=i.source,
            confidence=i.confidence,
        )
        for g, s, i in model.indicators()
    ]
    return ModelOut(version=model.version, name=model.name, source=model.source, groups=groups, indicators=indicators)
