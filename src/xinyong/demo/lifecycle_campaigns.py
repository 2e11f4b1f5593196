"""Demo 专项治理 (issue #11 item 6): a repeated-violator detection run over the demo's penalties, two campaigns of
work-plan item （五） — the key-sector campaign led by 区委宣传部 and the “屡禁不止、屡罚不改” campaign led by the
credit office — with the run's violators added as targets, some targets moved on, and progress reports by units.

Everything goes through ``xinyong.campaigns`` as the acting context (the credit office at the console), so the audit
log reads as it would. Deterministic for a seed (``random.Random(seed)`` picks statuses and figures). When the
rulebook's thresholds find nobody in the demo's data, a second run with ``min_count`` 2 is made so the pages have
something to show (a demo choice, said in the run's parameters). A second call finds the campaigns by code and
plants nothing. The caller commits. Returns the number of rows planted.
"""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select

from xinyong.auth.context import Context
from xinyong.campaigns import service, violators
from xinyong.campaigns.models import Campaign, CampaignTarget
from xinyong.campaigns.rules import campaign_rules
from xinyong.campaigns.schemas import CampaignIn, FromRunIn, ProgressIn, TargetUpdateIn

KEY_SECTORS = ["telecom_fraud", "internet_info", "epidemic_supplies", "exam_cheating", "transport"]
KEY_SECTORS += ["social_insurance_fraud", "unexecuted_judgments", "finance", "environment"]
# 工作要点（五）: 区委宣传部牵头，区委网信办、区发改局、区公安分局、区教育局、区人力资源社会保障局、区交通运输局、
# 区生态环境分局、区市场监管局、区法院按职责分工负责; “屡禁不止、屡罚不改”: 区信用办牵头，各镇街、各部门负责.
KEY_UNITS = ["wxb", "fgj", "gafj", "jyj", "rsj", "jtj", "sthjfj", "scjgj", "fy"]
REPEAT_UNITS = ["scjgj", "sthjfj", "zjj", "440113007", "440113016"]


def plant_campaigns(ctx: Context, seed: int) -> int:
    """Plant the run, the two campaigns, their targets, status changes and progress (module docstring)."""
    rng = random.Random(seed)
    today = ctx.today
    year = today.year
    codes = (f"ZXZL-{year}-01", f"ZXZL-{year}-02")
    if ctx.session.scalar(select(Campaign.id).where(Campaign.code.in_(codes)).limit(1)) is not None:
        return 0
    planted = 0
    run = violators.run_detection(ctx, today)
    planted += 1 + run.rows
    if run.subjects == 0:
        run = violators.run_detection(ctx, today, min_count=2)
        planted += 1 + run.rows
    specs = (
        (codes[0], "重点领域诚信缺失突出问题专项治理", KEY_SECTORS, "xcb", KEY_UNITS, "sector"),
        (codes[1], "“屡禁不止、屡罚不改”严重违法失信行为专项治理", ["repeat_violations"], "fgj", REPEAT_UNITS, "all"),
    )
    figures = list(campaign_rules().figure_labels())
    statuses = [s.key for s in campaign_rules().target_statuses]
    for code, name, sectors, lead, units, scope in specs:
        campaign = service.create_campaign(
            ctx,
            CampaignIn(
                code=code,
                name=name,
                sectors=sectors,
                lead_unit=lead,
                units=units,
                starts_on=today - timedelta(days=60),
                ends_on=today + timedelta(days=120),
                goal="依据 2021年番禺区社会信用体系建设工作要点（五）开展治理：排查、约谈、整改、惩戒并销号。",
            ),
        )
        planted += 1
        planted += service.add_targets_from_run(ctx, campaign.id, FromRunIn(run_id=run.id, scope=scope))  # type: ignore[arg-type]
        targets = ctx.session.scalars(
            select(CampaignTarget).where(CampaignTarget.campaign_id == campaign.id).order_by(CampaignTarget.id)
        ).all()
        for target in targets:
            status = rng.choice(statuses)
            if status == target.status:
                continue
            unit = rng.choice([lead, *units])
            outcome = {"rectified": "已完成整改并提交报告", "punished": "依法实施联合惩戒", "closed": "整改到位，销号"}
            service.update_target(
                ctx, target.id, TargetUpdateIn(status=status, outcome=outcome.get(status, ""), unit_code=unit)
            )
            planted += 1
        for unit in [lead, *units][: 2 + rng.randrange(4)]:
            picked = {key: rng.randrange(0, 40) for key in rng.sample(figures, 3)}
            service.report_progress(
                ctx,
                campaign.id,
                ProgressIn(
                    unit_code=unit, note="开展排查并约谈重点主体，督促整改。", figures=picked, reported_on=today
                ),
            )
            planted += 1
    return planted
