"""``/api/v1/incentives``: honesty incentive scenarios, providers, consent tokens, eligibility (issue #9 item 3).

* ``GET /scenarios``: the public catalogue (who provides what to which bands).
* providers (``incentives.read`` / ``incentives.manage``, the credit office): list, register, suspend/resume.
* consents (``incentives.own``, a natural person logged in): the providers to choose from, the own consents, issue
  (the token is in that answer only), revoke.
* ``POST /eligibility`` (``incentives.check``, a registered provider's account or token): ``{"eligible": bool}``
  and nothing else; a refusal is 403 ``{"error": "refused", ...}``, recorded like every question.
* ``GET /stats`` (``incentives.read``): questions per scenario, provider and month.

The eligibility path is kept lean (p99 ≤ 20 ms, bench/eligibility_bench.py): the credential look-up, the
provider by its unique name, the consent by its indexed token hash, the current score, one check row and one
audit event. Rate limit: ``web.middleware`` (bucket ``eligibility``, per provider credential).
"""

from __future__ import annotations

from datetime import UTC, date
from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import JSONResponse

from xinyong.db.base import MAX_ID
from xinyong.incentives import queries, service
from xinyong.incentives.models import IncentiveProvider
from xinyong.incentives.schemas import (
    CatalogueOut,
    ConsentIn,
    ConsentIssued,
    ConsentOut,
    EligibilityIn,
    EligibilityOut,
    ProviderActiveIn,
    ProviderChoice,
    ProviderIn,
    ProviderOut,
    StatsOut,
)
from xinyong.web.errors import error_responses
from xinyong.web.security import CSRF, DENIED, SECURED, LoggedIn

router = APIRouter(prefix="/api/v1/incentives", tags=["守信激励"])

Id = Annotated[int, Path(ge=1, le=MAX_ID)]


@router.get("/scenarios", response_model=CatalogueOut, summary="守信激励场景目录")
def scenarios() -> CatalogueOut:
    """Every scenario: category, provider kind, qualifying bands, benefit, default consent validity, source."""
    return queries.scenarios()


# --------------------------------------------------------------------------------------------- providers
@router.get(
    "/providers",
    response_model=list[ProviderOut],
    summary="守信激励服务提供方",
    dependencies=SECURED,
    responses=error_responses(*DENIED),
)
def providers(ctx: LoggedIn) -> list[ProviderOut]:
    """Registered providers and the scenarios each serves (credit office)."""
    return queries.providers(ctx)


@router.post(
    "/providers",
    response_model=ProviderOut,
    status_code=201,
    summary="登记服务提供方",
    dependencies=[*SECURED, *CSRF],
    responses=error_responses(*DENIED, 409, 422),
)
def register_provider(data: ProviderIn, ctx: LoggedIn) -> ProviderOut:
    """Register a provider (credit office); its accounts and tokens then name it as their institution."""
    provider = service.register_provider(ctx, data.name, data.uscc, data.kind)
    return next(p for p in queries.providers(ctx) if p.id == provider.id)


@router.post(
    "/providers/{provider_id}/active",
    response_model=ProviderOut,
    summary="停用或恢复服务提供方",
    dependencies=[*SECURED, *CSRF],
    responses=error_responses(*DENIED, 404, 422),
)
def provider_active(provider_id: Id, data: ProviderActiveIn, ctx: LoggedIn) -> ProviderOut:
    """Suspend (its questions are refused and logged) or resume a provider."""
    provider = service.set_provider_active(ctx, provider_id, data.active)
    return next(p for p in queries.providers(ctx) if p.id == provider.id)


# --------------------------------------------------------------------------------------------- consents
@router.get(
    "/consent-providers",
    response_model=list[ProviderChoice],
    summary="可授权的服务提供方",
    dependencies=SECURED,
    responses=error_responses(*DENIED),
)
def consent_providers(ctx: LoggedIn) -> list[ProviderChoice]:
    """Active providers a person may consent to, with the scenarios each serves."""
    return queries.provider_choices(ctx)


@router.get(
    "/consents",
    response_model=list[ConsentOut],
    summary="我的守信激励授权",
    dependencies=SECURED,
    responses=error_responses(*DENIED),
)
def my_consents(ctx: LoggedIn) -> list[ConsentOut]:
    """The logged-in person's consents (never their tokens), newest first."""
    return queries.my_consents(ctx)


@router.post(
    "/consents",
    response_model=ConsentIssued,
    status_code=201,
    summary="授权服务提供方核验守信激励资格",
    dependencies=[*SECURED, *CSRF],
    responses=error_responses(*DENIED, 404, 422),
)
def issue_consent(data: ConsentIn, ctx: LoggedIn) -> ConsentIssued:
    """Issue a consent token for one provider and one scenario; the token is in this answer only."""
    raw, consent = service.issue_consent(ctx, data.provider_id, data.scenario, data.days)
    provider = ctx.session.get(IncentiveProvider, consent.provider_id)
    name = provider.name if provider is not None else ""
    return ConsentIssued(token=raw, info=queries.consent_out(consent, name, ctx.at.astimezone(UTC)))


@router.post(
    "/consents/{consent_id}/revoke",
    response_model=ConsentOut,
    summary="撤回授权",
    dependencies=[*SECURED, *CSRF],
    responses=error_responses(*DENIED, 404, 409, 422),
)
def revoke_consent(consent_id: Id, ctx: LoggedIn) -> ConsentOut:
    """Withdraw a consent at once."""
    service.revoke_consent(ctx, consent_id)
    return next(c for c in queries.my_consents(ctx) if c.id == consent_id)


# --------------------------------------------------------------------------------------------- eligibility
@router.post(
    "/eligibility",
    response_model=EligibilityOut,
    summary="守信激励资格核验",
    dependencies=[*SECURED, *CSRF],
    responses=error_responses(*DENIED, 422, 429),
)
def eligibility(data: EligibilityIn, ctx: LoggedIn) -> EligibilityOut | JSONResponse:
    """Whether the holder of the consent token qualifies for the scenario: ``{"eligible": true|false}`` only.

    Refused (403, recorded): unknown, expired or revoked token; a token granted to another provider; a scenario
    the provider does not serve or the token does not cover; a provider that is not registered or suspended."""
    result = service.check_eligibility(ctx, data.token, data.scenario)
    if result.refused:  # answered, not raised: the check row and the audit event are committed
        body = {"error": "refused", "message": result.message, "field": "token"}
        return JSONResponse(body, status_code=403)
    return EligibilityOut(eligible=result.eligible)


# --------------------------------------------------------------------------------------------- statistics
@router.get(
    "/stats",
    response_model=StatsOut,
    summary="守信激励使用统计",
    dependencies=SECURED,
    responses=error_responses(*DENIED, 422),
)
def stats(
    ctx: LoggedIn,
    since: Annotated[date | None, Query(description="起始日期（含）")] = None,
    until: Annotated[date | None, Query(description="截止日期（含）")] = None,
    scenario: Annotated[str | None, Query(max_length=40, description="只看该场景")] = None,
) -> StatsOut:
    """Questions per scenario, provider and month (checks, eligible, not eligible, refused, eligible share)."""
    return queries.usage_stats(ctx, since, until, scenario)
