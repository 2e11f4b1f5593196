"""``/api/v1/subjects``: public search and look-up by unified social credit code (统一社会信用代码)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from xinyong.auth.context import Context
from xinyong.subjects import public as lookup
from xinyong.subjects.queries import MAX_QUERY
from xinyong.subjects.schemas import SearchPage, SubjectOut
from xinyong.web.deps import get_public_context
from xinyong.web.errors import DuplicateCodeBody, error_responses

router = APIRouter(prefix="/api/v1/subjects", tags=["信用主体"])


@router.get("", response_model=SearchPage, summary="查询信用主体", responses=error_responses(422))
def search(
    q: Annotated[str, Query(min_length=1, max_length=MAX_QUERY, description="企业名称片段或统一社会信用代码（前缀）")],
    ctx: Annotated[Context, Depends(get_public_context)],
    offset: Annotated[int, Query(ge=0, le=lookup.MAX_OFFSET, description="跳过的条数")] = 0,
    limit: Annotated[int | None, Query(ge=1, le=100, description="每页条数（默认见设置）")] = None,
) -> SearchPage:
    """Search by any Chinese name fragment or by code prefix. Natural persons are never returned and personal
    data is masked. ``total_is_lower_bound`` is true when the fragment is too common to count exactly."""
    return lookup.search_public(ctx, q, offset=offset, limit=limit)


@router.get(
    "/{uscc}",
    response_model=SubjectOut,
    summary="按统一社会信用代码查看信用主体",
    responses={
        **error_responses(404, 422),
        409: {"model": DuplicateCodeBody, "description": "该统一社会信用代码存在重码：请从 candidates 中选择"},
    },
)
def by_code(
    uscc: Annotated[str, Path(description="18位统一社会信用代码（大小写与全角字符会被规范化）")],
    ctx: Annotated[Context, Depends(get_public_context)],
) -> SubjectOut:
    """The subject holding the code. A code held by several subjects (重码) answers 409 with the candidates."""
    return lookup.subject_by_code(ctx, uscc)
