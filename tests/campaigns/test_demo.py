"""The campaigns demo step: deterministic, shows repeated violators on a campaign, plants nothing twice."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from campaigns import campaign_factories as cf
from xinyong.auth.context import Context
from xinyong.campaigns import queries
from xinyong.campaigns.models import Campaign, CampaignProgress
from xinyong.demo.lifecycle_campaigns import plant_campaigns


def test_plant_campaigns(ctx: Context) -> None:
    b = cf.batch(ctx.session, cf.market(ctx.session))
    for n in range(3):
        cf.penalties(ctx.session, b, cf.firm(ctx, 60 + n), [cf.AS_OF - timedelta(days=d + n) for d in (5, 50, 500)])
    planted = plant_campaigns(ctx, 7)
    campaigns = {c.code: c.id for c in ctx.session.scalars(select(Campaign))}
    assert set(campaigns) == {"ZXZL-2026-01", "ZXZL-2026-02"}
    shown = queries.campaign_violators(ctx, campaigns["ZXZL-2026-02"])
    assert len(shown) == 3 and all(v.categories[0].penalties == 3 for v in shown)
    assert len(queries.campaign_violators(ctx, campaigns["ZXZL-2026-01"])) == 3  # scjgj: 疫情防控物资
    assert ctx.session.scalar(select(func.count()).select_from(CampaignProgress)) >= 4
    assert planted > 10
    assert plant_campaigns(ctx, 7) == 0
