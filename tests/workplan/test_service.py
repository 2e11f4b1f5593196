"""Loading plans (all-or-nothing, idempotent, versioned) and units' progress reports (refused off the item)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from workplan.plans import PLAN_2021, garbled, load_2021
from xinyong.auth.context import Context
from xinyong.auth.models import AuditEvent
from xinyong.auth.permissions import PermissionDenied
from xinyong.errors import Conflict, InvalidInput
from xinyong.subjects.models import Department
from xinyong.workplan import queries, service
from xinyong.workplan.models import WorkPlan, WorkPlanItem
from xinyong.workplan.service import PlanParseError


def _officer(db: Session, dept: Department) -> Context:
    return Context(session=db, actor="test:officer", role="department_officer", department_id=dept.id)


def _office(db: Session) -> Context:
    return Context(session=db, actor="test:office", role="credit_office_staff")


def test_load_the_2021_plan_gives_18_items_with_units(ctx: Context) -> None:
    result = load_2021(ctx)
    assert result.created and result.plan.items == 18 and result.plan.version == 1
    status = queries.ledger(ctx, 2021, date(2021, 3, 1))
    assert len(status.items) == 18
    eleven = status.items[10]
    assert eleven.numeral == "十一"
    assert ("responsible", "区市场监管局") in {(u.role, u.label) for u in eleven.units}
    assert ctx.session.scalar(select(func.count()).where(AuditEvent.action == "workplan.load")) == 1


def test_reload_is_idempotent_and_a_new_text_is_a_new_version(ctx: Context) -> None:
    first = load_2021(ctx)
    again = load_2021(ctx)
    assert not again.created and again.plan.id == first.plan.id
    changed = service.load_plan(ctx, PLAN_2021.replace("重错码率不超过0.005%", "重错码率不超过0.004%"), 2021)
    assert changed.created and changed.plan.version == 2
    plans = ctx.session.scalars(select(WorkPlan).where(WorkPlan.year == 2021).order_by(WorkPlan.version)).all()
    assert [(p.version, p.current) for p in plans] == [(1, False), (2, True)]
    assert ctx.session.scalar(select(func.count(WorkPlanItem.id))) == 36


def test_a_garbled_plan_is_refused_with_every_line_and_nothing_stored(ctx: Context) -> None:
    with pytest.raises(PlanParseError) as caught:
        service.load_plan(ctx, garbled(), 2021)
    assert len(caught.value.errors) == 2
    assert "第 8 行" in caught.value.message and "未载入" in caught.value.message
    assert ctx.session.scalar(select(func.count(WorkPlan.id))) == 0


def test_the_market_bureau_reports_on_item_eleven(db: Session, departments: tuple[Department, Department]) -> None:
    market, _ = departments
    load_2021(_office(db))
    item_id = queries.item_by_number(_office(db), 2021, 11)
    out = service.report_progress(
        _officer(db, market),
        item_id,
        "",
        "完成重错码核查，重错码率 0.003%",
        percent=60,
        evidence="穗番市监〔2021〕12号",
    )
    assert (out.unit_code, out.percent, out.unit_label) == ("scjgj", 60, "区市场监管局")
    detail = queries.item_detail(_office(db), item_id)
    assert [h.note for h in detail.history] == ["完成重错码核查，重错码率 0.003%"]
    assert detail.targets[0].metric == "重错码率"


def test_a_unit_not_on_the_item_is_refused(db: Session, departments: tuple[Department, Department]) -> None:
    market, justice = departments
    load_2021(_office(db))
    item_one = queries.item_by_number(_office(db), 2021, 1)  # 区发改局、区司法局负责
    with pytest.raises(PermissionDenied, match="区市场监管局不是第（一）项"):
        service.report_progress(_officer(db, market), item_one, "", "我们也做了")
    with pytest.raises(InvalidInput, match="区市场监管局不是第（一）项") as caught:
        service.report_progress(_office(db), item_one, "scjgj", "代报")
    assert caught.value.field == "unit_code"
    with pytest.raises(PermissionDenied, match="只能以本部门"):
        service.report_progress(_officer(db, market), item_one, "sfj", "冒名报送")
    assert service.report_progress(_officer(db, justice), item_one, "", "已开展立法调研").unit_code == "sfj"


def test_group_units_admit_any_unit_of_their_kind(db: Session) -> None:
    office = _office(db)
    load_2021(office)
    item_two = queries.item_by_number(office, 2021, 2)  # 区发改局牵头，各镇街、各部门负责
    assert service.report_progress(office, item_two, "440113007", "市桥街道已建台账").unit_label == "市桥街道"
    assert service.report_progress(office, item_two, "jyj", "教育局已建台账").unit_code == "jyj"
    with pytest.raises(InvalidInput, match="不是已登记的部门或镇街"):
        service.report_progress(office, item_two, "all_towns", "以集体名义")


def test_progress_on_a_superseded_version_is_refused(db: Session) -> None:
    office = _office(db)
    load_2021(office)
    old = queries.item_by_number(office, 2021, 1)
    service.report_progress(office, old, "fgj", "第一版上的进展", reported_on=date(2021, 5, 1))
    service.load_plan(office, PLAN_2021 + "\n", 2021)  # same text after normalising: unchanged
    service.load_plan(office, PLAN_2021.replace("加强信用建设法治保障", "加强信用法治保障"), 2021)
    with pytest.raises(Conflict, match="已被新版本取代"):
        service.report_progress(office, old, "fgj", "晚了")
    new = queries.item_by_number(office, 2021, 1)
    assert [h.note for h in queries.item_detail(office, new).history] == ["第一版上的进展"]  # carried over


def test_status_done_overdue_at_risk_on_track(db: Session) -> None:
    office = _office(db)
    load_2021(office)
    ids = {n: queries.item_by_number(office, 2021, n) for n in (1, 2, 3)}
    service.report_progress(office, ids[1], "sfj", "条例已贯彻", status="done", reported_on=date(2021, 11, 1))
    service.report_progress(office, ids[2], "fgj", "台账完成九成", percent=90, reported_on=date(2021, 11, 1))
    service.report_progress(
        office, ids[3], "zfb", "负责单位报完成但非牵头", status="done", reported_on=date(2021, 11, 1)
    )
    by_number = {r.number: r for r in queries.ledger(office, 2021, date(2021, 12, 10)).items}
    assert by_number[1].status == "done"  # no lead: a responsible unit's done counts
    assert by_number[2].status == "on_track"  # 90% ≥ 80%
    assert by_number[3].status == "at_risk"  # leads 区委组织部/区发改局 have not reported; within 20 working days
    assert by_number[4].status == "at_risk"
    early = {r.number: r for r in queries.ledger(office, 2021, date(2021, 6, 30)).items}
    assert early[4].status == "on_track"
    late = {r.number: r for r in queries.ledger(office, 2021, date(2022, 1, 5)).items}
    assert [n for n, r in late.items() if r.status == "overdue"] == [n for n in range(2, 19)]
    before = {r.number: r for r in queries.ledger(office, 2021, date(2021, 10, 31)).items}
    assert before[1].status != "done"  # the report is dated after the day asked about


def test_report_validation(db: Session) -> None:
    office = _office(db)
    load_2021(office)
    item = queries.item_by_number(office, 2021, 1)
    with pytest.raises(InvalidInput, match="请填写进展情况"):
        service.report_progress(office, item, "fgj", "  ")
    with pytest.raises(InvalidInput, match="晚于今天"):
        service.report_progress(office, item, "fgj", "预报", reported_on=date(2030, 1, 1))
    with pytest.raises(InvalidInput, match="完成进度"):
        service.report_progress(office, item, "fgj", "进度", percent=101)
    with pytest.raises(InvalidInput, match="控制字符"):
        service.report_progress(office, item, "fgj", "进展\x00")
    with pytest.raises(InvalidInput, match="工作要点文本含有不可见的控制字符"):
        service.load_plan(office, PLAN_2021.replace("加强信用建设", "加强\x00信用建设"), 2021)
    with pytest.raises(PermissionDenied):
        service.load_plan(Context(session=db, actor="r", role="regulator"), PLAN_2021, 2021)
