"""Demo PSI sets (issue #10 items 1, 2): every scope of ``rules/privacy.yaml`` compiled from the demo district's
lists and evaluation results as of the demo's day (``privacy.psi_sets.rebuild_all``), then one intersection per
scope by the first registered demo bank (when ``plant_lending`` registered one) of a sample of the registry's
codes drawn from ``seed`` — run through the platform's own service with the client's protocol, so the office's
exchange log shows what a bank's run looks like (sizes only). Deterministic from ``seed`` (the server keys are
fresh, the codes and counts are not); the caller commits.
"""

from __future__ import annotations

import random

import private_set_intersection.python as psi
from sqlalchemy import select

from xinyong.auth.context import Context
from xinyong.lending.models import FinancialInstitution
from xinyong.privacy import psi_sets, service
from xinyong.privacy.policy import load_policy
from xinyong.subjects.models import Subject

SAMPLE = 200  # codes in the demo bank's portfolio


def plant_privacy(ctx: Context, seed: int) -> int:
    """Build the sets and run the demo bank's exchanges; the number of set versions built plus exchanges run."""
    built = sum(1 for r in psi_sets.rebuild_all(ctx, ctx.today, reason="演示数据编制") if r.built)
    bank = ctx.session.scalar(
        select(FinancialInstitution.name).where(FinancialInstitution.active.is_(True)).order_by(FinancialInstitution.id)
    )
    if bank is None:
        return built
    codes = list(ctx.session.scalars(select(Subject.uscc).where(Subject.uscc.is_not(None)).order_by(Subject.id)))
    rng = random.Random(f"privacy:{seed}")
    portfolio = rng.sample(codes, min(SAMPLE, len(codes)))
    if not portfolio:
        return built
    teller = Context(session=ctx.session, actor=f"demo:bank:{bank}", role="bank", institution=bank, at=ctx.at)
    exchanges = 0
    for scope in load_policy().scopes:
        setup = service.setup(teller, scope)
        client = psi.client.CreateWithNewKey(setup.reveal_intersection)
        answer = service.process(teller, scope, setup.version, client.CreateRequest(portfolio).SerializeToString())
        exchanges += answer.error is None
    return built + exchanges
