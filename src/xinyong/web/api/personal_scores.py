"""``/api/v1/personal-scores``: the personal honesty score (issue #9 item 2): runs, a person's own score.

The credit office runs the scoring (``incentives.manage``) and reads the runs, the band distribution and one
person's score (``incentives.read``, audited, the name masked). A natural person reads its own score, band,
reasons and history (``incentives.own``; another kind of subject gets 422). Rules: ``xinyong.incentives.scoring``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from xinyong.incentives import score_queries, scoring
from xinyong.incentives.score_schemas import Distribution, PersonScore, RunIn, RunOut
from xinyong.web.errors import error_responses
from xinyong.web.security import CSRF, DENIED, SECURED, LoggedIn

router = APIRouter(prefix="/api/v1/personal-scores", tags=["个人诚信分"], dependencies=SECURED)

Model = Annotated[str | None, Query(max_length=40, description="模型代码（默认 honesty）")]


@router.post(
    "/runs",
    response_model=RunOut,
    status_code=201,
    summary="计算个人诚信分",
    dependencies=CSRF,
    responses=error_responses(*DENIED, 422),
)
def run(data: RunIn, ctx: LoggedIn) -> RunOut:
    """Score every natural person as of ``as_of`` (default today); the run becomes the model's current one."""
    stored = scoring.run(ctx, data.as_of or ctx.today, data.model)
    out = score_queries.summary(stored)
    ctx.session.commit()
    return out


@router.get("/runs", response_model=list[RunOut], summary="评分批次", responses=error_responses(*DENIED, 422))
def runs(
    ctx: LoggedIn, model: Model = None, limit: Annotated[int, Query(ge=1, le=100, description="条数")] = 20
) -> list[RunOut]:
    """The latest runs, newest first (the current one flagged)."""
    return score_queries.list_runs(ctx, model, limit)


@router.get(
    "/distribution",
    response_model=Distribution,
    summary="分档分布",
    responses=error_responses(*DENIED, 404, 422),
)
def distribution(
    ctx: LoggedIn,
    model: Model = None,
    run_id: Annotated[int | None, Query(ge=1, description="批次编号（默认当前批次）")] = None,
) -> Distribution:
    """How many persons in each band of a run (default: the model's current run), with the average score."""
    return score_queries.distribution(ctx, run_id, model)


@router.get("/me", response_model=PersonScore, summary="我的个人诚信分", responses=error_responses(*DENIED, 404, 422))
def me(ctx: LoggedIn, model: Model = None) -> PersonScore:
    """The caller's own score, band, the reasons in plain Chinese and the history (natural persons only)."""
    return score_queries.own_score(ctx, model)


@router.get(
    "/subjects/{subject_id}",
    response_model=PersonScore,
    summary="某自然人的个人诚信分",
    responses=error_responses(*DENIED, 404, 422),
)
def person(subject_id: Annotated[int, Path(ge=1)], ctx: LoggedIn, model: Model = None) -> PersonScore:
    """A natural person's score with its reasons, for the credit office (audited; the name masked)."""
    out = score_queries.person_score(ctx, subject_id, model)
    ctx.session.commit()
    return out
