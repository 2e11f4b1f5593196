"""The credit evaluation over HTTP: run (credit office, regulators; one model or all), runs, distribution, explanation
and history (API, by default under the subject's industry model), the validation report (API and page), and the
/evaluation pages (distribution table and chart data, a subject's explanation); SQLite and PostgreSQL."""

from __future__ import annotations

import json
import re
from datetime import date
from html import unescape

from fastapi.testclient import TestClient
from principals import add_account, form_token, login_headers
from sqlalchemy.orm import Session

from factories import company, uscc
from records_factories import make_batch, make_record
from xinyong.auth.context import Context
from xinyong.subjects.industry_service import set_industry
from xinyong.subjects.models import Department, Subject

CHART = re.compile(r'id="evaluation-grade-chart" class="quality-chart" data-chart="([^"]*)"')
DOC = "番市监罚〔2026〕951号"


def setup(ctx: Context, departments: tuple[Department, Department]) -> Subject:
    company(ctx, "广州网页清白有限公司", 950)
    firm = company(ctx, "广州网页处罚有限公司", 951)
    record = make_record(
        ctx.session, make_batch(ctx.session, departments[0]), doc_no=DOC, decided_on=date(2026, 6, 1), subject=firm
    )
    record.severity = "serious"
    ctx.session.commit()
    return firm


def test_office_runs_and_staff_read_the_explanation(
    api: TestClient, db: Session, ctx: Context, departments: tuple[Department, Department]
) -> None:
    firm = setup(ctx, departments)
    office = login_headers(db, add_account(db, "e_office", "credit_office_staff"))
    regulator = login_headers(db, add_account(db, "e_regulator", "regulator"))
    officer = login_headers(db, add_account(db, "e_officer", "department_officer", department_id=departments[0].id))
    denied = api.post("/api/v1/evaluation/runs", headers=officer, json={"as_of": "2026-11-27"})
    assert denied.status_code == 403
    ran = api.post("/api/v1/evaluation/runs", headers=office, json={"as_of": "2026-11-27"})
    assert ran.status_code == 200, ran.text
    run = ran.json()
    assert (run["model"], run["subjects"], run["grades"]) == ("general", 2, {"A": 1, "B": 0, "C": 1, "D": 0})
    bad = api.post("/api/v1/evaluation/runs", headers=office, json={"as_of": "2026-11-27", "model": "nope"})
    assert bad.status_code == 422 and "nope" in bad.text

    runs = api.get("/api/v1/evaluation/runs", headers=regulator).json()
    assert [r["run_id"] for r in runs] == [run["run_id"]]
    dist = api.get(f"/api/v1/evaluation/runs/{run['run_id']}/distribution", headers=regulator).json()
    assert [(g["grade"], g["subjects"]) for g in dist["grades"]] == [("A", 1), ("B", 0), ("C", 1), ("D", 0)]
    shown = api.get(
        f"/api/v1/evaluation/subjects/{firm.id}/explanation", headers=regulator, params={"as_of": "2026-11-27"}
    ).json()
    assert (shown["score"], shown["grade"]) == (70.0, "C")
    serious = next(i for d in shown["dimensions"] for i in d["indicators"] if i["code"] == "penalty_serious")
    assert [r["doc_no"] for r in serious["records"]] == [DOC]
    history = api.get(f"/api/v1/evaluation/subjects/{firm.id}/history", headers=regulator).json()
    assert [(h["as_of"], h["grade"]) for h in history] == [("2026-11-27", "C")]
    assert api.get("/api/v1/evaluation/runs/999999/distribution", headers=regulator).status_code == 404


def test_pages_show_the_distribution_and_why_a_subject_is_graded_c(
    api: TestClient, db: Session, ctx: Context, departments: tuple[Department, Department]
) -> None:
    setup(ctx, departments)
    office = login_headers(db, add_account(db, "e_office2", "credit_office_staff"))
    empty = api.get("/evaluation", headers=office)
    assert empty.status_code == 200 and "尚未运行评价" in empty.text
    api.post("/api/v1/evaluation/runs", headers=office, json={"as_of": "2026-11-27"})
    page = api.get("/evaluation", headers=office)
    assert page.status_code == 200 and "较高风险" in page.text and "<script>" not in page.text
    chart = json.loads(unescape(CHART.search(page.text).group(1)))  # type: ignore[union-attr]
    assert chart["subjects"] == [1, 0, 1, 0]
    subject = api.get("/evaluation/subject", headers=office, params={"q": uscc(951), "as_of": "2026-11-27"})
    assert subject.status_code == 200
    assert "C 级（较高风险）" in subject.text and DOC in subject.text and "-30 分" in subject.text
    missing = api.get("/evaluation/subject", headers=office, params={"q": uscc(999)})
    assert missing.status_code == 404 and "未找到" in missing.text
    assert api.get("/evaluation", follow_redirects=False).status_code in (303, 401)


def test_regulator_runs_all_models_and_the_industry_model_explains_by_default(
    api: TestClient, db: Session, ctx: Context, departments: tuple[Department, Department]
) -> None:
    firm = setup(ctx, departments)
    set_industry(ctx, firm.id, "construction")
    ctx.session.commit()
    regulator = login_headers(db, add_account(db, "e_regulator3", "regulator"))
    ran = api.post("/api/v1/evaluation/runs/all", headers=regulator, json={"as_of": "2026-11-27"})
    assert ran.status_code == 200, ran.text
    assert [(r["model"], r["subjects"]) for r in ran.json()] == [
        ("general", 2),
        ("construction", 1),
        ("fire_safety_service", 0),
        ("off_campus_training", 0),
    ]
    url = f"/api/v1/evaluation/subjects/{firm.id}"
    shown = api.get(f"{url}/explanation", headers=regulator, params={"as_of": "2026-11-27"}).json()
    assert (shown["model"], shown["score"], shown["industry"], shown["industry_model"]) == (
        "construction",
        64.0,
        "construction",
        "construction",
    )
    general = api.get(f"{url}/explanation", headers=regulator, params={"as_of": "2026-11-27", "model": "general"})
    assert general.json()["score"] == 70.0
    history = api.get(f"{url}/history", headers=regulator).json()
    assert [(h["model"], h["score"]) for h in history] == [("construction", 64.0)]
    page = api.get("/evaluation/subject", headers=regulator, params={"q": uscc(951), "as_of": "2026-11-27"})
    assert page.status_code == 200 and "行业：建筑业" in page.text and "建筑业企业信用评价（行业模型）" in page.text
    assert "model=general" in page.text and "64 分" not in page.text and "<strong>64</strong>" in page.text
    plain = api.get(
        "/evaluation/subject", headers=regulator, params={"q": uscc(951), "as_of": "2026-11-27", "model": "general"}
    )
    assert "<strong>70</strong>" in plain.text and "按行业模型查看" in plain.text


def test_validation_report_api_and_page(
    api: TestClient, db: Session, ctx: Context, departments: tuple[Department, Department]
) -> None:
    setup(ctx, departments)
    regulator = login_headers(db, add_account(db, "e_regulator4", "regulator"))
    params = {"model": "general", "from": "2026-05", "to": "2026-06", "horizon": 1}
    report = api.get("/api/v1/evaluation/validation", headers=regulator, params=params)
    assert report.status_code == 200, report.text
    body = report.json()
    assert [m["grades"]["C"] for m in body["months"]] == [0, 1] and body["months"][0]["bad"]["A"] == 1
    assert body["transitions"][0]["matrix"]["A"] == {"A": 1, "B": 0, "C": 1, "D": 0}
    bad = api.get("/api/v1/evaluation/validation", headers=regulator, params={**params, "to": "2026-12"})
    assert bad.status_code == 422 and "晚于今天" in bad.text
    page = api.get("/evaluation/validation", headers=regulator, params=params)
    assert page.status_code == 200 and "<script>" not in page.text
    assert "迁移矩阵" in page.text and "2026-06-30" in page.text and "<svg" in page.text
    default = api.get("/evaluation/validation", headers=regulator)
    assert default.status_code == 200 and 'value="2025-11"' in default.text and 'value="2026-10"' in default.text
    wrong = api.get("/evaluation/validation", headers=regulator, params={"from": "2026-7", "to": "2026-05"})
    assert wrong.status_code == 422 and "起始月份不能晚于截止月份" in wrong.text
    public = api.get("/evaluation/validation", follow_redirects=False)
    assert public.status_code in (303, 401)


def test_regulator_runs_the_evaluation_from_the_page(
    api: TestClient, db: Session, ctx: Context, departments: tuple[Department, Department]
) -> None:
    setup(ctx, departments)
    regulator = login_headers(db, add_account(db, "e_regulator_page", "regulator"))
    page = api.get("/evaluation", headers=regulator)
    assert "运行评价" in page.text
    token = form_token(page.text)
    ran = api.post(
        "/evaluation/run",
        headers=regulator,
        data={"as_of": "2026-11-27", "model": "general", "csrf_token": token},
        follow_redirects=False,
    )
    assert ran.status_code == 303
    shown = api.get(ran.headers["location"], headers=regulator)
    assert "较高风险" in shown.text and "参评主体 2 户" in shown.text
    bad = api.post("/evaluation/run", headers=regulator, data={"as_of": "昨天", "csrf_token": token})
    assert bad.status_code == 422 and "请填写评价基准日" in bad.text
    cookie_only = {"Cookie": regulator["Cookie"]}
    no_token = api.post("/evaluation/run", headers=cookie_only, data={"as_of": "2026-11-27"}, follow_redirects=False)
    assert no_token.status_code == 403
    officer = login_headers(
        db, add_account(db, "e_officer_page", "department_officer", department_id=departments[0].id)
    )
    officer_page = api.get("/evaluation", headers=officer)
    assert "运行评价" not in officer_page.text
    denied = api.post(
        "/evaluation/run", headers=officer, data={"as_of": "2026-11-27", "csrf_token": form_token(officer_page.text)}
    )
    assert denied.status_code == 403
