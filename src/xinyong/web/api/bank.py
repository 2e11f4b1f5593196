"""``/api/v1/bank``: a financial institution reads a subject under the subject's authorisation (信易贷)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from xinyong.auth import authorisations
from xinyong.errors import XinyongError
from xinyong.subjects.schemas import SubjectOut
from xinyong.web.errors import error_responses
from xinyong.web.security import DENIED, SECURED, LoggedIn

router = APIRouter(prefix="/api/v1/bank", tags=["金融机构"], dependencies=SECURED)


@router.get(
    "/subjects/{uscc}",
    response_model=SubjectOut,
    summary="金融机构按统一社会信用代码查询（须经主体授权）",
    responses=error_responses(*DENIED, 404, 422),
)
def subject(uscc: Annotated[str, Path(description="18位统一社会信用代码")], ctx: LoggedIn) -> SubjectOut:
    """The subject, if it has authorised the caller's institution for today (scope ``basic``); 403 otherwise.

    Every query is audited, the refused ones too: their event is committed before the error is answered.
    """
    try:
        return authorisations.bank_query_subject(ctx, uscc)
    except XinyongError:
        ctx.session.commit()  # the request's session rolls back on error: keep the audit event of the refusal
        raise
