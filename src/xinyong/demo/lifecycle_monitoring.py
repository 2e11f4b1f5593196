"""Demo city credit monitoring (issue #12 items 1 and 4): the six completed months before the demo's day computed
through ``monitoring.service.run_month`` (oldest first, so each month is compared with the one before), with the
manual indicators entered for the district by the credit office (a few left out in the latest month, so the page
shows its "未填报" warnings), and the city's table of Guangzhou's eleven districts entered for each month through
``monitoring.city.enter_results``.

Every manual value and every city figure here is invented: the evidence and the source say so (【演示数据】), and
our district's published score is drawn near the platform's own computed score so the comparison page has a
difference to explain. Deterministic from ``seed``; the caller commits.
"""

from __future__ import annotations

import random

from xinyong.auth.context import Context
from xinyong.monitoring import city, service
from xinyong.monitoring.model_yaml import DEFAULT_VERSION, load_model
from xinyong.monitoring.schemas import CityResultIn

MONTHS = 6
DEMO = "【演示数据】"
OWN = "番禺区"
# Guangzhou's districts (广州市行政区划): the city's table ranks them all.
DISTRICTS = (
    "越秀区",
    "海珠区",
    "荔湾区",
    "天河区",
    "白云区",
    "黄埔区",
    "番禺区",
    "花都区",
    "南沙区",
    "从化区",
    "增城区",
)
LEFT_OUT = 2  # manual indicators not entered in the latest month


def demo_months(ctx: Context, count: int = MONTHS) -> list[str]:
    """The ``count`` completed months before ``ctx.today``, oldest first."""
    month = service.previous_month(f"{ctx.today.year:04d}-{ctx.today.month:02d}")
    months = [month]
    for _ in range(count - 1):
        month = service.previous_month(month)
        months.append(month)
    return months[::-1]


def city_table(rng: random.Random, own_score: float) -> list[CityResultIn]:
    """Invented scores for every district (ours near ``own_score``), ranked by score."""
    scores = {d: round(rng.uniform(72, 95), 1) for d in DISTRICTS}
    scores[OWN] = round(min(100.0, max(0.0, own_score + rng.uniform(-6, 6))), 1)
    ordered = sorted(DISTRICTS, key=lambda d: (-scores[d], d))
    return [CityResultIn(district=d, score=scores[d], rank=n, own=d == OWN) for n, d in enumerate(ordered, 1)]


def plant_monitoring(ctx: Context, seed: int) -> int:
    """Enter the manual values, compute the demo months and enter the city's tables; the number of monitoring
    runs, manual entries and city rows stored."""
    rng = random.Random(f"monitoring:{seed}")
    model = load_model(DEFAULT_VERSION)
    manual = [ind for _, _, ind in model.indicators() if ind.manual]
    months = demo_months(ctx)
    planted = 0
    for month in months:
        skipped = set(rng.sample([i.code for i in manual], LEFT_OUT)) if month == months[-1] else set()
        for ind in manual:
            if ind.code in skipped:
                continue
            value = round(rng.uniform(60, 100), 1)
            evidence = f"{DEMO}{ind.name}{month}自评材料（虚构，仅供演示）"
            service.enter_value(ctx, ind.code, model.district, value, evidence, month)
            planted += 1
        run = service.run_month(ctx, month)
        planted += 1
        table = city_table(rng, run.district_score)
        source = f"{DEMO}虚构的全市各区城市信用监测通报（{month}），非市公布结果"
        planted += len(city.enter_results(ctx, month, table, source))
    return planted
