"""``/api/v1/lifecycle``: publicity status of a record for any date, revocation, and a subject's own records.

* ``GET /records/{record_id}/status?as_of=``: staff readers (``records.read``, any department, as the staff
  record view) and the record's own subject (``lifecycle.read_own``).
* ``POST /records/{record_id}/revoke``: the record's department (``records.revoke``) or the credit office;
  cookie callers send ``X-CSRF-Token``.
* ``GET /my/records?as_of=``: a subject's own current records with status and what it may do (object, apply for
  repair); the credit office names ``subject_id``.

The reads and the action live in ``records.queries`` and ``records.revocation``; this router parses and returns.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from xinyong.db.base import MAX_ID
from xinyong.records import queries
from xinyong.records.revocation import DOCUMENT_MAX, REASON_MAX, revoke_record
from xinyong.records.schemas import OwnRecords, Revocation
from xinyong.records.status import RecordStatus
from xinyong.web.errors import error_responses
from xinyong.web.security import CSRF, DENIED, SECURED, LoggedIn

router = APIRouter(prefix="/api/v1/lifecycle", tags=["公示状态"], dependencies=SECURED)

RecordId = Annotated[int, Path(ge=1, le=MAX_ID, description="信用记录编号")]
AsOf = Annotated[date | None, Query(description="按哪一天计算（YYYY-MM-DD，默认今天）")]


class RevokeIn(BaseModel):
    """A revocation of the decision behind a record."""

    revoked_on: date = Field(description="撤销生效日期（不晚于今天，不早于决定日期）")
    reason: str = Field(max_length=REASON_MAX, description="撤销原因")
    document: str = Field(max_length=DOCUMENT_MAX, description="撤销决定文书号")


@router.get(
    "/records/{record_id}/status",
    response_model=RecordStatus,
    summary="信用记录的公示状态",
    responses=error_responses(*DENIED, 404, 422),
)
def record_status(record_id: RecordId, ctx: LoggedIn, as_of: AsOf = None) -> RecordStatus:
    """Status on ``as_of`` (公示中, 异议中, 已修复, 公示期满, 已撤销, 未到公示日, 不予公示) with the regime,
    severity, end of the minimum period and the end in force that day."""
    return queries.read_record_status(ctx, record_id, as_of)


@router.post(
    "/records/{record_id}/revoke",
    response_model=Revocation,
    summary="登记处罚决定已撤销",
    responses=error_responses(*DENIED, 404, 409, 422),
    dependencies=CSRF,
)
def revoke(record_id: RecordId, data: RevokeIn, ctx: LoggedIn) -> Revocation:
    """The record's department (or the credit office) records that the decision was revoked: from
    ``revoked_on`` the record is 已撤销 and leaves the public pages. 409 when it is already revoked."""
    return revoke_record(ctx, record_id, data.revoked_on, data.reason, data.document)


@router.get(
    "/my/records",
    response_model=OwnRecords,
    summary="我的信用记录",
    responses=error_responses(*DENIED, 404, 422),
)
def my_records(
    ctx: LoggedIn,
    as_of: AsOf = None,
    subject_id: Annotated[int | None, Query(ge=1, le=MAX_ID, description="信用主体编号（区信用办代查时必填）")] = None,
) -> OwnRecords:
    """The subject's own current records of every data item, with status, public fields and whether an
    objection or a credit repair application is possible."""
    return queries.own_records(ctx, as_of, subject_id=subject_id)
