"""Demo honesty incentives (issue #9 item 3): one registered provider per scenario kind (hospital, transport,
housekeeping, rental, tourism) with an API token each is *not* made here (tokens are secrets: the operator issues
them), some natural persons' consents and the providers' eligibility questions over the last three months, a few of
them refused (a token reused by another provider, a revoked consent), so ``/incentives/admin`` shows statistics and
a chart and ``/my/consents`` has consents after ``xinyong demo``.

Everything goes through ``incentives.service`` in the role that acts in real life (the office, the person's own
account, the provider's system), so the audit log and ``eligibility_check`` read as they would. Run it after the
personal scores (``plant_scores``): the answers follow the persons' current bands (without scores every answer is
"not eligible"). Persons are drawn from the first ``CANDIDATES`` natural persons by ``random.Random(seed)``:
deterministic for a seed, one bounded query whatever the registry's size. Providers already registered (a second
run) are reused. The caller commits. Returns the number of rows planted (providers, consents, checks).
"""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select

from xinyong.auth.context import Context
from xinyong.codes.uscc import make_uscc
from xinyong.incentives import service
from xinyong.incentives.models import IncentiveProvider
from xinyong.incentives.scenarios import load_catalogue
from xinyong.subjects.models import Subject

CANDIDATES = 500
PERSONS = 40
MONTHS_BACK = 3

PROVIDERS: tuple[tuple[str, str, str], ...] = (
    ("广州市番禺区中心医院", "hospital", "MA59JL01"),
    ("番禺公共自行车运营有限公司", "transport", "MA59JL02"),
    ("番禺巧手家政服务有限公司", "housekeeping", "MA59JL03"),
    ("番禺安居房屋租赁有限公司", "rental", "MA59JL04"),
    ("番禺长隆旅游服务有限公司", "tourism", "MA59JL05"),
)


def _providers(ctx: Context) -> list[IncentiveProvider]:
    out = []
    for name, kind, body in PROVIDERS:
        found = ctx.session.scalars(select(IncentiveProvider).where(IncentiveProvider.name == name)).first()
        if found is None:
            found = service.register_provider(ctx, name, make_uscc("9", "1", "440113", body), kind)
        out.append(found)
    return out


def _as(ctx: Context, days_ago: int, **who: object) -> Context:
    return Context(session=ctx.session, at=ctx.at - timedelta(days=days_ago), **who)  # type: ignore[arg-type]


def plant_incentives(ctx: Context, seed: int) -> int:
    """Plant providers, consents and eligibility questions (some refused); the rows planted."""
    rng = random.Random(seed)
    providers = _providers(ctx)
    planted = len(providers)
    catalogue = load_catalogue()
    persons = list(
        ctx.session.scalars(
            select(Subject.id).where(Subject.kind == "natural_person").order_by(Subject.id).limit(CANDIDATES)
        )
    )
    for index, subject_id in enumerate(rng.sample(persons, min(PERSONS, len(persons)))):
        days_ago = rng.randrange(0, 30 * MONTHS_BACK)
        person = _as(ctx, days_ago, actor=f"demo:person:{subject_id}", role="subject", subject_id=subject_id)
        for provider in rng.sample(providers, rng.choice((1, 1, 2))):
            scenario = catalogue.for_kind(provider.kind)[0]
            raw, consent = service.issue_consent(person, provider.id, scenario.code)
            planted += 1
            asker = _as(
                ctx,
                max(days_ago - rng.randrange(0, 3), 0),
                actor=f"demo:provider:{provider.id}",
                role="provider",
                institution=provider.name,
            )
            service.check_eligibility(asker, raw, scenario.code)
            planted += 1
            if index % 9 == 4:  # another provider tries the same token: refused and logged
                thief = next(p for p in providers if p.id != provider.id)
                who = {"actor": f"demo:provider:{thief.id}", "role": "provider", "institution": thief.name}
                own = catalogue.for_kind(thief.kind)[0].code  # asked for its own scenario: the token is not its
                service.check_eligibility(_as(ctx, max(days_ago - 1, 0), **who), raw, own)
                planted += 1
            elif index % 7 == 3:  # the person withdraws the consent; the provider's next question is refused
                service.revoke_consent(person, consent.id)
                service.check_eligibility(asker, raw, scenario.code)
                planted += 1
    return planted
