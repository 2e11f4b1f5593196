"""Page ``/privacy`` (issue #10): the credit office sees the scopes, their versions and the exchange log (sizes
only) and rebuilds a scope through the form; banks and other roles are refused."""

from __future__ import annotations

from html import unescape

from fastapi.testclient import TestClient
from principals import add_account, form_token, login_headers
from sqlalchemy.orm import Session

from factories import company
from list_factories import published_entry
from xinyong.auth.context import Context
from xinyong.privacy.models import PsiExchange


def _browser(db: Session, name: str, role: str, **scope: object) -> dict[str, str]:
    headers = login_headers(db, add_account(db, name, role, **scope))  # type: ignore[arg-type]
    db.commit()
    return {"Cookie": headers["Cookie"]}


def test_office_page_rebuilds_and_shows_the_log_with_sizes_only(api: TestClient, db: Session, ctx: Context) -> None:
    firm = company(ctx, "页面测试有限公司", 9101)
    published_entry(db, firm, "wage_arrears")
    db.add(PsiExchange(institution="某银行", kind="psi", client_elements=1234, outcome="ok", actor="t", at=ctx.at))
    office = _browser(db, "privacy_admin", "credit_office_admin")
    shown = api.get("/privacy", headers=office)
    assert shown.status_code == 200
    page = unescape(shown.text)
    assert "失信名单在列主体" in page and "尚未编制" in page and "1234" in page and "仅返回交集数量" in page
    done = api.post(
        "/privacy/rebuild",
        headers=office,
        data={"csrf_token": form_token(shown.text), "scope": "lists_dishonesty"},
        follow_redirects=False,
    )
    assert done.status_code == 303 and "lists_dishonesty" in unescape(done.headers["location"])
    page = unescape(api.get("/privacy", headers=office).text)
    assert "页面重新编制" in page and firm.uscc not in page
    unknown = api.post("/privacy/rebuild", headers=office, data={"csrf_token": form_token(shown.text), "scope": "nope"})
    assert unknown.status_code == 404


def test_page_is_for_the_credit_office(api: TestClient, db: Session) -> None:
    bank = _browser(db, "privacy_bank", "bank", institution="某银行")
    assert api.get("/privacy", headers=bank).status_code == 403
    regulator = _browser(db, "privacy_regulator", "regulator")
    assert api.get("/privacy", headers=regulator).status_code == 403
    staff = _browser(db, "privacy_staff", "credit_office_staff")
    shown = api.get("/privacy", headers=staff)
    assert shown.status_code == 200 and 'action="/privacy/rebuild"' in shown.text
