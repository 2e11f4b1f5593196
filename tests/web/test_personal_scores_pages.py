"""``/personal-scores`` and ``/my/score`` (issue #9 item 2): the office runs the scoring through the form (a
refused date comes back with the reason) and sees runs and the band distribution's chart data; a citizen sees
its band, score, reasons in plain Chinese and history; an enterprise account is told the score is for natural
persons; a subject cannot open the office page. SQLite and PostgreSQL."""

from __future__ import annotations

import json
import re
from html import unescape

from fastapi.testclient import TestClient
from principals import add_account, form_token, login_headers
from sqlalchemy.orm import Session

from incentives.scoring_setup import build
from xinyong.auth.context import Context
from xinyong.subjects.models import Department


def _browser(db: Session, name: str, role: str, subject_id: int | None = None) -> dict[str, str]:
    headers = login_headers(db, add_account(db, name, role, subject_id=subject_id))
    db.commit()
    return {"Cookie": headers["Cookie"]}


def _run(api: TestClient, headers: dict[str, str], as_of: str):
    shown = api.get("/personal-scores", headers=headers)
    assert shown.status_code == 200, shown.text[:300]
    return api.post(
        "/personal-scores/run",
        headers=headers,
        data={"csrf_token": form_token(shown.text), "as_of": as_of, "model": "honesty"},
        follow_redirects=False,
    )


def test_office_and_citizen_pages(
    api: TestClient, db: Session, ctx: Context, departments: tuple[Department, Department]
) -> None:
    people = build(ctx, departments)
    db.commit()
    office = _browser(db, "psp_office", "credit_office_staff")
    citizen = _browser(db, "psp_citizen", "subject", people["capped"].id)
    firm = _browser(db, "psp_firm", "subject", people["firm"].id)

    assert "尚未计算" in unescape(api.get("/my/score", headers=citizen).text)
    empty = unescape(api.get("/personal-scores", headers=office).text)
    assert "尚未计算个人诚信分" in empty and "计算个人诚信分" in empty

    refused = _run(api, office, "1899-01-01")
    assert refused.status_code == 422 and "查询日期应在" in unescape(refused.text)
    assert _run(api, office, "2026-04-30").status_code == 303
    done = _run(api, office, "2026-11-27")
    assert done.status_code == 303 and done.headers["location"] == "/personal-scores?done=run"
    raw = api.get(done.headers["location"], headers=office).text
    page = unescape(raw)
    assert "个人诚信分已计算" in page and "参评自然人 12 人" in page and "（当前批次）" in page
    chart = json.loads(unescape(re.search(r'data-chart="([^"]+)"', raw).group(1)))
    assert chart == {
        "grades": ["信用极好", "信用优秀", "信用良好", "信用一般", "信用较差"],
        "subjects": [0, 1, 6, 1, 4],
    }
    assert "/static/vendor/echarts/echarts.min.js" in page

    mine = unescape(api.get("/my/score", headers=citizen).text)
    assert "信用较差</span> 410 分" in mine
    assert "近三年内受到的严重失信行政处罚（仍在公示期内）：3 条，扣 240 分（本项最多扣 240 分）" in mine
    assert "改善建议" in mine and "2026年4月30日" in mine and "（当前）" in mine

    told = api.get("/my/score", headers=firm)
    assert told.status_code == 422 and "仅适用于自然人" in unescape(told.text)
    assert api.get("/personal-scores", headers=citizen).status_code == 403
    assert api.get("/my/score", headers=office).status_code == 403
