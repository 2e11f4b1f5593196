"""Running a month (township split, idempotent rerun with history, warnings, manual entries carried over) and
entering manual values (permissions, validation)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from factories import departments
from monitoring import monitoring_data as md
from xinyong.auth.context import Context
from xinyong.auth.models import AuditEvent
from xinyong.auth.permissions import PermissionDenied
from xinyong.errors import InvalidInput, NotFound
from xinyong.monitoring import queries, service
from xinyong.monitoring.models import MonitoringRun, MonitoringValue


def _value(ctx: Context, run_id: int, unit: str, indicator: str) -> MonitoringValue:
    row = ctx.session.scalars(
        select(MonitoringValue).where(
            MonitoringValue.run_id == run_id, MonitoringValue.unit == unit, MonitoringValue.indicator == indicator
        )
    ).one()
    return row


def test_a_run_stores_every_indicator_for_the_district_and_each_township(ctx: Context) -> None:
    md.everything(ctx)
    run = service.run_month(ctx, md.MONTH)
    assert run.as_of.isoformat() == "2026-11-30" and run.current and run.negative_ok
    count = ctx.session.scalar(select(func.count()).where(MonitoringValue.run_id == run.id))
    assert count == 21 * 17
    assert _value(ctx, run.id, "440113", "gongshi_volume").value == 500
    assert _value(ctx, run.id, md.SHATOU, "gongshi_timeliness").value == 0
    assert _value(ctx, run.id, md.SHIQIAO, "commitments").value == 1000
    validity = _value(ctx, run.id, md.SHATOU, "gongshi_validity")  # district only: every township gets it
    assert validity.value == 80
    # the scores: timeliness 50% of 80→100 scores 0; repair days 7 on 20→5 scores 13/15 of 2
    assert _value(ctx, run.id, "440113", "gongshi_timeliness").score == 0
    assert _value(ctx, run.id, "440113", "repair_days").score == pytest.approx(2 * 13 / 15, abs=1e-3)
    detail = queries.run_detail(ctx, md.MONTH)
    assert detail.district_score == pytest.approx(sum(i.score for i in detail.indicators), abs=1e-3)
    assert len(detail.units) == 17 and detail.units[0].name == "番禺区"
    shiqiao = queries.run_detail(ctx, md.MONTH, unit=md.SHIQIAO)
    assert {i.code: i.value for i in shiqiao.indicators}["gongshi_timeliness"] == 100
    assert ctx.session.scalar(select(func.count()).where(AuditEvent.action == "monitoring.run")) == 1


def test_warnings_below_threshold_and_missing_manual_values(ctx: Context) -> None:
    md.everything(ctx)
    run = service.run_month(ctx, md.MONTH)
    assert _value(ctx, run.id, "440113", "gongshi_timeliness").warnings == ["below"]
    assert _value(ctx, run.id, "440113", "xinyidai").warnings == ["missing"]
    assert _value(ctx, run.id, "440113", "code_error_rate").warnings == []
    assert run.warnings > 0


def test_a_rerun_is_a_new_run_and_keeps_history(ctx: Context) -> None:
    md.everything(ctx)
    first = service.run_month(ctx, md.MONTH)
    second = service.run_month(ctx, md.MONTH)
    assert second.id != first.id and second.district_score == first.district_score
    runs = queries.runs_of_month(ctx, md.MONTH)
    assert [(r.id, r.current) for r in runs] == [(second.id, True), (first.id, False)]
    assert queries.run_detail(ctx, md.MONTH).id == second.id


def test_worse_than_last_month_is_a_warning(ctx: Context) -> None:
    data = md.base(ctx)
    md.commitments(ctx.session, data)
    october = service.run_month(ctx, "2026-10")
    assert october.district_score >= 0
    # October: one commitment over no enterprises registered yet (they were registered in November) → no value
    service.enter_value(ctx, "xinyidai", "440113", 90, "信易贷平台月报", "2026-10")
    service.enter_value(ctx, "xinyidai", "440113", 70, "信易贷平台月报", md.MONTH)
    november = service.run_month(ctx, md.MONTH)
    row = _value(ctx, november.id, "440113", "xinyidai")
    assert row.previous == 90 and row.warnings == ["worse"]


def test_manual_entries_apply_to_the_current_run_and_carry_over(ctx: Context) -> None:
    md.everything(ctx)
    run = service.run_month(ctx, md.MONTH)
    before = run.district_score
    entry = service.enter_value(ctx, "security_done", "440113", 100, "等保三级测评报告（2026）", md.MONTH)
    assert entry.applied_to_run == run.id
    stored = ctx.session.get(MonitoringRun, run.id)
    assert stored is not None and stored.district_score == pytest.approx(before + 4)
    township = _value(ctx, run.id, md.SHATOU, "security_done")  # no own entry: the district's
    assert township.value == 100 and township.entry_id == entry.id
    service.enter_value(ctx, "security_done", md.SHATOU, 0, "沙头街道发生数据泄露事件", md.MONTH)
    assert _value(ctx, run.id, md.SHATOU, "security_done").score == 0
    rerun = service.run_month(ctx, md.MONTH)
    assert _value(ctx, rerun.id, "440113", "security_done").score == 4
    assert _value(ctx, rerun.id, md.SHATOU, "security_done").value == 0
    assert len(queries.entries(ctx, md.MONTH)) == 2


def test_entry_is_refused_for_computed_indicators_and_bad_values(ctx: Context) -> None:
    with pytest.raises(InvalidInput, match="自动计算"):
        service.enter_value(ctx, "gongshi_volume", "440113", 5, "手工填写的数量", md.MONTH)
    with pytest.raises(InvalidInput, match="0–100"):
        service.enter_value(ctx, "xinyidai", "440113", 150, "信易贷平台月报", md.MONTH)
    with pytest.raises(InvalidInput, match="镇街代码"):
        service.enter_value(ctx, "xinyidai", "440106", 50, "信易贷平台月报", md.MONTH)
    with pytest.raises(InvalidInput, match="佐证材料"):
        service.enter_value(ctx, "xinyidai", "440113", 50, "  ", md.MONTH)
    with pytest.raises(InvalidInput, match="尚未开始"):
        service.enter_value(ctx, "xinyidai", "440113", 50, "信易贷平台月报", "2026-12")
    with pytest.raises(NotFound):
        service.enter_value(ctx, "nonexistent", "440113", 50, "信易贷平台月报", md.MONTH)


def test_department_officers_enter_only_their_departments_indicators(db: Session) -> None:
    _, justice = departments(db)
    at = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
    officer = Context(session=db, actor="test:sfj", role="department_officer", department_id=justice.id, at=at)
    entry = service.enter_value(officer, "compliance_done", "440113", 95, "信用信息应用合规自查报告", md.MONTH)
    assert entry.value == 95
    with pytest.raises(PermissionDenied, match="不由本部门填报"):
        service.enter_value(officer, "xinyidai", "440113", 80, "信易贷平台月报", md.MONTH)
    with pytest.raises(PermissionDenied):
        service.run_month(officer, md.MONTH)
    regulator = Context(session=db, actor="test:reg", role="regulator", at=at)
    with pytest.raises(PermissionDenied):
        service.enter_value(regulator, "compliance_done", "440113", 95, "自查报告说明", md.MONTH)
    assert queries.trend(regulator) == []


def test_a_month_not_run_is_not_found_and_bad_months_are_refused(ctx: Context) -> None:
    with pytest.raises(NotFound, match="尚未计算"):
        queries.run_detail(ctx, md.MONTH)
    with pytest.raises(InvalidInput, match="YYYY-MM"):
        service.run_month(ctx, "2026-13")
    with pytest.raises(InvalidInput, match="尚未开始"):
        service.run_month(ctx, "2027-01")


def test_trend_lists_current_runs_oldest_first(ctx: Context) -> None:
    md.everything(ctx)
    service.run_month(ctx, "2026-10")
    service.run_month(ctx, md.MONTH)
    service.run_month(ctx, md.MONTH)
    assert [p.month for p in queries.trend(ctx)] == ["2026-10", md.MONTH]
