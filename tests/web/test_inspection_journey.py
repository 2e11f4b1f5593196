"""Issue #6 "Done when", tried as a new user would, over HTTP with two regulator accounts:

a regulator of the market regulator runs the monthly evaluation, opens an enterprise and sees why it is graded
C (the serious penalty behind it), fills the inspector pool, creates a plan with ratios A=0.02, B=0.05, C=1,
D=1, draws, publishes and enters the results on the plan page; a colleague re-runs the published draw (the
platform's verify and, independently, the published algorithm over the downloaded candidate list with the
published seed) and gets the same list; the public results page shows the result.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date
from decimal import Decimal
from html import unescape

from fastapi.testclient import TestClient
from principals import add_account, form_token, login_headers
from sqlalchemy import select
from sqlalchemy.orm import Session

from factories import company, uscc
from records_factories import make_batch, make_record
from xinyong.auth.context import Context
from xinyong.auth.models import AuditEvent
from xinyong.records.models import CreditRecord
from xinyong.subjects.models import Department
from xinyong.supervision.draw import Candidate, draw

TODAY = date(2026, 11, 27)
DOC = "番市监罚〔2026〕611号"
LOCK = r'action="{action}">\s*<input[^>]*>\s*<input type="hidden" name="lock_version" value="(\d+)"'


def post_form(api: TestClient, page: str, action: str, headers: dict[str, str], data: dict[str, str]):
    """Open ``page``, take its CSRF token, post ``data`` to ``action`` as the browser's form does."""
    shown = api.get(page, headers=headers)
    assert shown.status_code == 200, shown.text[:300]
    return api.post(
        action, headers=headers, data={"csrf_token": form_token(shown.text), **data}, follow_redirects=False
    )


def lock_of(html: str, action: str) -> str:
    found = re.search(LOCK.format(action=re.escape(action)), html)
    assert found, f"no form posting to {action}"
    return found.group(1)


def test_regulator_evaluates_plans_draws_publishes_and_a_colleague_verifies(
    api: TestClient, db: Session, ctx: Context, departments: tuple[Department, Department]
) -> None:
    market = departments[0]
    for n in range(10):
        company(ctx, f"广州旅程清白{n}有限公司", 600 + n)
    firm = company(ctx, "广州旅程处罚有限公司", 611)
    record = make_record(
        ctx.session, make_batch(ctx.session, market), doc_no=DOC, decided_on=date(2026, 6, 1), subject=firm
    )
    record.severity = "serious"
    wang = add_account(db, "j_wang", "regulator", display_name="王执法", department_id=market.id)
    li = add_account(db, "j_li", "regulator", display_name="李执法", department_id=market.id)
    db.commit()
    session = login_headers(db, wang)
    me = {"Cookie": session["Cookie"]}

    # 1. The monthly evaluation, from the evaluation page's form.
    start = api.get("/evaluation", headers=me)
    ran = api.post(
        "/evaluation/run",
        headers=me,
        data={"as_of": TODAY.isoformat(), "model": "general", "csrf_token": form_token(start.text)},
        follow_redirects=False,
    )
    assert ran.status_code == 303, ran.text
    home = api.get(ran.headers["location"], headers=me)
    assert home.status_code == 200 and 'class="grade-bar grade-C"' in home.text and "较高风险" in home.text
    assert "参评主体 11 户" in home.text

    # 2. Why is the firm graded C? The serious penalty, with its points.
    why = api.get("/evaluation/subject", headers=me, params={"q": uscc(611), "as_of": TODAY.isoformat()})
    assert why.status_code == 200 and "C 级（较高风险）" in why.text and DOC in why.text

    # 3. The inspector pool of the market regulator.
    for n, (name, badge) in enumerate((("张检", "JY001"), ("陈检", "JY002"), ("刘检", "JY003"), ("黄检", "JY004"))):
        added = post_form(
            api,
            "/inspections/inspectors",
            "/inspections/inspectors",
            me,
            {
                "name": name,
                "department_id": str(market.id),
                "badge_no": badge,
                "township_code": "440113102" if n else "",
            },
        )
        assert added.status_code == 303, added.text[:300]

    # 4. The plan: ratios A=0.02, B=0.05, C=1, D=1 (prefilled), no seed (the platform draws one and publishes it).
    form = api.get("/inspections/new", headers=me)
    assert 'value="0.02"' in form.text and 'value="0.05"' in form.text
    made = post_form(
        api,
        "/inspections/new",
        "/inspections/new",
        me,
        {
            "title": "2026年12月食品经营双随机抽查",
            "department_id": str(market.id),
            "item_code": "scjg_spjy",
            "as_of": TODAY.isoformat(),
            "ratio_A": "0.02",
            "ratio_B": "0.05",
            "ratio_C": "1",
            "ratio_D": "1",
        },
    )
    assert made.status_code == 303, made.text[:500]
    page = made.headers["location"]
    plan_id = int(page.rsplit("/", 1)[1])

    # 5. Draw, 6. publish.
    shown = api.get(page, headers=me).text
    assert post_form(api, page, f"{page}/draw", me, {"lock_version": lock_of(shown, f"{page}/draw")}).status_code == 303
    shown = api.get(page, headers=me).text
    seed = re.search(r"<dt>随机种子</dt><dd class=\"code\">([^<]+)</dd>", shown)
    published_hash = re.search(r"<dt>检查对象名录哈希</dt><dd class=\"code\">([0-9a-f]{64})</dd>", shown)
    assert seed and published_hash
    assert "广州旅程处罚有限公司" in shown  # grade C: ratio 1, always drawn
    assert (
        post_form(api, page, f"{page}/publish", me, {"lock_version": lock_of(shown, f"{page}/publish")}).status_code
        == 303
    )

    # 7. Results on the plan page: the C firm had a problem, corrected on the spot; the others none.
    shown = api.get(page, headers=me).text
    actions = re.findall(rf'action="({re.escape(page)}/tasks/\d+/result)"', shown)
    assert len(actions) == 2  # ceil(0.02 × 10) = 1 of grade A, the one of grade C
    for action in actions:
        row = shown[shown.rfind("<tr", 0, shown.find(action)) : shown.find(action)]
        result = "corrected" if "广州旅程处罚有限公司" in row else "no_problem"
        entered = post_form(
            api,
            page,
            action,
            me,
            {
                "result": result,
                "inspected_on": TODAY.isoformat(),
                "note": "现场检查",
                "lock_version": lock_of(shown, action),
            },
        )
        assert entered.status_code == 303, entered.text[:400]
    results = db.scalars(
        select(CreditRecord).where(CreditRecord.subject_id == firm.id, CreditRecord.id != record.id)
    ).all()
    assert len(results) == 1  # the result flowed back as a credit record

    # 8. A colleague re-runs the published draw: the platform's check, then by hand from the published facts.
    colleague = {"Cookie": login_headers(db, li)["Cookie"]}
    db.commit()
    checked = api.get(f"{page}/verify", headers=colleague)
    assert checked.status_code == 200 and "复核一致" in checked.text
    listed = api.get(f"/api/v1/inspections/plans/{plan_id}/candidates.csv", headers=colleague)
    assert hashlib.sha256(listed.content).hexdigest() == published_hash.group(1)
    candidates = [Candidate(int(s), g) for s, g in (line.split(",") for line in listed.text.splitlines())]
    ratios = {"A": Decimal("0.02"), "B": Decimal("0.05"), "C": Decimal(1), "D": Decimal(1)}
    again = draw(candidates, ratios, unescape(seed.group(1)))
    public = api.get(f"/api/v1/inspections/public/plans/{plan_id}/tasks").json()
    assert [c.subject_id for c in again.drawn] == [t["subject_id"] for t in public]
    assert again.candidates_hash == published_hash.group(1)

    # 9. The public results page.
    listing = api.get("/inspections/public")
    assert "2026年12月食品经营双随机抽查" in listing.text
    results_page = api.get(f"/inspections/public/{plan_id}")
    assert results_page.status_code == 200
    assert "广州旅程处罚有限公司" in results_page.text and "发现问题已责令改正" in results_page.text
    assert "张检" not in results_page.text and "现场检查" not in results_page.text

    # the audit log tells who did what
    logged = db.execute(
        select(AuditEvent.action, AuditEvent.actor)
        .where(AuditEvent.action.like("inspections.%"), AuditEvent.target_type == "inspection_plan")
        .order_by(AuditEvent.id)
    ).all()
    assert [tuple(row) for row in logged] == [
        ("inspections.create_plan", "account:j_wang"),
        ("inspections.draw_plan", "account:j_wang"),
        ("inspections.publish_plan", "account:j_wang"),
    ]
