"""Enforcement cases after import (issue #11 item 4): the done-when journey (a notice of three cases against town
offices imported, assigned to the towns, rectified, closed), scoping of rectification, reassign, reopen, the daily
government-integrity step and the monthly summary. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from government import gov_factories as g
from government.enforcement_data import COURT, PERIOD, csv_bytes, row, towns
from xinyong.auth.context import Context
from xinyong.auth.models import AuditEvent
from xinyong.auth.permissions import PermissionDenied
from xinyong.errors import Conflict, InvalidInput
from xinyong.government import enforcement as svc
from xinyong.government import enforcement_queries as q
from xinyong.government.enforcement_import import import_notice
from xinyong.government.enforcement_rules import enforcement_rules
from xinyong.government.models import GovIntegrityRecord
from xinyong.subjects.models import Department

pytestmark = pytest.mark.usefixtures("pinned_clock")
TODAY = date(2026, 11, 27)


def office(db: Session) -> Context:
    return Context(session=db, actor="office", role="credit_office_staff")


def officer(db: Session, code: str, name: str) -> Context:
    """An officer of the department row ``code`` (created when missing)."""
    dept = db.scalar(select(Department).where(Department.code == code))
    if dept is None:
        dept = Department(code=code, name=name, uscc=g.body_uscc(700 + len(code)))
        db.add(dept)
        db.flush()
    return Context(session=db, actor=f"officer:{code}", role="department_officer", department_id=dept.id)


def _import(ctx: Context) -> list[int]:
    offices = towns(ctx)
    content = csv_bytes([row(b, i) for i, b in enumerate(offices, start=1)])
    return import_notice(office(ctx.session), PERIOD, COURT, "10月.csv", content).case_ids


def test_done_when_three_town_cases_imported_assigned_rectified_closed(db: Session, ctx: Context) -> None:
    ids = _import(ctx)
    staff = office(db)
    listed = q.cases(staff, period=PERIOD)
    assert [c.unit_label for c in listed] == ["市桥街道", "市桥街道", "大龙街道"]
    assert {c.unit_kind for c in listed} == {"town"} and not any(c.overdue for c in listed)
    # 市桥街道 has no account of its own: the office records its rectification on its behalf
    case, step = svc.rectify(staff, ids[0], "已将执行款 125000.50 元转入法院账户", "番财〔2026〕12号", TODAY)
    assert case.status == "rectifying" and "区信用办代市桥街道登记" in step.note
    # a department row carrying the township code (when the district adds one) lets the town's officer record
    town = officer(db, g.DALONG, "番禺区大龙街道办事处")
    _, own_step = svc.rectify(town, ids[2], "与申请执行人达成和解并履行", "和解协议")
    assert "代" not in own_step.note and own_step.actor == "officer:440113016"
    svc.rectify(staff, ids[1], "已列入预算，分期支付")
    for case_id, outcome in zip(ids, ["执行完毕", "settled", "终结本次执行程序"], strict=True):
        svc.close(staff, case_id, outcome, TODAY, "法院确认")
    detail = q.case_detail(staff, ids[0])
    assert detail.status == "closed" and detail.outcome == "执行完毕" and detail.closed_on == TODAY
    assert [s.kind for s in detail.steps] == ["assign", "rectify", "close"]
    assert q.case_detail(staff, ids[1]).outcome == "和解履行完毕"
    actions = list(db.scalars(select(AuditEvent.action).where(AuditEvent.action.like("enforcement.%"))))
    assert actions.count("enforcement.rectify") == 3 and actions.count("enforcement.close") == 3
    summary = q.summary(staff, "2026-11")
    assert summary.total.closed == 3 and summary.total.open_at_end == 0


def test_rectify_is_scoped_to_the_assigned_unit(db: Session, ctx: Context) -> None:
    soe = g.soe(ctx)  # answered for by 区财政局 (czj)
    result = import_notice(office(db), PERIOD, COURT, "soe.csv", csv_bytes([row(soe, 1)]))
    case_id = result.case_ids[0]
    other = officer(db, "scjgj", "广州市番禺区市场监督管理局")
    with pytest.raises(PermissionDenied, match="只能由该单位或区信用办登记"):
        svc.rectify(other, case_id, "越权登记")
    finance = officer(db, "czj", "广州市番禺区财政局")
    case, _ = svc.rectify(finance, case_id, "已拨付资金")
    assert case.status == "rectifying"
    with pytest.raises(PermissionDenied):
        svc.close(finance, case_id, "执行完毕")
    with pytest.raises(PermissionDenied):
        svc.reassign(finance, case_id, g.SHIQIAO, "x")
    unlinked = Context(session=db, actor="lost", role="department_officer")
    with pytest.raises(PermissionDenied, match="未关联部门"):
        svc.rectify(unlinked, case_id, "x")
    with pytest.raises(InvalidInput, match="不能晚于今天"):
        svc.rectify(finance, case_id, "x", on=TODAY + timedelta(days=1))


def test_reassign_close_and_reopen_rules(db: Session, ctx: Context) -> None:
    ids = _import(ctx)
    staff = office(db)
    moved = svc.reassign(staff, ids[0], "czj", "该单位已划归区财政局管理")
    assert moved.unit_code == "czj" and moved.status == "assigned"
    with pytest.raises(Conflict):
        svc.reassign(staff, ids[0], "czj", "again")
    with pytest.raises(InvalidInput, match="不是已登记的部门或镇街"):
        svc.reassign(staff, ids[0], "all_towns", "x")
    with pytest.raises(InvalidInput, match="结案方式应为"):
        svc.close(staff, ids[0], "随便")
    with pytest.raises(Conflict, match="未结案"):
        svc.reopen(staff, ids[0], "x")
    svc.close(staff, ids[0], "不予执行")
    with pytest.raises(Conflict, match="已结案"):
        svc.rectify(staff, ids[0], "x")
    reopened = svc.reopen(staff, ids[0], "法院恢复执行")
    assert reopened.status == "assigned" and reopened.closed_on is None and reopened.outcome == ""
    assert [s.kind for s in q.case_detail(staff, ids[0]).steps] == ["assign", "assign", "close", "reopen"]


def test_daily_step_records_unclosed_cases_once(db: Session, ctx: Context) -> None:
    ids = _import(ctx)
    staff = office(db)
    svc.close(staff, ids[1], "执行完毕")
    case = svc.case_or_404(staff, ids[0])
    assert case.due_on is not None
    grace = enforcement_rules().integrity_record.grace_days
    last_quiet = case.due_on + timedelta(days=grace)
    assert svc.daily_step(ctx, last_quiet) == 0
    assert svc.daily_step(ctx, last_quiet + timedelta(days=1)) == 2  # ids[0] and ids[2]; ids[1] is closed
    assert svc.daily_step(ctx, last_quiet + timedelta(days=1)) == 0
    assert svc.daily_step(ctx, last_quiet + timedelta(days=30)) == 0
    records = list(db.scalars(select(GovIntegrityRecord).order_by(GovIntegrityRecord.source_id)))
    assert [r.source_id for r in records] == [ids[0], ids[2]]
    assert records[0].amount == Decimal("125000.50") and "逾期未整改结案" in records[0].summary
    overdue = q.cases(staff, overdue=True, as_of=case.due_on + timedelta(days=1))
    assert [c.id for c in overdue] == [ids[0], ids[2]] and overdue[0].record_id == records[0].id


def test_monthly_summary_by_unit(db: Session, ctx: Context) -> None:
    ids = _import(ctx)
    staff = office(db)
    soe = g.soe(ctx)
    import_notice(staff, "2026-11", COURT, "11月.csv", csv_bytes([row(soe, 40, amount="1000")]))
    svc.close(staff, ids[2], "执行完毕", date(2026, 11, 20))
    october = q.summary(staff, PERIOD)
    assert october.total.new_cases == 3 and october.total.closed == 0 and october.total.open_at_end == 3
    assert october.total.new_amount == Decimal("375001.50")
    november = q.summary(staff, "2026-11")
    by_unit = {r.unit_code: r for r in november.rows}
    assert [r.unit_kind for r in november.rows] == ["town", "town", "department"]
    assert by_unit[g.DALONG].closed == 1 and by_unit[g.DALONG].open_at_end == 0
    assert by_unit[g.SHIQIAO].open_at_end == 2 and by_unit[g.SHIQIAO].open_amount == Decimal("250001.00")
    assert by_unit["czj"].new_cases == 1 and november.total.new_cases == 1
    assert november.total.open_at_end == 3 and november.total.overdue == 0 and november.as_of == TODAY
    with pytest.raises(InvalidInput):
        q.summary(staff, "2026/11")
