"""Read side of the incentive scenarios: the public catalogue, providers, a person's consents, usage statistics.

The statistics are one ``GROUP BY`` over ``eligibility_check`` (scenario, provider, month in China time) inside
the database, whatever the number of questions.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, case, func, literal_column, select
from sqlalchemy.orm import Session

from xinyong import clock
from xinyong.auth.context import Context
from xinyong.auth.permissions import require
from xinyong.errors import InvalidInput
from xinyong.incentives import score_queries
from xinyong.incentives.models import ConsentToken, EligibilityCheck, IncentiveProvider
from xinyong.incentives.scenarios import Catalogue, load_catalogue
from xinyong.incentives.schemas import (
    CatalogueOut,
    ConsentOut,
    ProviderChoice,
    ProviderOut,
    ScenarioOut,
    ScenarioTotal,
    StatsOut,
    StatsRow,
)
from xinyong.incentives.service import ELIGIBLE, NOT_ELIGIBLE, OWN, REFUSED

READ = "incentives.read"


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


# --------------------------------------------------------------------------------------------- catalogue
def scenarios(catalogue: Catalogue | None = None) -> CatalogueOut:
    """The public catalogue."""
    cat = catalogue or load_catalogue()
    out = [
        ScenarioOut.of(
            s,
            cat.provider_kinds.get(s.provider_kind, s.provider_kind),
            [cat.band_label(b) for b in s.bands],
            cat.consent_days(s),
        )
        for s in cat.scenarios
    ]
    return CatalogueOut(version=cat.version, name=cat.name, scenarios=out)


def _provider_out(p: IncentiveProvider, cat: Catalogue) -> ProviderOut:
    return ProviderOut(
        id=p.id,
        name=p.name,
        uscc=p.uscc,
        kind=p.kind,
        kind_label=cat.provider_kinds.get(p.kind, p.kind),
        active=p.active,
        scenarios=[s.code for s in cat.for_kind(p.kind)],
        registered_by=p.registered_by,
        registered_at=p.registered_at,
    )


def providers(ctx: Context) -> list[ProviderOut]:
    """Every registered provider (credit office)."""
    require(ctx, READ)
    cat = load_catalogue()
    rows = ctx.session.scalars(select(IncentiveProvider).order_by(IncentiveProvider.id))
    return [_provider_out(p, cat) for p in rows]


def provider_choices(ctx: Context) -> list[ProviderChoice]:
    """Active providers a person may consent to, with the scenarios each serves."""
    require(ctx, OWN)
    cat = load_catalogue()
    rows = ctx.session.scalars(
        select(IncentiveProvider).where(IncentiveProvider.active.is_(True)).order_by(IncentiveProvider.name)
    )
    return [
        ProviderChoice(id=p.id, name=p.name, kind=p.kind, scenarios=[s.code for s in cat.for_kind(p.kind)])
        for p in rows
    ]


# --------------------------------------------------------------------------------------------- consents
def consent_status(consent: ConsentToken, now: datetime) -> str:
    """active / expired / revoked."""
    if consent.revoked_at is not None:
        return "revoked"
    return "active" if _aware(consent.expires_at) > now else "expired"


def consent_out(consent: ConsentToken, provider_name: str, now: datetime, cat: Catalogue | None = None) -> ConsentOut:
    """A consent as listed to its person."""
    cat = cat or load_catalogue()
    found = cat.find(consent.scenario)
    return ConsentOut(
        id=consent.id,
        provider_id=consent.provider_id,
        provider=provider_name,
        scenario=consent.scenario,
        scenario_name=found.name if found else consent.scenario,
        issued_at=consent.issued_at,
        expires_at=consent.expires_at,
        revoked_at=consent.revoked_at,
        uses=consent.uses,
        status=consent_status(consent, now),
    )


def my_consents(ctx: Context) -> list[ConsentOut]:
    """The acting person's consents, newest first."""
    require(ctx, OWN)
    if ctx.subject_id is None:
        return []
    cat = load_catalogue()
    now = ctx.at.astimezone(UTC)
    rows = ctx.session.execute(
        select(ConsentToken, IncentiveProvider.name)
        .join(IncentiveProvider, IncentiveProvider.id == ConsentToken.provider_id)
        .where(ConsentToken.subject_id == ctx.subject_id)
        .order_by(ConsentToken.id.desc())
    )
    return [consent_out(c, name, now, cat) for c, name in rows]


def my_band(ctx: Context) -> tuple[str | None, str]:
    """The acting person's current band code and label (``(None, "未评分")`` when never scored)."""
    require(ctx, OWN)
    score = score_queries.current_score(ctx.session, ctx.subject_id) if ctx.subject_id else None
    band = score.band if score is not None else None
    return band, load_catalogue().band_label(band)


# --------------------------------------------------------------------------------------------- statistics
def _month_expr(session: Session) -> ColumnElement[Any]:
    """``checked_at`` as YYYY-MM in China time (UTC+8, no daylight saving), per dialect."""
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(func.timezone("Asia/Shanghai", EligibilityCheck.checked_at), "YYYY-MM")
    return func.strftime("%Y-%m", EligibilityCheck.checked_at, literal_column("'+8 hours'"))


def _share(eligible: int, not_eligible: int) -> float | None:
    answered = eligible + not_eligible
    return round(eligible / answered, 4) if answered else None


def _bounds(since: date | None, until: date | None) -> tuple[datetime | None, datetime | None]:
    if since and until and since > until:
        raise InvalidInput("起始日期晚于截止日期", field="since")

    def instant(d: date) -> datetime:
        return datetime.combine(d, time.min, tzinfo=clock.CHINA_TZ).astimezone(UTC)

    return (instant(since) if since else None, instant(until + timedelta(days=1)) if until else None)


def usage_stats(
    ctx: Context, since: date | None = None, until: date | None = None, scenario: str | None = None
) -> StatsOut:
    """Questions per scenario, provider and month: checks, eligible, not eligible, refused, eligible share."""
    require(ctx, READ)
    cat = load_catalogue()
    month = _month_expr(ctx.session).label("month")
    outcome = EligibilityCheck.outcome

    def count(value: str) -> Any:
        return func.sum(case((outcome == value, 1), else_=0))

    stmt = (
        select(
            EligibilityCheck.scenario,
            EligibilityCheck.provider_id,
            IncentiveProvider.name,
            month,
            func.count().label("checks"),
            count(ELIGIBLE).label("eligible"),
            count(NOT_ELIGIBLE).label("not_eligible"),
            count(REFUSED).label("refused"),
        )
        .outerjoin(IncentiveProvider, IncentiveProvider.id == EligibilityCheck.provider_id)
        .group_by(EligibilityCheck.scenario, EligibilityCheck.provider_id, IncentiveProvider.name, month)
        .order_by(EligibilityCheck.scenario, month, IncentiveProvider.name)
    )
    start, end = _bounds(since, until)
    if start is not None:
        stmt = stmt.where(EligibilityCheck.checked_at >= start)
    if end is not None:
        stmt = stmt.where(EligibilityCheck.checked_at < end)
    if scenario:
        stmt = stmt.where(EligibilityCheck.scenario == scenario)
    rows: list[StatsRow] = []
    totals: dict[str, list[int]] = {}
    for r in ctx.session.execute(stmt):
        e, n, x = int(r.eligible or 0), int(r.not_eligible or 0), int(r.refused or 0)
        rows.append(
            StatsRow(
                scenario=r.scenario,
                provider_id=r.provider_id,
                provider=r.name or "（未登记）",
                month=r.month,
                checks=int(r.checks),
                eligible=e,
                not_eligible=n,
                refused=x,
                eligible_share=_share(e, n),
            )
        )
        t = totals.setdefault(r.scenario, [0, 0, 0, 0])
        t[0] += int(r.checks)
        t[1] += e
        t[2] += n
        t[3] += x
    per_scenario = []
    for s in cat.scenarios:
        if scenario and s.code != scenario:
            continue
        c, e, n, x = totals.pop(s.code, [0, 0, 0, 0])
        per_scenario.append(
            ScenarioTotal(
                scenario=s.code,
                name=s.name,
                checks=c,
                eligible=e,
                not_eligible=n,
                refused=x,
                eligible_share=_share(e, n),
            )
        )
    for code, (c, e, n, x) in sorted(totals.items()):  # questions naming an unknown scenario
        per_scenario.append(
            ScenarioTotal(
                scenario=code,
                name="（未知场景）",
                checks=c,
                eligible=e,
                not_eligible=n,
                refused=x,
                eligible_share=_share(e, n),
            )
        )
    return StatsOut(rows=rows, scenarios=per_scenario)
