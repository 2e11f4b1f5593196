"""``/sandbox`` and ``/sandbox/federated`` pages: an officer picks a view, dimensions, measures and a filter, sees
the released table and the withheld groups counted; a refused query comes back with the reason and is listed as
refused; the office sees every query with its seed; a bank starts a federated demo run and sees its accuracy beside
the central model's; people without the right get 403. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from html import unescape

from fastapi.testclient import TestClient
from principals import add_account, form_token, login_headers
from sqlalchemy.orm import Session

from xinyong.subjects.models import Department, Subject

AT = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)


def _browser(db: Session, name: str, role: str, **kwargs: object) -> dict[str, str]:
    headers = login_headers(db, add_account(db, name, role, **kwargs))  # type: ignore[arg-type]
    db.commit()
    return {"Cookie": headers["Cookie"]}


def _post(api: TestClient, page: str, action: str, headers: dict[str, str], data: dict[str, object]):
    shown = api.get(page, headers=headers)
    assert shown.status_code == 200, shown.text[:300]
    return api.post(
        action, headers=headers, data={"csrf_token": form_token(shown.text), **data}, follow_redirects=False
    )


def test_query_through_the_page(api: TestClient, db: Session, departments: tuple[Department, Department]) -> None:
    db.add_all(
        Subject(
            kind="legal_person",
            name=f"企业{i}",
            township_code="440113007" if i < 12 else "440113008",
            industry="construction" if i < 6 else "tourism",
            created_at=AT,
        )
        for i in range(15)
    )
    db.commit()
    officer = _browser(db, "sbp_officer", "department_officer", department_id=departments[0].id)
    office = _browser(db, "sbp_office", "credit_office_staff")

    page = unescape(api.get("/sandbox?view=subjects", headers=officer).text)
    assert "数据安全屋" in page and "至少含 10 个不同主体" in page and 'name="by" value="township"' in page

    done = _post(
        api,
        "/sandbox?view=subjects",
        "/sandbox/queries",
        officer,
        {"view": "subjects", "by": ["township"], "measures": ["subjects"], "epsilon": "0.5"},
    )
    assert done.status_code == 303 and done.headers["location"].startswith("/sandbox?view=subjects&query=")
    shown = unescape(api.get(done.headers["location"], headers=officer).text)
    assert "440113007" in shown and "440113008" not in shown.split("发布结果")[1].split("我的查询")[0]
    assert "隐去 <strong>1</strong> 组" in shown

    filtered = _post(
        api,
        "/sandbox?view=subjects",
        "/sandbox/queries",
        officer,
        {"view": "subjects", "by": ["industry"], "measures": ["subjects"], "filter_township": "440113007"},
    )
    assert filtered.status_code == 303
    table = unescape(api.get(filtered.headers["location"], headers=officer).text)
    assert "隐去 <strong>2</strong> 组" in table  # 6 and 6: both under k

    refused = _post(
        api,
        "/sandbox?view=subjects",
        "/sandbox/queries",
        officer,
        {"view": "subjects", "by": ["township"], "measures": ["subjects"], "epsilon": "9"},
    )
    assert refused.status_code == 422 and "单次查询的隐私预算 ε 不得超过 1.0" in unescape(refused.text)
    assert "已拒绝" in unescape(api.get("/sandbox", headers=officer).text)

    everything = unescape(api.get("/sandbox", headers=office).text)
    assert "全部查询与发布" in everything and "sbp_officer" in everything and "随机种子" in everything

    bank = _browser(db, "sbp_bank", "bank", institution="番禺农商银行")
    assert api.get("/sandbox", headers=bank).status_code == 403


def test_federated_page(api: TestClient, db: Session) -> None:
    bank = _browser(db, "sbf_bank", "bank", institution="番禺农商银行")
    page = unescape(api.get("/sandbox/federated", headers=bank).text)
    assert "纵向联邦逻辑回归" in page and "还没有训练记录" in page
    done = _post(
        api, "/sandbox/federated", "/sandbox/federated/runs", bank, {"rows": "300", "features": "3", "key_bits": "1024"}
    )
    assert done.status_code == 303
    runs = unescape(api.get("/sandbox/federated", headers=bank).text)
    assert "番禺农商银行" in runs and "在容差内" in runs
    refused = _post(
        api, "/sandbox/federated", "/sandbox/federated/runs", bank, {"rows": "50", "features": "3", "key_bits": "1024"}
    )
    assert refused.status_code == 422 and "样本数须在" in unescape(refused.text)
    officer = _browser(db, "sbf_officer", "department_officer")
    assert api.get("/sandbox/federated", headers=officer).status_code == 403
