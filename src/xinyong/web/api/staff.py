"""``/api/v1/staff``: registry reads for staff, natural persons included, with audited access to ID numbers.

The reads (permission check and audit event) live in ``xinyong.subjects.staff``; this router parses and returns.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from xinyong.db.base import MAX_ID
from xinyong.subjects import queries, staff
from xinyong.subjects.public import MAX_OFFSET
from xinyong.subjects.schemas import IdentityOut, SearchPage
from xinyong.web.errors import error_responses
from xinyong.web.security import DENIED, SECURED, LoggedIn

router = APIRouter(prefix="/api/v1/staff", tags=["工作人员查询"], dependencies=SECURED)


@router.get(
    "/subjects", response_model=SearchPage, summary="工作人员查询信用主体", responses=error_responses(*DENIED, 422)
)
def search(
    q: Annotated[str, Query(min_length=1, max_length=queries.MAX_QUERY, description="名称片段或统一社会信用代码前缀")],
    ctx: LoggedIn,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
    limit: Annotated[int | None, Query(ge=1, le=100)] = None,
) -> SearchPage:
    """Staff search (``subjects.read``): natural persons included, ID numbers masked (``ric_masked``)."""
    return staff.staff_search(ctx, q, offset=offset, limit=limit)


@router.get(
    "/subjects/{subject_id}/identity",
    response_model=IdentityOut,
    summary="查看自然人完整身份证号码（留痕）",
    responses=error_responses(*DENIED, 404),
)
def identity(subject_id: Annotated[int, Path(ge=1, le=MAX_ID)], ctx: LoggedIn) -> IdentityOut:
    """The full ID number (``subjects.read_pii``); every read leaves an audit event."""
    return staff.read_identity(ctx, subject_id)
