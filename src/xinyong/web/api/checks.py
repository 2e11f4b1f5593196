"""``/api/v1/checks``: 联合奖惩一键查询 (issue #7) — one check, a batch of up to 10,000 codes, feedback on the
measures a check returned (惩戒反馈), the feedback rates per department, and one logged check.

Every operation needs a credential (department officers and their API tokens with ``checks.run`` /
``checks.feedback`` scopes, regulators, the credit office). Each answered check is logged as a check-log row
whose ``check_id`` the feedback names. State changes by cookie also send ``X-CSRF-Token``. The rules live in
``lists.checks`` and ``lists.check_queries``; this router parses and returns.

Writes are committed before the answer is sent: the request session's own commit runs only after the response
has gone out (FastAPI ends ``yield`` dependencies after the response), so without it a client could be handed a
``check_id`` whose row is not yet visible to its next request (the feedback) — or never committed. The check and
the batch answer with the serialised model directly (same schema, validated when built): the hot path of the
一键查询 benchmark (docs/checks.md).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query
from starlette.responses import Response

from xinyong.db.base import MAX_ID
from xinyong.lists import check_queries, checks
from xinyong.lists.check_schemas import (
    CODE_INPUT_MAX,
    SCENARIO_MAX,
    BatchIn,
    BatchOut,
    CheckOut,
    FeedbackIn,
    FeedbackOut,
    RatesOut,
)
from xinyong.web.errors import error_responses
from xinyong.web.security import CSRF, DENIED, SECURED, LoggedIn

router = APIRouter(prefix="/api/v1/checks", tags=["联合奖惩一键查询"], dependencies=SECURED)

CheckId = Annotated[int, Path(ge=1, le=MAX_ID, description="查询记录编号（check_id）")]
JSON_MEDIA_TYPE = "application/json"


@router.get(
    "",
    response_model=CheckOut,
    summary="一键查询：名单状态与适用措施",
    responses=error_responses(*DENIED, 422),
)
def check(
    ctx: LoggedIn,
    code: Annotated[str, Query(min_length=1, max_length=CODE_INPUT_MAX, description="统一社会信用代码或身份证号码")],
    scenario: Annotated[
        str, Query(min_length=1, max_length=SCENARIO_MAX, description="应用场景，如 procurement（政府采购）")
    ],
    as_of: Annotated[date | None, Query(description="查询基准日（默认今天，不能晚于今天）")] = None,
) -> Response:
    """The subject the code names, its list entries in force on the day (list, department, decision and
    publication dates, expiry, basis) and the measures of the ledger that apply in the scenario — punishments and
    red-list incentives, each with its legal basis, implementing department and status. Logged; the answer's
    ``check_id`` is what feedback names. 422 for a malformed code (with the reasons) or an unknown scenario."""
    out = checks.check(ctx, code, scenario, as_of)
    ctx.session.commit()  # the check is logged before it is answered (see the module docstring)
    return Response(out.model_dump_json(), media_type=JSON_MEDIA_TYPE)


@router.post(
    "/batch",
    response_model=BatchOut,
    summary="批量查询（最多 10,000 个代码）",
    dependencies=CSRF,
    responses=error_responses(*DENIED, 422),
)
def batch(data: BatchIn, ctx: LoggedIn) -> Response:
    """One item per submitted position: a malformed code is reported at its position and the others are still
    checked; a repeated code is checked once (``duplicate_of``). The measures met are listed once. 422 for more
    than 10,000 codes or an unknown scenario."""
    out = checks.check_batch(ctx, data.codes, data.scenario, data.as_of)
    ctx.session.commit()
    return Response(out.model_dump_json(), media_type=JSON_MEDIA_TYPE)


@router.get(
    "/rates",
    response_model=RatesOut,
    summary="惩戒反馈率（按部门）",
    responses=error_responses(*DENIED, 422),
)
def rates(
    ctx: LoggedIn,
    date_from: Annotated[date | None, Query(description="统计起始日（默认本年 1 月 1 日）")] = None,
    date_to: Annotated[date | None, Query(description="统计截止日（默认今天）")] = None,
) -> RatesOut:
    """Per department: checks, hits, hits with measures, measures due, feedback given, applied / not applied,
    the feedback and applied rates. The credit office sees every department, a department its own."""
    return check_queries.feedback_rates(ctx, date_from, date_to)


@router.get(
    "/{check_id}",
    response_model=CheckOut,
    summary="查询记录详情（含已记录的惩戒反馈）",
    responses=error_responses(*DENIED, 404, 422),
)
def one(check_id: CheckId, ctx: LoggedIn) -> CheckOut:
    """A logged check as it was answered, with the feedback recorded on it (own department's checks only)."""
    return check_queries.get_check(ctx, check_id)


@router.post(
    "/{check_id}/feedback",
    response_model=FeedbackOut,
    status_code=201,
    summary="记录惩戒反馈（措施是否实施）",
    dependencies=CSRF,
    responses=error_responses(*DENIED, 404, 409, 422),
)
def feedback(check_id: CheckId, data: FeedbackIn, ctx: LoggedIn) -> FeedbackOut:
    """Whether a measure the check returned was applied; a reason is required when it was not. Once per check
    and measure (409 on a second); only the checking department (or the credit office)."""
    out = checks.record_feedback(ctx, check_id, data.measure_id, data.applied, data.reason)
    ctx.session.commit()
    return out
