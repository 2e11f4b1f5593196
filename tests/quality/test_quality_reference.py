"""Reference lists: all-or-nothing loading with per-row Chinese errors, idempotence, files, audit, permissions."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.auth.context import Context
from xinyong.auth.models import AuditEvent
from xinyong.auth.permissions import PermissionDenied
from xinyong.errors import InvalidInput, NotFound
from xinyong.quality.models import ReferenceDecision
from xinyong.quality.reference import ReferenceRowsInvalid, load_reference, load_reference_file
from xinyong.subjects.models import Department

ROWS = [
    {"文书号": "番司罚〔2026〕1号", "决定日期": "2026-10-09", "行政相对人名称": "广州禾丰贸易有限公司"},
    {"文书号": "番司罚〔2026〕2号", "决定日期": "2026/10/12", "行政相对人名称": ""},
]


def stored(db: Session) -> list[tuple[str, date, str, str]]:
    rows = db.execute(
        select(
            ReferenceDecision.doc_no,
            ReferenceDecision.decided_on,
            ReferenceDecision.subject_name,
            ReferenceDecision.list_name,
        ).order_by(ReferenceDecision.doc_no)
    )
    return [tuple(r) for r in rows]


def test_load_is_idempotent_and_audited(ctx: Context, db: Session, departments: tuple[Department, Department]) -> None:
    _, sfj = departments
    result = load_reference(ctx, "penalty", sfj.id, ROWS, list_name="2026年10月案件台账")
    assert (result.rows, result.added, result.unchanged, result.department) == (2, 2, 0, "sfj")
    assert stored(db) == [
        ("番司罚〔2026〕1号", date(2026, 10, 9), "广州禾丰贸易有限公司", "2026年10月案件台账"),
        ("番司罚〔2026〕2号", date(2026, 10, 12), "", "2026年10月案件台账"),
    ]
    again = load_reference(
        ctx, "penalty", sfj.id, [*ROWS, {"文书号": "番司罚〔2026〕3号", "决定日期": "20261013"}], list_name="另一清单"
    )
    assert (again.rows, again.added, again.unchanged) == (3, 1, 2)
    assert len(stored(db)) == 3 and stored(db)[0][3] == "2026年10月案件台账"  # nothing stored changes
    events = db.scalars(
        select(AuditEvent).where(AuditEvent.action == "quality.reference_upload").order_by(AuditEvent.id)
    ).all()
    assert [e.detail["added"] for e in events] == [2, 1] and events[0].target_id == "penalty:sfj"
    load_reference(ctx, "penalty", sfj.id, ROWS, list_name="重复上传")  # nothing new: no event
    assert db.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc())) == events[-1].id


def test_errors_name_row_column_and_reason_and_store_nothing(
    ctx: Context, db: Session, departments: tuple[Department, Department]
) -> None:
    _, sfj = departments
    rows = [
        {"文书号": "A", "决定日期": "2026-10-09"},
        {"文书号": "", "决定日期": "2026-10-09"},
        {"文书号": "B", "决定日期": "2026-13-01"},
        {"文书号": "C", "决定日期": "2026-12-01"},
        {"文书号": "A", "决定日期": "2026-10-09"},
        {"文书号": "D", "决定日期": ""},
    ]
    with pytest.raises(ReferenceRowsInvalid) as caught:
        load_reference(ctx, "penalty", sfj.id, rows, list_name="台账")
    errors = [(e.row, e.field, e.reason) for e in caught.value.errors]
    assert errors[0] == (2, "文书号", "不能为空")
    assert errors[1][:2] == (3, "决定日期") and "日期不存在" in errors[1][2]
    assert errors[2][:2] == (4, "决定日期") and "晚于今天" in errors[2][2]
    assert errors[3] == (5, "文书号", "与第 1 行重复")
    assert errors[4] == (6, "决定日期", "不能为空")
    assert "参照清单有 5 处错误，未登记任何数据" in caught.value.message
    assert caught.value.extra["errors"][0] == {"row": 2, "field": "文书号", "reason": "不能为空"}
    assert stored(db) == []


def test_a_different_date_for_a_registered_decision_is_refused(
    ctx: Context, db: Session, departments: tuple[Department, Department]
) -> None:
    _, sfj = departments
    load_reference(ctx, "penalty", sfj.id, ROWS[:1], list_name="台账一")
    with pytest.raises(ReferenceRowsInvalid) as caught:
        load_reference(
            ctx, "penalty", sfj.id, [{"文书号": "番司罚〔2026〕1号", "决定日期": "2026-10-10"}], list_name="二"
        )
    [error] = caught.value.errors
    assert error.row == 1 and "已登记（清单“台账一”）" in error.reason and "2026-10-09" in error.reason
    assert stored(db)[0][1] == date(2026, 10, 9)


def test_item_labels_and_english_keys_are_accepted(ctx: Context, departments: tuple[Department, Department]) -> None:
    _, sfj = departments
    rows = [
        {"行政处罚决定书文号 *": "X1", "处罚决定日期": "2026年10月9日"},
        {"行政处罚决定书文号 *": "X2", "处罚决定日期": "46000"},
    ]
    assert load_reference(ctx, "penalty", sfj.id, rows, list_name="台账").added == 2
    english = [{"doc_no": "Y1", "decided_on": "2026-10-09", "subject_name": "某公司"}]
    assert load_reference(ctx, "licence", sfj.id, english, list_name="台账").added == 1


def test_missing_columns_unknown_item_department_and_empty_list(
    ctx: Context, departments: tuple[Department, Department]
) -> None:
    _, sfj = departments
    with pytest.raises(InvalidInput) as caught:
        load_reference(ctx, "penalty", sfj.id, [{"名称": "x"}], list_name="台账")
    assert "缺少列：文书号、决定日期" in caught.value.message
    with pytest.raises(NotFound):
        load_reference(ctx, "nope", sfj.id, ROWS, list_name="台账")
    with pytest.raises(NotFound):
        load_reference(ctx, "penalty", 999_999, ROWS, list_name="台账")
    with pytest.raises(InvalidInput) as caught:
        load_reference(ctx, "penalty", sfj.id, ROWS, list_name="  ")
    assert caught.value.field == "list_name"
    with pytest.raises(ReferenceRowsInvalid) as caught:
        load_reference(ctx, "penalty", sfj.id, [{"文书号": " ", "决定日期": ""}], list_name="台账")
    assert caught.value.errors[0].reason == "清单没有数据行"


def test_files_csv_gbk_and_xlsx(ctx: Context, db: Session, departments: tuple[Department, Department]) -> None:
    _, sfj = departments
    csv_bytes = "文书号,决定日期,行政相对人名称\r\n番司罚〔2026〕7号,2026-10-09,广州禾丰贸易有限公司\r\n".encode("gbk")
    result = load_reference_file(ctx, "penalty", sfj.id, io.BytesIO(csv_bytes), "台账.csv", list_name="台账")
    assert result.added == 1
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["文书号", "决定日期"])
    sheet.append(["番司罚〔2026〕8号", date(2026, 10, 12)])
    sheet.append(["番司罚〔2026〕9号", "=TODAY()"])
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(ReferenceRowsInvalid) as caught:
        load_reference_file(ctx, "penalty", sfj.id, io.BytesIO(buffer.getvalue()), "台账.xlsx", list_name="台账")
    [error] = caught.value.errors
    assert (error.row, error.field) == (2, "决定日期") and "公式" in error.reason
    sheet.delete_rows(3)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    assert load_reference_file(ctx, "penalty", sfj.id, buffer, "台账.xlsx", list_name="台账").added == 1
    assert [r[1] for r in stored(db)] == [date(2026, 10, 9), date(2026, 10, 12)]


def test_only_the_credit_office_uploads(db: Session, departments: tuple[Department, Department]) -> None:
    _, sfj = departments
    for role in ("department_officer", "regulator", "public"):
        with pytest.raises(PermissionDenied):
            load_reference(
                Context(session=db, actor="x", role=role, department_id=sfj.id), "penalty", sfj.id, ROWS, list_name="t"
            )
    office = Context(session=db, actor="account:office", role="credit_office_staff")
    assert load_reference(office, "penalty", sfj.id, ROWS, list_name="台账").added == 2
