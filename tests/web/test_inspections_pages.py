"""双随机、一公开 pages (issue #6): the plan form (prefilled ratios, Chinese errors that keep what was typed), the
plan page with draw / publish / result forms (stale forms get 409), the verify view, the inspector pool page,
and the public pages that show published plans only; SQLite and PostgreSQL."""

from __future__ import annotations

import re
from html import unescape

from fastapi.testclient import TestClient
from principals import add_account, form_token, login_headers
from sqlalchemy.orm import Session
from test_inspections_api import TODAY, add_inspectors, create, district, evaluate

from xinyong.auth.context import Context
from xinyong.subjects.models import Department

LOCATION = re.compile(r"^/inspections/(\d+)$")


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


def plan_form(department: Department, **changes: object) -> dict[str, object]:
    return {
        "title": "2026年12月食品经营双随机抽查",
        "department_id": str(department.id),
        "item_code": "scjg_spjy",
        "as_of": TODAY.isoformat(),
        "ratio_A": "0.02",
        "ratio_B": "0.05",
        "ratio_C": "1",
        "ratio_D": "1",
        "seed": "",
    } | changes


def test_plan_form_prefills_ratios_and_explains_errors(
    api: TestClient, db: Session, ctx: Context, departments: tuple[Department, Department]
) -> None:
    town = district(ctx, departments, base=800)
    me = browser(db, "regulator", "p_reg", town.market)
    form = api.get("/inspections/new", headers=me)
    assert form.status_code == 200
    for grade, ratio in (("A", "0.02"), ("B", "0.05"), ("C", "1"), ("D", "1")):
        assert (
            f'name="ratio_{grade}" type="text" inputmode="decimal" maxlength="20" size="6" required value="{ratio}"'
            in form.text
        )
    assert "食品经营抽查（广州市番禺区市场监督管理局）" in form.text and "南村镇" in form.text
    assert "建筑施工安全检查" not in form.text and "司法局" not in form.text  # its own department's items only

    cases = [
        ({"ratio_A": "1.5"}, "等级 A 的抽查比例应在 0 到 1 之间"),
        ({"ratio_B": ""}, "请填写 B 级的抽查比例"),
        ({"title": "x"}, "计划名称至少 2 个字"),
        ({"as_of": "明天"}, "名录与信用等级基准日应为日期"),
        ({"item_code": ""}, "请选择抽查事项"),
        ({"item_code": "zj_jzsg"}, "不能列入"),
        ({"seed": "a|b"}, "随机种子"),
        ({"department_id": "abc"}, "实施部门无效"),
    ]
    for change, words in cases:
        answer = post_form(api, "/inspections/new", "/inspections/new", me, plan_form(town.market, **change))
        assert answer.status_code == 422, (change, answer.status_code)
        text = unescape(answer.text)
        assert words in text, (change, text[text.find("notice-error") : text.find("notice-error") + 200])
        assert 'value="2026年12月食品经营双随机抽查"' in text or change == {"title": "x"}  # what was typed stays
    assert api.get("/inspections", headers=me).text.count('href="/inspections/') >= 1
    assert "还没有抽查计划" in api.get("/inspections", headers=me).text

    officer = browser(db, "department_officer", "p_officer", town.market)
    assert api.get("/inspections/new", headers=officer).status_code == 403
    assert api.get("/inspections", headers=officer).status_code == 403
    assert api.get("/inspections", follow_redirects=False).status_code == 303  # to the login page


def test_plan_page_draws_publishes_and_takes_results(
    api: TestClient, db: Session, ctx: Context, departments: tuple[Department, Department]
) -> None:
    town = district(ctx, departments, base=810)
    me = browser(db, "regulator", "p_reg2", town.market)
    office = login_headers(db, add_account(db, "p_office2", "credit_office_staff"))
    db.commit()
    evaluate(api, office)

    made = post_form(api, "/inspections/new", "/inspections/new", me, plan_form(town.market, seed="page-seed"))
    assert made.status_code == 303, made.text[:500]
    found = LOCATION.match(made.headers["location"])
    assert found
    plan_id = int(found.group(1))
    page = f"/inspections/{plan_id}"
    draft = api.get(page, headers=me)
    assert draft.status_code == 200 and "page-seed" in draft.text and "草拟" in draft.text
    assert "抽取检查对象" in draft.text and "公开抽查计划" not in draft.text

    empty = post_form(api, page, f"{page}/draw", me, {"lock_version": "1"})
    assert empty.status_code == 422 and "检查人员名录库为空" in empty.text

    # the pool page adds inspectors
    for n, badge in enumerate(("P001", "P002", "P003")):
        added = post_form(
            api,
            "/inspections/inspectors",
            "/inspections/inspectors",
            me,
            {
                "name": f"页面检查员{n}",
                "department_id": str(town.market.id),
                "badge_no": badge,
                "township_code": "440113102",
            },
        )
        assert added.status_code == 303, added.text[:300]
    dup = post_form(
        api,
        "/inspections/inspectors",
        "/inspections/inspectors",
        me,
        {"name": "页面检查员", "department_id": str(town.market.id), "badge_no": "P001"},
    )
    assert dup.status_code == 409 and "已在" in dup.text

    stale = post_form(api, page, f"{page}/draw", me, {"lock_version": "3"})
    assert stale.status_code == 409
    for broken in ("", "²", "0"):
        refused = post_form(api, page, f"{page}/draw", me, {"lock_version": broken})
        assert refused.status_code == 422 and "请刷新页面后重试" in refused.text
    drawn = post_form(api, page, f"{page}/draw", me, {"lock_version": "1"})
    assert drawn.status_code == 303
    shown = api.get(page, headers=me).text
    assert "已抽取" in shown and "公开抽查计划" in shown and "下载检查对象名录" in shown
    assert (
        "公开抽查计划与抽取名单后，方可录入检查结果" in shown
        and 'action="/inspections/' + str(plan_id) + "/tasks/" not in shown
    )
    assert "广州抽查处罚有限公司" in shown and "页面检查员" in shown
    again = post_form(api, page, f"{page}/draw", me, {"lock_version": "1"})
    assert again.status_code == 409

    verified = api.get(f"{page}/verify", headers=me)
    assert verified.status_code == 200 and "复核一致" in verified.text

    version = re.search(
        r'action="/inspections/\d+/publish">\s*<input[^>]*>\s*<input type="hidden" name="lock_version" value="(\d+)"',
        shown,
    )
    assert version
    published = post_form(api, page, f"{page}/publish", me, {"lock_version": version.group(1)})
    assert published.status_code == 303
    shown = api.get(page, headers=me).text
    task = re.search(
        r'action="/inspections/\d+/tasks/(\d+)/result">\s*<input[^>]*>\s*'
        r'<input type="hidden" name="lock_version" value="(\d+)"',
        shown,
    )
    assert task
    task_id, task_version = task.groups()
    action = f"{page}/tasks/{task_id}/result"
    no_result = post_form(
        api, page, action, me, {"result": "", "inspected_on": TODAY.isoformat(), "lock_version": task_version}
    )
    assert no_result.status_code == 422 and "请选择检查结果" in no_result.text
    future = post_form(
        api, page, action, me, {"result": "no_problem", "inspected_on": "2027-01-01", "lock_version": task_version}
    )
    assert future.status_code == 422 and "不能晚于今天" in future.text
    entered = post_form(
        api,
        page,
        action,
        me,
        {"result": "no_problem", "inspected_on": TODAY.isoformat(), "note": "经营正常", "lock_version": task_version},
    )
    assert entered.status_code == 303 and entered.headers["location"].startswith(f"{page}#task-")
    stale_result = post_form(
        api, page, action, me, {"result": "corrected", "inspected_on": TODAY.isoformat(), "lock_version": task_version}
    )
    assert stale_result.status_code == 409
    shown = api.get(page, headers=me).text
    assert "未发现问题" in shown and "经营正常" in shown and "更正" in shown

    # the public pages: the plan, its results, no inspectors, no notes
    public = api.get("/inspections/public")
    assert public.status_code == 200 and "2026年12月食品经营双随机抽查" in public.text
    detail = api.get(f"/inspections/public/{plan_id}")
    assert detail.status_code == 200
    assert "未发现问题" in detail.text and "page-seed" in detail.text and "广州抽查处罚有限公司" in detail.text
    assert "页面检查员" not in detail.text and "经营正常" not in detail.text
    checked = api.get(f"/inspections/public/{plan_id}/verify")
    assert checked.status_code == 200 and "复核一致" in checked.text


def test_public_pages_hide_unpublished_plans(
    api: TestClient, db: Session, ctx: Context, departments: tuple[Department, Department]
) -> None:
    town = district(ctx, departments, base=820)
    office = login_headers(db, add_account(db, "p_office3", "credit_office_staff"))
    db.commit()
    evaluate(api, office)
    add_inspectors(api, office, town.market)
    draft = create(api, office, town.market, title="草稿中的计划")
    listed = api.get("/inspections/public")
    assert listed.status_code == 200 and "草稿中的计划" not in listed.text and "暂无公开的抽查计划" in listed.text
    for suffix in ("", "/verify"):
        hidden = api.get(f"/inspections/public/{draft['id']}{suffix}")
        assert hidden.status_code == 404 and "尚未公示" in hidden.text
    assert 'href="/inspections/public"' in listed.text  # the nav entry everyone sees


def test_pool_page_records_conflicts_and_deactivates(
    api: TestClient, db: Session, ctx: Context, departments: tuple[Department, Department]
) -> None:
    town = district(ctx, departments, base=830)
    office_headers = login_headers(db, add_account(db, "p_office4", "credit_office_admin"))
    db.commit()
    first, _ = add_inspectors(api, office_headers, town.market, n=2)
    me = {"Cookie": office_headers["Cookie"]}
    pool = api.get("/inspections/inspectors", headers=me)
    assert pool.status_code == 200 and "检查员甲" in pool.text and "南村镇" in pool.text
    assert 'href="/inspections"' in pool.text  # the staff nav entry

    missing = post_form(
        api,
        "/inspections/inspectors",
        "/inspections/conflicts",
        me,
        {"inspector_id": str(first), "subject": "", "reason": "近亲属任职"},
    )
    assert missing.status_code == 422 and "请填写回避主体" in missing.text
    unknown = post_form(
        api,
        "/inspections/inspectors",
        "/inspections/conflicts",
        me,
        {"inspector_id": str(first), "subject": "999999", "reason": "近亲属任职"},
    )
    assert unknown.status_code == 404
    recorded = post_form(
        api,
        "/inspections/inspectors",
        "/inspections/conflicts",
        me,
        {"inspector_id": str(first), "subject": town.penalised.uscc or "", "reason": "近亲属在该单位任职"},
    )
    assert recorded.status_code == 303, recorded.text[:300]
    shown = api.get("/inspections/inspectors", headers=me).text
    assert "近亲属在该单位任职" in shown and "广州抽查处罚有限公司" in shown

    off = post_form(api, "/inspections/inspectors", f"/inspections/inspectors/{first}/active", me, {"active": "0"})
    assert off.status_code == 303
    assert "已停用" in api.get("/inspections/inspectors", headers=me).text
    no_token = api.post(f"/inspections/inspectors/{first}/active", headers=me, data={"active": "1"})
    assert no_token.status_code == 403
