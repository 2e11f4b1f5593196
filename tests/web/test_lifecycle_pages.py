"""公示状态 pages: ``/my/records`` (status and the objection / repair links only where possible; the credit office
names the subject; other days) and ``/records/{id}/lifecycle`` (regime, severity, ends, effects; the revoke form
for the record's department only, with CSRF, refused input shown again with its reason)."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient
from principals import add_account, form_token, login_headers
from sqlalchemy.orm import Session
from webdata import Registry

from regime_records import effect, regime_record
from xinyong.auth.context import Context
from xinyong.records.effects import effects_of
from xinyong.subjects.models import Department


def test_my_records_page(
    client: TestClient, db: Session, ctx: Context, departments: tuple[Department, Department], registry: Registry
) -> None:
    dept = departments[0]
    firm = registry.hefeng
    repairable = regime_record(db, dept, date(2026, 5, 6), subject=firm)
    young = regime_record(db, dept, date(2026, 10, 9), subject=firm)
    disputed = regime_record(db, dept, date(2026, 4, 20), subject=firm)
    effect(ctx, disputed, "objection", date(2026, 11, 2))
    revoked = regime_record(db, dept, date(2026, 3, 2), subject=firm)
    effect(ctx, revoked, "revoked", date(2026, 6, 1))
    headers = login_headers(db, add_account(db, "firm_user", "subject", subject_id=firm.id))
    r = client.get("/my/records", headers=headers)
    assert r.status_code == 200
    html = r.text
    assert f"我的信用记录：{firm.name}" in html and "共 4 条记录" in html
    assert f'href="/objections/new?record_id={repairable.id}"' in html
    assert f'href="/repairs/new?record_id={repairable.id}"' in html
    assert f'href="/objections/new?record_id={young.id}"' in html and f"/repairs/new?record_id={young.id}" not in html
    for other in (disputed, revoked):
        assert f"record_id={other.id}" not in html
    assert '<span class="badge badge-warn">异议中</span>' in html and "已撤销" in html
    assert "2026年8月6日" in html  # end of the minimum period of the repairable record
    past = client.get("/my/records", params={"as_of": "2026-05-01"}, headers=headers).text
    assert "截至 2026年5月1日" in past and "未到公示日" in past and "/repairs/new" not in past
    bad = client.get("/my/records", params={"as_of": "2026-13-01"}, headers=headers)
    assert bad.status_code == 422 and "日期格式应为 YYYY-MM-DD" in bad.text


def test_my_records_for_the_office_and_others(
    client: TestClient, db: Session, departments: tuple[Department, Department], registry: Registry
) -> None:
    regime_record(db, departments[0], date(2026, 5, 6), subject=registry.hefeng)
    office = login_headers(db, add_account(db, "office_desk", "credit_office_staff"))
    missing = client.get("/my/records", headers=office)
    assert missing.status_code == 422 and "请指定信用主体（subject_id）" in missing.text
    named = client.get("/my/records", params={"subject_id": registry.hefeng.id}, headers=office).text
    assert "共 1 条记录" in named and f'name="subject_id" value="{registry.hefeng.id}"' in named
    shop = login_headers(db, add_account(db, "shop_user", "subject", subject_id=registry.shop.id))
    assert client.get("/my/records", params={"subject_id": registry.hefeng.id}, headers=shop).status_code == 403
    assert "平台上没有本主体的信用记录" in client.get("/my/records", headers=shop).text
    officer = login_headers(db, add_account(db, "officer_x", "department_officer", department_id=departments[0].id))
    assert client.get("/my/records", headers=officer).status_code == 403
    assert client.get("/my/records", follow_redirects=False).status_code in (302, 303, 401)


def test_record_lifecycle_page_and_revocation(
    client: TestClient, db: Session, ctx: Context, departments: tuple[Department, Department], registry: Registry
) -> None:
    dept, other = departments
    record = regime_record(db, dept, date(2025, 8, 31), subject=registry.hefeng, basis="《特种设备安全法》第八十八条")
    effect(ctx, record, "objection", date(2026, 5, 1), date(2026, 5, 10))
    db.commit()
    url = f"/records/{record.id}/lifecycle"
    other_officer = login_headers(db, add_account(db, "other_officer", "department_officer", department_id=other.id))
    html = client.get(url, headers=other_officer).text
    assert "国家发展改革委令第58号" in html and "<dt>失信严重程度</dt><dd>一般</dd>" in html
    assert "<dt>最短公示期至</dt><dd>2026年8月31日</dd>" in html  # the special case: one year
    assert "自 2026年4月1日 起，公示期至 2026年8月31日" in html
    assert f"{registry.hefeng.name}：公示期满" in html  # on 2026-11-27
    assert "<td>异议</td>" in html and "登记撤销" not in html  # another department cannot revoke
    on_day = client.get(url, params={"as_of": "2026-05-05"}, headers=other_officer).text
    assert f"{registry.hefeng.name}：异议中" in on_day
    officer = login_headers(db, add_account(db, "own_officer", "department_officer", department_id=dept.id))
    page = client.get(url, headers=officer).text
    assert "登记撤销" in page
    token = form_token(page)
    post = f"/records/{record.id}/revoke"
    refused = client.post(
        post,
        data={"revoked_on": "2026-12-01", "document": "番复决〔2026〕9号", "reason": "复议撤销", "csrf_token": token},
        headers=officer,
    )
    assert refused.status_code == 422 and "撤销日期不能晚于今天" in refused.text and "番复决〔2026〕9号" in refused.text
    cookie_only = {k: v for k, v in officer.items() if k != "X-CSRF-Token"}
    no_csrf = client.post(post, data={"revoked_on": "2026-11-20", "document": "x", "reason": "y"}, headers=cookie_only)
    assert no_csrf.status_code == 403
    done = client.post(
        post,
        data={"revoked_on": "2026-11-20", "document": "番复决〔2026〕9号", "reason": "复议撤销", "csrf_token": token},
        headers=officer,
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"] == f"/records/{record.id}/lifecycle?done=1"
    after = client.get(done.headers["location"], headers=officer).text
    assert "已登记撤销" in after and f"{registry.hefeng.name}：已撤销" in after and "<td>撤销</td>" in after
    assert "登记撤销</button>" not in after
    [revocation] = effects_of(ctx, record, "revoked")
    assert revocation.starts_on == date(2026, 11, 20)
    subject = login_headers(db, add_account(db, "firm_reader", "subject", subject_id=registry.hefeng.id))
    assert client.get(url, headers=subject).status_code == 403
    assert client.get("/records/987654321/lifecycle", headers=officer).status_code == 404
