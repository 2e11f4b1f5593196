"""Bank authorisations: a subject lets a bank query its credit information (rules.md §10)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field

from xinyong.auth import authorisations
from xinyong.auth.models import BankAuthorisation
from xinyong.db.base import MAX_ID
from xinyong.web.errors import error_responses
from xinyong.web.security import CSRF, DENIED, SECURED, LoggedIn

router = APIRouter(prefix="/api/v1", tags=["金融机构授权"], dependencies=SECURED)
Id = Annotated[int, Path(ge=1, le=MAX_ID)]


class AuthorisationIn(BaseModel):
    """An authorisation to record."""

    institution: str = Field(min_length=1, max_length=64, description="被授权的金融机构名称（与其令牌或账户一致）")
    purpose: str = Field(min_length=1, max_length=authorisations.PURPOSE_MAX, description="用途，如“信易贷贷款审批”")
    scopes: list[Annotated[str, Field(max_length=64)]] = Field(
        min_length=1, max_length=20, description=f"授权范围: {', '.join(authorisations.SCOPES)}"
    )
    valid_from: date = Field(description="起始日（不早于今天）")
    valid_to: date = Field(description=f"截止日（含当日；期限最长 {authorisations.MAX_VALIDITY.days} 天）")


class AuthorisationOut(BaseModel):
    """A recorded authorisation."""

    id: int
    subject_id: int
    institution: str
    purpose: str
    scopes: list[str]
    valid_from: date
    valid_to: date
    granted_by: str
    granted_at: datetime
    revoked_at: datetime | None

    @classmethod
    def of(cls, grant: BankAuthorisation) -> AuthorisationOut:
        """From the table row."""
        return cls(
            id=grant.id,
            subject_id=grant.subject_id,
            institution=grant.institution,
            purpose=grant.purpose,
            scopes=list(grant.scopes or ()),
            valid_from=grant.valid_from,
            valid_to=grant.valid_to,
            granted_by=grant.granted_by,
            granted_at=grant.granted_at,
            revoked_at=grant.revoked_at,
        )


@router.post(
    "/subjects/{subject_id}/authorisations",
    response_model=AuthorisationOut,
    status_code=201,
    summary="授权金融机构查询本主体信息",
    responses=error_responses(*DENIED, 404, 422),
    dependencies=CSRF,
)
def grant(subject_id: Id, data: AuthorisationIn, ctx: LoggedIn) -> AuthorisationOut:
    """The subject authorises a bank (or the credit office records a signed paper authorisation)."""
    return AuthorisationOut.of(
        authorisations.grant_authorisation(
            ctx, subject_id, data.institution, data.purpose, data.scopes, data.valid_from, data.valid_to
        )
    )


@router.get(
    "/subjects/{subject_id}/authorisations",
    response_model=list[AuthorisationOut],
    summary="本主体的授权记录",
    responses=error_responses(*DENIED, 404),
)
def list_for_subject(subject_id: Id, ctx: LoggedIn) -> list[AuthorisationOut]:
    """Every authorisation the subject has given, revoked and expired ones included."""
    return [AuthorisationOut.of(g) for g in authorisations.list_authorisations(ctx, subject_id)]


@router.post(
    "/authorisations/{authorisation_id}/revoke",
    response_model=AuthorisationOut,
    summary="撤销授权",
    responses=error_responses(*DENIED, 404, 409),
    dependencies=CSRF,
)
def revoke(authorisation_id: Id, ctx: LoggedIn) -> AuthorisationOut:
    """Withdraw an authorisation; the bank's queries are refused from now on."""
    return AuthorisationOut.of(authorisations.revoke_authorisation(ctx, authorisation_id))
