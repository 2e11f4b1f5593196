"""The demo district's record lifecycle, planted through the services after the demo records are loaded
(``demo.service.load_demo``): objections, repair applications and commitments in every state, evaluations,
inspections, list entries, joint checks, verification cases, the portal's content, credit reports, the work-plan
ledger, 信易贷, the personal honesty score and its incentives, the PSI sets, the judicial and sector feeds,
government integrity (public bodies, contracts, integrity files, SOE arrears, court enforcement cases), special
campaigns and the monitoring months."""

from __future__ import annotations

from dataclasses import dataclass, field

from xinyong.auth.context import Context
from xinyong.demo.lifecycle_arrears import plant_arrears
from xinyong.demo.lifecycle_campaigns import plant_campaigns
from xinyong.demo.lifecycle_cases import plant_cases
from xinyong.demo.lifecycle_checks import plant_checks
from xinyong.demo.lifecycle_commitments import plant_commitments
from xinyong.demo.lifecycle_enforcement import plant_enforcement
from xinyong.demo.lifecycle_evaluations import plant_evaluations
from xinyong.demo.lifecycle_feeds import plant_feeds
from xinyong.demo.lifecycle_government import plant_government
from xinyong.demo.lifecycle_incentives import plant_incentives
from xinyong.demo.lifecycle_inspections import plant_inspections
from xinyong.demo.lifecycle_integrity import plant_integrity
from xinyong.demo.lifecycle_lending import plant_lending
from xinyong.demo.lifecycle_lists import plant_lists
from xinyong.demo.lifecycle_monitoring import plant_monitoring
from xinyong.demo.lifecycle_objections import plant_objections
from xinyong.demo.lifecycle_portal import plant_portal
from xinyong.demo.lifecycle_privacy import plant_privacy
from xinyong.demo.lifecycle_repairs import plant_repairs
from xinyong.demo.lifecycle_reports import plant_reports
from xinyong.demo.lifecycle_scores import plant_scores
from xinyong.demo.lifecycle_workplan import plant_workplan
from xinyong.errors import XinyongError


@dataclass
class LifecycleSummary:
    """How many cases of each kind were planted, and why a kind was skipped (e.g. an uncovered calendar year)."""

    objections: int = 0
    repairs: int = 0
    commitments: int = 0
    feeds: int = 0  # the courts' list, lawyers' and credit agencies' records (demo.lifecycle_feeds)
    evaluations: int = 0  # monthly evaluation runs (demo.lifecycle_evaluations)
    inspections: int = 0  # drawn inspection tasks (demo.lifecycle_inspections)
    lists: int = 0  # list entries in every state (demo.lifecycle_lists)
    checks: int = 0  # joint checks with feedback (demo.lifecycle_checks)
    cases: int = 0  # dishonesty cases under verification (demo.lifecycle_cases)
    portal: int = 0  # portal articles and selection nominations (demo.lifecycle_portal)
    reports: int = 0  # credit reports issued (demo.lifecycle_reports)
    workplan: int = 0  # progress reports on the 2021 work plan (demo.lifecycle_workplan)
    lending: int = 0  # 信易贷 institutions, products, SMEs, needs and outcomes (demo.lifecycle_lending)
    scores: int = 0  # natural persons scored by the personal honesty score (demo.lifecycle_scores)
    incentives: int = 0  # incentive providers, consents and eligibility checks (demo.lifecycle_incentives)
    privacy: int = 0  # compiled PSI sets and exchanges (demo.lifecycle_privacy)
    government: int = 0  # public bodies, government contracts and their defaults (demo.lifecycle_government)
    integrity: int = 0  # civil servants' integrity files, entries and checks (demo.lifecycle_integrity)
    arrears: int = 0  # SOE arrears entries, payments and complaints (demo.lifecycle_arrears)
    enforcement: int = 0  # court enforcement cases against public bodies (demo.lifecycle_enforcement)
    campaigns: int = 0  # special campaigns, a repeated-violator run and its targets (demo.lifecycle_campaigns)
    monitoring: int = 0  # monitoring runs, manual entries and city results (demo.lifecycle_monitoring)
    skipped: dict[str, str] = field(default_factory=dict)


def plant_lifecycle(ctx: Context, seed: int) -> LifecycleSummary:
    """Plant each kind in a savepoint of its own: a kind that cannot be planted is skipped with its reason and
    leaves nothing behind, the others still are."""
    summary = LifecycleSummary()
    session = ctx.session
    steps = (
        ("objections", lambda: len(plant_objections(ctx, seed=seed).states)),
        ("repairs", lambda: plant_repairs(ctx).total),
        ("commitments", lambda: sum(plant_commitments(ctx, seed=seed).signed.values())),
        ("feeds", lambda: plant_feeds(ctx, seed)),  # before the evaluations: their runs count these records
        ("evaluations", lambda: len(plant_evaluations(ctx, seed).runs)),
        ("inspections", lambda: plant_inspections(ctx, seed=seed).tasks),
        ("lists", lambda: plant_lists(ctx, seed)),
        ("checks", lambda: plant_checks(ctx, seed)),
        ("cases", lambda: plant_cases(ctx, seed)),
        ("portal", lambda: plant_portal(ctx, seed)),
        ("reports", lambda: plant_reports(ctx, seed)),
        ("workplan", lambda: plant_workplan(ctx, seed)),
        ("lending", lambda: plant_lending(ctx, seed)),
        ("scores", lambda: plant_scores(ctx, seed)),
        ("incentives", lambda: plant_incentives(ctx, seed)),  # after the scores: answers follow the bands
        ("privacy", lambda: plant_privacy(ctx, seed)),  # after lists, evaluations and the lending banks
        ("government", lambda: plant_government(ctx, seed)),  # the public bodies the next three steps name
        ("integrity", lambda: plant_integrity(ctx, seed)),
        ("arrears", lambda: plant_arrears(ctx, seed)),
        ("enforcement", lambda: plant_enforcement(ctx, seed)),
        ("campaigns", lambda: plant_campaigns(ctx, seed)),
        ("monitoring", lambda: plant_monitoring(ctx, seed)),  # last: the months see everything planted
    )
    for name, plant in steps:
        savepoint = session.begin_nested()
        try:
            count = plant()
        except XinyongError as exc:
            savepoint.rollback()
            summary.skipped[name] = exc.message
            continue
        savepoint.commit()
        setattr(summary, name, count)
    return summary
