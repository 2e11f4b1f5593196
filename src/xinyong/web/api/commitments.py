"""``/api/v1/commitments``: 信用承诺 (issue #5) — the public list, signing and recording, the department feed,
the detail and the verification.

The public list (``/public``) and the types (``/types``) need no credential. Everything else declares the
shared security schemes (a department's API token or a login session); state changes by cookie also send
``X-CSRF-Token``. The rules and checks live in ``records.commitments``; this router parses and returns.

A department system polls ``GET /feed?since=YYYY-MM-DD`` with its token (``commitments.read``): the
commitments that concern its department, oldest first, signed or verified on or after ``since``.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, Field

from xinyong.auth.context import Context
from xinyong.db.base import MAX_ID
from xinyong.errors import InvalidInput
from xinyong.records import commitments, publication
from xinyong.records.commitment_schemas import (
    CommitmentDetail,
    CommitmentFeed,
    CommitmentRow,
    CommitmentTypeInfo,
    PublicCommitmentPage,
)
from xinyong.web.deps import get_public_context
from xinyong.web.errors import error_responses
from xinyong.web.security import CSRF, DENIED, SECURED, LoggedIn

router = APIRouter(prefix="/api/v1/commitments", tags=["信用承诺"])

PublicContext = Annotated[Context, Depends(get_public_context)]
CommitmentId = Annotated[int, Path(ge=1, le=MAX_ID, description="信用承诺编号")]
Offset = Annotated[int, Query(ge=0, le=publication.MAX_OFFSET, description="跳过的条数")]
Limit = Annotated[int, Query(ge=1, le=publication.MAX_LIMIT, description="每页条数")]
Kind = Literal["approval_substitute", "certification", "voluntary", "industry", "repair"]


class SignIn(BaseModel):
    """A commitment to sign (the subject) or to record from paper (a department, the credit office)."""

    subject_id: int | None = Field(default=None, ge=1, le=MAX_ID, description="承诺主体编号（主体本人可不填）")
    uscc: str | None = Field(default=None, max_length=32, description="或：承诺主体的统一社会信用代码（部门录入时）")
    kind: Kind = Field(
        description="承诺类型：approval_substitute 审批替代型 / certification 证明事项告知承诺 / voluntary 主动型 / "
        "industry 行业自律型 / repair 信用修复型"
    )
    department_id: int | None = Field(
        default=None, ge=1, le=MAX_ID, description="承诺所涉部门编号（部门用户默认本部门）"
    )
    matter: str = Field(max_length=1000, description="承诺事项，如申请办理的许可事项名称")
    text: str | None = Field(default=None, max_length=40000, description="承诺内容；不填则使用该类型的标准承诺书文本")
    signer_name: str = Field(max_length=200, description="承诺人（签署人）姓名")


class VerifyIn(BaseModel):
    """The outcome of a commitment's verification."""

    outcome: Literal["kept", "breached"] = Field(description="kept 已履约 / breached 已违约")
    reason: str = Field(default="", max_length=40000, description="核查说明；违约时为违约事实（必填）")
    false_commitment: bool = Field(default=False, description="违约时是否认定为虚假承诺")
    version: int | None = Field(default=None, ge=1, description="核查人看到的版本号（乐观锁，防止覆盖他人处理结果）")


class PublicationIn(BaseModel):
    """Show or hide a commitment on the public list."""

    published: bool


@router.get("/types", response_model=list[CommitmentTypeInfo], summary="信用承诺类型与标准承诺书")
def types() -> list[CommitmentTypeInfo]:
    """The commitment types of ``rules/commitments.yaml``, with their template texts and verification periods."""
    return commitments.commitment_types()


@router.get("/public", response_model=PublicCommitmentPage, summary="信用承诺公示", responses=error_responses(422))
def public_list(
    ctx: PublicContext,
    q: Annotated[
        str | None,
        Query(max_length=publication.MAX_QUERY, description="统一社会信用代码（完全一致）、主体名称或承诺事项片段"),
    ] = None,
    offset: Offset = 0,
    limit: Limit = publication.DEFAULT_LIMIT,
) -> PublicCommitmentPage:
    """Published commitments, newest first; natural persons' names masked and never searchable."""
    return commitments.public_commitments(ctx, q, offset, limit)


@router.post(
    "",
    response_model=CommitmentDetail,
    status_code=201,
    summary="签署或录入信用承诺",
    dependencies=[*SECURED, *CSRF],
    responses=error_responses(*DENIED, 404, 409, 422),
)
def sign(data: SignIn, ctx: LoggedIn) -> CommitmentDetail:
    """The subject signs online (its own subject); a department officer records a paper commitment for its own
    department (subject by ``subject_id`` or ``uscc``); the credit office for any department. 告知承诺 types are
    refused (409) to a subject with serious bad credit in force or an unrepaired false commitment."""
    subject_id = commitments.resolve_subject(ctx, data.subject_id, data.uscc)
    department_id = data.department_id if data.department_id is not None else ctx.department_id
    if department_id is None:
        raise InvalidInput("请选择承诺所涉部门（department_id）", field="department_id")
    text = data.text
    if text is None or not text.strip():
        text = commitments.default_text(ctx, data.kind, subject_id, department_id, data.matter)
    row = commitments.sign_commitment(
        ctx,
        subject_id=subject_id,
        kind=data.kind,
        department_id=department_id,
        matter=data.matter,
        text=text,
        signer_name=data.signer_name,
    )
    return commitments.commitment_detail(ctx, row.id, audit_read=False)


@router.get(
    "/feed",
    response_model=CommitmentFeed,
    summary="部门信用承诺推送清单",
    dependencies=SECURED,
    responses=error_responses(*DENIED, 422),
)
def feed(
    ctx: LoggedIn,
    since: Annotated[date | None, Query(description="只列出该日（含）以后签署或核查的承诺（YYYY-MM-DD）")] = None,
    status: Annotated[
        Literal["signed", "kept", "breached"] | None, Query(description="signed 待核查 / kept 已履约 / breached 已违约")
    ] = None,
    overdue: Annotated[bool | None, Query(description="true：只列出核查已逾期的承诺")] = None,
    department_id: Annotated[
        int | None, Query(ge=1, le=MAX_ID, description="部门编号（部门用户与令牌默认本部门；区信用办、监管人员可指定）")
    ] = None,
    offset: Offset = 0,
    limit: Limit = publication.DEFAULT_LIMIT,
) -> CommitmentFeed:
    """The commitments that concern a department, oldest first (``commitments.read``). Audited."""
    return commitments.department_feed(
        ctx, since, status, department_id=department_id, overdue=overdue, offset=offset, limit=limit
    )


@router.get(
    "/mine",
    response_model=list[CommitmentRow],
    summary="本主体的信用承诺",
    dependencies=SECURED,
    responses=error_responses(*DENIED, 422),
)
def mine(
    ctx: LoggedIn,
    subject_id: Annotated[int | None, Query(ge=1, le=MAX_ID, description="信用主体编号（区信用办代查时必填）")] = None,
) -> list[CommitmentRow]:
    """A subject's own commitments, newest first."""
    return commitments.my_commitments(ctx, subject_id)


@router.get(
    "/{commitment_id}",
    response_model=CommitmentDetail,
    summary="信用承诺详情",
    dependencies=SECURED,
    responses=error_responses(*DENIED, 404),
)
def detail(commitment_id: CommitmentId, ctx: LoggedIn) -> CommitmentDetail:
    """One commitment with its text, outcome and history: its subject, the department it concerns, regulators
    and the credit office."""
    return commitments.commitment_detail(ctx, commitment_id)


@router.post(
    "/{commitment_id}/verify",
    response_model=CommitmentDetail,
    summary="核查信用承诺（履约 / 违约）",
    dependencies=[*SECURED, *CSRF],
    responses=error_responses(*DENIED, 404, 409, 422),
)
def verify(commitment_id: CommitmentId, data: VerifyIn, ctx: LoggedIn) -> CommitmentDetail:
    """The department concerned, a regulator or the credit office records the outcome on the version it saw
    (409 when someone else decided first). A breach becomes a 违背信用承诺 credit record."""
    commitments.verify_commitment(
        ctx, commitment_id, data.outcome, data.reason, data.false_commitment, expected_version=data.version
    )
    return commitments.commitment_detail(ctx, commitment_id, audit_read=False)


@router.post(
    "/{commitment_id}/publication",
    response_model=CommitmentDetail,
    summary="调整信用承诺公示（区信用办）",
    dependencies=[*SECURED, *CSRF],
    responses=error_responses(*DENIED, 404, 409),
)
def publication_toggle(commitment_id: CommitmentId, data: PublicationIn, ctx: LoggedIn) -> CommitmentDetail:
    """Show or hide a commitment on the public list (the credit office only)."""
    commitments.set_published(ctx, commitment_id, data.published)
    return commitments.commitment_detail(ctx, commitment_id, audit_read=False)
