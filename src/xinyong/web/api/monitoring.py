"""``/api/v1/monitoring``: city credit monitoring (城市信用状况监测预警, issue #12 item 1).

Reading needs ``monitoring.read`` (staff of every department, regulators, the credit office); running a month
needs ``monitoring.run`` (the credit office); manual values need ``monitoring.enter`` (the credit office for any
manual indicator, a department officer for indicators naming their department); the city's published district
results (issue #12 item 4) are entered with ``monitoring.city_results`` (the credit office) and read with
``monitoring.read`` beside our own computed score. Rules: ``xinyong.monitoring``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from xinyong.monitoring import city, queries, service
from xinyong.monitoring.schemas import (
    MONTH_PATTERN,
    CityComparison,
    CityMonth,
    CityResultOut,
    CityResultsIn,
    EntryIn,
    EntryOut,
    ModelOut,
    NegativeResult,
    RunDetail,
    RunIn,
    RunOut,
    TrendPoint,
)
from xinyong.web.errors import error_responses
from xinyong.web.security import CSRF, DENIED, SECURED, LoggedIn

router = APIRouter(prefix="/api/v1/monitoring", tags=["城市信用监测"], dependencies=SECURED)

Month = Annotated[str, Path(pattern=MONTH_PATTERN, description="月份 YYYY-MM")]
Version = Annotated[int | None, Query(ge=2000, le=2100, description="指标模型版本（默认 2020）")]


@router.get("/model", response_model=ModelOut, summary="监测指标模型", responses=error_responses(*DENIED, 404, 422))
def model(ctx: LoggedIn, version: Version = None) -> ModelOut:
    """Groups, weights, sources, how each indicator is computed or entered, scoring and warning thresholds."""
    return queries.model_out(ctx, version)


@router.get(
    "/trend", response_model=list[TrendPoint], summary="全区得分月度趋势", responses=error_responses(*DENIED, 404, 422)
)
def trend(ctx: LoggedIn, version: Version = None) -> list[TrendPoint]:
    """The district score of every month's current run, oldest first."""
    return queries.trend(ctx, version)


@router.get(
    "/months/{month}",
    response_model=RunDetail,
    summary="某月监测结果",
    responses=error_responses(*DENIED, 404, 422),
)
def month_detail(
    month: Month,
    ctx: LoggedIn,
    unit: Annotated[str | None, Query(max_length=9, description="区代码 440113（默认）或镇街代码")] = None,
    version: Version = None,
) -> RunDetail:
    """The month's current run: the unit's indicators, every unit's total and the negative check's findings."""
    return queries.run_detail(ctx, month, unit, version)


@router.get(
    "/months/{month}/runs",
    response_model=list[RunOut],
    summary="某月计算历史",
    responses=error_responses(*DENIED, 404, 422),
)
def month_runs(month: Month, ctx: LoggedIn, version: Version = None) -> list[RunOut]:
    """Every run of the month (reruns keep the earlier ones), newest first."""
    return queries.runs_of_month(ctx, month, version)


@router.get(
    "/months/{month}/entries",
    response_model=list[EntryOut],
    summary="某月手工填报记录",
    responses=error_responses(*DENIED, 404, 422),
)
def month_entries(month: Month, ctx: LoggedIn, version: Version = None) -> list[EntryOut]:
    """Every manual entry of the month with its evidence, newest first."""
    return queries.entries(ctx, month, version)


@router.post(
    "/runs",
    response_model=RunOut,
    status_code=201,
    summary="计算某月监测指标",
    dependencies=CSRF,
    responses=error_responses(*DENIED, 404, 422),
)
def run(data: RunIn, ctx: LoggedIn) -> RunOut:
    """Compute and store the month; a rerun is a new run (the earlier one stays as history)."""
    out = service.run_month(ctx, data.month, data.version)
    ctx.session.commit()
    return out


@router.post(
    "/entries",
    response_model=EntryOut,
    status_code=201,
    summary="填报手工指标值",
    dependencies=CSRF,
    responses=error_responses(*DENIED, 404, 422),
)
def enter(data: EntryIn, ctx: LoggedIn) -> EntryOut:
    """A manual indicator's value with its evidence; applied at once to the month's current run, if any."""
    out = service.enter_value(ctx, data.indicator, data.unit, data.value, data.evidence, data.month, data.version)
    ctx.session.commit()
    return out


@router.get(
    "/negative-check",
    response_model=NegativeResult,
    summary="负面清单检查",
    responses=error_responses(*DENIED, 404, 422),
)
def negative(ctx: LoggedIn, version: Version = None) -> NegativeResult:
    """Catalogue items and records naming a category without a legal basis (信访, 拆迁 …); ``ok`` false if any."""
    return queries.check_negative(ctx, version)


@router.post(
    "/city-results",
    response_model=list[CityResultOut],
    status_code=201,
    summary="录入市公布的各区监测结果",
    dependencies=CSRF,
    responses=error_responses(*DENIED, 422),
)
def enter_city_results(data: CityResultsIn, ctx: LoggedIn) -> list[CityResultOut]:
    """The city's table for a month (district, score, rank; exactly one row flagged as our district) with its
    source document. A correction is entered the same way: the latest row of each district counts."""
    out = city.enter_results(ctx, data.month, data.results, data.source)
    ctx.session.commit()
    return out


@router.get(
    "/city-results",
    response_model=list[CityMonth],
    summary="有市公布结果的月份",
    responses=error_responses(*DENIED, 422),
)
def city_months(ctx: LoggedIn) -> list[CityMonth]:
    """Every month with city results (newest first): our published score and rank, our computed score."""
    return city.months(ctx)


@router.get(
    "/city-results/{month}",
    response_model=CityComparison,
    summary="某月全市各区结果与本平台自算得分对照",
    responses=error_responses(*DENIED, 422),
)
def city_month(month: Month, ctx: LoggedIn) -> CityComparison:
    """The month's current city table beside the platform's own computed district score, with the difference
    explained."""
    return city.comparison(ctx, month)
