"""``/api/v1/evaluation``: run the credit evaluation (credit office and regulators, ``evaluation.run``; one model or
the general model plus every industry model), list runs, a run's grade distribution, a subject's explanation and
grade history (by default under the model of the subject's industry), and the scorecard validation report
(staff readers, ``evaluation.read``)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from xinyong.evaluation import service
from xinyong.evaluation.schemas import Distribution, Explanation, HistoryEntry, RunSummary, ValidationReport
from xinyong.evaluation.validation import MAX_HORIZON, validate_model
from xinyong.web.errors import error_responses
from xinyong.web.security import CSRF, DENIED, SECURED, LoggedIn

router = APIRouter(prefix="/api/v1/evaluation", tags=["公共信用综合评价"], dependencies=SECURED)

ModelName = Annotated[str | None, Query(max_length=40, description="评价模型，如 general、construction；默认 general")]
SubjectModel = Annotated[
    str | None, Query(max_length=40, description="评价模型；默认按主体行业选择（行业模型，否则 general）")
]

AsOf = Annotated[date | None, Query(description="评价基准日，默认今天")]
SubjectId = Annotated[int, Path(ge=1, le=2**62, description="信用主体编号")]
RunId = Annotated[int, Path(ge=1, le=2**62, description="评价批次编号")]


class RunIn(BaseModel):
    """Run an evaluation as of a day."""

    model_config = ConfigDict(extra="forbid")

    as_of: date = Field(description="评价基准日")
    model: str | None = Field(default=None, max_length=40, description="评价模型，默认 general")


@router.post(
    "/runs",
    response_model=RunSummary,
    summary="运行公共信用综合评价",
    responses=error_responses(*DENIED, 422),
    dependencies=CSRF,
)
def post_run(data: RunIn, ctx: LoggedIn) -> RunSummary:
    """Evaluate every subject the model covers as of ``as_of`` (set-based, stored with the model version)."""
    return service.run_evaluation(ctx, data.as_of, data.model)


class RunAllIn(BaseModel):
    """Run the general model and every industry model as of a day."""

    model_config = ConfigDict(extra="forbid")

    as_of: date = Field(description="评价基准日")


@router.post(
    "/runs/all",
    response_model=list[RunSummary],
    summary="运行通用模型及全部行业模型",
    responses=error_responses(*DENIED, 422),
    dependencies=CSRF,
)
def post_run_all(data: RunAllIn, ctx: LoggedIn) -> list[RunSummary]:
    """The monthly evaluation: the general model, then every industry model (each covers its industries)."""
    return service.run_all(ctx, data.as_of)


@router.get(
    "/runs",
    response_model=list[RunSummary],
    summary="评价批次列表",
    responses=error_responses(*DENIED, 422),
)
def get_runs(
    ctx: LoggedIn, model: ModelName = None, limit: Annotated[int, Query(ge=1, le=service.MAX_RUNS)] = 20
) -> list[RunSummary]:
    """The latest runs, newest first."""
    return service.list_runs(ctx, model, limit)


@router.get(
    "/runs/{run_id}/distribution",
    response_model=Distribution,
    summary="评价批次的等级分布",
    responses=error_responses(*DENIED, 404, 422),
)
def get_distribution(ctx: LoggedIn, run_id: RunId) -> Distribution:
    """How many subjects got each grade, with the grade labels and score bands of the model."""
    return service.distribution(ctx, run_id)


@router.get(
    "/subjects/{subject_id}/explanation",
    response_model=Explanation,
    summary="主体评价说明（按维度、指标与记录）",
    responses=error_responses(*DENIED, 404, 422),
)
def get_explanation(
    ctx: LoggedIn, subject_id: SubjectId, as_of: AsOf = None, model: SubjectModel = None
) -> Explanation:
    """The subject's score as of ``as_of`` by dimension and indicator, with the records behind each indicator
    and the points each contributes after decay. Reproducible: the same day on the same data gives the same."""
    return service.explain(ctx, subject_id, as_of, model)


@router.get(
    "/subjects/{subject_id}/history",
    response_model=list[HistoryEntry],
    summary="主体评价等级历史",
    responses=error_responses(*DENIED, 404, 422),
)
def get_history(ctx: LoggedIn, subject_id: SubjectId, model: SubjectModel = None) -> list[HistoryEntry]:
    """The subject's score and grade in every stored run of the model, oldest first."""
    return service.history(ctx, subject_id, model)


@router.get(
    "/validation",
    response_model=ValidationReport,
    summary="评分卡验证报告（等级稳定性与坏样本率）",
    responses=error_responses(*DENIED, 422),
)
def get_validation(
    ctx: LoggedIn,
    from_month: Annotated[str, Query(alias="from", min_length=6, max_length=7, description="起始月份 YYYY-MM")],
    to_month: Annotated[str, Query(alias="to", min_length=6, max_length=7, description="截止月份 YYYY-MM")],
    model: ModelName = None,
    horizon: Annotated[int | None, Query(ge=1, le=MAX_HORIZON, description="观察期（月），默认取模型设置")] = None,
) -> ValidationReport:
    """Grade stability month to month (transition matrices, share keeping their grade) and the bad rate of each
    grade against penalties decided in the following months, with the monotonicity check A ≤ B ≤ C ≤ D."""
    return validate_model(ctx, model, from_month, to_month, horizon)
