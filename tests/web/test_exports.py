"""Exports of the public list pages (双公示, lists and red lists, commitments, inspection results): CSV with a BOM
and Excel with text identifiers, the page's columns and masking, the page's filters, formula-safe cells, the row
cap with its message, and the links on the pages."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date
from html import unescape

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session
from webdata import register

import factories
from inspection_factories import make_district, plan_in
from list_factories import published_entry
from records_factories import make_batch, make_record
from xinyong.auth.context import Context
from xinyong.records import commitments as cm
from xinyong.subjects.models import Department, Subject
from xinyong.supervision import service as inspections
from xinyong.web import exports

FIRM = "广州禾丰贸易有限公司"
FORMULA = '=HYPERLINK("http://evil.example","点击")'


def rows_of(response) -> list[list[str]]:  # type: ignore[no-untyped-def]
    assert response.content.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def sheet_of(response):  # type: ignore[no-untyped-def]
    assert response.headers["content-type"] == exports.FORMATS["xlsx"]
    return load_workbook(io.BytesIO(response.content)).active


@pytest.fixture
def firm(ctx: Context) -> Subject:
    return factories.company(ctx, FIRM, 303)


@pytest.fixture
def gongshi(db: Session, ctx: Context, firm: Subject, departments: tuple[Department, Department]) -> None:
    """Three penalties: the firm's, a natural person's, and one whose subject name is a formula."""
    batch = make_batch(db, departments[0])
    data = {"authority": "广州市番禺区市场监督管理局", "penalty_category": "罚款"}
    make_record(db, batch, doc_no="番市监罚〔2026〕21号", decided_on=date(2026, 11, 2), subject=firm, data=data)
    make_record(
        db,
        batch,
        doc_no="番司罚〔2026〕1号",
        decided_on=date(2026, 11, 3),
        subject_name="王禾丰",
        subject_kind="natural_person",
        data={"subject_name": "王禾丰"},
    )
    make_record(
        db, batch, doc_no="-1+1", decided_on=date(2026, 11, 4), subject_name=FORMULA, subject_uscc=factories.uscc(304)
    )


def test_gongshi_csv_has_a_bom_the_page_columns_and_masks_persons(client: TestClient, gongshi: None) -> None:
    r = client.get("/gongshi/penalty/export.csv")
    assert r.status_code == 200 and r.headers["content-type"] == "text/csv; charset=utf-8"
    disposition = r.headers["content-disposition"]
    assert (
        disposition.startswith("attachment;") and "filename*=UTF-8''" in disposition and "20261127.csv" in disposition
    )
    rows = rows_of(r)
    assert rows[0] == [
        "行政相对人名称",
        "主体类别",
        "统一社会信用代码",
        "行政处罚决定书文号",
        "处罚类别",
        "处罚决定日期",
        "处罚机关",
        "状态",
    ]
    assert len(rows) == 4
    by_doc = {row[3]: row for row in rows[1:]}
    firm_row = by_doc["番市监罚〔2026〕21号"]
    assert firm_row[0] == FIRM and firm_row[2] == factories.uscc(303) and firm_row[5] == "2026-11-02"
    assert firm_row[6] == "广州市番禺区市场监督管理局" and firm_row[7] == "公示中"
    person = by_doc["番司罚〔2026〕1号"]
    assert person[0] == "王**" and person[1] == "自然人" and "王禾丰" not in r.content.decode("utf-8-sig")
    injected = by_doc["'-1+1"]  # a document number starting with "-" is neutralised too
    assert injected[0] == "'" + FORMULA
    assert [row[3] for row in rows[1:]] == ["'-1+1", "番司罚〔2026〕1号", "番市监罚〔2026〕21号"]  # newest first


def test_gongshi_export_honours_the_search(client: TestClient, gongshi: None) -> None:
    rows = rows_of(client.get("/gongshi/penalty/export.csv", params={"q": "禾丰"}))
    assert [row[0] for row in rows[1:]] == [FIRM]  # a natural person is never found by name
    assert len(rows_of(client.get("/gongshi/licence/export.csv"))) == 1  # header only
    bad = client.get("/gongshi/penalty/export.csv", params={"q": "禾" * 60})
    assert bad.status_code == 422 and "查询词过长" in bad.text
    assert client.get("/gongshi/no_such_item/export.csv").status_code == 404
    assert client.get("/gongshi/penalty/export.pdf").status_code == 422


def test_gongshi_xlsx_keeps_identifiers_as_text_and_formulas_as_strings(client: TestClient, gongshi: None) -> None:
    r = client.get("/gongshi/penalty/export.xlsx")
    assert r.status_code == 200 and "20261127.xlsx" in r.headers["content-disposition"]
    sheet = sheet_of(r)
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][:3] == ("行政相对人名称", "主体类别", "统一社会信用代码") and len(values) == 4
    firm_row = next(row for row in sheet.iter_rows(min_row=2) if row[0].value == FIRM)
    code = firm_row[2]
    assert code.value == factories.uscc(303) and code.data_type == "s" and code.number_format == "@"
    assert firm_row[5].value.date() == date(2026, 11, 2)  # a date cell
    formula_row = next(row for row in sheet.iter_rows(min_row=2) if row[3].value == "'-1+1")
    assert formula_row[0].value == "'" + FORMULA and formula_row[0].data_type == "s"
    assert "王禾丰" not in [c for row in values for c in row]
    assert sheet.freeze_panes == "A2"


def test_the_gongshi_page_links_its_exports_with_the_search(client: TestClient, gongshi: None) -> None:
    html = client.get("/gongshi/penalty", params={"q": "禾丰"}).text
    assert 'href="/gongshi/penalty/export.csv?q=%E7%A6%BE%E4%B8%B0"' in html
    assert 'href="/gongshi/penalty/export.xlsx?q=%E7%A6%BE%E4%B8%B0"' in html and "导出 Excel" in html
    fragment = client.get("/gongshi/penalty", params={"q": "禾丰"}, headers={"HX-Request": "true"}).text
    assert "export.csv?q=%E7%A6%BE%E4%B8%B0" in fragment  # the live search updates the links
    assert "export.csv" not in client.get("/gongshi/licence").text  # nothing to export


def test_the_row_cap_refuses_with_a_clear_message(
    client: TestClient, gongshi: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(exports, "max_rows", lambda: 2)
    for fmt in ("csv", "xlsx"):
        r = client.get(f"/gongshi/penalty/export.{fmt}")
        assert r.status_code == 422 and r.headers["content-type"].startswith("text/html")
        assert "共 3 条，超过单次导出上限 2 条" in r.text and "缩小范围" in r.text
    assert client.get("/gongshi/penalty/export.csv", params={"q": "禾丰"}).status_code == 200


def test_list_export_masks_persons_and_honours_search_and_day(
    client: TestClient, db: Session, ctx: Context, firm: Subject
) -> None:
    other = factories.company(ctx, "广州信达建材有限公司", 305)
    employer = published_entry(db, firm, "wage_arrears", published_on=date(2026, 3, 2))
    boss = register(ctx, kind="natural_person", name="张大明", ric=factories.ric())
    published_entry(db, boss, "wage_arrears", published_on=date(2026, 3, 2), parent=employer)
    published_entry(db, other, "wage_arrears", published_on=date(2026, 10, 9))
    rows = rows_of(client.get("/lists/public/wage_arrears/export.csv"))
    assert rows[0] == [
        "主体名称",
        "主体类别",
        "统一社会信用代码",
        "列入事由",
        "决定文书号",
        "列入日期",
        "期满日",
        "决定机关",
        "责任人",
    ]
    assert [row[0] for row in rows[1:]] == ["广州信达建材有限公司", FIRM]
    firm_row = rows[2]
    assert firm_row[2] == factories.uscc(303) and firm_row[5] == "2026-03-02" and firm_row[6] == "无固定期限"
    assert firm_row[8] == "张**" and "张大明" not in r_text(client, "/lists/public/wage_arrears/export.csv")
    searched = rows_of(client.get("/lists/public/wage_arrears/export.csv", params={"q": "信达"}))
    assert [row[0] for row in searched[1:]] == ["广州信达建材有限公司"]
    earlier = rows_of(client.get("/lists/public/wage_arrears/export.csv", params={"as_of": "2026-05-01"}))
    assert [row[0] for row in earlier[1:]] == [FIRM]
    future = client.get("/lists/public/wage_arrears/export.csv", params={"as_of": "2026-12-01"})
    assert future.status_code == 422 and "不能晚于今天" in unescape(future.text)
    assert client.get("/lists/public/no_such_list/export.csv").status_code == 404
    sheet = sheet_of(client.get("/lists/public/wage_arrears/export.xlsx", params={"q": "禾丰"}))
    assert [c.value for c in sheet[2]][:3] == [FIRM, "法人", factories.uscc(303)] and sheet["C2"].number_format == "@"


def r_text(client: TestClient, url: str) -> str:
    return client.get(url).content.decode("utf-8-sig")


def test_red_lists_are_shown_apart_and_exported(
    client: TestClient, db: Session, firm: Subject, departments: tuple[Department, Department]
) -> None:
    published_entry(db, firm, "contract_honouring", published_on=date(2026, 7, 2), expires_on=date(2028, 6, 30))
    index = client.get("/lists/public").text
    dishonesty = index[index.index('id="section-dishonesty"') : index.index('id="section-red"')]
    red = index[index.index('id="section-red"') :]
    assert "守合同重信用企业" in red and "诚信示范中小企业" in red and "守合同重信用企业" not in dishonesty
    assert "拖欠农民工工资失信联合惩戒对象名单" in dishonesty
    only_red = client.get("/lists/public", params={"kind": "red"}).text
    assert 'href="/lists/public/contract_honouring"' in only_red
    assert 'href="/lists/public/wage_arrears"' not in only_red and 'id="section-dishonesty"' not in only_red
    assert 'href="/lists/public?kind=red" aria-current="page"' in only_red
    page = client.get("/lists/public/contract_honouring", params={"q": "禾丰"}).text
    assert 'class="badge badge-red">红名单</span>' in page
    assert 'href="/lists/public/contract_honouring/export.csv?q=%E7%A6%BE%E4%B8%B0"' in page
    rows = rows_of(client.get("/lists/public/contract_honouring/export.csv"))
    assert rows[1][0] == FIRM and rows[1][6] == "2028-06-30"


def test_commitment_export(
    client: TestClient, db: Session, firm: Subject, departments: tuple[Department, Department]
) -> None:
    signer = Context(session=db, actor="hefeng", role="subject", subject_id=firm.id)
    values = {"kind": "approval_substitute", "text": "承诺属实。", "signer_name": "李四"}
    for matter in ("食品经营许可", "=cmd|' /C calc'!A0", "修复事项"):
        kind = {"kind": "repair"} if matter == "修复事项" else {}
        cm.sign_commitment(
            signer, subject_id=firm.id, department_id=departments[0].id, matter=matter, **(values | kind)
        )  # type: ignore[arg-type]
    rows = rows_of(client.get("/commitments/public/export.csv"))
    assert rows[0][:4] == ["承诺主体", "统一社会信用代码", "承诺类型", "承诺事项"] and len(rows) == 3
    assert {row[3] for row in rows[1:]} == {"食品经营许可", "'=cmd|' /C calc'!A0"}
    assert all(row[0] == FIRM and row[2] == "审批替代型" and row[5] == "2026-11-27" for row in rows[1:])
    searched = rows_of(client.get("/commitments/public/export.csv", params={"q": "食品"}))
    assert [row[3] for row in searched[1:]] == ["食品经营许可"]
    page = client.get("/commitments/public", params={"q": "食品"}).text
    assert 'href="/commitments/public/export.xlsx?q=%E9%A3%9F%E5%93%81"' in page
    assert sheet_of(client.get("/commitments/public/export.xlsx"))["D1"].value == "承诺事项"


@pytest.fixture
def published_plan(ctx: Context, db: Session, departments: tuple[Department, Department]) -> Iterator[int]:
    district = make_district(ctx, db, departments)
    plan = inspections.create_plan(ctx, plan_in(district.scjgj, title="2026年第四季度抽查"))
    drawn = inspections.draw_plan(ctx, plan.id, plan.lock_version)
    inspections.publish_plan(ctx, plan.id, drawn.lock_version)
    yield plan.id


def test_inspection_exports(client: TestClient, published_plan: int) -> None:
    plans = rows_of(client.get("/inspections/public/export.csv"))
    assert plans[0][:4] == ["抽查计划", "抽查事项", "实施部门", "名录基准日"] and plans[1][0] == "2026年第四季度抽查"
    assert "随机种子" in plans[0] and plans[1][plans[0].index("随机种子")] == "20261127"
    tasks = rows_of(client.get(f"/inspections/public/{published_plan}/export.csv"))
    assert tasks[0] == ["序号", "检查对象", "统一社会信用代码", "检查结果", "检查日期"] and len(tasks) > 1
    assert tasks[1][0] == "1" and tasks[1][3] == "检查中" and tasks[1][1].startswith("广州抽查样本")
    sheet = sheet_of(client.get(f"/inspections/public/{published_plan}/export.xlsx"))
    assert sheet["A2"].value == 1 and sheet["C2"].number_format == "@"
    page = client.get(f"/inspections/public/{published_plan}").text
    assert f'href="/inspections/public/{published_plan}/export.csv"' in page
    assert 'href="/inspections/public/export.xlsx"' in client.get("/inspections/public").text
    assert client.get("/inspections/public/999999/export.csv").status_code == 404
