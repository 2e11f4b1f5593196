"""The city's published district results over the web (issue #12 item 4): the API enters (credit office only;
a table without our district refused with its field) and reads the comparison; the page ``/monitoring/city``
shows the table beside our computed score with the explanation, and the office enters a table through its form
(a bad line comes back with its number). SQLite and PostgreSQL."""

from __future__ import annotations

from html import unescape

from fastapi.testclient import TestClient
from principals import add_account, form_token, login_headers
from sqlalchemy.orm import Session

from monitoring import monitoring_data as md
from monitoring.test_city_results import MONTH, SOURCE, table
from xinyong.auth.context import Context
from xinyong.monitoring import service


def test_api(api: TestClient, db: Session, ctx: Context) -> None:
    md.base(ctx)
    office = login_headers(db, add_account(db, "city_office", "credit_office_staff"))
    reader = login_headers(db, add_account(db, "city_reg", "regulator"))
    body = {"month": MONTH, "source": SOURCE, "results": [r.model_dump() for r in table()]}
    assert api.post("/api/v1/monitoring/city-results", json=body, headers=reader).status_code == 403
    created = api.post("/api/v1/monitoring/city-results", json=body, headers=office)
    assert created.status_code == 201 and len(created.json()) == 4
    bad = {**body, "results": [{**r, "own": False} for r in body["results"]]}
    refused = api.post("/api/v1/monitoring/city-results", json=bad, headers=office)
    assert refused.status_code == 422 and refused.json()["field"] == "own"
    shown = api.get(f"/api/v1/monitoring/city-results/{MONTH}", headers=reader).json()
    assert shown["own"]["district"] == "番禺区" and shown["computed_score"] is None
    assert "本平台尚未计算本月监测指标（计算后可对照）。" in shown["explanation"]
    assert api.get("/api/v1/monitoring/city-results", headers=reader).json()[0]["own_rank"] == 3


def _browser(db: Session, name: str, role: str) -> dict[str, str]:
    headers = login_headers(db, add_account(db, name, role))
    db.commit()
    return {"Cookie": headers["Cookie"]}


def test_page_enter_and_compare(api: TestClient, db: Session, ctx: Context) -> None:
    md.everything(ctx)
    run = service.run_month(ctx, MONTH)
    db.commit()
    office = _browser(db, "cityp_office", "credit_office_staff")
    reader = _browser(db, "cityp_reg", "regulator")

    empty = unescape(api.get(f"/monitoring/city?month={MONTH}", headers=office).text)
    assert "本月尚未录入市公布结果" in empty and 'method="post" action="/monitoring/city"' in empty
    assert 'method="post" action="/monitoring/city"' not in unescape(
        api.get(f"/monitoring/city?month={MONTH}", headers=reader).text
    )

    shown = api.get(f"/monitoring/city?month={MONTH}", headers=office)
    lines = "天河区,90.2,1\n越秀区,88,2\n番禺区,86.5,3\n白云区,70,4"
    form = {"csrf_token": form_token(shown.text), "month": MONTH, "source": SOURCE, "own": "番禺区"}
    bad = api.post("/monitoring/city", headers=office, data={**form, "rows": "天河区,90.2,1\n越秀区,八十八,2"})
    assert bad.status_code == 422 and "第 2 行" in unescape(bad.text) and "越秀区,八十八,2" in unescape(bad.text)
    done = api.post("/monitoring/city", headers=office, data={**form, "rows": lines}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == f"/monitoring/city?month={MONTH}&done=entered"

    page = unescape(api.get(done.headers["location"], headers=reader).text)
    assert "天河区" in page and "白云区" in page and "86.5" in page
    assert f"{run.district_score:.2f}" in page  # our computed score beside the city's
    assert "手工指标未填报" in page and "市公布得分" in page
    assert 'data-chart="' in page  # the bar chart's data
