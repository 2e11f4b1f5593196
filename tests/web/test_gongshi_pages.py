"""双公示 pages: tabs, search box, table headings from the catalogue, masked natural persons, detail page with
public fields and the end of publicity only, the status label (异议中 shown, or hidden by the setting), the
owner's objection and repair links, escaping of stored names, htmx fragment, paging, errors in Chinese."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient
from principals import add_account, login_headers
from sqlalchemy.orm import Session

from factories import company, uscc
from records_factories import make_batch, make_record
from regime_records import regime_record
from xinyong.auth.context import Context
from xinyong.records import effects
from xinyong.records.models import CreditRecord
from xinyong.settings import get_settings
from xinyong.subjects.models import Department

HX = {"HX-Request": "true"}
FIRM = "广州禾丰贸易有限公司"
FIRM_USCC = uscc(303)
XSS = "<script>alert('信用')</script>禾丰\"><img src=x onerror=alert(1)>有限公司"


def penalty(db: Session, dept: Department, doc_no: str = "番市监罚〔2026〕21号", **kw: object) -> CreditRecord:
    data = {
        "penalty_category": "罚款",
        "authority": "广州市番禺区市场监督管理局",
        "violation_facts": "销售过期食品",
        "decided_on": "2026-11-02",
        "remarks": "内部备注不公开",
    }
    data.update(kw.pop("data", {}))  # type: ignore[arg-type]
    return make_record(
        db,
        make_batch(db, dept),
        doc_no=doc_no,
        decided_on=kw.pop("decided_on", date(2026, 11, 2)),  # type: ignore[arg-type]
        data=data,
        **kw,  # type: ignore[arg-type]
    )


def test_gongshi_redirects_to_the_first_tab(client: TestClient) -> None:
    r = client.get("/gongshi", follow_redirects=False)
    assert r.status_code == 302 and r.headers["location"] == "/gongshi/licence"


def test_list_page(client: TestClient, db: Session, departments: tuple[Department, Department]) -> None:
    dept, _ = departments
    firm = penalty(db, dept, subject_name=FIRM, subject_uscc=FIRM_USCC)
    person = penalty(db, dept, "番司罚〔2026〕1号", subject_name="王禾丰", subject_kind="natural_person")
    r = client.get("/gongshi/penalty")
    assert r.status_code == 200 and '<html lang="zh-CN">' in r.text
    html = r.text
    assert 'href="/gongshi/licence"' in html and 'href="/gongshi/penalty" aria-current="page"' in html
    assert ">行政许可</a>" in html and ">行政处罚</a>" in html
    for heading in ("行政相对人名称", "统一社会信用代码", "行政处罚决定书文号", "处罚类别", "处罚决定日期", "处罚机关"):
        assert f'<th scope="col">{heading}</th>' in html
    assert FIRM in html and FIRM_USCC in html and "2026年11月2日" in html and "广州市番禺区市场监督管理局" in html
    assert f'href="/gongshi/penalty/{firm.id}"' in html and f'href="/gongshi/penalty/{person.id}"' in html
    assert "王**" in html and "王禾丰" not in html
    assert "内部备注不公开" not in html
    assert 'role="search"' in html and 'hx-get="/gongshi/penalty"' in html
    licence = client.get("/gongshi/licence").text
    assert "暂无公示中的行政许可信息" in licence and ">许可决定日期</th>" not in licence  # empty: no table


def test_search_and_fragment(client: TestClient, db: Session, departments: tuple[Department, Department]) -> None:
    dept, _ = departments
    penalty(db, dept, subject_name=FIRM, subject_uscc=FIRM_USCC)
    penalty(db, dept, "番司罚〔2026〕1号", subject_name="王禾丰", subject_kind="natural_person")
    page = client.get("/gongshi/penalty", params={"q": "禾丰"})
    assert FIRM in page.text and "王**" not in page.text and "共 1 条" in page.text
    fragment = client.get("/gongshi/penalty", params={"q": FIRM_USCC}, headers=HX)
    assert fragment.status_code == 200 and "<html" not in fragment.text and FIRM in fragment.text
    assert "HX-Request" in fragment.headers["vary"]
    none = client.get("/gongshi/penalty", params={"q": "王禾丰"})
    assert "未找到匹配的公示信息" in none.text and "自然人信息不能按姓名查询" in none.text


def test_detail_page(client: TestClient, db: Session, departments: tuple[Department, Department]) -> None:
    dept, _ = departments
    person = penalty(
        db,
        dept,
        "番司罚〔2026〕1号",
        subject_name="王禾丰",
        subject_kind="natural_person",
        publicity_end=date(2027, 2, 2),
        data={"subject_name": "王禾丰"},
    )
    person.id_masked = "1101**********002X"
    r = client.get(f"/gongshi/penalty/{person.id}")
    assert r.status_code == 200
    html = r.text
    assert "<h1>王**</h1>" in html and "王禾丰" not in html
    assert "公示截止日：</strong>2027年2月2日" in html and "<dt>公示截止期</dt>" not in html  # shown once, at the top
    assert "公示状态：</strong>公示中" in html and "/objections/new" not in html
    assert "<dt>违法事实</dt><dd>销售过期食品</dd>" in html and "<dt>处罚决定日期</dt><dd>2026年11月2日</dd>" in html
    assert "<dt>罚款金额（万元）</dt><dd>—</dd>" in html
    assert "内部备注不公开" not in html and "<dt>证件号码</dt>" not in html and "002X" not in html
    assert "姓名已脱敏" in html


def test_detail_404_when_not_public(
    client: TestClient, db: Session, departments: tuple[Department, Department]
) -> None:
    dept, _ = departments
    expired = penalty(db, dept, decided_on=date(2026, 1, 2), publicity_end=date(2026, 4, 2))
    old = penalty(db, dept, "罚〔2026〕2号")
    penalty(db, dept, "罚〔2026〕2号", supersedes=old)
    for url in (
        f"/gongshi/penalty/{expired.id}",
        f"/gongshi/penalty/{old.id}",
        f"/gongshi/licence/{old.id}",
        "/gongshi/no_such_item",
        "/gongshi/no_such_item/1",
    ):
        r = client.get(url)
        assert r.status_code == 404 and "<html" in r.text, url
    assert "已不在公示期内" in client.get(f"/gongshi/penalty/{expired.id}").text
    assert client.get("/gongshi/penalty/abc").status_code == 422


def test_stored_names_are_escaped(client: TestClient, db: Session, departments: tuple[Department, Department]) -> None:
    dept, _ = departments
    record = penalty(db, dept, subject_name=XSS, data={"subject_name": XSS, "violation_facts": XSS})
    pages = [
        client.get("/gongshi/penalty").text,
        client.get("/gongshi/penalty", params={"q": "禾丰"}, headers=HX).text,
        client.get(f"/gongshi/penalty/{record.id}").text,
    ]
    for html in pages:
        assert "<script>alert" not in html and "<img src=x" not in html
        assert "&lt;script&gt;alert(" in html and "&#34;&gt;&lt;img src=x" in html


def test_query_errors_in_chinese(client: TestClient) -> None:
    page = client.get("/gongshi/penalty", params={"q": "禾" * 51})
    assert page.status_code == 422 and "查询词过长" in page.text
    fragment = client.get("/gongshi/penalty", params={"q": "禾" * 51}, headers=HX)
    assert fragment.status_code == 200 and "查询词过长" in fragment.text  # htmx swaps only 2xx
    attack = "<script>alert(1)</script>"
    html = client.get("/gongshi/penalty", params={"q": attack}).text
    assert attack not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert client.get("/gongshi/penalty", params={"offset": 10_001}).status_code == 422


def test_paging(client: TestClient, db: Session, departments: tuple[Department, Department]) -> None:
    dept, _ = departments
    for n in range(21):
        penalty(db, dept, f"罚〔2026〕{n + 100}号", decided_on=date(2026, 10, 1 + n), row_no=n + 1)
    first = client.get("/gongshi/penalty").text
    assert "共 21 条，第 1 页" in first and 'href="/gongshi/penalty?offset=20" rel="next"' in first
    second = client.get("/gongshi/penalty", params={"offset": 20}).text
    assert "第 2 页" in second and 'href="/gongshi/penalty" rel="prev"' in second
    assert "罚〔2026〕100号" in second and "罚〔2026〕100号" not in first  # oldest decision last


def test_staff_see_the_public_page_too(
    client: TestClient, db: Session, departments: tuple[Department, Department]
) -> None:
    dept, _ = departments
    person = penalty(db, dept, subject_name="王禾丰", subject_kind="natural_person", data={"subject_name": "王禾丰"})
    office = login_headers(db, add_account(db, "office_reader", "credit_office_staff"))
    html = client.get(f"/gongshi/penalty/{person.id}", headers=office).text
    assert "王禾丰" not in html and "内部备注不公开" not in html


def test_subject_page_lists_its_published_records(
    client: TestClient, db: Session, departments: tuple[Department, Department], ctx: object
) -> None:
    from factories import company

    dept, _ = departments
    firm = company(ctx, FIRM, 303)  # type: ignore[arg-type]
    shown = penalty(db, dept, subject=firm)
    expired = penalty(db, dept, "番市监罚〔2023〕9号", subject=firm, decided_on=date(2023, 1, 5))
    expired.publicity_end = date(2024, 1, 5)
    db.flush()
    html = client.get(f"/subjects/{firm.id}").text
    assert "“双公示”信息" in html
    assert f'href="/gongshi/penalty/{shown.id}"' in html and "番市监罚〔2026〕21号" in html
    assert f"/gongshi/penalty/{expired.id}" not in html
    other = company(ctx, "广州无记录贸易有限公司", 304)  # type: ignore[arg-type]
    assert "没有处于公示期内" in client.get(f"/subjects/{other.id}").text


def test_objected_records_show_their_status_or_are_hidden(
    client: TestClient,
    db: Session,
    ctx: Context,
    departments: tuple[Department, Department],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    dept, _ = departments
    plain = penalty(db, dept, "番市监罚〔2026〕31号", subject_name=FIRM)
    disputed = penalty(db, dept, "番市监罚〔2026〕32号", subject_name="广州争议贸易有限公司")
    effects.add_effect(ctx, disputed, "objection", date(2026, 11, 20), source_type="objection", source_id=None)
    html = client.get("/gongshi/penalty").text
    assert '<th scope="col">状态</th>' in html
    row = html[html.index("番市监罚〔2026〕32号") :]
    assert row.index("异议中") < row.index("</tr>")
    assert "公示中" in html[html.index("番市监罚〔2026〕31号") :]
    detail = client.get(f"/gongshi/penalty/{disputed.id}").text
    assert '公示状态：</strong><span class="badge badge-warn">异议中</span>' in detail and "正在异议处理中" in detail
    monkeypatch.setenv("XINYONG_OBJECTION_HIDES_RECORD", "true")
    get_settings.cache_clear()
    hidden = client.get("/gongshi/penalty").text
    assert "番市监罚〔2026〕32号" not in hidden and "番市监罚〔2026〕31号" in hidden
    assert client.get(f"/gongshi/penalty/{disputed.id}").status_code == 404
    assert client.get(f"/gongshi/penalty/{plain.id}").status_code == 200


def test_the_owner_sees_objection_and_repair_links(
    client: TestClient, db: Session, ctx: Context, departments: tuple[Department, Department]
) -> None:
    dept, _ = departments
    firm = company(ctx, FIRM, 303)
    old = regime_record(db, dept, date(2026, 5, 6), subject=firm)  # minimum period ended 2026-08-06
    young = regime_record(db, dept, date(2026, 10, 9), subject=firm)  # minimum period until 2027-01-09
    owner = login_headers(db, add_account(db, "firm_owner", "subject", subject_id=firm.id))
    html = client.get(f"/gongshi/penalty/{old.id}", headers=owner).text
    assert f'href="/objections/new?record_id={old.id}"' in html and f'href="/repairs/new?record_id={old.id}"' in html
    html = client.get(f"/gongshi/penalty/{young.id}", headers=owner).text
    assert f'href="/objections/new?record_id={young.id}"' in html and "/repairs/new" not in html
    other = company(ctx, "广州另一贸易有限公司", 304)
    stranger = login_headers(db, add_account(db, "stranger", "subject", subject_id=other.id))
    for headers in (stranger, {}):
        html = client.get(f"/gongshi/penalty/{old.id}", headers=headers).text
        assert "/objections/new" not in html and "/repairs/new" not in html
