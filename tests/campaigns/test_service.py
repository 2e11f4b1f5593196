"""Campaign actions: creation rules, targets by hand and from a repeated-violator run, target updates and progress
reports scoped to units, closing; and the done-when journey (a campaign shows its repeated violators)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from campaigns import campaign_factories as cf
from xinyong.auth.context import Context
from xinyong.auth.models import AuditEvent
from xinyong.auth.permissions import PermissionDenied
from xinyong.campaigns import queries, service, violators
from xinyong.campaigns.models import CampaignTarget
from xinyong.campaigns.schemas import CloseIn, FromRunIn, ProgressIn, TargetIn, TargetUpdateIn
from xinyong.errors import Conflict, InvalidInput, NotFound

AS_OF = cf.AS_OF
D = timedelta(days=1)


def officer(ctx: Context, dept_id: int) -> Context:
    return Context(session=ctx.session, actor=f"officer:{dept_id}", role="department_officer", department_id=dept_id)


def test_create_checks_sectors_units_dates_and_code(ctx: Context) -> None:
    cid = cf.campaign(ctx)
    detail = queries.campaign_detail(ctx, cid)
    assert detail.sector_labels == ["疫情防控物资", "生态环境"]
    assert detail.lead_unit.label == "区市场监管局" and [u.label for u in detail.units] == [
        "区生态环境分局",
        "市桥街道",
    ]
    assert detail.status == "active" and detail.targets == 0
    with pytest.raises(Conflict):
        cf.campaign(ctx)
    with pytest.raises(InvalidInput) as bad:
        cf.campaign(ctx, "ZXZL-2", sectors=["lottery"])
    assert bad.value.field == "sectors"
    with pytest.raises(InvalidInput):
        cf.campaign(ctx, "ZXZL-3", lead_unit="nowhere")
    with pytest.raises(InvalidInput):
        cf.campaign(ctx, "ZXZL-4", units=["all_towns"])
    with pytest.raises(InvalidInput):
        cf.campaign(ctx, "ZXZL-5", ends_on=date(2026, 10, 1))
    with pytest.raises(InvalidInput):
        cf.campaign(ctx, "坏 编号")
    assert cf.campaign(ctx, "ZXZL-6", starts_on=date(2027, 1, 1), ends_on=date(2027, 6, 30)) > cid
    assert [c.status for c in queries.list_campaigns(ctx)] == ["planned", "active"]
    officer_ctx = officer(ctx, cf.market(ctx.session).id)
    with pytest.raises(PermissionDenied):
        cf.campaign(officer_ctx, "ZXZL-7")


def test_manual_targets_and_updates_are_scoped(ctx: Context) -> None:
    market, env = cf.market(ctx.session), cf.environment(ctx.session)
    other = cf.department(ctx.session, "jtj", "广州市番禺区交通运输局", 4)
    cid = cf.campaign(ctx)
    s = cf.firm(ctx, 1)
    assert s.uscc
    target = service.add_target(
        ctx, cid, TargetIn(uscc=s.uscc, case_ref="穗番市监罚〔2026〕1号", reason="多次抽检不合格")
    )
    assert (target.status, target.sector, target.source) == ("in_scope", "epidemic_supplies", "manual")
    with pytest.raises(Conflict):
        service.add_target(ctx, cid, TargetIn(uscc=s.uscc, case_ref="穗番市监罚〔2026〕1号", reason="重复"))
    with pytest.raises(NotFound):
        service.add_target(ctx, cid, TargetIn(uscc=cf.firm(ctx, 2).uscc[:-1] + "0", reason="未登记"))  # type: ignore[index]
    with pytest.raises(InvalidInput):
        service.add_target(ctx, cid, TargetIn(uscc=s.uscc, reason="x", sector="finance"))
    with pytest.raises(InvalidInput):
        service.add_target(ctx, cid, TargetIn(uscc=s.uscc, reason="x", unit_code="jtj"))
    # the environment branch takes part but the target is not assigned to it yet
    with pytest.raises(PermissionDenied):
        service.update_target(officer(ctx, env.id), target.id, TargetUpdateIn(status="rectifying"))
    # the lead unit assigns it; then the branch updates it; a non-participating department never can
    service.update_target(officer(ctx, market.id), target.id, TargetUpdateIn(status="rectifying", unit_code="sthjfj"))
    done = service.update_target(officer(ctx, env.id), target.id, TargetUpdateIn(status="rectified", outcome="已整改"))
    assert (done.status, done.unit_code, done.outcome) == ("rectified", "sthjfj", "已整改")
    with pytest.raises(PermissionDenied):
        service.update_target(officer(ctx, env.id), target.id, TargetUpdateIn(status="closed", unit_code="scjgj"))
    with pytest.raises(PermissionDenied):
        service.update_target(officer(ctx, other.id), target.id, TargetUpdateIn(status="closed"))
    with pytest.raises(InvalidInput):
        service.update_target(ctx, target.id, TargetUpdateIn(status="vanished"))
    service.update_target(ctx, target.id, TargetUpdateIn(status="closed", outcome="销号"))
    with pytest.raises(Conflict):
        service.update_target(ctx, target.id, TargetUpdateIn(status="rectifying"))
    assert queries.campaign_detail(ctx, cid).by_status["closed"] == 1


def test_progress_reports_by_participating_units_only(ctx: Context) -> None:
    market, env = cf.market(ctx.session), cf.environment(ctx.session)
    other = cf.department(ctx.session, "jtj", "广州市番禺区交通运输局", 4)
    cid = cf.campaign(ctx)
    service.report_progress(
        officer(ctx, env.id), cid, ProgressIn(note="检查排污企业", figures={"subjects_checked": 12, "cases_opened": 2})
    )
    service.report_progress(officer(ctx, env.id), cid, ProgressIn(note="立案", figures={"cases_opened": 1}))
    service.report_progress(
        ctx, cid, ProgressIn(unit_code="440113007", note="街道排查", figures={"subjects_checked": 5})
    )
    with pytest.raises(PermissionDenied):
        service.report_progress(officer(ctx, other.id), cid, ProgressIn(note="不参与", figures={}))
    with pytest.raises(PermissionDenied):
        service.report_progress(officer(ctx, env.id), cid, ProgressIn(unit_code="scjgj", note="冒名", figures={}))
    with pytest.raises(InvalidInput):
        service.report_progress(officer(ctx, market.id), cid, ProgressIn(note="x", figures={"arrests": 1}))
    with pytest.raises(InvalidInput):
        service.report_progress(officer(ctx, market.id), cid, ProgressIn(note="x", figures={"punished": -1}))
    with pytest.raises(InvalidInput):
        service.report_progress(ctx, cid, ProgressIn(unit_code="jtj", note="x"))
    with pytest.raises(InvalidInput):
        service.report_progress(ctx, cid, ProgressIn(unit_code="scjgj", note="x", reported_on=AS_OF + D))
    by_unit = {p.unit.code: p for p in queries.campaign_detail(ctx, cid).progress}
    assert by_unit["sthjfj"].figures["cases_opened"] == 3 and by_unit["sthjfj"].reports == 2
    assert by_unit["440113007"].figures["subjects_checked"] == 5
    assert by_unit["scjgj"].reports == 0
    assert len(queries.progress_reports(ctx, cid)) == 3


def test_close_freezes_the_campaign(ctx: Context) -> None:
    cid = cf.campaign(ctx)
    service.close_campaign(ctx, cid, CloseIn(result="排查主体 120 家，整改 30 家"))
    with pytest.raises(Conflict):
        service.close_campaign(ctx, cid, CloseIn(result="再次"))
    with pytest.raises(Conflict):
        service.report_progress(ctx, cid, ProgressIn(unit_code="scjgj", note="晚报"))
    assert queries.campaign_detail(ctx, cid).status_label == "已结束"
    actions = set(ctx.session.scalars(select(AuditEvent.action).where(AuditEvent.target_type == "campaign")))
    assert {"campaigns.create", "campaigns.close"} <= actions


def test_done_when_a_campaign_shows_its_repeated_violators(ctx: Context) -> None:
    """Penalties → a detection run → the violators in the campaign's sectors become targets → the campaign
    lists them with their counts; a second addition adds nothing; ``all`` takes the rest."""
    market_batch = cf.batch(ctx.session, cf.market(ctx.session))
    other_batch = cf.batch(ctx.session, cf.department(ctx.session, "jtj", "广州市番禺区交通运输局", 4))
    env_batch = cf.batch(ctx.session, cf.environment(ctx.session))
    in_sector, env_only, outside, clean = (cf.firm(ctx, n) for n in (21, 22, 23, 24))
    cf.penalties(ctx.session, market_batch, in_sector, [AS_OF - 10 * D, AS_OF - 20 * D, AS_OF - 30 * D])
    cf.penalties(ctx.session, market_batch, in_sector, [AS_OF - 40 * D, AS_OF - 50 * D, AS_OF - 60 * D], "警告")
    cf.penalties(ctx.session, env_batch, env_only, [AS_OF - 15 * D, AS_OF - 25 * D, AS_OF - 35 * D])
    cf.penalties(ctx.session, other_batch, outside, [AS_OF - 5 * D, AS_OF - 6 * D, AS_OF - 7 * D])
    cf.penalties(ctx.session, market_batch, clean, [AS_OF - 5 * D, AS_OF - 6 * D])
    run = violators.run_detection(ctx, AS_OF)
    assert run.subjects == 3
    cid = cf.campaign(ctx)
    assert service.add_targets_from_run(ctx, cid, FromRunIn(run_id=run.id)) == 2
    assert service.add_targets_from_run(ctx, cid, FromRunIn(run_id=run.id)) == 0
    shown = queries.campaign_violators(ctx, cid)
    assert [v.subject_id for v in shown] == [in_sector.id, env_only.id]
    assert {(c.category, c.penalties) for c in shown[0].categories} == {("罚款", 3), ("警告", 3)}
    assert shown[0].run_id == run.id and shown[0].status == "in_scope"
    sectors = dict(
        ctx.session.execute(
            select(CampaignTarget.subject_id, CampaignTarget.sector).where(CampaignTarget.campaign_id == cid)
        ).all()
    )
    assert sectors == {in_sector.id: "epidemic_supplies", env_only.id: "environment"}
    assert service.add_targets_from_run(ctx, cid, FromRunIn(run_id=run.id, scope="all")) == 1
    assert {v.subject_id for v in queries.campaign_violators(ctx, cid)} == {in_sector.id, env_only.id, outside.id}
    assert queries.campaign_detail(ctx, cid).by_status["in_scope"] == 3
    with pytest.raises(NotFound):
        service.add_targets_from_run(ctx, cid, FromRunIn(run_id=run.id + 100))
