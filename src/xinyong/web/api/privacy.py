"""``/api/v1/privacy``: PSI and private membership queries against the compiled list sets (issue #10).

A bank (``privacy.psi``, its institution registered and active) lists the scopes, fetches a scope's current setup
(binary protobuf ``ServerSetup``; its version in ``X-PSI-Version``) and posts its request (binary protobuf
``Request`` with ``X-PSI-Version``), answered with the binary ``Response``. Refusals answer the platform's JSON
error shape (403, 404, 409 stale version or replay, 413, 422, 429) and are logged like every exchange. The credit
office (``privacy.read`` / ``privacy.manage``) reads the versions and the exchange log and rebuilds a scope.
Rules: ``xinyong.privacy``; what each party learns: docs/privacy.md.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Path, Query, Request
from fastapi.responses import JSONResponse, Response

from xinyong.privacy import psi_sets, queries, service
from xinyong.privacy.schemas import ExchangeOut, RebuildIn, RebuildOut, SetOut, VersionOut
from xinyong.web.errors import error_responses
from xinyong.web.security import CSRF, DENIED, SECURED, LoggedIn

router = APIRouter(prefix="/api/v1/privacy", tags=["隐私计算"], dependencies=SECURED)

PROTOBUF = "application/x-protobuf"
BINARY = {"type": "string", "format": "binary"}
Scope = Annotated[str, Path(max_length=40, description="求交范围，如 lists_dishonesty、grade_D")]


async def raw_body(request: Request) -> bytes:
    """The request body as bytes (the middleware caps its size; the scope's policy caps it further)."""
    return await request.body()


def _headers(version: int | None, reveal: bool | None = None) -> dict[str, str]:
    headers = {"Cache-Control": "no-store"}
    if version is not None:
        headers["X-PSI-Version"] = str(version)
    if reveal is not None:
        headers["X-PSI-Reveal-Intersection"] = "true" if reveal else "false"
    return headers


@router.get("/sets", response_model=list[SetOut], summary="求交范围与当前版本", responses=error_responses(*DENIED))
def sets(ctx: LoggedIn) -> list[SetOut]:
    """Every scope: its disclosure mode (the listed codes, or only how many), limits and current version."""
    return queries.sets(ctx)


@router.get(
    "/sets/{scope}/setup",
    summary="获取求交集合的 setup 消息",
    response_class=Response,
    responses={
        200: {"content": {PROTOBUF: {}}, "description": "protobuf ServerSetup"},
        **error_responses(*DENIED, 404),
    },
)
def get_setup(scope: Scope, ctx: LoggedIn) -> Response:
    """The current setup (binary ``ServerSetup``); headers ``X-PSI-Version``, ``X-PSI-Reveal-Intersection`` and
    ``X-PSI-Max-Client-Elements``."""
    found = service.setup(ctx, scope)
    headers = _headers(found.version, found.reveal_intersection)
    headers["X-PSI-Max-Client-Elements"] = str(found.max_client_elements)
    headers["X-PSI-Data-Structure"] = found.data_structure
    return Response(found.setup, media_type=PROTOBUF, headers=headers)


@router.post(
    "/sets/{scope}/requests",
    summary="提交隐私求交 / 匿踪查询请求",
    response_class=Response,
    dependencies=CSRF,
    # documented as octet-stream (generic binary: any client and OpenAPI tool can send it); the client sends
    # application/x-protobuf; the body is read as bytes either way
    openapi_extra={"requestBody": {"required": True, "content": {"application/octet-stream": {"schema": BINARY}}}},
    responses={
        200: {"content": {PROTOBUF: {}}, "description": "protobuf Response"},
        **error_responses(*DENIED, 404, 409, 413, 422, 429),
    },
)
def post_request(
    scope: Scope,
    ctx: LoggedIn,
    body: Annotated[bytes, Depends(raw_body)],
    version: Annotated[str | None, Header(alias="X-PSI-Version", max_length=12)] = None,
) -> Response:
    """Answer a PSI request (or, with one element, a private membership query) against the named version.
    A stale version answers 409 with the current version in ``X-PSI-Version``: fetch the setup again."""
    number = int(version) if version is not None and version.strip().isdigit() else None
    answer = service.process(ctx, scope, number, body)
    if answer.error is not None:
        err = answer.error
        payload = {"error": err.code, "message": err.message, "field": err.field}
        return JSONResponse(payload, status_code=err.status, headers=_headers(answer.version))
    assert answer.response is not None
    return Response(answer.response, media_type=PROTOBUF, headers=_headers(answer.version))


# --------------------------------------------------------------------------------------------- the credit office
@router.get(
    "/sets/{scope}/versions",
    response_model=list[VersionOut],
    summary="求交集合的版本",
    responses=error_responses(*DENIED, 404),
)
def versions(scope: Scope, ctx: LoggedIn, limit: Annotated[int, Query(ge=1, le=500)] = 20) -> list[VersionOut]:
    """The newest versions of a scope: elements, setup size, digest, who built it and why."""
    return queries.versions(ctx, scope, limit)


@router.post(
    "/sets/{scope}/rebuild",
    response_model=RebuildOut,
    summary="重新编制求交集合",
    dependencies=CSRF,
    responses=error_responses(*DENIED, 404, 422),
)
def rebuild(scope: Scope, ctx: LoggedIn, data: RebuildIn | None = None) -> RebuildOut:
    """Compile the scope from current data; a new version (and key) unless nothing changed (``force``)."""
    data = data or RebuildIn()
    result = psi_sets.rebuild(ctx, scope, data.as_of, reason=data.reason or "manual", force=data.force)
    return RebuildOut(
        scope=result.scope,
        version=result.version,
        previous_version=result.previous_version,
        elements=result.elements,
        built=result.built,
    )


@router.get(
    "/exchanges", response_model=list[ExchangeOut], summary="求交交换日志", responses=error_responses(*DENIED, 422)
)
def exchanges(
    ctx: LoggedIn,
    institution: Annotated[str | None, Query(max_length=64)] = None,
    scope: Annotated[str | None, Query(max_length=40)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[ExchangeOut]:
    """The newest exchanges: who, when, which version, how many client elements, the outcome. Never a code."""
    return queries.exchanges(ctx, institution=institution, scope=scope, limit=limit)
