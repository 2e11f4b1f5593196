"""Issue #4 "Done when", as one journey over HTTP: a department officer downloads the template, fills it in,
uploads it, gets the feedback workbook, fixes the marked cell in it, re-uploads it, and then sees the record
on the public 双公示 pages and the month's scorecard."""

from __future__ import annotations

import io
from datetime import datetime

import openpyxl
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from test_intake_web import (
    batch_id_of,
    cookie_only,
    depts,  # noqa: F401  (fixture)
    officer,
    penalty,
    upload_page,
)

from factories import uscc
from xinyong.intake.feedback import REASON_HEADER, ROWS_SHEET
from xinyong.intake.templates import DATA_SHEET
from xinyong.records.models import CreditRecord
from xinyong.subjects.models import Department


def _fill(book: openpyxl.Workbook, rows: list[dict[str, str]]) -> bytes:
    """Type ``rows`` into the template's data sheet as a user would (text cells; the date as an Excel date)."""
    sheet = book[DATA_SHEET]
    labels = [c.value for c in sheet[1]]
    for offset, row in enumerate(rows, start=2):
        for label, value in row.items():
            if value and label != "处罚决定日期":
                sheet.cell(row=offset, column=labels.index(label) + 1, value=value).data_type = "s"
        sheet.cell(row=offset, column=labels.index("处罚决定日期") + 1, value=datetime(2026, 11, 20))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_template_upload_feedback_fix_reupload_publish_score(
    api: TestClient,
    db: Session,
    depts: tuple[Department, Department],  # noqa: F811
) -> None:
    headers = officer(db, depts[0])
    browser = cookie_only(headers)
    catalogue = api.get("/catalog/penalty")
    assert catalogue.status_code == 200 and "/api/v1/catalog/penalty/template.xlsx" in catalogue.text
    template = api.get("/api/v1/catalog/penalty/template.xlsx")
    assert template.status_code == 200
    good, bad = penalty(901), penalty(902, **{"统一社会信用代码": uscc(902)[:-1] + "0"})
    if bad["统一社会信用代码"] == uscc(902):  # the check character happened to be 0
        bad["统一社会信用代码"] = uscc(902)[:-1] + "1"
    upload = _fill(openpyxl.load_workbook(io.BytesIO(template.content)), [good, bad])

    # First upload: all-or-nothing, so the bad row sends the whole batch back and nothing is published.
    first = batch_id_of(upload_page(api, headers, "penalty", upload, "处罚信息.xlsx"))
    result = api.get(f"/intake/batches/{first}", headers=browser)
    assert "整批退回" in result.text and "统一社会信用代码" in result.text
    assert db.scalar(select(func.count()).select_from(CreditRecord)) == 0

    # The feedback workbook marks the bad cell; the officer corrects it there and uploads that file.
    feedback = api.get(f"/intake/batches/{first}/feedback.xlsx", headers=browser)
    book = openpyxl.load_workbook(io.BytesIO(feedback.content))
    sheet = book[ROWS_SHEET]
    header = [c.value for c in sheet[1]]
    reasons = header.index(REASON_HEADER)
    marked = [r for r in sheet.iter_rows(min_row=2) if "统一社会信用代码" in (r[reasons].value or "")]
    assert len(marked) == 1
    marked[0][header.index("统一社会信用代码")].value = uscc(902)
    fixed = io.BytesIO()
    book.save(fixed)
    second = batch_id_of(upload_page(api, headers, "penalty", fixed.getvalue(), "处罚信息-更正.xlsx"))
    assert "已入库" in api.get(f"/intake/batches/{second}", headers=browser).text
    # The feedback file carried the held good row too, so both are in now.
    docs = set(db.scalars(select(CreditRecord.doc_no)))
    assert docs == {"番市监罚〔2026〕901号", "番市监罚〔2026〕902号"}

    # Sending the good row once more changes nothing: it is counted as unchanged.
    third = batch_id_of(upload_page(api, headers, "penalty", upload_good_only(template.content, good), "补报.xlsx"))
    summary = api.get(f"/api/v1/intake/batches/{third}", headers=headers).json()
    assert (summary["accepted"], summary["unchanged"], summary["rejected"]) == (0, 1, 0)
    assert db.scalar(select(func.count()).select_from(CreditRecord)) == 2

    # Public 双公示 pages show both; the month's scorecard counts them for the department.
    listing = api.get("/gongshi/penalty", params={"q": "番市监罚〔2026〕902号"})
    assert "广州第902贸易有限公司" in listing.text
    card = api.get("/api/v1/quality/scorecard", params={"month": "2026-11"}, headers=headers).json()
    row = next(d for d in card["departments"] if d["code"] == "scjgj")
    assert row["records"] == 2
    assert row["validity_rate"] is not None and row["validity_rate"] < 1  # 902 failed its first submission


def upload_good_only(template: bytes, good: dict[str, str]) -> bytes:
    """The template with only the good row."""
    return _fill(openpyxl.load_workbook(io.BytesIO(template)), [good])
