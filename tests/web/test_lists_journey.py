"""Issue #7 "Done when", tried as a new user would, over HTTP pages with the clock moved through 2026:

the labour bureau lists an employer (and its legal representative) for wage arrears with prior notice — the
decision is refused until the defence period has ended — and publishes it; a procurement officer of the finance
bureau checks the employer on the 一键查询 page and sees the entry and the procurement measure with its legal
basis, and records that the measure was applied; the employer pays, an early removal is refused before six months
have passed and accepted six months after payment with a commitment; a new check finds nothing; the credit office
sees the finance bureau's feedback rate and the ledger shows every measure's legal basis and status; the audit
log holds the story in order.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from html import unescape

import pytest
from fastapi.testclient import TestClient
from principals import add_account, form_token, login_headers
from sqlalchemy import select
from sqlalchemy.orm import Session

from factories import company, ric
from list_factories import department
from xinyong import clock
from xinyong.auth.context import Context
from xinyong.auth.models import Account, AuditEvent
from xinyong.lists.measures import measure_ledger

FIRM = "广州旅程欠薪建筑劳务有限公司"
BOSS = "区大成"
BOSS_ID = ric("19700203", "517")


@pytest.fixture
def moving_clock() -> Iterator[None]:
    yield
    clock.set_clock(None)


def on(day: date) -> None:
    """Move the platform's clock to 10:00 in China on ``day``."""
    at = datetime(day.year, day.month, day.day, 2, 0, tzinfo=UTC)
    clock.set_clock(lambda: at)


def browser(db: Session, account: Account) -> dict[str, str]:
    """A fresh login at the current clock: the session cookie only, as a browser sends it."""
    return {"Cookie": login_headers(db, account)["Cookie"]}


def submit(api: TestClient, page: str, action: str, me: dict[str, str], data: dict[str, str]):
    """Open ``page``, take its CSRF token (and the form's lock_version), post ``data`` as the browser does."""
    shown = api.get(page, headers=me)
    assert shown.status_code == 200, shown.text[:300]
    fields = {"csrf_token": form_token(shown.text), **data}
    lock = re.search(
        rf'action="{re.escape(action)}">(?:(?!</form>).)*?name="lock_version" value="(\d+)"', shown.text, re.S
    )
    if lock:
        fields.setdefault("lock_version", lock.group(1))
    return api.post(action, headers=me, data=fields, follow_redirects=False)


def text_of(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", " ", html))


def test_wage_arrears_listing_check_feedback_and_early_removal(
    api: TestClient, db: Session, ctx: Context, moving_clock: None
) -> None:
    on(date(2026, 3, 2))
    rsj, czj = department(db, "rsj"), department(db, "czj")
    firm = company(ctx, FIRM, 7301)
    labour = add_account(db, "j_rsj", "department_officer", display_name="人社科员", department_id=rsj.id)
    buyer = add_account(db, "j_czj", "department_officer", display_name="采购经办", department_id=czj.id)
    desk = add_account(db, "j_desk", "credit_office_staff", display_name="信用办科员")
    db.commit()

    # 1. 2026-03-02: the labour bureau proposes the employer and its legal representative, and serves notice.
    me = browser(db, labour)
    proposed = submit(
        api,
        "/lists",
        "/lists",
        me,
        {
            "list_code": "wage_arrears",
            "subject": firm.uscc or "",
            "reasons": "拖欠32名农民工工资共计46万元，经责令限期支付逾期仍未支付",
            "case_ref": "番人社限付〔2026〕7号",
            "responsible_persons": f"{BOSS} {BOSS_ID}",
        },
    )
    assert proposed.status_code == 303, text_of(proposed.text)[:400]
    page = proposed.headers["location"]
    entry_id = int(page.rsplit("/", 1)[1])
    early = submit(api, page, f"{page}/decision", me, {"doc_no": "番人社决〔2026〕7号", "decided_on": "2026-03-02"})
    assert early.status_code in (409, 422) and "告知" in text_of(early.text)
    noticed = submit(api, page, f"{page}/notice", me, {"doc_no": "番人社告〔2026〕7号", "served_on": "2026-03-02"})
    assert noticed.status_code == 303, text_of(noticed.text)[:400]
    shown = text_of(api.get(page, headers=me).text)
    assert "2026年3月9日" in shown or "2026-03-09" in shown  # five working days after service

    # 2. 2026-03-09, the last day of the defence period: the decision is refused with the date.
    on(date(2026, 3, 9))
    me = browser(db, labour)
    refused = submit(api, page, f"{page}/decision", me, {"doc_no": "番人社决〔2026〕7号", "decided_on": "2026-03-09"})
    assert refused.status_code == 422 and "陈述申辩期至 2026-03-09 届满，届满后方可作出列入决定" in text_of(
        refused.text
    )

    # 3. 2026-03-10: decided in writing and published.
    on(date(2026, 3, 10))
    me = browser(db, labour)
    decided = submit(api, page, f"{page}/decision", me, {"doc_no": "番人社决〔2026〕7号", "decided_on": "2026-03-10"})
    assert decided.status_code == 303, text_of(decided.text)[:400]
    published = submit(api, page, f"{page}/publication", me, {"published_on": "2026-03-10"})
    assert published.status_code == 303, text_of(published.text)[:400]
    public = text_of(api.get("/lists/public/wage_arrears").text)
    assert FIRM in public and BOSS not in public and BOSS_ID not in public and "区**" in public

    # 4. 2026-03-11: the finance bureau's procurement officer checks the employer before awarding a contract.
    on(date(2026, 3, 11))
    me = browser(db, buyer)
    checked = submit(api, "/checks", "/checks", me, {"code": firm.uscc or "", "scenario": "procurement"})
    assert checked.status_code == 303, text_of(checked.text)[:400]
    check_page = checked.headers["location"]
    result = api.get(check_page, headers=me)
    answer = text_of(result.text)
    assert "命中名单" in answer and "拖欠农民工工资失信联合惩戒对象名单" in answer
    assert "限制参与政府采购活动" in answer and "人力资源社会保障部令第45号" in answer
    gave = api.post(
        f"{check_page}/feedback",
        headers=me,
        data={"csrf_token": form_token(result.text), "measure_id": "wage_procurement", "applied": "1", "reason": ""},
        follow_redirects=False,
    )
    assert gave.status_code == 303, text_of(gave.text)[:400]
    assert "已反馈：" in text_of(api.get(check_page, headers=me).text)

    # 5. The employer pays in full on 2026-04-15. On 2026-10-14 an early removal is refused with the first day.
    on(date(2026, 10, 14))
    me = browser(db, labour)
    removal = {
        "reason": "early_removal",
        "removed_on": "2026-10-14",
        "note": "已全额清偿拖欠工资，并提交信用承诺书",
        "corrected_on": "2026-04-15",
        "commitment_text": "本单位承诺今后按时足额支付农民工工资，如有违反自愿接受惩戒",
    }
    too_early = submit(api, page, f"{page}/removal", me, removal)
    assert too_early.status_code == 422 and "2026-10-15 起方可移出" in text_of(too_early.text)

    # 6. 2026-10-15: six months after payment, removed early with the commitment.
    on(date(2026, 10, 15))
    me = browser(db, labour)
    removed = submit(api, page, f"{page}/removal", me, removal | {"removed_on": "2026-10-15"})
    assert removed.status_code == 303, text_of(removed.text)[:400]
    assert FIRM not in text_of(api.get("/lists/public/wage_arrears").text)
    assert FIRM in text_of(api.get("/lists/public/wage_arrears", params={"as_of": "2026-10-14"}).text)
    me = browser(db, buyer)
    again = submit(api, "/checks", "/checks", me, {"code": firm.uscc or "", "scenario": "procurement"})
    assert again.status_code == 303
    assert "未命中名单" in text_of(api.get(again.headers["location"], headers=me).text)

    # 7. The credit office: the finance bureau's feedback rate, and the ledger with every measure's basis and status.
    office = browser(db, desk)
    rates = text_of(api.get("/checks/rates", params={"date_from": "2026-01-01"}, headers=office).text)
    assert czj.name in rates and "100" in rates
    ledger_page = api.get("/measures", headers=office)
    assert ledger_page.status_code == 200
    ledger = text_of(ledger_page.text)
    for m in measure_ledger().measures:
        assert m.name in ledger
        for basis in m.legal_basis:
            assert basis.document in ledger
    assert "保留" in ledger and "废止" in ledger

    # 8. The audit log tells the story in order.
    actions = [
        e.action
        for e in db.scalars(select(AuditEvent).where(AuditEvent.target_id == str(entry_id)).order_by(AuditEvent.id))
        if e.target_type == "list_entry"
    ]
    steps = [a for a in actions if not a.startswith("read.")]
    assert steps == ["lists.propose", "lists.notice", "lists.decide", "lists.publish", "lists.remove"]
