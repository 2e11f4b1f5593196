"""信用修复 pages: the applicant's side (own records with their eligibility, the eligibility shown first with
reasons, the form with the pre-filled commitment and materials, tracking the decision), the handler's queue and
decision forms carrying the version (a stale form shows a 409 page), the record leaving the public pages once
granted, external lists, and who may see what. Logged-in browsers send the session cookie; forms carry the CSRF
token from the page."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from datetime import date

import pytest
from fastapi.testclient import TestClient
from principals import add_account, form_token, login_headers
from sqlalchemy import select
from sqlalchemy.orm import Session

import factories
from repairs_factories import COMMITMENT, OBLIGATIONS, PDF, SIGNER, penalty_record
from xinyong.auth.context import Context
from xinyong.records.models import CreditRecord, RepairApplication
from xinyong.subjects.models import Department, Subject

_SERIAL = itertools.count(1)
VERSION = re.compile(r'name="version" value="(\d+)"')


def browser(db: Session, role: str, **scope: object) -> dict[str, str]:
    headers = login_headers(db, add_account(db, f"r_{role}_{next(_SERIAL)}", role, **scope))
    return {"Cookie": headers["Cookie"]}


@dataclass
class Scene:
    firm: Subject
    dept: Department
    other_dept: Department
    record: CreditRecord
    young: CreditRecord
    applicant: dict[str, str]
    officer: dict[str, str]
    office: dict[str, str]


@pytest.fixture
def scene(db: Session, ctx: Context, departments: tuple[Department, Department]) -> Scene:
    firm = factories.company(ctx, "广州禾丰贸易有限公司", 601)
    dept, other = departments
    return Scene(
        firm=firm,
        dept=dept,
        other_dept=other,
        record=penalty_record(db, dept, firm),
        young=penalty_record(db, dept, firm, decided_on=date(2026, 10, 9), min_end=date(2027, 1, 9)),
        applicant=browser(db, "subject", subject_id=firm.id),
        officer=browser(db, "department_officer", department_id=dept.id),
        office=browser(db, "credit_office_staff"),
    )


def submit_application(api: TestClient, s: Scene, **changes: str) -> int:
    page = api.get(f"/repairs/new?record_id={s.record.id}", headers=s.applicant)
    fields = {
        "csrf_token": form_token(page.text),
        "record_id": str(s.record.id),
        "obligations": OBLIGATIONS,
        "commitment_text": COMMITMENT,
        "signer_name": SIGNER,
        **changes,
    }
    response = api.post(
        "/repairs/new",
        data=fields,
        files=[("files", ("履行完毕证明.pdf", PDF, "application/pdf"))],
        headers=s.applicant,
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text[:400]
    return int(response.headers["location"].split("/")[2].split("?")[0])


def decide(api: TestClient, headers: dict[str, str], rid: int, action: str, version: str | None = None, **form: str):  # type: ignore[no-untyped-def]
    page = api.get(f"/repairs/{rid}", headers=headers)
    shown = version or VERSION.search(page.text).group(1)  # type: ignore[union-attr]
    data = {"csrf_token": form_token(page.text), "action": action, "version": shown, **form}
    return api.post(f"/repairs/{rid}/decide", data=data, headers=headers, follow_redirects=False)


def test_the_applicant_sees_eligibility_first_then_applies(api: TestClient, db: Session, scene: Scene) -> None:
    s = scene
    choose = api.get("/repairs/new", headers=s.applicant)
    assert choose.status_code == 200
    assert f'href="/repairs/new?record_id={s.record.id}"' in choose.text
    assert "2027-01-10 起方可申请" in choose.text  # the young record: reason instead of a link
    early = api.get(f"/repairs/new?record_id={s.young.id}", headers=s.applicant)
    assert "最短公示期已届满" in early.text and "暂不符合申请条件" in early.text
    assert 'action="/repairs/new"' not in early.text.replace('method="get" action="/repairs/new"', "")
    page = api.get(f"/repairs/new?record_id={s.record.id}", headers=s.applicant)
    assert "符合申请条件" in page.text and 'enctype="multipart/form-data"' in page.text
    assert f"本主体{s.firm.name}郑重承诺" in page.text  # the commitment template, filled in
    assert "履行完毕证明（必交）" in page.text
    rid = submit_application(api, s)
    detail = api.get(f"/repairs/{rid}?done=submit", headers=s.applicant)
    assert "信用修复申请" in detail.text and "待受理" in detail.text and "申请已提交" in detail.text
    assert f'href="/repairs/{rid}/files/' in detail.text and COMMITMENT in detail.text
    assert 'name="action"' not in detail.text  # the applicant has no decision forms
    listing = api.get("/repairs", headers=s.applicant)
    assert "我的申请" in listing.text and f'href="/repairs/{rid}"' in listing.text
    again = api.get(f"/repairs/new?record_id={s.record.id}", headers=s.applicant)
    assert f'href="/repairs/{rid}"' in again.text and "请勿重复提交" in again.text


def test_form_errors_are_shown_and_nothing_is_stored(api: TestClient, db: Session, scene: Scene) -> None:
    s = scene
    page = api.get(f"/repairs/new?record_id={s.record.id}", headers=s.applicant)
    response = api.post(
        "/repairs/new",
        data={
            "csrf_token": form_token(page.text),
            "record_id": str(s.record.id),
            "obligations": OBLIGATIONS,
            "commitment_text": COMMITMENT,
            "signer_name": SIGNER,
        },
        headers=s.applicant,
    )
    assert response.status_code == 422 and "请上传证明材料：履行完毕证明" in response.text
    assert OBLIGATIONS in response.text  # what was typed is kept
    assert db.scalars(select(RepairApplication)).all() == []
    no_token = api.post("/repairs/new", data={"record_id": str(s.record.id)}, headers=s.applicant)
    assert no_token.status_code == 403


def test_the_department_accepts_and_grants_and_the_record_leaves_the_public_pages(
    api: TestClient, db: Session, scene: Scene
) -> None:
    s = scene
    rid = submit_application(api, s)
    assert api.get(f"/gongshi/penalty/{s.record.id}").status_code == 200
    queue = api.get("/repairs", headers=s.officer)
    assert "办理队列" in queue.text and f'href="/repairs/{rid}"' in queue.text and "2026年12月2日" in queue.text
    detail = api.get(f"/repairs/{rid}", headers=s.officer)
    assert 'value="accept"' in detail.text and 'value="refuse"' in detail.text and 'name="version"' in detail.text
    empty = decide(api, s.officer, rid, "refuse", reason="")
    assert empty.status_code == 422 and "请填写不予受理的理由" in empty.text
    accepted = decide(api, s.officer, rid, "accept", reason="材料齐全")
    assert accepted.status_code == 303 and accepted.headers["location"] == f"/repairs/{rid}?done=accept"
    stale = decide(api, s.office, rid, "reject", version="1", reason="不予")
    assert stale.status_code == 409 and "已被他人处理" in stale.text
    granted = decide(api, s.officer, rid, "grant", reason="已缴清罚款并完成整改")
    assert granted.status_code == 303
    done = api.get(granted.headers["location"], headers=s.applicant)
    assert "准予修复" in done.text and "已缴清罚款并完成整改" in done.text and "已修复" in done.text
    assert api.get(f"/gongshi/penalty/{s.record.id}").status_code == 404
    page = api.get(f"/repairs/{rid}", headers=s.office).text
    history = page[page.index("repair-history") :]
    steps = re.findall(r"<tr>\s*<td>[^<]*</td>\s*<td>([^<]+)</td>", history)
    assert steps == ["提交申请", "受理", "准予修复"]


def test_who_may_see_what(api: TestClient, db: Session, scene: Scene) -> None:
    s = scene
    rid = submit_application(api, s)
    other_officer = browser(db, "department_officer", department_id=s.other_dept.id)
    other_firm = factories.company(Context(session=db, actor="t", role="system"), "广州另一贸易有限公司", 602)
    assert api.get(f"/repairs/{rid}", headers=other_officer).status_code == 403
    assert api.get(f"/repairs/{rid}", headers=browser(db, "subject", subject_id=other_firm.id)).status_code == 403
    assert api.get(f"/repairs/{rid}", headers=browser(db, "regulator")).status_code == 403
    assert f'href="/repairs/{rid}"' not in api.get("/repairs", headers=other_officer).text
    anonymous = api.get("/repairs", follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")
    assert api.get("/repairs/new", headers=s.officer).status_code == 403
    download = api.get(f"/repairs/{rid}", headers=s.officer).text
    file_link = re.search(rf'href="(/repairs/{rid}/files/\d+)"', download)
    assert file_link is not None
    got = api.get(file_link.group(1), headers=s.officer)
    assert got.status_code == 200 and got.content == PDF


def test_external_list_application_and_result(api: TestClient, db: Session, scene: Scene) -> None:
    s = scene
    page = api.get("/repairs/external/new", headers=s.applicant)
    assert "失信被执行人名单" in page.text and "人民法院" in page.text and "3 个工作日内同步" in page.text
    response = api.post(
        "/repairs/external/new",
        data={
            "csrf_token": form_token(page.text),
            "external_list": "court_dishonest_debtor",
            "external_ref": "(2025)粤0113执1234号",
            "obligations": "已履行生效判决确定的全部义务",
        },
        files=[("files", ("结案证明.pdf", PDF, "application/pdf"))],
        headers=s.applicant,
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text[:300]
    rid = int(response.headers["location"].split("/")[2].split("?")[0])
    detail = api.get(f"/repairs/{rid}", headers=s.applicant).text
    assert "已转办" in detail and "(2025)粤0113执1234号" in detail
    queue = api.get("/repairs?kind=external", headers=s.office)
    assert f'href="/repairs/{rid}"' in queue.text
    assert api.get(f"/repairs/{rid}", headers=s.officer).status_code == 403
    result = decide(api, s.office, rid, "result", result="granted", reason="执行法院已删除失信信息")
    assert result.status_code == 303
    final = api.get(f"/repairs/{rid}", headers=s.applicant).text
    assert "准予修复" in final and "执行法院已删除失信信息" in final
