"""Public pages: Chinese content, live-search fragment, escaping, subject page, permalinks, error pages."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from webdata import DUP_USCC, HEFENG, HEFENG_USCC, Registry, register

from xinyong.auth.context import Context
from xinyong.codes.uscc import PLACEHOLDER
from xinyong.settings import get_settings
from xinyong.subjects.models import Subject

HX = {"HX-Request": "true"}


def test_home_page(client: TestClient) -> None:
    r = client.get("/")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    html = r.text
    assert '<html lang="zh-CN">' in html
    for text in ("番禺区公共信用信息平台", "信用主体查询", "输入企业名称或统一社会信用代码"):
        assert text in html
    for text in ("首页", "信用查询", "接口文档"):
        assert text in html
    assert 'hx-get="/search"' in html and "/static/vendor/htmx/htmx.min.js" in html
    assert "https://" not in html  # no CDN


def test_search_page_lists_results(client: TestClient, registry: Registry) -> None:
    r = client.get("/search", params={"q": "禾丰"})
    assert r.status_code == 200
    html = r.text
    assert "<html" in html and "共 1 条" in html
    for header in ("名称", "统一社会信用代码", "主体类别", "所属镇街", "状态"):
        assert f">{header}</th>" in html
    assert HEFENG in html and HEFENG_USCC in html and "市桥街道" in html and "存续" in html
    assert f'href="/subjects/{registry.hefeng.id}"' in html
    assert "王禾丰" not in html


def test_search_fragment_for_htmx(client: TestClient, registry: Registry) -> None:
    r = client.get("/search", params={"q": "禾丰"}, headers=HX)
    assert r.status_code == 200
    assert "<html" not in r.text and "<header" not in r.text
    assert HEFENG in r.text
    assert "HX-Request" in r.headers["vary"]
    assert client.get("/search", params={"q": ""}, headers=HX).text.strip() == ""
    # a history restore wants the whole page
    restore = client.get("/search", params={"q": "禾丰"}, headers={**HX, "HX-History-Restore-Request": "true"})
    assert "<html" in restore.text


def test_search_no_match_and_empty_query(client: TestClient, registry: Registry) -> None:
    assert "未找到匹配的信用主体" in client.get("/search", params={"q": "不存在的公司"}).text
    blank = client.get("/search")
    assert blank.status_code == 200 and "信用主体查询" in blank.text and "<table" not in blank.text


def test_search_too_long_query_is_shown_in_chinese(client: TestClient) -> None:
    page = client.get("/search", params={"q": "禾" * 51})
    assert page.status_code == 422 and "查询词过长" in page.text
    fragment = client.get("/search", params={"q": "禾" * 51}, headers=HX)
    assert fragment.status_code == 200 and "查询词过长" in fragment.text  # htmx swaps only 2xx


def test_query_is_escaped(client: TestClient) -> None:
    attack = "<script>alert(1)</script>"
    for headers in ({}, HX):
        html = client.get("/search", params={"q": attack}, headers=headers).text
        assert attack not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    attr = client.get("/search", params={"q": '"><img src=x onerror=alert(1)>'}).text
    assert "<img src=x" not in attr and "&#34;&gt;&lt;img" in attr


def test_paging_links(client: TestClient, registry: Registry, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XINYONG_SEARCH_PAGE_SIZE", "1")
    get_settings.cache_clear()
    first = client.get("/search", params={"q": "贸易"}).text
    assert "共 2 条" in first and "第 1 页" in first
    assert '<span class="disabled">上一页</span>' in first
    assert 'href="/search?q=%E8%B4%B8%E6%98%93&amp;offset=1" rel="next">下一页</a>' in first
    assert registry.dup_a.name in first and registry.dup_b.name not in first
    second = client.get("/search", params={"q": "贸易", "offset": 1}).text
    assert 'href="/search?q=%E8%B4%B8%E6%98%93" rel="prev">上一页</a>' in second
    assert '<span class="disabled">下一页</span>' in second
    assert registry.dup_b.name in second
    single = client.get("/search", params={"q": "禾丰"}).text
    assert "上一页" not in single and "下一页" not in single


def test_subject_page(client: TestClient, registry: Registry) -> None:
    r = client.get(f"/subjects/{registry.hefeng.id}")
    assert r.status_code == 200
    html = r.text
    for text in (HEFENG, HEFENG_USCC, "法人", "市桥街道", "存续", "2015年3月18日", "陈国强"):
        assert text in html
    assert "未通过校验" not in html


def test_subject_page_masks_operator_of_individual_business(client: TestClient, registry: Registry) -> None:
    html = client.get(f"/subjects/{registry.shop.id}").text
    assert "李**" in html and "李小禾" not in html and "经营者" in html and "个体工商户" in html


def test_subject_page_warns_about_code_problems(client: TestClient, registry: Registry, ctx: Context) -> None:
    bad = register(ctx, kind="legal_person", name="广州错码科技有限公司", uscc=HEFENG_USCC[:17] + "0")
    html = client.get(f"/subjects/{bad.id}").text
    assert "未通过校验" in html and "校验码" in html


def test_placeholder_code_shows_registration_number(client: TestClient, ctx: Context) -> None:
    shop = register(
        ctx, kind="individual_business", name="番禺区南村镇无码小吃店", uscc=PLACEHOLDER, reg_no="440126600123456"
    )
    html = client.get(f"/subjects/{shop.id}").text
    assert "未赋码" in html and "440126600123456" in html


def test_unknown_subject_is_chinese_404(client: TestClient, registry: Registry) -> None:
    r = client.get("/subjects/987654321")
    assert r.status_code == 404
    assert "未找到该信用主体" in r.text and "返回首页" in r.text and '<html lang="zh-CN">' in r.text
    bad = client.get("/subjects/abc")
    assert bad.status_code == 422 and "应为整数" in bad.text
    nowhere = client.get("/no/such/page")
    assert nowhere.status_code == 404 and "您访问的页面不存在" in nowhere.text


def test_code_permalink(client: TestClient, registry: Registry) -> None:
    r = client.get(f"/s/{HEFENG_USCC}", follow_redirects=False)
    assert r.status_code == 302 and r.headers["location"] == f"/subjects/{registry.hefeng.id}"
    assert HEFENG in client.get(f"/s/{HEFENG_USCC.lower()}").text
    assert client.get("/s/91350100M000100Y43").status_code == 404
    assert client.get("/s/123").status_code == 422


def test_code_permalink_for_duplicate_code_lists_candidates(client: TestClient, registry: Registry) -> None:
    r = client.get(f"/s/{DUP_USCC}")
    assert r.status_code == 200
    assert "该统一社会信用代码存在重码" in r.text
    for s in (registry.dup_a, registry.dup_b):
        assert f'href="/subjects/{s.id}"' in r.text and s.name in r.text


def test_natural_person_has_no_public_page(client: TestClient, registry: Registry) -> None:
    person: Subject = registry.person
    r = client.get(f"/subjects/{person.id}")
    assert r.status_code == 404 and "王禾丰" not in r.text
