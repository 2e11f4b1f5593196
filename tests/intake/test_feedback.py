"""The feedback workbook of a batch: the rows as sent, exactly the bad cells in red with the Chinese reason,
every value text (never a formula), a summary sheet first; permission and audit."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import openpyxl
import pytest
from openpyxl.workbook.workbook import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from factories import uscc
from records_factories import make_batch, make_rejected_row
from xinyong.auth.context import Context
from xinyong.auth.models import AuditEvent
from xinyong.auth.permissions import PermissionDenied
from xinyong.errors import NotFound
from xinyong.intake import service
from xinyong.intake.feedback import (
    ERROR_FILL,
    HELD_REASON,
    REASON_HEADER,
    ROW_NO_HEADER,
    ROWS_SHEET,
    SUMMARY_SHEET,
    feedback_workbook,
)
from xinyong.intake.models import IntakeBatch, IntakeIssue
from xinyong.subjects.models import Department

HEADERS = ["行政相对人名称", "统一社会信用代码", "处罚决定日期", "备注*"]
INJECTION = '=HYPERLINK("http://evil.example/","点此")'


def _issue(db: Session, batch: IntakeBatch, row_no: int, field: str, reason: str, level: str = "error") -> None:
    db.add(IntakeIssue(batch_id=batch.id, row_no=row_no, field=field, level=level, reason=reason))
    db.flush()


def _arranged(db: Session, department: Department) -> IntakeBatch:
    """A rejected all-or-nothing batch: row 1 with two bad cells, row 3 valid but held, row 4 a whole-row error."""
    batch = make_batch(db, department, status="rejected")
    batch.headers = HEADERS
    batch.rows, batch.rejected, batch.warnings = 4, 2, 1
    batch.filename = "=cmd|' /C calc'!A0.csv"
    values = {
        "行政相对人名称": INJECTION,
        "统一社会信用代码": "91440113MA0000000A",
        "处罚决定日期": "2026-13-01",
        "备注*": "+1",
    }
    make_rejected_row(db, batch, row_no=1, doc_no="番罚1", values=values)
    held = make_rejected_row(db, batch, row_no=3, doc_no="番罚3", values={h: "正常" for h in HEADERS})
    held.valid = True
    make_rejected_row(db, batch, row_no=4, doc_no="番罚4", values={"行政相对人名称": "-2", "备注*": "@SUM(A1)"})
    _issue(db, batch, 1, "统一社会信用代码", "统一社会信用代码校验位错误（第18位应为 Q）")
    _issue(db, batch, 1, "处罚决定日期", "处罚决定日期不是有效日期")
    _issue(db, batch, 1, "备注", "备注过长")  # the header was sent as 备注*: still found
    _issue(db, batch, 4, "", "行政处罚决定书文号 番罚4 与第 2 行重复")
    _issue(db, batch, 2, "违法事实", "违法事实为空", level="warning")
    _issue(db, batch, 0, "", "以下列不属于数据项，已忽略：备注2", level="warning")
    db.flush()
    return batch


def _book(data: bytes) -> Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def _red(cell: openpyxl.cell.cell.Cell) -> bool:
    return cell.fill.fill_type == "solid" and cell.fill.fgColor.rgb == ERROR_FILL.fgColor.rgb


def test_rows_as_sent_with_exactly_the_bad_cells_highlighted(ctx: Context, departments) -> None:
    batch = _arranged(ctx.session, departments[0])
    book = _book(feedback_workbook(ctx, batch.id))
    assert book.sheetnames == [SUMMARY_SHEET, ROWS_SHEET]
    sheet = book[ROWS_SHEET]
    rows = list(sheet.iter_rows())
    assert [c.value for c in rows[0]] == [*HEADERS, ROW_NO_HEADER, REASON_HEADER]
    assert [c.value for c in rows[1]][:4] == [INJECTION, "91440113MA0000000A", "2026-13-01", "+1"]
    red = {(c.row, c.column) for row in rows for c in row if _red(c)}
    assert red == {(2, 2), (2, 3), (2, 4)}
    assert rows[1][1].comment.text == "统一社会信用代码校验位错误（第18位应为 Q）"
    assert rows[1][2].comment.text == "处罚决定日期不是有效日期"
    assert rows[1][3].comment.text == "备注过长"
    assert rows[1][0].comment is None
    reasons = "统一社会信用代码：统一社会信用代码校验位错误（第18位应为 Q）；处罚决定日期：处罚决定日期不是有效日期"
    assert [c.value for c in rows[1]][4:] == [1, reasons + "；备注：备注过长"]
    assert [c.value for c in rows[2]][4:] == [3, HELD_REASON]
    assert [c.value for c in rows[3]][4:] == [4, "行政处罚决定书文号 番罚4 与第 2 行重复"]
    assert [c.value for c in rows[3]][:4] == ["-2", None, None, "@SUM(A1)"]


def test_every_value_is_text_never_a_formula(ctx: Context, departments) -> None:
    batch = _arranged(ctx.session, departments[0])
    data = feedback_workbook(ctx, batch.id)
    sheet = _book(data)[ROWS_SHEET]
    cell = sheet["A2"]
    assert (cell.value, cell.data_type) == (INJECTION, "s")
    assert cell.quotePrefix
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    assert all(c.data_type != "f" for row in _book(data)[SUMMARY_SHEET].iter_rows() for c in row)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = "".join(archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/worksheets/"))
    assert "<f>" not in xml and "<f " not in xml


def test_summary_sheet_has_counts_file_errors_and_warnings(ctx: Context, departments) -> None:
    batch = _arranged(ctx.session, departments[0])
    batch.file_error = None
    sheet = _book(feedback_workbook(ctx, batch.id))[SUMMARY_SHEET]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    facts = {r[0]: r[1] for r in rows if r and r[0]}
    assert facts["批次编号"] == batch.id
    assert facts["报送部门"] == "广州市番禺区市场监督管理局"
    assert facts["处理结果"] == "已退回"
    assert facts["文件名"] == "=cmd|' /C calc'!A0.csv"
    assert (facts["数据行数"], facts["错误行数"], facts["警告条数"]) == (4, 2, 1)
    assert facts["数据项"].startswith("行政处罚信息（penalty")
    assert ["文件级错误（0 条）"] in [r[:1] for r in rows]
    assert [2, "违法事实", "违法事实为空"] in [r[:3] for r in rows]
    assert ["整个文件", "—", "以下列不属于数据项，已忽略：备注2"] in [r[:3] for r in rows]


def test_file_error_of_an_unreadable_file_is_on_the_summary(ctx: Context, departments) -> None:
    batch = make_batch(ctx.session, departments[0], status="rejected")
    batch.file_error = "文件为空：没有表头"
    book = _book(feedback_workbook(ctx, batch.id))
    rows = [[c.value for c in row] for row in book[SUMMARY_SHEET].iter_rows()]
    assert ["整个文件", "—", "文件为空：没有表头"] in [r[:3] for r in rows]
    assert [[c.value for c in row] for row in book[ROWS_SHEET].iter_rows()] == [[ROW_NO_HEADER, REASON_HEADER]]


def test_feedback_of_a_real_rejected_upload_names_the_bad_cells_in_chinese(ctx: Context, departments) -> None:
    scjgj = departments[0]
    scjgj.uscc = uscc(777, authority="1", org_type="1")
    header = (
        "行政相对人名称,行政相对人类别,统一社会信用代码,工商注册号,法定代表人,证件类型,证件号码,行政处罚决定书文号,违法行为类型,违法事实,处罚依据,"
        "处罚类别,处罚内容,处罚决定日期,处罚有效期,处罚机关,处罚机关统一社会信用代码,数据来源单位,数据来源单位统一社会信用代码"
    )
    good = (
        f"广州禾丰贸易有限公司,法人及非法人组织,{uscc(1)},,张三,,,番市监罚〔2026〕1号,无照经营,事实,依据,罚款,罚款五千元,"
        f"2026-11-20,2027-11-19,{scjgj.name},{scjgj.uscc},{scjgj.name},{scjgj.uscc}"
    )
    bad = (
        f"广州另一贸易有限公司,法人及非法人组织,91440113MA0000000A,,李四,,,番市监罚〔2026〕2号,无照经营,事实,依据,罚金,"
        f"罚款,2026-12-20,2027-11-19,{scjgj.name},{scjgj.uscc},{scjgj.name},{scjgj.uscc}"
    )
    data = "\n".join((header, good, bad)).encode("utf-8")
    summary = service.submit_file(ctx, "penalty", scjgj.id, io.BytesIO(data), "penalty.csv")
    assert summary.status == "rejected"
    sheet = _book(feedback_workbook(ctx, summary.batch_id))[ROWS_SHEET]
    headers = [c.value for c in sheet[1]]
    rows = list(sheet.iter_rows(min_row=2))
    assert [r[headers.index(ROW_NO_HEADER)].value for r in rows] == [1, 2]
    red = {headers[c.column - 1] for c in rows[1] if _red(c)}
    assert red == {"统一社会信用代码", "处罚类别", "处罚决定日期"}
    assert not any(_red(c) for c in rows[0])
    assert rows[0][headers.index(REASON_HEADER)].value == HELD_REASON
    reasons = rows[1][headers.index(REASON_HEADER)].value
    assert all(label in reasons for label in red)
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in c.comment.text) for c in rows[1] if c.comment is not None)


def test_only_the_batch_department_and_the_office_may_read_it(db: Session, ctx: Context, departments) -> None:
    scjgj, sfj = departments
    batch = _arranged(db, scjgj)
    own = Context(session=db, actor="account:officer", role="department_officer", department_id=scjgj.id)
    other = Context(session=db, actor="account:other", role="department_officer", department_id=sfj.id)
    office = Context(session=db, actor="account:office", role="credit_office_staff")
    regulator = Context(session=db, actor="account:reg", role="regulator")
    assert feedback_workbook(own, batch.id)[:2] == b"PK"
    assert feedback_workbook(office, batch.id)[:2] == b"PK"
    for denied in (other, regulator):
        with pytest.raises(PermissionDenied):
            feedback_workbook(denied, batch.id)
    with pytest.raises(NotFound, match="报送批次 999999 不存在"):
        feedback_workbook(office, 999999)


def test_reading_it_is_audited(db: Session, departments) -> None:
    batch = _arranged(db, departments[0])
    office = Context(session=db, actor="account:office", role="credit_office_staff")
    feedback_workbook(office, batch.id)
    event = db.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1)).one()
    assert (event.actor, event.action, event.target_id) == ("account:office", "read.intake_feedback", str(batch.id))
    assert event.detail == {"rows": 3, "issues": 6}


def test_batch_date_is_printed(ctx: Context, departments) -> None:
    batch = make_batch(ctx.session, departments[0], submitted_on=date(2026, 11, 20))
    rows = [[c.value for c in row] for row in _book(feedback_workbook(ctx, batch.id))[SUMMARY_SHEET].iter_rows()]
    assert ["报送日期", "2026-11-20"] in [r[:2] for r in rows]
