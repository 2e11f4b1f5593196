"""Pages of the register of public bodies, government contracts and government-integrity records: the list with
alert badges and export, the new-contract form (refused input shown again with the reason), the import form with its
row report, the detail page (schedule, term done, declared default, timeline), the records page; a department
officer sees only its own bodies in the form and no default action. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from html import unescape

from fastapi.testclient import TestClient
from principals import add_account, form_token, login_headers
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from government import gov_factories as g
from xinyong.auth.context import Context
from xinyong.government import contracts
from xinyong.government.contract_schemas import ContractIn, TermIn
from xinyong.government.models import GovContract, GovIntegrityRecord
from xinyong.subjects.models import Department


def _browser(db: Session, name: str, role: str, **scope: object) -> dict[str, str]:
    headers = login_headers(db, add_account(db, name, role, **scope))  # type: ignore[arg-type]
    db.commit()
    return {"Cookie": headers["Cookie"]}


def _post(api: TestClient, page: str, action: str, headers: dict[str, str], data: dict[str, object], files=None):  # type: ignore[no-untyped-def]
    shown = api.get(page, headers=headers)
    assert shown.status_code == 200, shown.text[:300]
    return api.post(
        action,
        headers=headers,
        data={"csrf_token": form_token(shown.text), **data},
        files=files,
        follow_redirects=False,
    )


def _contract(ctx: Context, body_id: int) -> GovContract:
    data = ContractIn(
        contract_no="PY-PAGE-001",
        title="街道环卫保洁服务合同",
        body_id=body_id,
        counterparty_name="广州市番禺环卫服务有限公司",
        amount=Decimal("120000.00"),
        signed_on=date(2026, 1, 5),
        ends_on=date(2026, 12, 31),
        terms=[
            TermIn(
                seq=1, kind="payment", description="上半年服务费", due_on=date(2026, 7, 10), amount=Decimal("60000")
            ),
            TermIn(
                seq=2, kind="payment", description="下半年服务费", due_on=date(2026, 12, 2), amount=Decimal("60000")
            ),
        ],
    )
    contract = contracts.register_contract(ctx, data)
    ctx.session.commit()
    return contract


def test_list_detail_and_actions(api: TestClient, db: Session, ctx: Context) -> None:
    body = g.town_office(ctx)
    contract = _contract(ctx, body.id)
    me = _browser(db, "office1", "credit_office_staff")
    page = unescape(api.get("/government/contracts", headers=me).text)
    assert "PY-PAGE-001" in page and "逾期 1" in page and "临期 1" in page and "逾期 140 天" in page
    export = api.get("/government/contracts/export?format=csv", headers=me)
    assert export.status_code == 200 and "PY-PAGE-001" in export.content.decode("utf-8-sig")
    detail_url = f"/government/contracts/{contract.id}"
    detail = unescape(api.get(detail_url, headers=me).text)
    assert "上半年服务费" in detail and "逾期超过宽限期" in detail and "登记合同" in detail
    first = contracts.terms_of(ctx, contract.id)[0]
    bad = _post(
        api, detail_url, f"{detail_url}/terms/{first.id}/done", me, {"done_on": "2026-07-20", "paid_amount": "70000"}
    )
    assert bad.status_code == 422 and "超过该节点未付金额" in unescape(bad.text)
    ok = _post(api, detail_url, f"{detail_url}/terms/{first.id}/done", me, {"done_on": "2026-07-20", "paid_amount": ""})
    assert ok.status_code == 303 and ok.headers["location"].endswith("done=term")
    ok = _post(api, detail_url, f"{detail_url}/default", me, {"reason": "下半年服务费拒不支付"})
    assert ok.status_code == 303
    assert db.scalar(select(func.count()).select_from(GovIntegrityRecord)) == 1
    shown = unescape(api.get(detail_url, headers=me).text)
    assert "政府方违约" in shown and "认定违约" in shown and "下半年服务费拒不支付" in shown
    records = unescape(api.get("/government/records", headers=me).text)
    assert "政府合同违约" in records and body.name in records


def test_new_form_and_import_form(api: TestClient, db: Session, ctx: Context) -> None:
    body = g.town_office(ctx)
    db.commit()
    me = _browser(db, "office2", "credit_office_staff")
    form = {
        "contract_no": "PY-FORM-1",
        "title": "道路维修工程合同",
        "body_id": str(body.id),
        "counterparty_name": "广州市番禺路桥有限公司",
        "amount": "90000",
        "signed_on": "2026-03-01",
        "ends_on": "2026-12-31",
        "term_kind": ["payment", "payment"],
        "term_description": ["预付款", "结算款"],
        "term_due_on": ["2026-04-01", "2026-12-15"],
        "term_amount": ["30000", "50000"],
    }
    bad = _post(api, "/government/contracts/new", "/government/contracts/new", me, form)
    assert bad.status_code == 422 and "少 10,000.00 元" in unescape(bad.text) and 'value="PY-FORM-1"' in bad.text
    ok = _post(
        api, "/government/contracts/new", "/government/contracts/new", me, {**form, "term_amount": ["30000", "60000"]}
    )
    assert ok.status_code == 303, ok.text[:300]
    header = (
        "合同编号,合同名称,政府方名称,相对方名称,合同金额（元）,签订日期,"
        "节点序号,节点类型,节点说明,应履行日期,节点金额（元）"
    )
    content = (header + f"\nPY-FORM-1,重复合同,{body.name},甲公司,10,2026-02-01,1,付款,首付,2026-03-01,10\n").encode(
        "gbk"
    )
    refused = _post(
        api,
        "/government/contracts/import",
        "/government/contracts/import",
        me,
        {},
        files={"file": ("合同.csv", content, "text/csv")},
    )
    text = unescape(refused.text)
    assert refused.status_code == 422 and "错误行（1 处）" in text and "合同编号“PY-FORM-1”已登记" in text
    assert db.scalar(select(func.count()).select_from(GovContract)) == 1


def test_department_officer_sees_own_bodies_only(
    api: TestClient, db: Session, ctx: Context, departments: tuple[Department, Department]
) -> None:
    market, _ = departments
    own = g.body(ctx, "广州市番禺区市场监督管理局所属检测所", 1, "institution", unit="scjgj")
    other = g.town_office(ctx, 2)
    contract = _contract(ctx, own.id)
    me = _browser(db, "officer1", "department_officer", department_id=market.id)
    form = unescape(api.get("/government/contracts/new", headers=me).text)
    assert own.name in form and other.name not in form
    detail = unescape(api.get(f"/government/contracts/{contract.id}", headers=me).text)
    assert "登记履行" in detail and "认定政府方违约" not in detail
    bodies_page = unescape(api.get("/government/bodies", headers=me).text)
    assert own.name in bodies_page and "登记公共机构" not in bodies_page
    assert api.get("/government/contracts", headers={}, follow_redirects=False).status_code in (302, 303, 401)
