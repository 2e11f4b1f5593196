"""The demo's monitoring step: six completed months computed (oldest first), manual values and city tables
entered and marked as demo figures, two manual indicators left out of the latest month; deterministic."""

from __future__ import annotations

import random

from sqlalchemy import select

from monitoring import monitoring_data as md
from xinyong.auth.context import Context
from xinyong.demo.lifecycle_monitoring import DEMO, DISTRICTS, LEFT_OUT, city_table, demo_months, plant_monitoring
from xinyong.monitoring import city, queries
from xinyong.monitoring.models import CityResult, MonitoringEntry, MonitoringRun


def test_months_are_computed_and_city_results_entered(ctx: Context) -> None:
    md.everything(ctx)
    months = demo_months(ctx)
    assert months == ["2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10"]

    planted = plant_monitoring(ctx, 7)
    runs = list(ctx.session.scalars(select(MonitoringRun).order_by(MonitoringRun.id)))
    entries = list(ctx.session.scalars(select(MonitoringEntry)))
    rows = list(ctx.session.scalars(select(CityResult)))
    assert [r.month for r in runs] == months and all(r.current for r in runs)
    assert planted == len(runs) + len(entries) + len(rows)
    assert len(rows) == len(DISTRICTS) * len(months)
    assert all(e.evidence.startswith(DEMO) for e in entries) and all(r.source.startswith(DEMO) for r in rows)
    assert [p.month for p in queries.trend(ctx)] == months

    latest = city.comparison(ctx, months[-1])
    assert latest.own is not None and latest.own.district == "番禺区"
    assert [r.rank for r in latest.results] == list(range(1, len(DISTRICTS) + 1))
    assert len(latest.missing_manual) == LEFT_OUT and latest.difference is not None
    assert city.comparison(ctx, months[0]).missing_manual == []


def test_city_tables_are_deterministic() -> None:
    one = city_table(random.Random("monitoring:7"), 80.0)
    two = city_table(random.Random("monitoring:7"), 80.0)
    assert one == two and sum(r.own for r in one) == 1
    assert [r.rank for r in one] == list(range(1, len(DISTRICTS) + 1))
    assert [r.score for r in one] == sorted((r.score for r in one), reverse=True)
