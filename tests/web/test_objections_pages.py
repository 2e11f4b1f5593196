"""The 异议 and notification pages through a browser-like client (login cookie, the CSRF token from each form):
the applicant fills in the form (errors re-render it in Chinese with what was typed), tracks the case and reads
the decision; the office and the provider work their queues and decide with the version in the form (a stale
form answers 409 with the case as stored); notifications are listed and marked read."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from principals import add_account, form_token, login_headers
from sqlalchemy import select
from sqlalchemy.orm import Session

from factories import company, departments
from records_factories import make_batch, make_record
from xinyong.auth.context import Context
from xinyong.records.models import CreditRecord, Objection
from xinyong.subjects.models import Subject

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n"
REASONS = "该处罚决定已被复议机关撤销，请更正"
VERSION = re.compile(r'name="version" value="(\d+)"')


class Browsers:
    """The people and the record of these tests; each browser holds only its login cookie."""

    def __init__(self, ctx: Context) -> None:
        db = ctx.session
        self.db = db
        self.dept, self.other_dept = departments(db)
        self.firm: Subject = company(ctx, "广州禾丰贸易有限公司", 1)
        self.other_firm: Subject = company(ctx, "广州另一贸易有限公司", 2)
        self.batch = make_batch(db, self.dept)
        self.record = self.penalty("番市监罚〔2026〕1号")
        self.subject = self._browser(add_account(db, "firm", "subject", subject_id=self.firm.id))
        self.other = self._browser(add_account(db, "other", "subject", subject_id=self.other_firm.id))
        self.office = self._browser(add_account(db, "office", "credit_office_staff", display_name="信用办张三"))
        self.officer = self._browser(add_account(db, "officer", "department_officer", department_id=self.dept.id))

    def _browser(self, account: Any) -> dict[str, str]:
        return {"Cookie": login_headers(self.db, account)["Cookie"]}

    def penalty(self, doc_no: str, subject: Subject | None = None) -> CreditRecord:
        return make_record(
            self.db,
            self.batch,
            doc_no=doc_no,
            decided_on=date(2026, 6, 1),
            subject=subject or self.firm,
            publicity_end=date(2027, 5, 31),
        )


@pytest.fixture
def b(ctx: Context) -> Browsers:
    return Browsers(ctx)


def post_form(api: TestClient, page_url: str, action: str, headers: dict[str, str], **fields: Any) -> Any:
    """Open ``page_url``, take its CSRF token, post ``fields`` to ``action`` (no redirects followed)."""
    page = api.get(page_url, headers=headers)
    assert page.status_code == 200, page.text[:300]
    files = fields.pop("files", None)
    data = {"csrf_token": form_token(page.text), **fields}
    return api.post(action, data=data, files=files, headers=headers, follow_redirects=False)


def new_objection(api: TestClient, b: Browsers, record: CreditRecord, **fields: Any) -> Any:
    url = f"/objections/new?record_id={record.id}"
    values = {"record_id": str(record.id), "reasons": REASONS, "contact": "13812345678", **fields}
    return post_form(api, url, "/objections/new", b.subject, **values)


def objection_id(response: Any) -> int:
    assert response.status_code == 303, response.text[:500]
    return int(response.headers["location"].split("?")[0].rsplit("/", 1)[1])


def test_the_applicant_objects_with_evidence_and_tracks_the_case(api: TestClient, b: Browsers) -> None:
    form = api.get(f"/objections/new?record_id={b.record.id}", headers=b.subject)
    assert form.status_code == 200
    assert "番市监罚〔2026〕1号" in form.text and "公示中" in form.text and 'enctype="multipart/form-data"' in form.text
    oid = objection_id(new_objection(api, b, b.record, files=[("files", ("复议决定书.pdf", PDF, "application/pdf"))]))
    page = api.get(f"/objections/{oid}?done=submitted", headers=b.subject)
    assert page.status_code == 200
    text = page.text
    assert "待受理" in text and "2026年12月1日" in text and "异议申请已提交" in text
    assert "复议决定书.pdf" in text and "138****5678" in text and "13812345678" not in text
    assert "撤回异议申请" in text and "/accept" not in text  # the applicant gets no handler form
    mine = api.get("/objections", headers=b.subject)
    assert "我的异议申请" in mine.text and f'href="/objections/{oid}"' in mine.text
    link = re.search(rf'href="(/objections/{oid}/files/\d+)"', text)
    assert link is not None and api.get(link.group(1), headers=b.subject).content == PDF


def test_a_refused_form_is_shown_again_with_the_reason(api: TestClient, b: Browsers, db: Session) -> None:
    short = new_objection(api, b, b.record, reasons="有误", requested_correction="请删除")
    assert short.status_code == 422
    assert "异议理由过短" in short.text and "请删除" in short.text  # what was typed is kept
    bad_file = new_objection(api, b, b.record, files=[("files", ("说明.exe", b"MZ", "application/octet-stream"))])
    assert bad_file.status_code == 422 and "类型不受支持" in bad_file.text
    assert db.scalar(select(Objection.id)) is None
    objection_id(new_objection(api, b, b.record))
    # the form is not even offered again; a second post (e.g. a double click) is refused as a double submission
    offered = api.get(f"/objections/new?record_id={b.record.id}", headers=b.subject)
    assert offered.status_code == 409 and "请勿重复提交" in offered.text and 'name="reasons"' not in offered.text
    token = form_token(api.get("/objections", headers=b.subject).text)
    twice = api.post(
        "/objections/new",
        data={"csrf_token": token, "record_id": str(b.record.id), "reasons": REASONS},
        headers=b.subject,
        follow_redirects=False,
    )
    assert twice.status_code == 409 and "请勿重复提交" in twice.text
    theirs = b.penalty("番市监罚〔2026〕2号", subject=b.other_firm)
    refused = api.get(f"/objections/new?record_id={theirs.id}", headers=b.subject)
    assert refused.status_code == 403 and "不是本主体" in refused.text and 'name="reasons"' not in refused.text
    missing = api.get("/objections/new?record_id=987654", headers=b.subject)
    assert missing.status_code == 404 and "不存在" in missing.text
    assert api.get("/objections/new?record_id=abc", headers=b.subject).status_code == 422
    assert api.get(f"/objections/new?record_id={b.record.id}", headers=b.officer).status_code == 403


def test_handlers_work_their_queues_and_a_stale_form_is_refused(api: TestClient, b: Browsers, db: Session) -> None:
    oid = objection_id(new_objection(api, b, b.record))
    queue = api.get("/objections", headers=b.office)
    assert "异议待办" in queue.text and f'href="/objections/{oid}"' in queue.text and "2026年12月1日" in queue.text
    url = f"/objections/{oid}"
    page = api.get(url, headers=b.office)
    assert "13812345678" in page.text and f'action="/objections/{oid}/accept"' in page.text
    stale_version = VERSION.search(page.text)
    assert stale_version is not None and stale_version.group(1) == "1"
    accepted = post_form(api, url, f"{url}/accept", b.office, version="1")
    assert accepted.status_code == 303 and accepted.headers["location"] == f"{url}?done=accept"
    # another handler still looking at version 1 refuses: 409, the case is shown as stored, nothing overwritten
    token = form_token(api.get(url, headers=b.office).text)
    late = api.post(
        f"{url}/refuse",
        data={"csrf_token": token, "version": "1", "reason": "不予受理"},
        headers=b.office,
        follow_redirects=False,
    )
    assert late.status_code == 409 and "已被他人处理或更新" in late.text and "平台自查中" in late.text
    assert db.get(Objection, oid).status == "accepted"  # type: ignore[union-attr]
    handed = post_form(api, url, f"{url}/self-check", b.office, version="2", result="pass_to_provider", note="")
    assert handed.status_code == 303
    dept_queue = api.get("/objections", headers=b.officer)
    assert f'href="/objections/{oid}"' in dept_queue.text and "数据提供单位核查" in dept_queue.text
    bad = post_form(
        api,
        url,
        f"{url}/verify",
        b.officer,
        version="3",
        outcome="corrected",
        reason="更正",
        corrected_values="没有等号",
    )
    assert bad.status_code == 422 and "第 1 行" in bad.text
    done = post_form(api, url, f"{url}/verify", b.officer, version="3", outcome="upheld", reason="经核查记录无误")
    assert done.status_code == 303
    final = api.get(url, headers=b.subject)
    assert "维持原记录" in final.text and "经核查记录无误" in final.text and "撤回异议申请" not in final.text


def test_notifications_page_and_mark_read(api: TestClient, b: Browsers, db: Session) -> None:
    oid = objection_id(new_objection(api, b, b.record))
    page = api.get("/notifications", headers=b.subject)
    assert page.status_code == 200 and "已收到您对" in page.text and "未读 1 条" in page.text
    assert f'href="/objections/{oid}"' in page.text
    mark = re.search(r'action="(/notifications/\d+/read)"', page.text)
    assert mark is not None
    marked = api.post(
        mark.group(1), data={"csrf_token": form_token(page.text)}, headers=b.subject, follow_redirects=False
    )
    assert marked.status_code == 303 and marked.headers["location"] == "/notifications"
    assert "没有未读消息" in api.get("/notifications", headers=b.subject).text
    office = api.get("/notifications?unread=1", headers=b.office)
    assert "收到对" in office.text and "已收到您对" not in office.text
    foreign = api.post(mark.group(1), data={"csrf_token": form_token(office.text)}, headers=b.office)
    assert foreign.status_code == 404
    no_token = api.post(mark.group(1), headers=b.subject)
    assert no_token.status_code == 403


def test_anonymous_visitors_go_to_the_login_page(api: TestClient, b: Browsers) -> None:
    for url in ("/objections", "/objections/new?record_id=1", "/notifications", "/objections/1"):
        answer = api.get(url, follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"].startswith("/login?next=")
    oid = objection_id(new_objection(api, b, b.record))
    stranger = api.get(f"/objections/{oid}", headers=b.other)
    assert stranger.status_code == 403 and REASONS not in stranger.text
    assert api.get("/objections/987654", headers=b.office).status_code == 404
