"""Intake over HTTP: the upload pages (CSV, GBK CSV, Excel), the result page and feedback download, the JSON
push and file upload API, and who may do what (own department, the office choosing one, anonymous)."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any

import openpyxl
import pytest
from fastapi.testclient import TestClient
from principals import add_account, form_token, issue_token, login_headers, token_headers
from sqlalchemy import select
from sqlalchemy.orm import Session

from factories import uscc
from xinyong.catalog.items import load_catalog
from xinyong.intake.feedback import ERROR_FILL, REASON_HEADER, ROWS_SHEET
from xinyong.intake.models import IntakeBatch
from xinyong.intake.templates import DATA_SHEET, XLSX_MEDIA_TYPE
from xinyong.records.models import CreditRecord
from xinyong.subjects.models import Department
from xinyong.web.api.intake import MAX_PUSH_ROWS, safe_filename

SCJGJ_USCC = uscc(801, authority="1", org_type="1")
SFJ_USCC = uscc(802, authority="1", org_type="1")
PENALTY_COLUMNS = (
    "行政相对人名称",
    "行政相对人类别",
    "统一社会信用代码",
    "工商注册号",
    "法定代表人",
    "证件类型",
    "证件号码",
    "行政处罚决定书文号",
    "违法行为类型",
    "违法事实",
    "处罚依据",
    "处罚类别",
    "处罚内容",
    "罚款金额（万元）",
    "处罚决定日期",
    "处罚有效期",
    "处罚机关",
    "处罚机关统一社会信用代码",
)
CSV_MEDIA = "text/csv"


@pytest.fixture
def depts(db: Session) -> tuple[Department, Department]:
    """市场监管局 and 司法局 with valid government codes, committed (a failed request keeps them)."""
    pair = (
        Department(code="scjgj", name="广州市番禺区市场监督管理局", uscc=SCJGJ_USCC),
        Department(code="sfj", name="广州市番禺区司法局", uscc=SFJ_USCC),
    )
    db.add_all(pair)
    db.commit()
    return pair


def penalty(n: int, **changes: str) -> dict[str, str]:
    """A valid penalty row of a company (document number 番市监罚〔2026〕n号)."""
    row = {
        "行政相对人名称": f"广州第{n}贸易有限公司",
        "行政相对人类别": "法人及非法人组织",
        "统一社会信用代码": uscc(n),
        "工商注册号": "",
        "法定代表人": "张三",
        "证件类型": "",
        "证件号码": "",
        "行政处罚决定书文号": f"番市监罚〔2026〕{n}号",
        "违法行为类型": "销售不合格商品",
        "违法事实": "经查，当事人销售不合格商品。",
        "处罚依据": "《中华人民共和国产品质量法》第四十九条",
        "处罚类别": "罚款",
        "处罚内容": "罚款人民币伍仟元",
        "罚款金额（万元）": "0.5",
        "处罚决定日期": "2026-11-20",
        "处罚有效期": "2027-11-19",
        "处罚机关": "广州市番禺区市场监督管理局",
        "处罚机关统一社会信用代码": SCJGJ_USCC,
    }
    row.update(changes)
    return row


def csv_bytes(rows: list[dict[str, str]], encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=PENALTY_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def officer(db: Session, department: Department, name: str = "officer") -> dict[str, str]:
    return login_headers(db, add_account(db, f"u_{name}", "department_officer", department_id=department.id))


def office(db: Session) -> dict[str, str]:
    return login_headers(db, add_account(db, "u_office", "credit_office_staff"))


def cookie_only(headers: dict[str, str]) -> dict[str, str]:
    """A browser: the session cookie, no CSRF header (the form carries the token)."""
    return {"Cookie": headers["Cookie"]}


def upload_page(
    client: TestClient, headers: dict[str, str], item_id: str, data: bytes, filename: str, **form: str
) -> Any:
    """Fill and submit the upload form as a browser does (token from the page); the raw answer."""
    browser = cookie_only(headers)
    page = client.get("/intake", headers=browser)
    assert page.status_code == 200
    fields = {"item_id": item_id, "csrf_token": form_token(page.text), **form}
    media = XLSX_MEDIA_TYPE if filename.endswith(".xlsx") else CSV_MEDIA
    return client.post(
        "/intake/upload",
        data=fields,
        files={"file": (filename, data, media)},
        headers=browser,
        follow_redirects=False,
    )


def batch_id_of(response: Any) -> int:
    assert response.status_code == 303, response.text[:300]
    location = response.headers["location"]
    assert location.startswith("/intake/batches/")
    return int(location.rsplit("/", 1)[1])


# --------------------------------------------------------------------------------------------- pages
def test_officer_uploads_csv_and_sees_the_result(api: TestClient, db: Session, depts) -> None:
    headers = officer(db, depts[0])
    page = api.get("/intake", headers=cookie_only(headers))
    assert "广州市番禺区市场监督管理局" in page.text
    assert 'name="department_id"' not in page.text  # an officer submits for its own department only
    assert 'enctype="multipart/form-data"' in page.text
    batch_id = batch_id_of(upload_page(api, headers, "penalty", csv_bytes([penalty(1), penalty(2)]), "penalty.csv"))
    result = api.get(f"/intake/batches/{batch_id}", headers=cookie_only(headers))
    assert result.status_code == 200
    assert "已入库 2 行" in result.text
    assert "penalty.csv" in result.text
    assert f'href="/intake/batches/{batch_id}/feedback.xlsx"' in result.text
    records = db.scalars(select(CreditRecord).where(CreditRecord.batch_id == batch_id)).all()
    assert sorted(r.doc_no for r in records) == ["番市监罚〔2026〕1号", "番市监罚〔2026〕2号"]
    listing = api.get("/intake", headers=cookie_only(headers))
    assert f'href="/intake/batches/{batch_id}"' in listing.text


def test_gbk_csv_upload(api: TestClient, db: Session, depts) -> None:
    headers = officer(db, depts[0])
    batch_id = batch_id_of(upload_page(api, headers, "penalty", csv_bytes([penalty(3)], "gbk"), "gbk.csv"))
    batch = db.get(IntakeBatch, batch_id)
    assert (batch.status, batch.accepted) == ("loaded", 1)
    record = db.scalars(select(CreditRecord).where(CreditRecord.batch_id == batch_id)).one()
    assert record.subject_name == "广州第3贸易有限公司"


def test_xlsx_upload_from_the_downloaded_template(api: TestClient, db: Session, depts) -> None:
    headers = officer(db, depts[0])
    template = api.get("/api/v1/catalog/penalty/template.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(template.content))
    sheet = book[DATA_SHEET]
    labels = [c.value for c in sheet[1]]
    row = penalty(4, **{"处罚决定日期": ""})
    for key, value in row.items():
        if value:
            sheet.cell(row=2, column=labels.index(key) + 1, value=value).data_type = "s"
    sheet.cell(row=2, column=labels.index("处罚决定日期") + 1, value=datetime(2026, 11, 20))
    buffer = io.BytesIO()
    book.save(buffer)
    batch_id = batch_id_of(upload_page(api, headers, "penalty", buffer.getvalue(), "处罚.xlsx"))
    record = db.scalars(select(CreditRecord).where(CreditRecord.batch_id == batch_id)).one()
    assert (record.doc_no, record.subject_uscc, record.decided_on.isoformat()) == (
        "番市监罚〔2026〕4号",
        uscc(4),
        "2026-11-20",
    )


def test_rejected_upload_shows_errors_and_the_feedback_marks_the_cells(api: TestClient, db: Session, depts) -> None:
    headers = officer(db, depts[0])
    rows = [penalty(5), penalty(6, **{"处罚类别": "罚金", "统一社会信用代码": "91440113MA0000000A"})]
    batch_id = batch_id_of(upload_page(api, headers, "penalty", csv_bytes(rows), "bad.csv"))
    result = api.get(f"/intake/batches/{batch_id}", headers=cookie_only(headers))
    assert "整批退回" in result.text
    assert "<td>2</td><td>处罚类别</td>" in result.text
    assert "<td>2</td><td>统一社会信用代码</td>" in result.text
    assert db.scalars(select(CreditRecord).where(CreditRecord.batch_id == batch_id)).all() == []
    download = api.get(f"/intake/batches/{batch_id}/feedback.xlsx", headers=cookie_only(headers))
    assert download.status_code == 200
    assert download.headers["content-type"] == XLSX_MEDIA_TYPE
    sheet = openpyxl.load_workbook(io.BytesIO(download.content))[ROWS_SHEET]
    header = [c.value for c in sheet[1]]
    bad = [r for r in sheet.iter_rows(min_row=2) if "处罚类别" in (r[header.index(REASON_HEADER)].value or "")]
    assert len(bad) == 1
    red = {header[c.column - 1] for c in bad[0] if c.fill.fgColor.rgb == ERROR_FILL.fgColor.rgb}
    assert red == {"处罚类别", "统一社会信用代码"}


def test_corrected_feedback_workbook_can_be_uploaded_again(api: TestClient, db: Session, depts) -> None:
    headers = officer(db, depts[0])
    rows = [penalty(21), penalty(22, **{"处罚类别": "罚金", "统一社会信用代码": "91440113MA0000000A"})]
    first = batch_id_of(upload_page(api, headers, "penalty", csv_bytes(rows), "bad.csv"))
    download = api.get(f"/intake/batches/{first}/feedback.xlsx", headers=cookie_only(headers))
    book = openpyxl.load_workbook(io.BytesIO(download.content))
    sheet = book[ROWS_SHEET]
    header = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if cell.fill.fgColor.rgb == ERROR_FILL.fgColor.rgb:
                cell.value = {"处罚类别": "罚款", "统一社会信用代码": uscc(22)}[header[cell.column - 1]]
    buffer = io.BytesIO()
    book.save(buffer)
    second = batch_id_of(upload_page(api, headers, "penalty", buffer.getvalue(), "corrected.xlsx"))
    batch = db.get(IntakeBatch, second)
    assert (batch.status, batch.accepted, batch.rejected) == ("loaded", 2, 0)
    result = api.get(f"/intake/batches/{second}", headers=cookie_only(headers))
    assert "原行号" in result.text and "错误原因" in result.text  # the two extra columns: ignored, with a warning


def test_partial_upload_loads_the_good_rows(api: TestClient, db: Session, depts) -> None:
    headers = officer(db, depts[0])
    rows = [penalty(7), penalty(8, **{"处罚决定日期": "2026-12-31"})]
    batch_id = batch_id_of(upload_page(api, headers, "penalty", csv_bytes(rows), "partial.csv", partial="1"))
    batch = db.get(IntakeBatch, batch_id)
    assert (batch.status, batch.partial, batch.accepted, batch.rejected) == ("loaded", True, 1, 1)
    result = api.get(f"/intake/batches/{batch_id}", headers=cookie_only(headers))
    assert "已入库 1 行，1 行因错误被退回" in result.text


def test_office_staff_must_choose_the_department(api: TestClient, db: Session, depts) -> None:
    headers = office(db)
    page = api.get("/intake", headers=cookie_only(headers))
    assert 'name="department_id"' in page.text
    missing = upload_page(api, headers, "penalty", csv_bytes([penalty(9)]), "p.csv")
    assert missing.status_code == 422
    assert "请选择报送部门" in missing.text
    chosen = upload_page(api, headers, "penalty", csv_bytes([penalty(9)]), "p.csv", department_id=str(depts[0].id))
    batch = db.get(IntakeBatch, batch_id_of(chosen))
    assert (batch.department_id, batch.status) == (depts[0].id, "loaded")


def test_upload_form_errors_are_shown_in_chinese(api: TestClient, db: Session, depts) -> None:
    headers = officer(db, depts[0])
    unknown = upload_page(api, headers, "gas_bills", csv_bytes([penalty(10)]), "p.csv")
    assert unknown.status_code == 404 and "资源目录中没有数据项" in unknown.text
    browser = cookie_only(headers)
    token = form_token(api.get("/intake", headers=browser).text)
    no_file = api.post("/intake/upload", data={"item_id": "penalty", "csrf_token": token}, headers=browser)
    assert no_file.status_code == 422 and "请选择要上传的文件" in no_file.text
    no_token = api.post(
        "/intake/upload",
        data={"item_id": "penalty"},
        files={"file": ("p.csv", csv_bytes([penalty(10)]), CSV_MEDIA)},
        headers=browser,
    )
    assert no_token.status_code == 403


def test_another_departments_batch_is_forbidden(api: TestClient, db: Session, depts) -> None:
    scjgj, sfj = depts
    batch_id = batch_id_of(upload_page(api, officer(db, scjgj), "penalty", csv_bytes([penalty(11)]), "p.csv"))
    other = cookie_only(officer(db, sfj, "other"))
    assert api.get(f"/intake/batches/{batch_id}", headers=other).status_code == 403
    assert api.get(f"/intake/batches/{batch_id}/feedback.xlsx", headers=other).status_code == 403
    assert api.get(f"/api/v1/intake/batches/{batch_id}", headers=other).status_code == 403
    assert api.get(f"/api/v1/intake/batches/{batch_id}/feedback.xlsx", headers=other).status_code == 403
    assert f'href="/intake/batches/{batch_id}"' not in api.get("/intake", headers=other).text
    staff = cookie_only(office(db))
    assert api.get(f"/intake/batches/{batch_id}", headers=staff).status_code == 200


def test_anonymous_is_sent_to_login_and_other_roles_are_refused(api: TestClient, db: Session, depts) -> None:
    page = api.get("/intake", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"] == "/login?next=/intake"
    assert api.get("/intake/batches/1", follow_redirects=False).headers["location"] == "/login?next=/intake/batches/1"
    assert api.get("/api/v1/intake/batches").status_code == 401
    assert api.post("/api/v1/intake/penalty", json={"rows": [penalty(1)]}).status_code == 401
    regulator = login_headers(db, add_account(db, "u_regulator", "regulator"))
    assert api.get("/intake", headers=cookie_only(regulator)).status_code == 403
    assert api.post("/api/v1/intake/penalty", json={"rows": [penalty(1)]}, headers=regulator).status_code == 403


# --------------------------------------------------------------------------------------------- JSON API
def test_department_token_pushes_json(api: TestClient, db: Session, depts) -> None:
    token = token_headers(issue_token(db, "department_officer", department_id=depts[0].id))
    rows = [penalty(12), penalty(13)]
    loaded = api.post("/api/v1/intake/penalty", json={"rows": rows}, headers=token)
    assert loaded.status_code == 200, loaded.text
    body = loaded.json()
    assert (body["status"], body["accepted"], body["rejected"], body["department"]) == (
        "loaded",
        2,
        0,
        "广州市番禺区市场监督管理局",
    )
    again = api.post("/api/v1/intake/penalty", json={"rows": rows}, headers=token).json()
    assert (again["accepted"], again["unchanged"]) == (0, 2)
    assert db.get(IntakeBatch, body["batch_id"]).channel == "api"
    summary = api.get(f"/api/v1/intake/batches/{body['batch_id']}", headers=token)
    assert summary.status_code == 200 and summary.json()["accepted"] == 2
    # English field keys work as column names too; numbers may be sent as JSON numbers.
    keys = {f.label: f.key for f in load_catalog().item("penalty").fields}
    keyed = {keys[label]: value for label, value in penalty(14).items()} | {"fine_amount": 0.25}
    by_key = api.post("/api/v1/intake/penalty", json={"rows": [keyed]}, headers=token)
    assert by_key.status_code == 200, by_key.text
    record = db.scalars(select(CreditRecord).where(CreditRecord.batch_id == by_key.json()["batch_id"])).one()
    assert record.data["fine_amount"] == "0.250000"


def test_rejected_push_answers_422_with_the_summary(api: TestClient, db: Session, depts) -> None:
    token = token_headers(issue_token(db, "department_officer", department_id=depts[0].id))
    rows = [penalty(19, **{"处罚决定日期": "2026/13/01"})]
    rejected = api.post("/api/v1/intake/penalty", json={"rows": rows}, headers=token)
    assert rejected.status_code == 422
    body = rejected.json()
    assert (body["status"], body["rejected"]) == ("rejected", 1)
    assert [(e["row"], e["field"]) for e in body["errors"]] == [(1, "处罚决定日期")]
    stored = db.get(IntakeBatch, body["batch_id"])
    assert stored is not None and stored.status == "rejected"  # the rejected batch is kept for its feedback
    feedback = api.get(f"/api/v1/intake/batches/{body['batch_id']}/feedback.xlsx", headers=token)
    assert feedback.status_code == 200
    assert (
        feedback.headers["content-disposition"]
        == f'attachment; filename="intake_batch_{body["batch_id"]}_feedback.xlsx"'
    )


def test_push_scope_and_limits(api: TestClient, db: Session, depts) -> None:
    scjgj, sfj = depts
    token = token_headers(issue_token(db, "department_officer", department_id=scjgj.id))
    other = api.post(
        "/api/v1/intake/penalty", params={"department_id": sfj.id}, json={"rows": [penalty(15)]}, headers=token
    )
    assert other.status_code == 403
    assert other.json()["message"] == "只能访问本部门的数据"
    staff = office(db)
    unnamed = api.post("/api/v1/intake/penalty", json={"rows": [penalty(15)]}, headers=staff)
    assert unnamed.status_code == 422
    assert (unnamed.json()["field"], unnamed.json()["error"]) == ("department_id", "invalid")
    named = api.post(
        "/api/v1/intake/penalty", params={"department_id": scjgj.id}, json={"rows": [penalty(15)]}, headers=staff
    )
    assert named.status_code == 200
    too_many = api.post("/api/v1/intake/penalty", json={"rows": [{"备注": "x"}] * (MAX_PUSH_ROWS + 1)}, headers=token)
    assert too_many.status_code == 422
    assert too_many.json()["message"] == f"每次最多推送 {MAX_PUSH_ROWS} 行，本次 {MAX_PUSH_ROWS + 1} 行：请分批推送"
    empty = api.post("/api/v1/intake/penalty", json={"rows": []}, headers=token)
    assert empty.status_code == 422 and empty.json()["field"] == "rows"
    unknown = api.post("/api/v1/intake/gas_bills", json={"rows": [penalty(15)]}, headers=token)
    assert unknown.status_code == 404


def test_cookie_push_needs_the_csrf_header(api: TestClient, db: Session, depts) -> None:
    headers = officer(db, depts[0])
    assert (
        api.post("/api/v1/intake/penalty", json={"rows": [penalty(16)]}, headers=cookie_only(headers)).status_code
        == 403
    )
    assert api.post("/api/v1/intake/penalty", json={"rows": [penalty(16)]}, headers=headers).status_code == 200


def test_file_upload_api_with_the_filled_template(api: TestClient, db: Session, depts) -> None:
    token = token_headers(issue_token(db, "department_officer", department_id=depts[0].id))
    item = load_catalog().item("penalty")
    book = openpyxl.load_workbook(io.BytesIO(api.get("/api/v1/catalog/penalty/template.xlsx").content))
    labels = [f.label for f in item.fields]
    for key, value in penalty(17).items():
        if value:
            book[DATA_SHEET].cell(row=2, column=labels.index(key) + 1, value=value)
    buffer = io.BytesIO()
    book.save(buffer)
    response = api.post(
        "/api/v1/intake/penalty/file",
        files={"file": ("../../etc/处罚数据.xlsx", buffer.getvalue(), XLSX_MEDIA_TYPE)},
        data={"partial": "false"},
        headers=token,
    )
    assert response.status_code == 200, response.text
    batch = db.get(IntakeBatch, response.json()["batch_id"])
    assert (batch.filename, batch.channel, batch.accepted) == ("处罚数据.xlsx", "upload", 1)


def test_csv_file_upload_api_rejected_file(api: TestClient, db: Session, depts) -> None:
    token = token_headers(issue_token(db, "department_officer", department_id=depts[0].id))
    response = api.post("/api/v1/intake/penalty/file", files={"file": ("empty.csv", b"", CSV_MEDIA)}, headers=token)
    assert response.status_code == 422
    body = response.json()
    assert body["status"] == "rejected" and body["file_error"]


def test_batch_lists_are_scoped(api: TestClient, db: Session, depts) -> None:
    scjgj, sfj = depts
    mine = token_headers(issue_token(db, "department_officer", department_id=scjgj.id))
    theirs = token_headers(issue_token(db, "department_officer", department_id=sfj.id))
    first = api.post("/api/v1/intake/penalty", json={"rows": [penalty(18)]}, headers=mine).json()["batch_id"]
    listed = api.get("/api/v1/intake/batches", headers=mine)
    assert [b["id"] for b in listed.json()] == [first]
    assert api.get("/api/v1/intake/batches", headers=theirs).json() == []
    assert api.get("/api/v1/intake/batches", params={"department_id": scjgj.id}, headers=theirs).status_code == 403
    staff = office(db)
    every = api.get("/api/v1/intake/batches", headers=staff).json()
    assert first in [b["id"] for b in every]
    assert api.get("/api/v1/intake/batches", params={"department_id": sfj.id}, headers=staff).json() == []


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("../../etc/passwd.csv", "passwd.csv"),
        ("C:\\Users\\张三\\处罚.csv", "处罚.csv"),
        ("..", "upload"),
        ("a\x00b\r\n.csv", "ab.csv"),
        ("", "upload"),
        ("x" * 300 + ".csv", ("x" * 300 + ".csv")[-255:]),
    ],
)
def test_file_names_are_reduced_to_a_safe_base_name(sent: str, kept: str) -> None:
    assert safe_filename(sent) == kept


def test_push_row_limit_comes_from_settings(
    api: TestClient, db: Session, depts, monkeypatch: pytest.MonkeyPatch
) -> None:
    from xinyong.settings import get_settings

    token = token_headers(issue_token(db, "department_officer", department_id=depts[0].id))
    monkeypatch.setenv("XINYONG_INTAKE_MAX_API_ROWS", "2")
    get_settings.cache_clear()
    try:
        over = api.post("/api/v1/intake/penalty", json={"rows": [penalty(31), penalty(32), penalty(33)]}, headers=token)
        assert over.status_code == 422 and over.json()["message"] == "每次最多推送 2 行，本次 3 行：请分批推送"
        within = api.post("/api/v1/intake/penalty", json={"rows": [penalty(31), penalty(32)]}, headers=token)
        assert within.status_code == 200 and within.json()["accepted"] == 2
    finally:
        monkeypatch.delenv("XINYONG_INTAKE_MAX_API_ROWS")
        get_settings.cache_clear()
