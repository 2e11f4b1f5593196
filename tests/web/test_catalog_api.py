"""The public catalogue over HTTP: the JSON API, the template download and the two pages."""

from __future__ import annotations

import io

import openpyxl
from fastapi.testclient import TestClient

from xinyong.catalog.items import load_catalog
from xinyong.intake.templates import DATA_SHEET, GUIDE_SHEET, XLSX_MEDIA_TYPE

ITEMS = {"licence", "penalty", "social_insurance_arrears", "housing_fund_arrears", "utility_arrears"}


def test_catalogue_lists_every_item(client: TestClient) -> None:
    response = client.get("/api/v1/catalog")
    assert response.status_code == 200
    items = {i["id"]: i for i in response.json()}
    assert set(items) >= ITEMS
    utility = items["utility_arrears"]
    assert utility["name"] == "水、电、燃气欠费信息"
    assert (utility["sharing"], utility["sharing_label"]) == ("conditional", "有条件共享")
    assert utility["field_count"] == len(load_catalog().item("utility_arrears").fields)
    assert utility["template_url"] == "/api/v1/catalog/utility_arrears/template.xlsx"
    assert utility["dual_publicity"] is False
    assert items["penalty"]["deadline"] == "决定（认定）之日起 7 个工作日内（区市场监管局 20 个工作日）"
    assert items["social_insurance_arrears"]["source_department_names"] == "区人力资源社会保障局"
    assert list(items)[:2] == ["licence", "penalty"]  # 双公示 first


def test_item_detail_lists_fields_with_rules_and_sharing(client: TestClient) -> None:
    response = client.get("/api/v1/catalog/social_insurance_arrears")
    assert response.status_code == 200
    fields = {f["key"]: f for f in response.json()["fields"]}
    assert fields["decided_on"]["label"] == "认定日期"
    assert (fields["doc_no"]["required"], fields["doc_no"]["rule"]) == ("required", "必填")
    assert fields["id_number"]["required"] == "conditional"
    assert fields["id_number"]["rule"] == "“主体类别”为“自然人”时必填"
    assert (fields["contact_phone"]["sharing_label"], fields["contact_phone"]["personal"]) == ("不予共享", "phone")
    assert fields["arrears_amount"]["sharing_label"] == "有条件共享"
    assert fields["id_type"]["value_codes"]["001"] == "身份证"


def test_unknown_item_is_a_chinese_404_and_a_bad_id_a_422(client: TestClient) -> None:
    missing = client.get("/api/v1/catalog/gas_bills")
    assert missing.status_code == 404
    assert missing.json()["message"].startswith("资源目录中没有数据项 'gas_bills'")
    assert client.get("/api/v1/catalog/gas_bills/template.xlsx").status_code == 404
    assert client.get("/api/v1/catalog/Bad-Id").status_code == 422


def test_template_download(client: TestClient) -> None:
    response = client.get("/api/v1/catalog/utility_arrears/template.xlsx")
    assert response.status_code == 200
    assert response.headers["content-type"] == XLSX_MEDIA_TYPE
    assert response.headers["content-disposition"] == 'attachment; filename="utility_arrears_v1_template.xlsx"'
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[:2] == [DATA_SHEET, GUIDE_SHEET]
    item = load_catalog().item("utility_arrears")
    assert [c.value for c in book[DATA_SHEET][1]] == [f.label for f in item.fields]


def test_catalogue_page(client: TestClient) -> None:
    page = client.get("/catalog")
    assert page.status_code == 200
    html = page.text
    for name in ("行政许可信息", "行政处罚信息", "社会保险费欠缴信息", "住房公积金欠缴信息", "水、电、燃气欠费信息"):
        assert name in html
    assert 'href="/catalog/utility_arrears"' in html
    assert 'href="/api/v1/catalog/utility_arrears/template.xlsx"' in html
    assert "有条件共享" in html and "每月：次月内报送上月认定的欠费信息" in html
    assert 'aria-current="page">资源目录' in html


def test_item_page_shows_fields_rules_and_sharing(client: TestClient) -> None:
    page = client.get("/catalog/utility_arrears")
    assert page.status_code == 200
    html = page.text
    assert "<h1>水、电、燃气欠费信息" in html
    assert "条件必填" in html and "“主体类别”为“自然人”时必填" in html
    assert "不予共享" in html
    assert "水费（1）、电费（2）、燃气费（3）" in html
    assert "欠费金额（万元）" in html
    assert "工作要点 （十一）" in html


def test_unknown_item_page_is_a_chinese_404(client: TestClient) -> None:
    page = client.get("/catalog/nothing_here")
    assert page.status_code == 404
    assert "资源目录中没有数据项" in page.text
