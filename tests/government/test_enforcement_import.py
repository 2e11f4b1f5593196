"""Importing the court's monthly notice of enforcement cases (issue #11 item 4): CSV in UTF-8, UTF-8 with BOM and
GBK, .xlsx with Chinese dates and Excel serials; every bad row reported with nothing stored; the same file twice is
a conflict. SQLite and PostgreSQL."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from government import gov_factories as g
from government.enforcement_data import COURT, PERIOD, csv_bytes, row, towns, xlsx_bytes
from xinyong.auth.context import Context
from xinyong.auth.models import AuditEvent
from xinyong.auth.permissions import PermissionDenied
from xinyong.calendar import load_calendar
from xinyong.errors import Conflict, InvalidInput
from xinyong.government import bodies
from xinyong.government import enforcement_import as imp
from xinyong.government.enforcement_rules import enforcement_rules
from xinyong.government.models import EnforcementCase, EnforcementNotice, EnforcementStep

pytestmark = pytest.mark.usefixtures("pinned_clock")


def _counts(db: Session) -> tuple[int, int, int]:
    return (
        db.scalar(select(func.count()).select_from(EnforcementNotice)) or 0,
        db.scalar(select(func.count()).select_from(EnforcementCase)) or 0,
        db.scalar(select(func.count()).select_from(EnforcementStep)) or 0,
    )


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_csv_in_every_encoding_is_imported_and_assigned(db: Session, ctx: Context, encoding: str) -> None:
    offices = towns(ctx)
    content = csv_bytes([row(b, i) for i, b in enumerate(offices, start=1)], encoding)
    result = imp.import_notice(ctx, PERIOD, COURT, "10月通报.csv", content)
    assert result.notice.cases == 3 and result.by_unit == {g.SHIQIAO: 2, g.DALONG: 1}
    due = load_calendar(db).add_workdays(date(2026, 11, 27), enforcement_rules().rectification.workdays)
    stored = list(db.scalars(select(EnforcementCase).order_by(EnforcementCase.id)))
    assert [c.unit_code for c in stored] == [b.unit_code for b in offices]
    assert all(c.status == "assigned" and c.due_on == due and c.assigned_on == date(2026, 11, 27) for c in stored)
    assert stored[0].case_no == "（2026）粤0113执1号" and stored[0].amount == Decimal("125000.50")
    steps = list(db.scalars(select(EnforcementStep.kind)))
    assert steps == ["assign"] * 3
    events = list(db.scalars(select(AuditEvent).where(AuditEvent.action == "enforcement.import")))
    assert len(events) == 1


def test_xlsx_with_chinese_dates_serials_and_grouped_amounts(db: Session, ctx: Context) -> None:
    a, b, c = towns(ctx)
    rows: list[list[object]] = [
        [*row(a, 1, amount="1,250,000.00", filed="2026年3月5日")],
        [*row(b, 2, filed="46091")],  # Excel serial of 2026-03-10
        [*row(c, 3, amount="88000元", code=False)],  # no code: found by its exact name
        [*row(c, 4)[:5], 4500.5, date(2026, 9, 30), "劳务合同纠纷"],  # a number cell and a date cell
    ]
    result = imp.import_notice(ctx, PERIOD, COURT, "notice.xlsx", xlsx_bytes(rows))
    stored = {x.case_no: x for x in db.scalars(select(EnforcementCase))}
    assert len(result.case_ids) == 4
    assert stored["（2026）粤0113执4号"].filed_on == date(2026, 9, 30)
    assert stored["（2026）粤0113执4号"].amount == Decimal("4500.50")
    assert stored["（2026）粤0113执1号"].filed_on == date(2026, 3, 5)
    assert stored["（2026）粤0113执1号"].amount == Decimal("1250000.00")
    assert stored["（2026）粤0113执2号"].filed_on == date(2026, 3, 10)
    assert stored["（2026）粤0113执3号"].body_id == c.id and stored["（2026）粤0113执3号"].amount == Decimal("88000")


def test_unknown_body_duplicates_and_bad_values_are_reported_and_nothing_stored(db: Session, ctx: Context) -> None:
    a, b, _ = towns(ctx)
    imp.import_notice(ctx, "2026-09", COURT, "9月.csv", csv_bytes([row(a, 900)]))
    before = _counts(db)
    stranger = [
        "（2026）粤0113执5号",
        COURT,
        "广州市番禺区不存在街道办事处",
        "",
        "某公司",
        "100",
        "2026-10-01",
        "",
    ]
    rows = [
        row(a, 1),
        row(b, 1),  # the same case number as row 1
        stranger,
        row(a, 900),  # imported in September
        row(b, 6, amount="-5"),
        row(b, 7, filed="2027-01-01"),
        [*row(b, 8)[:4], "", *row(b, 8)[5:]],  # no applicant
    ]
    with pytest.raises(imp.NoticeRowsInvalid) as bad:
        imp.import_notice(ctx, PERIOD, COURT, "10月.csv", csv_bytes(rows))
    errors = {(e.row, e.field): e.reason for e in bad.value.errors}
    assert "重复" in errors[(1, "案号")] and "第 2 行" in errors[(1, "案号")]
    assert "第 1 行" in errors[(2, "案号")]
    assert (
        "广州市番禺区不存在街道办事处" in errors[(3, "被执行人名称")]
        and "不在公共机构名录" in errors[(3, "被执行人名称")]
    )
    assert "已在2026-09 期" in errors[(4, "案号")]
    assert "负数" in errors[(5, "执行标的金额（元）")]
    assert "将来" in errors[(6, "立案日期")]
    assert errors[(7, "申请执行人")] == "不能为空"
    assert _counts(db) == before
    book = load_workbook(io.BytesIO(bad.value.workbook))
    sheet = book["数据"]
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][-2:] == ("原行号", "错误原因")
    assert [r[-2] for r in values[1:]] == ["1", "2", "3", "4", "5", "6", "7"]
    assert "不在公共机构名录" in str(values[3][-1])
    assert bad.value.extra["errors"][0]["row"] == 1


def test_code_of_another_body_is_not_guessed(db: Session, ctx: Context) -> None:
    a, _, _ = towns(ctx)
    mixed = row(a, 1)
    mixed[3] = g.body_uscc(99)  # a code not on the register, with a's name
    with pytest.raises(imp.NoticeRowsInvalid) as bad:
        imp.import_notice(ctx, PERIOD, COURT, "x.csv", csv_bytes([mixed]))
    assert bad.value.errors[0].field == "被执行人统一社会信用代码" and a.name in bad.value.errors[0].reason


def test_same_file_twice_is_a_conflict(db: Session, ctx: Context) -> None:
    a, _, _ = towns(ctx)
    content = csv_bytes([row(a, 1)])
    imp.import_notice(ctx, PERIOD, COURT, "x.csv", content)
    before = _counts(db)
    with pytest.raises(Conflict, match="该通报文件已于 2026-11-27 导入（2026-10 期"):
        imp.import_notice(ctx, PERIOD, COURT, "again.csv", content)
    assert _counts(db) == before


def test_file_and_period_problems(db: Session, ctx: Context) -> None:
    a, _, _ = towns(ctx)
    with pytest.raises(InvalidInput, match="缺少列：案号"):
        imp.import_notice(ctx, PERIOD, COURT, "x.csv", csv_bytes([row(a, 1)[1:]], headers=("执行法院",)))
    with pytest.raises(InvalidInput, match="YYYY-MM"):
        imp.import_notice(ctx, "2026-13", COURT, "x.csv", csv_bytes([row(a, 1)]))
    with pytest.raises(InvalidInput, match="晚于本月"):
        imp.import_notice(ctx, "2026-12", COURT, "x.csv", csv_bytes([row(a, 1)]))
    with pytest.raises(InvalidInput, match="通报法院"):
        imp.import_notice(ctx, PERIOD, " ", "x.csv", csv_bytes([row(a, 1)]))
    officer = Context(session=db, actor="officer", role="department_officer", department_id=1)
    with pytest.raises(PermissionDenied):
        imp.import_notice(officer, PERIOD, COURT, "x.csv", csv_bytes([row(a, 1)]))
    assert _counts(db) == (0, 0, 0)


def test_parse_yuan_and_case_key() -> None:
    assert imp.parse_yuan("１２,３４５.６元") == Decimal("12345.60")
    for bad in ("1.234", "12万元", "abc", "1,23"):
        with pytest.raises(ValueError):
            imp.parse_yuan(bad)
    assert imp.case_key(" (2026) 粤0113执１号 ") == "（2026）粤0113执1号"


def test_the_documented_sample_file_imports(db: Session, ctx: Context) -> None:
    sample = Path(__file__).parents[2] / "docs" / "samples" / "court-enforcement-notice.csv"
    bodies.register_body(ctx, "广州市番禺区人民政府市桥街道办事处", "11440113MB2C000132", "organ", g.SHIQIAO)
    bodies.register_body(ctx, "广州市番禺区人民政府大龙街道办事处", "11440113MB2C00021W", "organ", g.DALONG)
    result = imp.import_notice(ctx, PERIOD, COURT, sample.name, sample.read_bytes())
    assert result.by_unit == {g.SHIQIAO: 2, g.DALONG: 1}
    amounts = sorted(c.amount for c in db.scalars(select(EnforcementCase)))
    assert amounts == [Decimal("86500.50"), Decimal("235000.00"), Decimal("1286400.00")]
