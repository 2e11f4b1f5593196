"""Demo credit evaluations: the demo district's enterprises get industries and monthly evaluation runs, so the
grade distribution, a subject's grade history, the industry models and the validation report have data at once.

``plant_evaluations`` first assigns industries through ``subjects.industry_service.assign_industries_bulk`` (one
set-based UPDATE per rule, one audit event): by name keywords of the demo generator's trades (建筑工程, 教育科技,
旅行社 …), and 消防技术服务 — which no demo name tells apart — to a deterministic share of the remaining legal
persons chosen from the seed. Then, through ``evaluation.service.run_evaluation``, the general model for each of
the last ``MONTHS`` month-ends up to today, and every industry model for the latest one. The caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from xinyong.auth.context import Context
from xinyong.evaluation import service
from xinyong.evaluation.schemas import RunSummary
from xinyong.evaluation.validation import last_month_ends
from xinyong.subjects.industry_service import IndustryRule, assign_industries_bulk

MONTHS = 12
FIRE_SAFETY_PERMILLE = 10  # 1 % of the legal persons left without an industry


def demo_rules(seed: int) -> tuple[IndustryRule, ...]:
    """The demo's industry rules, in order (a subject keeps the first that matches it)."""
    return (
        IndustryRule("construction", name_contains=("建筑工程", "装饰工程")),
        IndustryRule("off_campus_training", name_contains=("教育科技", "培训学校", "培训中心")),
        IndustryRule("travel_agency", name_contains=("旅行社",)),
        IndustryRule("internet", name_contains=("网络科技", "电子商务")),
        IndustryRule("agricultural_products", name_contains=("农业发展", "水产", "种养", "专业合作社")),
        IndustryRule("housekeeping", name_contains=("家政",)),
        IndustryRule("urban_management", name_contains=("物业管理", "环保科技")),
        IndustryRule("fire_safety_service", kinds=("legal_person",), sample_permille=FIRE_SAFETY_PERMILLE, seed=seed),
    )


@dataclass
class PlantedEvaluations:
    """What ``plant_evaluations`` did: subjects per industry assigned, and the runs."""

    industries: dict[str, int] = field(default_factory=dict)
    runs: list[RunSummary] = field(default_factory=list)


def plant_evaluations(ctx: Context, seed: int) -> PlantedEvaluations:
    """Assign the demo industries, run the general model monthly for a year and every industry model once."""
    planted = PlantedEvaluations(industries=assign_industries_bulk(ctx, demo_rules(seed)))
    days = last_month_ends(ctx.today, MONTHS)
    planted.runs = [service.run_evaluation(ctx, day) for day in days]
    planted.runs += [service.run_evaluation(ctx, days[-1], name) for name in service.industry_model_names()]
    return planted
