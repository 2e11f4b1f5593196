"""失信案例核查 pages (issue #7): the office registers a case on /cases/new (errors in Chinese, what was typed kept),
the department works the stages on /cases/{id} (timeline, the current stage's form with its links and the last
stage's outcomes, stale forms 409, another department 403), evidence upload and download, early closing, and the
dashboard with stage counts and overdue marks; SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from html import unescape

from fastapi.testclient import TestClient
from principals import add_account, form_token, login_headers
from sqlalchemy.orm import Session

from factories import company
from list_factories import published_entry
from records_factories import make_batch, make_record
from xinyong import clock
from xinyong.auth.context import Context
from xinyong.subjects.models import Department

LOCATION = re.compile(r"^/cases/(\d+)\?done=opened$")
VERSION = re.compile(r'name="lock_version" value="(\d+)"')
PDF = b"%PDF-1.4\n%%EOF\n"


def browser(db: Session, role: str, name: str, department: Department | None = None) -> dict[str, str]:
    """A logged-in browser: the session cookie only (forms carry their CSRF token)."""
    headers = login_headers(db, add_account(db, name, role, department_id=department.id if department else None))
    db.commit()
    return {"Cookie": headers["Cookie"]}


def post_form(api: TestClient, page: str, action: str, headers: dict[str, str], data: dict[str, object]):
    shown = api.get(page, headers=headers)
    assert shown.status_code == 200, shown.text[:300]
    return api.post(
        action, headers=headers, data={"csrf_token": form_token(shown.text), **data}, follow_redirects=False
    )


def case_form(department: Department, **change: str) -> dict[str, str]:
    return {
        "title": "商户预收费后关门跑路",
        "subject": "",
        "subject_name": "番禺区某健身工作室",
        "source": "hotline_12345",
        "source_ref": "",
        "summary": "多名会员反映该工作室收取年卡费用后停业，负责人失联。",
        "department_id": str(department.id),
        "owner": "黄经办",
    } | change


def register(api: TestClient, office: dict[str, str], department: Department, **change: str) -> int:
    made = post_form(api, "/cases/new", "/cases/new", office, case_form(department, **change))
    assert made.status_code == 303, unescape(made.text)[:500]
    found = LOCATION.match(made.headers["location"])
    assert found
    return int(found.group(1))


def version(html: str) -> str:
    found = VERSION.search(html)
    assert found
    return found.group(1)


def test_the_office_registers_a_case_and_errors_keep_what_was_typed(
    api: TestClient, db: Session, ctx: Context, departments: tuple[Department, Department]
) -> None:
    market, _ = departments
    firm = company(ctx, "广州页面登记有限公司", 801)
    office = browser(db, "credit_office_staff", "cp_office")
    form = api.get("/cases/new", headers=office)
    assert form.status_code == 200
    assert "12345政务服务便民热线" in form.text and "广州市番禺区市场监督管理局" in form.text
    for change, words in (
        ({"source": ""}, "案件来源无效"),
        ({"summary": "关门"}, "反映的失信问题过短"),
        ({"department_id": ""}, "请选择承办部门"),
        ({"subject": "91440113MA9XXXXX0X"}, "统一社会信用代码"),
        ({"subject_name": ""}, "请填写当事人名称"),
        ({"owner": ""}, "请填写经办人"),
    ):
        answer = post_form(api, "/cases/new", "/cases/new", office, case_form(market, **change))
        assert answer.status_code == 422, (change, answer.status_code)
        text = unescape(answer.text)
        assert words in text, (change, text[text.find("notice-error") : text.find("notice-error") + 200])
        assert 'value="商户预收费后关门跑路"' in text  # what was typed stays
    case_id = register(api, office, market, subject=firm.uscc or "", subject_name="")
    shown = unescape(api.get(f"/cases/{case_id}?done=opened", headers=office).text)
    assert "案件已登记" in shown and "广州页面登记有限公司" in shown and "核查，期限 2026年12月18日" in shown
    assert "办理“核查”环节" in shown and "区信用办提前办结" in shown

    officer = browser(db, "department_officer", "cp_officer", market)
    assert api.get("/cases/new", headers=officer).status_code == 403
    assert api.get("/cases/new", follow_redirects=False).status_code == 303  # to the login page
    regulator = browser(db, "regulator", "cp_regulator")
    assert api.get("/cases", headers=regulator).status_code == 403


def test_the_department_works_the_stages_on_the_case_page(
    api: TestClient, db: Session, ctx: Context, departments: tuple[Department, Department]
) -> None:
    clock.set_clock(lambda: datetime(2026, 6, 1, 2, 0, tzinfo=UTC))  # later deadlines stay inside 2026
    market, justice = departments
    firm = company(ctx, "广州页面办理有限公司", 802)
    record = make_record(
        db, make_batch(db, market), doc_no="番市监罚〔2026〕802号", decided_on=date(2026, 5, 6), subject=firm
    )
    entry = published_entry(db, firm)
    office = browser(db, "credit_office_staff", "cp_office2")
    officer = browser(db, "department_officer", "cp_officer2", market)
    other = browser(db, "department_officer", "cp_other2", justice)
    case_id = register(api, office, market, subject=str(firm.id), subject_name="")
    page = f"/cases/{case_id}"
    assert api.get(page, headers=other).status_code == 403

    shown = unescape(api.get(page, headers=officer).text)
    assert "反映的问题属实" in shown and "区信用办提前办结" not in shown
    no_verdict = post_form(
        api, page, f"{page}/complete", officer, {"lock_version": "1", "stage": "verify", "note": "核查中"}
    )
    assert no_verdict.status_code == 422 and "请写明核查结论" in unescape(no_verdict.text)
    wrong = post_form(
        api, page, f"{page}/complete", officer, {"lock_version": "1", "stage": "record", "note": "先记录"}
    )
    assert wrong.status_code == 409 and "须按核查→记录→监管→惩戒→整改→教育的顺序" in unescape(wrong.text)
    done = post_form(
        api,
        page,
        f"{page}/complete",
        officer,
        {
            "lock_version": "1",
            "stage": "verify",
            "founded": "yes",
            "note": "会员合同与付款凭证核实属实",
            "next_owner": "林记录",
        },
    )
    assert done.status_code == 303 and done.headers["location"] == f"{page}?done=complete"
    stale = post_form(
        api, page, f"{page}/complete", officer, {"lock_version": "1", "stage": "record", "note": "迟到的表单"}
    )
    assert stale.status_code == 409 and "已被他人处理或更新" in unescape(stale.text)

    shown = unescape(api.get(page, headers=officer).text)
    assert "办理“记录”环节" in shown and "番市监罚〔2026〕802号" in shown and "林记录" in shown
    assert "会员合同与付款凭证核实属实" in shown  # the verify stage's result on the timeline
    for stage, extra in (
        ("record", {"record_id": str(record.id)}),
        ("supervise", {}),
        ("punish", {"list_entry_id": str(entry.id)}),
        ("rectify", {}),
    ):
        current = api.get(page, headers=officer).text
        if stage == "punish":
            assert "拖欠农民工工资失信联合惩戒对象名单" in unescape(current)
        answer = post_form(
            api,
            page,
            f"{page}/complete",
            officer,
            {"lock_version": version(current), "stage": stage, "note": f"{stage} 已办理", **extra},
        )
        assert answer.status_code == 303, unescape(answer.text)[:600]
    last = unescape(api.get(page, headers=officer).text)
    assert "办理“教育”环节" in last and "已惩戒，整改到位并完成教育" in last and "完成并办结" in last
    closed = post_form(
        api,
        page,
        f"{page}/complete",
        officer,
        {"lock_version": version(last), "stage": "educate", "note": "约谈负责人", "outcome": "rectified"},
    )
    assert closed.status_code == 303 and closed.headers["location"] == f"{page}?done=closed"
    final = unescape(api.get(page, headers=office).text)
    assert "办结结果" in final and "已惩戒，整改到位并完成教育" in final and "办理“" not in final
    assert "拖欠农民工工资失信联合惩戒对象名单（已列入并公示" in final  # the linked entry


def test_evidence_reassign_and_early_closing(
    api: TestClient, db: Session, ctx: Context, departments: tuple[Department, Department]
) -> None:
    market, justice = departments
    office = browser(db, "credit_office_staff", "cp_office3")
    officer = browser(db, "department_officer", "cp_officer3", market)
    case_id = register(api, office, market)
    page = f"/cases/{case_id}"
    token = form_token(api.get(page, headers=officer).text)
    up = api.post(
        f"{page}/files",
        headers=officer,
        data={"csrf_token": token},
        files=[("files", ("会员合同.pdf", PDF, "application/pdf"))],
        follow_redirects=False,
    )
    assert up.status_code == 303, up.text[:300]
    bad = api.post(
        f"{page}/files",
        headers=officer,
        data={"csrf_token": token},
        files=[("files", ("合同.exe", b"MZ", "application/octet-stream"))],
        follow_redirects=False,
    )
    assert bad.status_code == 422 and "类型不受支持" in unescape(bad.text)
    shown = unescape(api.get(page, headers=officer).text)
    link = re.search(rf'href="(/cases/{case_id}/files/\d+)"', shown)
    assert link and "会员合同.pdf" in shown
    assert api.get(link.group(1), headers=officer).content == PDF

    moved = post_form(api, page, f"{page}/reassign", officer, {"lock_version": "1", "owner": "陈新经办"})
    assert moved.status_code == 303
    same = post_form(api, page, f"{page}/reassign", officer, {"lock_version": "2", "owner": "陈新经办"})
    assert same.status_code == 422 and "无需改派" in unescape(same.text)
    across = post_form(
        api, page, f"{page}/reassign", office, {"lock_version": "2", "owner": "周", "department_id": str(justice.id)}
    )
    assert across.status_code == 303
    assert "广州市番禺区司法局" in unescape(api.get(page, headers=office).text)
    assert api.get(page, headers=officer).status_code == 403  # no longer its department's case

    no_outcome = post_form(api, page, f"{page}/close", office, {"lock_version": "3", "note": "移送"})
    assert no_outcome.status_code == 422 and "区信用办办结的结果应为" in unescape(no_outcome.text)
    closed = post_form(
        api,
        page,
        f"{page}/close",
        office,
        {"lock_version": "3", "outcome": "transferred", "note": "涉嫌诈骗，移送公安"},
    )
    assert closed.status_code == 303
    final = unescape(api.get(page, headers=office).text)
    assert "移送有关机关处理" in final and "涉嫌诈骗，移送公安" in final and "区信用办提前办结" not in final


def test_the_dashboard_counts_stages_and_marks_overdue(
    api: TestClient, db: Session, ctx: Context, departments: tuple[Department, Department]
) -> None:
    market, justice = departments
    office = browser(db, "credit_office_staff", "cp_office4")
    clock.set_clock(lambda: datetime(2026, 9, 1, 2, 0, tzinfo=UTC))
    office_then = browser(db, "credit_office_staff", "cp_office4b")
    late = register(api, office_then, market, source_ref="late-one")
    clock.set_clock(lambda: datetime(2026, 11, 27, 2, 0, tzinfo=UTC))
    fresh = register(api, office, justice, source_ref="fresh-one")
    listed = unescape(api.get("/cases", headers=office).text)
    assert "办理中的案件（截至 2026年11月27日）" in listed
    assert "超期 1" in listed and "已超期" in listed and "登记失信案例" in listed
    overdue = unescape(api.get("/cases?overdue=1", headers=office).text)
    assert f'href="/cases/{late}"' in overdue and f'href="/cases/{fresh}"' not in overdue
    assert overdue.count('<tr>\n      <td><a href="/cases/') == 1
    mine = unescape(api.get("/cases", headers=browser(db, "department_officer", "cp_officer4", justice)).text)
    assert "本页显示本部门承办的案件" in mine and "登记失信案例" not in mine
    assert f'href="/cases/{late}"' not in mine and f'href="/cases/{fresh}"' in mine
    bad = api.get("/cases?stage=nowhere", headers=office)
    assert bad.status_code == 422 and "环节应为" in unescape(bad.text)
