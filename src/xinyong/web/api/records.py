"""Credit records over JSON: the public 双公示 list and detail (``/api/v1/gongshi``) and staff reads
(``/api/v1/staff/records``).

The public operations run as the anonymous public whoever calls (only 公开 fields, natural persons' names
masked); the staff operations need a credential (``SECURED``) and ``records.read``, and give each reader the
sharing levels of ``xinyong.records.visibility``. The reads live in ``records.publication`` and
``records.queries``; this router parses and returns.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from xinyong.auth.context import Context
from xinyong.db.base import MAX_ID
from xinyong.records import publication, queries
from xinyong.records.schemas import PublicPage, PublicRecord, StaffPage, StaffRecord
from xinyong.web.deps import get_public_context
from xinyong.web.errors import error_responses
from xinyong.web.security import DENIED, SECURED, LoggedIn

router = APIRouter()
public = APIRouter(prefix="/api/v1/gongshi", tags=["双公示"])
staff = APIRouter(prefix="/api/v1/staff/records", tags=["工作人员查询"], dependencies=SECURED)

PublicContext = Annotated[Context, Depends(get_public_context)]
ItemId = Annotated[str, Path(max_length=40, description="双公示数据项：licence 行政许可 / penalty 行政处罚")]
RecordId = Annotated[int, Path(ge=1, le=MAX_ID, description="信用记录编号")]
AsOf = Annotated[date | None, Query(description="按哪一天的公示状态查询（YYYY-MM-DD，默认今天）")]
Offset = Annotated[int, Query(ge=0, le=publication.MAX_OFFSET, description="跳过的条数")]
Limit = Annotated[int, Query(ge=1, le=publication.MAX_LIMIT, description="每页条数")]


@public.get(
    "/{item_id}", response_model=PublicPage, summary="双公示信息列表与查询", responses=error_responses(404, 422)
)
def gongshi_list(
    item_id: ItemId,
    ctx: PublicContext,
    q: Annotated[
        str | None,
        Query(max_length=publication.MAX_QUERY, description="统一社会信用代码、决定文书号（完全一致）或主体名称片段"),
    ] = None,
    as_of: AsOf = None,
    offset: Offset = 0,
    limit: Limit = publication.DEFAULT_LIMIT,
) -> PublicPage:
    """Records published on ``as_of``, newest decision first. Only 公开 fields; natural persons are never
    found by name and their names are masked."""
    return publication.search_public(ctx, item_id, q=q, as_of=as_of, offset=offset, limit=limit)


@public.get(
    "/{item_id}/{record_id}", response_model=PublicRecord, summary="双公示信息详情", responses=error_responses(404, 422)
)
def gongshi_detail(item_id: ItemId, record_id: RecordId, ctx: PublicContext, as_of: AsOf = None) -> PublicRecord:
    """One published record with its 公开 fields; 404 when it is not public on ``as_of`` (superseded by a
    correction, publicity ended, decided later, or not a 双公示 item)."""
    return publication.public_detail(ctx, item_id, record_id, as_of)


@staff.get("", response_model=StaffPage, summary="工作人员查询信用记录", responses=error_responses(*DENIED, 422))
def staff_list(
    ctx: LoggedIn,
    subject_id: Annotated[int | None, Query(ge=1, le=MAX_ID, description="信用主体编号")] = None,
    item_id: Annotated[str | None, Query(max_length=40, description="数据项，如 licence / penalty")] = None,
    department_id: Annotated[int | None, Query(ge=1, le=MAX_ID, description="数据来源部门编号")] = None,
    include_history: Annotated[bool, Query(description="包含已被更正取代的历史版本")] = False,
    offset: Annotated[int, Query(ge=0, le=queries.STAFF_MAX_OFFSET)] = 0,
    limit: Limit = publication.DEFAULT_LIMIT,
) -> StaffPage:
    """Records of every department (``records.read``), current versions unless ``include_history``. Audited."""
    return queries.staff_records(
        ctx,
        subject_id=subject_id,
        item_id=item_id,
        department_id=department_id,
        include_history=include_history,
        offset=offset,
        limit=limit,
    )


@staff.get(
    "/{record_id}",
    response_model=StaffRecord,
    summary="工作人员查看信用记录",
    responses=error_responses(*DENIED, 404, 422),
)
def staff_detail(
    record_id: RecordId,
    ctx: LoggedIn,
    reveal_identifiers: Annotated[
        bool, Query(description="以明文显示证件号码（仅区信用办 subjects.read_pii，留痕）")
    ] = False,
) -> StaffRecord:
    """One record version with the fields the reader's sharing levels allow (有条件共享 for staff, 不予共享 for
    the reporting department and the credit office) and its version history. Audited."""
    return queries.staff_record(ctx, record_id, reveal_identifiers=reveal_identifiers)


router.include_router(public)
router.include_router(staff)
