"""Pages of the honesty incentive scenarios (issue #9 items 3–4).

* ``/incentives`` (public): the scenarios, who provides them, which bands qualify, the benefit.
* ``/my/consents`` (a natural person): the own band, issue a consent for one provider and one scenario (the token
  is shown on the answer page once), the consents with their status, revoke.
* ``/incentives/provider`` (a registered provider's account): enter a token and a scenario, see only 符合 / 不符合
  (or the refusal).
* ``/incentives/admin`` (the credit office): register and suspend providers, usage statistics per scenario with a
  chart (vendored ECharts), export (CSV / Excel through ``web.exports``).

Every rule is in ``xinyong.incentives``; refused forms come back with the Chinese reason.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from xinyong.auth.context import Context
from xinyong.auth.permissions import require
from xinyong.errors import InvalidInput
from xinyong.incentives import queries, service
from xinyong.incentives.models import IncentiveProvider
from xinyong.incentives.scenarios import load_catalogue
from xinyong.incentives.schemas import StatsRow
from xinyong.web import csrf, exports
from xinyong.web.deps import get_context, require_login
from xinyong.web.pages.objections import attempt
from xinyong.web.templating import render

router = APIRouter(include_in_schema=False)
Login = Annotated[Context, Depends(require_login)]
Anyone = Annotated[Context, Depends(get_context)]
Csrf = Depends(csrf.csrf_protect)
NAV = "incentives"
STATUS_LABELS = {"active": "有效", "expired": "已过期", "revoked": "已撤回"}
DONE = {
    "revoked": "授权已撤回，服务提供方将无法再用该授权码核验。",
    "registered": "服务提供方已登记。",
    "active": "已更新。",
}


# --------------------------------------------------------------------------------------------- public
@router.get("/incentives")
def catalogue_page(request: Request, ctx: Anyone) -> Response:
    """The public catalogue of scenarios."""
    cat = load_catalogue()
    context = {
        "nav": NAV,
        "catalogue": queries.scenarios(cat),
        "bands": cat.bands,
        "logged_in": ctx.role != "public",
    }
    return render(request, "incentive_catalogue.html", context)


# --------------------------------------------------------------------------------------------- the person
def _consents_page(
    request: Request,
    ctx: Context,
    *,
    issued: str = "",
    issued_info: object | None = None,
    form: dict[str, str] | None = None,
    error: str | None = None,
    status: int = 200,
    done: str = "",
) -> Response:
    require(ctx, service.OWN)
    cat = load_catalogue()
    band, band_label = queries.my_band(ctx)
    choices = queries.provider_choices(ctx)
    options = [(p.id, s, f"{p.name} — {cat.scenario(s).name}") for p in choices for s in p.scenarios if cat.find(s)]
    context = {
        "nav": "my_consents",
        "band": band,
        "band_label": band_label,
        "qualifies": [s for s in cat.scenarios if band in s.bands],
        "options": options,
        "consents": queries.my_consents(ctx),
        "status_labels": STATUS_LABELS,
        "issued": issued,
        "issued_info": issued_info,
        "form": form or {},
        "max_days": cat.defaults.consent_max_days,
        "error": error,
        "done": DONE.get(done, ""),
    }
    return render(request, "incentive_consents.html", context, status_code=status)


@router.get("/my/consents")
def my_consents(request: Request, ctx: Login, done: Annotated[str, Query(max_length=16)] = "") -> Response:
    """The person's band, the consent form and the consents."""
    return _consents_page(request, ctx, done=done)


@router.post("/my/consents", dependencies=[Csrf])
def issue(
    request: Request,
    ctx: Login,
    choice: Annotated[str, Form(max_length=80)] = "",
    days: Annotated[str, Form(max_length=6)] = "",
) -> Response:
    """Issue a consent; the answer page shows the token once (no redirect: it is never stored)."""
    require(ctx, service.OWN)
    form = {"choice": choice, "days": days}
    holder: dict[str, object] = {}

    def run() -> None:
        provider_raw, _, scenario = choice.partition(":")
        if not provider_raw.isdigit() or not scenario:
            raise InvalidInput("请选择服务提供方和场景", field="choice")
        text = days.strip()
        if text and not text.isdigit():
            raise InvalidInput("有效天数应为整数", field="days")
        raw, consent = service.issue_consent(ctx, int(provider_raw), scenario, int(text) if text else None)
        provider = ctx.session.get(IncentiveProvider, consent.provider_id)
        holder["raw"] = raw
        holder["info"] = queries.consent_out(consent, provider.name if provider else "", ctx.at.astimezone(UTC))

    refused = attempt(ctx, run)
    if refused is not None:
        return _consents_page(request, ctx, form=form, error=refused.message, status=refused.status)
    response = _consents_page(request, ctx, issued=str(holder["raw"]), issued_info=holder["info"], status=201)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post("/my/consents/{consent_id}/revoke", dependencies=[Csrf])
def revoke(request: Request, ctx: Login, consent_id: int) -> Response:
    """Withdraw a consent."""
    refused = attempt(ctx, lambda: service.revoke_consent(ctx, consent_id))
    if refused is not None:
        return _consents_page(request, ctx, error=refused.message, status=refused.status)
    return RedirectResponse("/my/consents?done=revoked", status_code=303)


# --------------------------------------------------------------------------------------------- the provider
def _provider_page(
    request: Request, ctx: Context, *, result: service.CheckResult | None = None, scenario: str = "", status: int = 200
) -> Response:
    require(ctx, service.CHECK)
    cat = load_catalogue()
    provider = service.provider_by_name(ctx, ctx.institution)
    served = cat.for_kind(provider.kind) if provider is not None else []
    context = {
        "nav": "incentives_provider",
        "provider": provider,
        "served": served,
        "scenario": scenario or (served[0].code if served else ""),
        "result": result,
    }
    return render(request, "incentive_provider.html", context, status_code=status)


@router.get("/incentives/provider")
def provider_page(request: Request, ctx: Login) -> Response:
    """The provider's form: a consent token and a scenario."""
    return _provider_page(request, ctx)


@router.post("/incentives/provider", dependencies=[Csrf])
def provider_check(
    request: Request,
    ctx: Login,
    token: Annotated[str, Form(max_length=64)] = "",
    scenario: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    """Ask; the page shows 符合 / 不符合 only, or the refusal (recorded either way)."""
    result = service.check_eligibility(ctx, token, scenario)
    return _provider_page(request, ctx, result=result, scenario=scenario, status=403 if result.refused else 200)


# --------------------------------------------------------------------------------------------- the office
def _admin_page(
    request: Request,
    ctx: Context,
    *,
    since: date | None = None,
    until: date | None = None,
    form: dict[str, str] | None = None,
    error: str | None = None,
    status: int = 200,
    done: str = "",
) -> Response:
    require(ctx, queries.READ)
    cat = load_catalogue()
    stats = queries.usage_stats(ctx, since, until)
    chart = json.dumps(
        {
            "scenarios": [s.name.split("：")[0] for s in stats.scenarios],
            "eligible": [s.eligible for s in stats.scenarios],
            "not_eligible": [s.not_eligible for s in stats.scenarios],
            "refused": [s.refused for s in stats.scenarios],
        },
        ensure_ascii=False,
    )
    context = {
        "nav": "incentives_admin",
        "providers": queries.providers(ctx),
        "kinds": cat.provider_kinds,
        "stats": stats,
        "chart": chart,
        "since": since.isoformat() if since else "",
        "until": until.isoformat() if until else "",
        "form": form or {},
        "error": error,
        "done": DONE.get(done, ""),
    }
    return render(request, "incentive_admin.html", context, status_code=status)


@router.get("/incentives/admin")
def admin_page(
    request: Request,
    ctx: Login,
    since: Annotated[date | None, Query()] = None,
    until: Annotated[date | None, Query()] = None,
    done: Annotated[str, Query(max_length=16)] = "",
) -> Response:
    """Providers and usage statistics."""
    try:
        return _admin_page(request, ctx, since=since, until=until, done=done)
    except InvalidInput as exc:
        return _admin_page(request, ctx, error=exc.message, status=422)


@router.post("/incentives/admin/providers", dependencies=[Csrf])
def admin_register(
    request: Request,
    ctx: Login,
    name: Annotated[str, Form(max_length=128)] = "",
    uscc: Annotated[str, Form(max_length=40)] = "",
    kind: Annotated[str, Form(max_length=24)] = "",
) -> Response:
    """Register a provider; refused forms come back with the reason."""
    require(ctx, service.MANAGE)
    refused = attempt(ctx, lambda: service.register_provider(ctx, name, uscc, kind))
    if refused is not None:
        form = {"name": name, "uscc": uscc, "kind": kind}
        return _admin_page(request, ctx, form=form, error=refused.message, status=refused.status)
    return RedirectResponse("/incentives/admin?done=registered", status_code=303)


@router.post("/incentives/admin/providers/{provider_id}/active", dependencies=[Csrf])
def admin_active(
    request: Request, ctx: Login, provider_id: int, active: Annotated[str, Form(max_length=5)] = ""
) -> Response:
    """Suspend or resume a provider."""
    refused = attempt(ctx, lambda: service.set_provider_active(ctx, provider_id, active == "1"))
    if refused is not None:
        return _admin_page(request, ctx, error=refused.message, status=refused.status)
    return RedirectResponse("/incentives/admin?done=active", status_code=303)


STATS_COLUMNS: list[exports.Column[StatsRow]] = [
    exports.Column("场景", lambda r: r.scenario, text=True),
    exports.Column("服务提供方", lambda r: r.provider),
    exports.Column("月份", lambda r: r.month, text=True),
    exports.Column("核验次数", lambda r: r.checks),
    exports.Column("符合", lambda r: r.eligible),
    exports.Column("不符合", lambda r: r.not_eligible),
    exports.Column("拒绝", lambda r: r.refused),
    exports.Column("符合比例", lambda r: "" if r.eligible_share is None else f"{r.eligible_share:.2%}"),
]


@router.get("/incentives/admin/stats.{fmt}")
def admin_export(
    ctx: Login,
    fmt: str,
    since: Annotated[date | None, Query()] = None,
    until: Annotated[date | None, Query()] = None,
) -> Response:
    """The statistics rows as CSV or Excel."""
    if fmt not in exports.FORMATS:
        raise InvalidInput("导出格式应为 csv 或 xlsx", field="format")
    stats = queries.usage_stats(ctx, since, until)

    def read() -> Iterator[StatsRow]:
        yield from stats.rows

    return exports.export_response(fmt, "incentive-stats", STATS_COLUMNS, len(stats.rows), read)  # type: ignore[arg-type]
