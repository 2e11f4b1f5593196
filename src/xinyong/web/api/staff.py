"""``/api/v1/staff``: registry reads for staff, natural persons included, with audited access to ID numbers.

The two reads live here until the registry grows a staff read module; both check permission and audit.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from xinyong.auth import audit, pii
from xinyong.auth.context import Context
from xinyong.auth.permissions import require
from xinyong.db.base import MAX_ID, fetch
from xinyong.errors import InvalidInput, NotFound
from xinyong.subjects import queries
from xinyong.subjects.models import Subject
from xinyong.subjects.public import MAX_OFFSET
from xinyong.subjects.schemas import SearchPage
from xinyong.web.api.tokens import DENIED, SECURED, LoggedIn
from xinyong.web.errors import error_responses

router = APIRouter(prefix="/api/v1/staff", tags=["工作人员查询"], dependencies=SECURED)
READ = "subjects.read"
READ_PII = "subjects.read_pii"
# Staff see natural persons too, ID numbers masked; the full number needs READ_PII and is audited.
STAFF = queries.Audience(include_natural_persons=True)


class IdentityOut(BaseModel):
    """A natural person's full ID number (公民身份号码); each read is audited."""

    subject_id: int
    name: str
    ric: str = Field(description="完整的公民身份号码")


def _audit_query(q: str) -> str:
    """The query as kept in the audit log: a code-like query may be an ID number, so it is masked."""
    code = q.strip().upper()
    return pii.mask_id(code) if queries.CODE_QUERY.match(code) and len(code) >= 15 else q[: queries.MAX_QUERY]


def staff_search(ctx: Context, q: str, *, offset: int = 0, limit: int | None = None) -> SearchPage:
    """Search the whole registry as staff: natural persons included, ID numbers masked. Audited."""
    require(ctx, READ)
    if offset > MAX_OFFSET:
        raise InvalidInput(f"分页位置过大（最多 {MAX_OFFSET}）", field="offset")
    page = queries.search_subjects(ctx.session, q, offset=offset, limit=limit, audience=STAFF)
    audit.record(
        ctx, "subjects.staff_search", "subject", "*", {"q": _audit_query(q), "offset": offset, "total": page.total}
    )
    return page


def read_identity(ctx: Context, subject_id: int) -> IdentityOut:
    """Decrypt a natural person's ID number for an authorised reader; the read is audited (never the number)."""
    require(ctx, READ_PII)
    subject = fetch(ctx.session, Subject, subject_id)
    if subject is None:
        raise NotFound("未找到该信用主体", field="subject_id")
    if not subject.ric_cipher:
        raise NotFound("该主体没有登记公民身份号码", field="subject_id")
    ric = pii.decrypt(subject.ric_cipher)
    audit.record(ctx, "subjects.read_pii", "subject", subject.id, {"field": "ric"})
    return IdentityOut(subject_id=subject.id, name=subject.name, ric=ric)


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
    return staff_search(ctx, q, offset=offset, limit=limit)


@router.get(
    "/subjects/{subject_id}/identity",
    response_model=IdentityOut,
    summary="查看自然人完整身份证号码（留痕）",
    responses=error_responses(*DENIED, 404),
)
def identity(subject_id: Annotated[int, Path(ge=1, le=MAX_ID)], ctx: LoggedIn) -> IdentityOut:
    """The full ID number (``subjects.read_pii``); every read leaves an audit event."""
    return read_identity(ctx, subject_id)
