"""Issue #5 "Done when", tried as a new user would, over HTTP with the clock moved through 2021:

an enterprise with a 2021 penalty objects to it and is refused; it applies for repair too early and is told why;
after the minimum period it applies with a credit-repair commitment, the department grants it, and the record
leaves the public pages (the days before keep their history), stops counting for evaluation, and the audit log
tells the whole story in order.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from fastapi.testclient import TestClient
from principals import add_account, form_token, login_headers
from sqlalchemy import select
from sqlalchemy.orm import Session
from test_intake_web import (
    SCJGJ_USCC,
    cookie_only,
    depts,  # noqa: F401  (fixture)
)
from webdata import register

from factories import uscc
from intake_rows import penalty_row
from xinyong import clock
from xinyong.auth.context import Context
from xinyong.auth.models import Account, AuditEvent
from xinyong.evaluation import service as evaluation
from xinyong.records import status
from xinyong.records.models import Commitment, CreditRecord, Objection, RepairApplication
from xinyong.subjects.models import Department

FIRM = "广州禾丰贸易501有限公司"
DOC = "番市监罚〔2021〕501号"
PDF = b"%PDF-1.7\n% receipt\n"


@pytest.fixture
def moving_clock() -> Iterator[None]:
    yield
    clock.set_clock(None)


def on(day: date) -> None:
    """Move the platform's clock to 10:00 in China on ``day``."""
    at = datetime(day.year, day.month, day.day, 2, 0, tzinfo=UTC)
    clock.set_clock(lambda: at)


def browser(db: Session, account: Account) -> dict[str, str]:
    """A fresh login of ``account`` at the current clock: the session cookie only, as a browser sends it."""
    return cookie_only(login_headers(db, account))


def post_form(api: TestClient, page: str, action: str, headers: dict[str, str], data: dict[str, str], **kw: object):
    """Open ``page``, take its CSRF token, post ``data`` to ``action`` as the browser's form does."""
    shown = api.get(page, headers=headers)
    assert shown.status_code == 200, shown.text[:300]
    return api.post(
        action,
        headers=headers,
        data={"csrf_token": form_token(shown.text), **data},
        follow_redirects=False,
        **kw,  # type: ignore[arg-type]
    )


def public_ids(api: TestClient, as_of: date) -> list[int]:
    found = api.get("/api/v1/gongshi/penalty", params={"q": uscc(501), "as_of": as_of.isoformat()})
    assert found.status_code == 200
    return [row["id"] for row in found.json()["items"]]


def test_object_refused_repair_granted_record_leaves_the_public_pages(
    api: TestClient,
    db: Session,
    ctx: Context,
    depts: tuple[Department, Department],  # noqa: F811
    moving_clock: None,
) -> None:
    scjgj = depts[0]
    on(date(2021, 3, 1))
    firm = register(ctx, kind="legal_person", name=FIRM, uscc=uscc(501))
    enterprise = add_account(db, "u_hefeng501", "subject", subject_id=firm.id, display_name="禾丰501经办人")
    officer = add_account(db, "u_scjgj", "department_officer", department_id=scjgj.id)
    desk = add_account(db, "u_desk", "credit_office_staff")
    db.commit()

    # 2021-03-15: the market regulator pushes a serious penalty (吊销许可证件) decided on 2021-03-10.
    on(date(2021, 3, 15))
    row = penalty_row(
        501,
        SCJGJ_USCC,
        doc_no=DOC,
        decided_on="2021-03-10",
        valid_until="2022-03-09",
        penalty_category="吊销许可证件",
        content="吊销食品经营许可证",
    )
    pushed = api.post("/api/v1/intake/penalty", headers=login_headers(db, officer), json={"rows": [row]})
    assert pushed.status_code == 200, pushed.text[:400]
    record = db.scalars(select(CreditRecord).where(CreditRecord.doc_no == DOC)).one()
    # 527号 (2019-07-01 → 2023-04-30), 严重: minimum 6 months, maximum 3 years from the decision date
    assert (record.regime, record.severity) == ("ndrc_2019_527", "serious")
    assert (record.publicity_min_end, record.publicity_end) == (date(2021, 9, 10), date(2024, 3, 10))
    assert public_ids(api, date(2021, 3, 15)) == [record.id]

    # 2021-03-22: the enterprise finds it under 我的信用 and objects.
    on(date(2021, 3, 22))
    me = browser(db, enterprise)
    mine = api.get("/my/records", headers=me)
    assert mine.status_code == 200 and DOC in mine.text and f"/objections/new?record_id={record.id}" in mine.text
    sent = post_form(
        api,
        f"/objections/new?record_id={record.id}",
        "/objections/new",
        me,
        {
            "record_id": str(record.id),
            "reasons": "该处罚已被复议机关变更，不应以吊销许可证件公示",
            "contact": "13812345678",
        },
    )
    assert sent.status_code == 303, sent.text[:400]
    objection = db.scalars(select(Objection).where(Objection.record_id == record.id)).one()
    detail = api.get(f"/gongshi/penalty/{record.id}")
    assert detail.status_code == 200 and "异议中" in detail.text

    # 2021-03-23: the credit office's desk refuses it (within the 2 working days), with its reason.
    on(date(2021, 3, 23))
    desk_browser = browser(db, desk)
    queue = api.get("/objections", headers=desk_browser)
    assert queue.status_code == 200 and DOC in queue.text
    refused = post_form(
        api,
        f"/objections/{objection.id}",
        f"/objections/{objection.id}/refuse",
        desk_browser,
        {"version": str(objection.lock_version), "reason": "未提供复议决定书等证明材料，不予受理"},
    )
    assert refused.status_code == 303, refused.text[:400]
    db.refresh(objection)
    assert (objection.status, objection.outcome) == ("closed", "refused")
    me = browser(db, enterprise)
    news = api.get("/notifications", headers=me)
    assert "不予受理" in news.text
    assert "异议中" not in api.get(f"/gongshi/penalty/{record.id}").text

    # 2021-09-08: too early for repair (the minimum period ends on 2021-09-10): the page says why.
    on(date(2021, 9, 8))
    me = browser(db, enterprise)
    early = api.get(f"/repairs/new?record_id={record.id}", headers=me)
    assert early.status_code == 200 and "2021-09-10" in early.text
    too_early = post_form(
        api,
        f"/repairs/new?record_id={record.id}",
        "/repairs/new",
        me,
        {
            "record_id": str(record.id),
            "obligations": "已缴清罚款并完成整改",
            "commitment_text": "本单位承诺依法诚信经营，如有违反愿承担相应责任。",
            "signer_name": "王五",
        },
        files=[("files", ("缴款凭证.pdf", PDF, "application/pdf"))],
    )
    assert too_early.status_code == 422 and "2021-09-10" in too_early.text
    assert db.scalars(select(RepairApplication)).all() == []

    # 2021-09-13 (Monday): the minimum period has passed; it applies with a 信用修复型 commitment.
    on(date(2021, 9, 13))
    me = browser(db, enterprise)
    applied = post_form(
        api,
        f"/repairs/new?record_id={record.id}",
        "/repairs/new",
        me,
        {
            "record_id": str(record.id),
            "obligations": "已缴清罚款并完成整改，经复查合格",
            "commitment_text": "本单位承诺依法诚信经营，如有违反愿承担相应责任。",
            "signer_name": "王五",
        },
        files=[("files", ("缴款凭证.pdf", PDF, "application/pdf"))],
    )
    assert applied.status_code == 303, applied.text[:400]
    application = db.scalars(select(RepairApplication)).one()
    assert (application.department_id, application.status) == (scjgj.id, "submitted")  # 谁认定、谁修复
    commitment = db.get(Commitment, application.commitment_id)
    assert commitment is not None and commitment.kind == "repair"

    # 2021-09-14: the deciding department accepts and grants.
    on(date(2021, 9, 14))
    dept = browser(db, officer)
    for action, reason in (("accept", "材料齐全"), ("grant", "罚款已缴清，违法行为已纠正，准予修复")):
        db.refresh(application)
        done = post_form(
            api,
            f"/repairs/{application.id}",
            f"/repairs/{application.id}/decide",
            dept,
            {"action": action, "version": str(application.lock_version), "reason": reason},
        )
        assert done.status_code == 303, done.text[:400]
    db.refresh(application)
    assert application.status == "granted"

    # The record leaves the public pages from the grant day; the days before keep their history.
    assert public_ids(api, date(2021, 9, 14)) == []
    assert public_ids(api, date(2021, 9, 13)) == [record.id]
    assert api.get(f"/gongshi/penalty/{record.id}").status_code == 404
    # Evaluation (#6) counts the records in force: it no longer is (the same condition the evaluation will use).
    in_force = select(CreditRecord.id).where(CreditRecord.id == record.id)
    assert db.scalar(in_force.where(status.in_force_condition(date(2021, 9, 13)))) == record.id
    assert db.scalar(in_force.where(status.in_force_condition(date(2021, 9, 14)))) is None
    # general.yaml: one serious penalty of the last 12 months costs 30 of 100 (C); repaired, it no longer counts (A).
    day_before = evaluation.run_evaluation(ctx, date(2021, 9, 13))
    grant_day = evaluation.run_evaluation(ctx, date(2021, 9, 14))
    graded = [evaluation.history(ctx, firm.id)[i].grade for i in (0, 1)]
    assert (day_before.run_id, grant_day.run_id) == tuple(h.run_id for h in evaluation.history(ctx, firm.id))
    assert graded == ["C", "A"]
    db.refresh(commitment)
    assert commitment.status == "kept"
    me = browser(db, enterprise)
    assert "准予修复" in api.get("/notifications", headers=me).text
    assert "已修复" in api.get("/my/records", headers=me).text

    # The audit log tells the story in order.
    actions = [e.action for e in db.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    story = [
        "intake.submit",
        "objections.submit",
        "objections.refuse",
        "commitments.sign",
        "repairs.apply",
        "repairs.accept",
        "commitments.verify",
        "repairs.grant",
    ]
    positions = [actions.index(a) for a in story]
    assert positions == sorted(positions), actions
