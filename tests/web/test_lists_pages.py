"""Pages of the listing procedure (issue #7): the proposal form (a new employer and its responsible person created
unverified), the entry page with the next step's form, deadlines and Chinese errors (too early, stale form),
documents, the import page with every row error, and the public list pages (masked) — SQLite and PostgreSQL."""

from __future__ import annotations

import re
from html import unescape

from fastapi.testclient import TestClient
from principals import add_account, form_token, login_headers
from sqlalchemy import select
from sqlalchemy.orm import Session

from factories import company, ric, uscc
from list_factories import department
from xinyong.auth.context import Context
from xinyong.lists.models import ListEntry
from xinyong.subjects.models import Department, Subject

LOCATION = re.compile(r"^/lists/entries/(\d+)$")
NUMBER = ric("19820303", "135")


def browser(db: Session, name: str, role: str, department: Department | None = None) -> dict[str, str]:
    headers = login_headers(db, add_account(db, name, role, department_id=department.id if department else None))
    return {"Cookie": headers["Cookie"]}


def post_form(api: TestClient, page: str, action: str, headers: dict[str, str], data: dict[str, object], **kw: object):
    shown = api.get(page, headers=headers)
    assert shown.status_code == 200, shown.text[:300]
    return api.post(
        action, headers=headers, data={"csrf_token": form_token(shown.text), **data}, follow_redirects=False, **kw
    )


def text(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", " ", html))


def test_an_officer_proposes_notices_decides_and_publishes_through_the_pages(api: TestClient, db: Session) -> None:
    rsj = department(db, "rsj")
    me = browser(db, "p_rsj", "department_officer", rsj)
    code = uscc(961)
    form = {
        "list_code": "wage_arrears",
        "subject": code,
        "subject_name": "",
        "reasons": "拖欠20名农民工工资共计31万元",
        "responsible_persons": f"孙小明 {NUMBER}",
    }
    missing = post_form(api, "/lists", "/lists", me, form)
    assert missing.status_code == 422 and "请同时填写名称" in unescape(missing.text)
    assert "拖欠20名农民工工资共计31万元" in unescape(missing.text)  # what was typed comes back
    made = post_form(api, "/lists", "/lists", me, form | {"subject_name": "广州页面欠薪劳务有限公司"})
    assert made.status_code == 303, made.text[:500]
    entry_id = int(LOCATION.match(made.headers["location"]).group(1))  # type: ignore[union-attr]
    firm = db.scalars(select(Subject).where(Subject.uscc == code)).one()
    assert (firm.name, firm.verified) == ("广州页面欠薪劳务有限公司", False)
    page = f"/lists/entries/{entry_id}"
    shown = api.get(page, headers=me)
    assert "送达列入前告知书" in shown.text and "孙小明" in shown.text and NUMBER not in shown.text
    assert 'name="lock_version" value="1"' in shown.text

    noticed = post_form(
        api,
        page,
        f"{page}/notice",
        me,
        {"doc_no": "番人社告〔2026〕9号", "served_on": "2026-09-29", "lock_version": "1"},
    )
    assert noticed.status_code == 303
    shown = text(api.get(page, headers=me).text)
    assert "陈述申辩期至 2026年10月12日" in shown or "陈述申辩期至 2026-10-12" in shown
    assert "列入前告知书内容" in shown
    early = post_form(
        api, page, f"{page}/decision", me, {"doc_no": "番人社决9号", "decided_on": "2026-10-12", "lock_version": "2"}
    )
    assert early.status_code == 422 and "陈述申辩期至 2026-10-12 届满，届满后方可作出列入决定" in unescape(early.text)
    stale = post_form(
        api, page, f"{page}/decision", me, {"doc_no": "番人社决9号", "decided_on": "2026-10-13", "lock_version": "1"}
    )
    assert stale.status_code == 409 and "已被他人处理或更新" in unescape(stale.text)
    decided = post_form(
        api, page, f"{page}/decision", me, {"doc_no": "番人社决9号", "decided_on": "2026-10-13", "lock_version": "2"}
    )
    assert decided.status_code == 303
    published = post_form(api, page, f"{page}/publication", me, {"published_on": "2026-10-14", "lock_version": "3"})
    assert published.status_code == 303
    uploaded = post_form(
        api, page, f"{page}/files", me, {}, files=[("files", ("决定书.pdf", b"%PDF-1.4 d", "application/pdf"))]
    )
    assert uploaded.status_code == 303
    shown = api.get(page, headers=me).text
    assert "决定书.pdf" in shown and "移出名单" in shown and "提前移出" in shown
    entry = db.get(ListEntry, entry_id)
    assert entry is not None and entry.status == "published"

    listing = api.get("/lists", headers=me)
    assert listing.status_code == 200 and "广州页面欠薪劳务有限公司" in listing.text
    public = api.get("/lists/public/wage_arrears")
    assert public.status_code == 200 and "广州页面欠薪劳务有限公司" in public.text
    assert "孙**" in public.text and "孙小明" not in public.text and NUMBER not in public.text
    index = api.get("/lists/public")
    assert index.status_code == 200 and "拖欠农民工工资失信联合惩戒对象名单" in index.text


def test_the_import_page_lists_every_row_error(
    api: TestClient, db: Session, ctx: Context, departments: tuple[Department, Department]
) -> None:
    me = browser(db, "p_scjgj", "department_officer", departments[0])
    firm = company(ctx, "广州页面导入有限公司", 962)
    header = "统一社会信用代码,名称,列入日期,列入原因,作出决定机关,决定文书号,移出日期\n"
    rows = (
        f"{firm.uscc},{firm.name},2025-05-06,未按规定公示年报,广州市番禺区市场监督管理局,穗番市监异〔2025〕1号,\n"
        "91440113MA00000000,坏码公司,2025-05-06,未按规定公示年报,广州市番禺区市场监督管理局,穗番市监异〔2025〕2号,\n"
    )
    form = {"list_code": "abnormal_operation", "source_ref": "2026年第4批"}
    files = {"file": ("异常名录.csv", (header + rows).encode("gbk"), "text/csv")}
    rejected = post_form(api, "/lists/import", "/lists/import", me, form, files=files)
    body = unescape(rejected.text)
    assert rejected.status_code == 422 and "未导入任何数据" in body and "代码无效" in body
    files = {"file": ("异常名录.csv", (header + rows).encode("gbk"), "text/csv")}
    partial = post_form(api, "/lists/import", "/lists/import", me, form | {"partial": "1"}, files=files)
    assert (
        partial.status_code == 200
        and "新增 1" in unescape(partial.text)
        and "未导入的错误行 1" in unescape(partial.text)
    )
    other = browser(db, "p_sfj", "department_officer", departments[1])
    assert "没有由本部门接收的名单" in api.get("/lists/import", headers=other).text
    assert api.get("/lists/import", headers=browser(db, "p_reg", "regulator")).status_code == 403


def test_public_pages_search_and_refuse_a_future_day(api: TestClient) -> None:
    page = api.get("/lists/public/wage_arrears", params={"q": "欠薪"})
    assert (
        page.status_code == 200 and "没有符合条件的在列主体" in page.text and "人力资源社会保障部令第45号" in page.text
    )
    future = api.get("/lists/public/wage_arrears", params={"as_of": "2026-12-01"})
    assert future.status_code == 422 and "不能晚于今天" in unescape(future.text)
    assert api.get("/lists/public/no_such_list").status_code == 404
    login = api.get("/lists", follow_redirects=False)
    assert login.status_code == 303 and login.headers["location"].startswith("/login")
