"""Pages of the incentive scenarios (issue #9 items 3–4): the public catalogue; the person's /my/consents (band,
issue with the token shown once, list, revoke); the provider's /incentives/provider (符合 / 不符合 only, a reused
token refused); the office's /incentives/admin (register a provider through the form, statistics and chart data,
CSV / Excel export); who may open which page. SQLite and PostgreSQL."""

from __future__ import annotations

import io
import json
import re
from html import unescape

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from principals import add_account, form_token, login_headers
from sqlalchemy import select
from sqlalchemy.orm import Session

from factories import uscc
from incentives import incentive_factories as f
from xinyong.auth.context import Context
from xinyong.incentives.models import ConsentToken, IncentiveProvider

TOKEN = re.compile(r"XYC(?:-[A-Z2-9]{5}){4}")


def _browser(db: Session, name: str, role: str, **scope: object) -> dict[str, str]:
    headers = login_headers(db, add_account(db, name, role, **scope))  # type: ignore[arg-type]
    db.commit()
    return {"Cookie": headers["Cookie"]}


def _post(api: TestClient, page: str, action: str, headers: dict[str, str], data: dict[str, str]):  # type: ignore[no-untyped-def]
    shown = api.get(page, headers=headers)
    assert shown.status_code == 200, shown.text[:300]
    return api.post(
        action, headers=headers, data={"csrf_token": form_token(shown.text), **data}, follow_redirects=False
    )


def test_public_catalogue_page(api: TestClient) -> None:
    page = api.get("/incentives")
    assert page.status_code == 200
    text = unescape(page.text)
    for category in ("信用+医疗", "信用+交通", "信用+家政", "信用+租赁", "信用+旅游"):
        assert category in text
    assert "租赁住房免交押金" in text and "信用优秀" in text and "登录后授权" in text


def test_person_issues_sees_once_and_revokes(api: TestClient, db: Session, ctx: Context) -> None:
    rental = f.provider(db)
    someone = f.person(ctx)
    f.give_band(db, someone, "very_good")
    db.commit()
    me = _browser(db, "pg_person", "subject", subject_id=someone.id)
    page = unescape(api.get("/my/consents", headers=me).text)
    assert "信用优秀" in page and "信用+租赁" in page and "尚无授权" in page
    answer = _post(
        api, "/my/consents", "/my/consents", me, {"choice": f"{rental.id}:rental_deposit_waiver", "days": ""}
    )
    assert answer.status_code == 201 and answer.headers["cache-control"] == "no-store"
    shown = TOKEN.findall(answer.text)
    assert len(shown) == 1 and "只显示这一次" in unescape(answer.text)
    again = api.get("/my/consents", headers=me).text
    assert not TOKEN.findall(again) and "有效" in again  # listed, never shown again
    bad = _post(
        api, "/my/consents", "/my/consents", me, {"choice": f"{rental.id}:rental_deposit_waiver", "days": "9999"}
    )
    assert bad.status_code == 422 and "有效期" in unescape(bad.text)
    consent = db.scalars(select(ConsentToken)).one()
    revoked = _post(api, "/my/consents", f"/my/consents/{consent.id}/revoke", me, {})
    assert revoked.status_code == 303 and revoked.headers["location"] == "/my/consents?done=revoked"
    assert "已撤回" in unescape(api.get("/my/consents?done=revoked", headers=me).text)


def test_provider_page_shows_only_the_answer(api: TestClient, db: Session, ctx: Context) -> None:
    rental = f.provider(db)
    other = f.provider(db, "番禺另一家租房公司", "rental", 7003)
    someone = f.person(ctx, name="陈守信")
    f.give_band(db, someone, "excellent")
    me = f.person_ctx(db, someone)
    from xinyong.incentives import service

    raw, _ = service.issue_consent(me, rental.id, "rental_deposit_waiver")
    db.commit()
    desk = _browser(db, "pg_desk", "provider", institution=f.RENTAL)
    answer = _post(
        api, "/incentives/provider", "/incentives/provider", desk, {"token": raw, "scenario": "rental_deposit_waiver"}
    )
    text = unescape(answer.text)
    assert answer.status_code == 200 and "incentive-eligible" in text and "incentive-not-eligible" not in text
    assert "陈守信" not in text and "信用极好" not in text and "780" not in text
    thief = _browser(db, "pg_thief", "provider", institution=other.name)
    reused = _post(
        api, "/incentives/provider", "/incentives/provider", thief, {"token": raw, "scenario": "rental_deposit_waiver"}
    )
    assert reused.status_code == 403 and "不是授予本机构" in unescape(reused.text)
    office = _browser(db, "pg_office_x", "credit_office_staff")
    assert api.get("/incentives/provider", headers=office).status_code == 403


def test_office_admin_page_register_stats_export(api: TestClient, db: Session, ctx: Context) -> None:
    office = _browser(db, "pg_office", "credit_office_staff")
    registered = _post(
        api,
        "/incentives/admin",
        "/incentives/admin/providers",
        office,
        {"name": f.TOURISM, "uscc": uscc(7004), "kind": "tourism"},
    )
    assert registered.status_code == 303
    tour = db.scalars(select(IncentiveProvider).where(IncentiveProvider.name == f.TOURISM)).one()
    refused = _post(
        api, "/incentives/admin", "/incentives/admin/providers", office, {"name": "坏", "uscc": "1", "kind": "tourism"}
    )
    assert refused.status_code == 422 and "统一社会信用代码无效" in unescape(refused.text)
    from xinyong.incentives import service

    someone = f.person(ctx)
    f.give_band(db, someone, "good")
    raw, _ = service.issue_consent(f.person_ctx(db, someone), tour.id, "tourism_discount")
    service.check_eligibility(f.provider_ctx(db, f.TOURISM), raw, "tourism_discount")
    db.commit()
    page = api.get("/incentives/admin", headers=office)
    assert page.status_code == 200 and "/static/vendor/echarts/echarts.min.js" in page.text
    chart = json.loads(unescape(re.search(r'data-chart="([^"]+)"', page.text).group(1)))  # type: ignore[union-attr]
    assert chart["scenarios"][4] == "信用+旅游" and chart["eligible"][4] == 1
    csv = api.get("/incentives/admin/stats.csv", headers=office)
    assert csv.status_code == 200 and "tourism_discount" in csv.text and f.TOURISM in csv.text
    xlsx = api.get("/incentives/admin/stats.xlsx", headers=office)
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert [c.value for c in sheet[1]][:3] == ["场景", "服务提供方", "月份"] and sheet.max_row == 2
    suspended = _post(
        api, "/incentives/admin", f"/incentives/admin/providers/{tour.id}/active", office, {"active": "0"}
    )
    assert suspended.status_code == 303
    db.refresh(tour)
    assert tour.active is False
    person = _browser(db, "pg_someone", "subject", subject_id=someone.id)
    assert api.get("/incentives/admin", headers=person).status_code == 403
    anonymous = api.get("/incentives/admin", follow_redirects=False)
    assert anonymous.status_code in (303, 401)
