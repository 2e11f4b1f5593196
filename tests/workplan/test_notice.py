"""The period notice (通报): periods, the workbook's rows, overdue items highlighted and listed."""

from __future__ import annotations

from datetime import date
from io import BytesIO

import pypdf
import pytest
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from workplan.plans import load_2021
from xinyong.auth.context import Context
from xinyong.errors import InvalidInput, NotFound
from xinyong.workplan import notice, queries, service


def _office(db: Session) -> Context:
    return Context(session=db, actor="test:office", role="credit_office_staff")


def test_periods() -> None:
    june = notice.parse_period("2021-06")
    assert (june.start, june.end, june.label) == (date(2021, 6, 1), date(2021, 6, 30), "2021年6月")
    q4 = notice.parse_period("2021-q4")
    assert (q4.start, q4.end, q4.label, q4.text) == (date(2021, 10, 1), date(2021, 12, 31), "2021年第四季度", "2021-Q4")
    for bad in ("2021-13", "2021-Q5", "June", ""):
        with pytest.raises(InvalidInput, match="通报期间"):
            notice.parse_period(bad)


def test_a_period_without_a_plan_is_not_found(db: Session) -> None:
    load_2021(_office(db))
    with pytest.raises(NotFound, match="2022 年的工作要点尚未载入"):
        notice.notice(_office(db), "2022-01")


def test_the_january_notice_on_the_2021_plan_lists_overdue_items(db: Session) -> None:
    office = _office(db)
    load_2021(office)
    one = queries.item_by_number(office, 2021, 1)
    eleven = queries.item_by_number(office, 2021, 11)
    service.report_progress(office, one, "fgj", "已完成", status="done", reported_on=date(2021, 12, 20))
    service.report_progress(office, eleven, "scjgj", "重错码率 0.004%", percent=70, reported_on=date(2021, 12, 1))
    _, data = notice.notice(office, "2022-01", year=2021)
    book = load_workbook(BytesIO(data))
    sheet = book["通报"]
    assert sheet["A1"].value == "2021年番禺区社会信用体系建设工作要点落实情况通报（2022年1月）"
    rows = list(sheet.iter_rows(min_row=4, values_only=True))
    assert rows[0][:3] == ("序号", "工作任务", "牵头单位")
    by_numeral = {r[0]: r for r in rows[1:]}
    assert len(by_numeral) == 18
    assert by_numeral["（一）"][6] == "已完成" and by_numeral["（一）"][9] == 0  # reported in December
    assert by_numeral["（十一）"][6] == "已逾期" and by_numeral["（十一）"][7] == 0  # its leads have not reported
    assert "区市场监管局" in by_numeral["（十一）"][3]
    assert by_numeral["（十一）"][8] == "2021-12-01 区市场监管局：重错码率 0.004%"
    overdue_rows = [r for r in sheet.iter_rows(min_row=6) if r[6].value == "已逾期"]
    assert len(overdue_rows) == 17 and all(c.fill.fgColor.rgb.endswith("F8D7DA") for c in overdue_rows[0])
    late = [r[0] for r in book["逾期事项"].iter_rows(min_row=3, values_only=True)]
    assert "（一）" not in late and "（十一）" in late and len(late) == 17


def test_the_notice_as_pdf_uses_the_cjk_font(db: Session) -> None:
    office = _office(db)
    load_2021(office)
    _, data = notice.notice(office, "2021-06", fmt="pdf")
    reader = pypdf.PdfReader(BytesIO(data))
    text = "".join(page.extract_text() for page in reader.pages)
    assert "落实情况通报（2021年6月）" in text and "持续优化城市信用状况" in text and "（十八）" in text
    fonts = {str(f["/BaseFont"]) for page in reader.pages for f in page["/Resources"]["/Font"].values()}
    assert any("Noto-Sans-CJK-SC" in f for f in fonts), fonts
    with pytest.raises(InvalidInput, match="通报格式"):
        notice.notice(office, "2021-06", fmt="docx")
