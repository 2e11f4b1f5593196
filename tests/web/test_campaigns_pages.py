"""``/special-campaigns`` pages (issue #11 item 6): the office runs the detection on the violators page and exports it,
creates a campaign through the form (a bad one comes back with the reason), adds the run's violators and sees them
on the campaign (the done-when), the lead unit's officer updates a target and reports progress, a department that
takes no part sees no form and is refused; SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from html import unescape

from fastapi.testclient import TestClient
from principals import add_account, form_token, login_headers
from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns import campaign_factories as cf
from xinyong.auth.context import Context
from xinyong.campaigns.models import Campaign, CampaignTarget
from xinyong.subjects.models import Department

AS_OF = cf.AS_OF


def _browser(db: Session, name: str, role: str, department: Department | None = None) -> dict[str, str]:
    headers = login_headers(db, add_account(db, name, role, department_id=department.id if department else None))
    db.commit()
    return {"Cookie": headers["Cookie"]}


def _post(api: TestClient, page: str, action: str, headers: dict[str, str], data: dict[str, object]):
    shown = api.get(page, headers=headers)
    assert shown.status_code == 200, shown.text[:300]
    return api.post(
        action, headers=headers, data={"csrf_token": form_token(shown.text), **data}, follow_redirects=False
    )


def test_campaign_shows_its_repeated_violators(api: TestClient, db: Session, ctx: Context) -> None:
    market = cf.market(db)
    other = cf.department(db, "jtj", "广州市番禺区交通运输局", 4)
    b = cf.batch(db, market)
    repeat, single = cf.firm(ctx, 41), cf.firm(ctx, 42)
    cf.penalties(db, b, repeat, [AS_OF - timedelta(days=d) for d in (3, 30, 300)])
    cf.penalty(db, b, single, AS_OF - timedelta(days=3))
    db.commit()
    office = _browser(db, "cmp_office", "credit_office_staff")
    officer = _browser(db, "cmp_market", "department_officer", market)
    outsider = _browser(db, "cmp_transport", "department_officer", other)

    empty = unescape(api.get("/special-campaigns/violators", headers=office).text)
    assert "尚无检测批次" in empty
    ran = _post(
        api, "/special-campaigns/violators", "/special-campaigns/violators/run", office, {"as_of": AS_OF.isoformat()}
    )
    assert ran.status_code == 303, ran.text[:300]
    listing = unescape(api.get(ran.headers["location"], headers=office).text)
    assert repeat.name in listing and single.name not in listing and "共 1 条" in listing
    run_id = ran.headers["location"].split("run=")[1].split("&")[0]
    exported = api.get(f"/api/v1/campaigns/violators/runs/{run_id}/export?format=csv", headers=office)
    assert exported.status_code == 200 and repeat.name in exported.content.decode("utf-8-sig")
    assert "运行检测" not in api.get("/special-campaigns/violators", headers=officer).text  # officers only read
    refused = api.get("/special-campaigns/violators?min_count=1&as_of=2026-11-27", headers=officer)
    assert refused.status_code == 422 and "处罚次数阈值应为 2 至 100 的整数" in unescape(refused.text)
    ad_hoc = unescape(api.get("/special-campaigns/violators?min_count=2&as_of=2026-11-27", headers=officer).text)
    assert "即时查询结果（未保存）" in ad_hoc and repeat.name in ad_hoc and single.name not in ad_hoc

    bad = _post(
        api,
        "/special-campaigns/new",
        "/special-campaigns/new",
        office,
        {"code": "ZX-WEB-1", "name": "防疫物资专项治理", "lead_unit": "scjgj", "starts_on": "2026-11-01",
         "ends_on": "2026-12-31"},
    )  # fmt: skip
    assert bad.status_code == 422 and "sectors" in unescape(bad.text)
    made = _post(
        api,
        "/special-campaigns/new",
        "/special-campaigns/new",
        office,
        {"code": "ZX-WEB-1", "name": "防疫物资专项治理", "sectors": ["epidemic_supplies"], "lead_unit": "scjgj",
         "units": ["sthjfj"], "starts_on": "2026-11-01", "ends_on": "2026-12-31", "goal": "整治哄抬物价"},
    )  # fmt: skip
    assert made.status_code == 303, made.text[:300]
    page = made.headers["location"].split("?")[0]
    cid = db.scalar(select(Campaign.id).where(Campaign.code == "ZX-WEB-1"))
    added = _post(
        api, page, f"/special-campaigns/{cid}/targets/from-run", office, {"run_id": run_id, "scope": "sector"}
    )
    assert added.status_code == 303
    detail = unescape(api.get(page, headers=officer).text)
    assert "屡禁不止、屡罚不改主体" in detail and repeat.name in detail and "罚款 3 次" in detail
    assert 'id="campaign-status-chart"' in detail and "纳入治理" in detail
    assert "结束行动" not in detail  # the office closes

    target = db.scalar(select(CampaignTarget.id).where(CampaignTarget.campaign_id == cid))
    updated = _post(
        api, page, f"/special-campaigns/targets/{target}", officer, {"status": "rectifying", "outcome": "约谈"}
    )
    assert updated.status_code == 303
    reported = _post(
        api, f"/special-campaigns/{cid}/progress", f"/special-campaigns/{cid}/progress", officer,
        {"unit_code": "scjgj", "note": "检查药店 20 家", "f_subjects_checked": "20", "f_cases_opened": ""},
    )  # fmt: skip
    assert reported.status_code == 303, reported.text[:300]
    refused = _post(
        api, f"/special-campaigns/{cid}/progress", f"/special-campaigns/{cid}/progress", officer,
        {"unit_code": "scjgj", "note": "写错", "f_punished": "很多"},
    )  # fmt: skip
    assert refused.status_code == 422 and "惩戒数应为整数" in unescape(refused.text)
    after = unescape(api.get(page, headers=office).text)
    assert "整改中" in after and "检查药店 20 家" in after

    form = unescape(api.get(f"/special-campaigns/{cid}/progress", headers=outsider).text)
    assert "不能报送进展" in form
    assert '<form method="post" action="/special-campaigns/targets' not in api.get(page, headers=outsider).text
    listed = unescape(api.get("/special-campaigns", headers=outsider).text)
    assert "ZX-WEB-1" in listed, listed[listed.find("<main") :][:3000]
