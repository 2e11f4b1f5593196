"""Done-when journey of issue #10 (PSI): a bank, as a new user would, runs the shipped client against the platform
with its portfolio; the intersection equals the plain join the test computes; the platform's log shows only what
the protocol reveals (how many codes, never which); after a repair removes a listed subject and the set is rebuilt,
the subject is gone from the next intersection (the client's stale setup answered 409 and fetched again)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date

import httpx
import pytest
from fastapi.testclient import TestClient
from principals import add_account, committing_session, issue_token, login_headers
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

import xinyong_client.cli as client_cli
from factories import company, market_regulator
from list_factories import published_entry
from xinyong.auth.context import Context
from xinyong.auth.models import AuditEvent
from xinyong.lending import service as lending
from xinyong.lending.schemas import InstitutionIn
from xinyong.lists import entries
from xinyong.lists.active import in_force
from xinyong.lists.models import ListEntry
from xinyong.subjects.models import Subject
from xinyong.web.app import create_app
from xinyong.web.deps import get_session
from xinyong_client.psi import PlatformClient, check, intersect, read_portfolio

BANK = "番禺旅程测试银行"
SCOPE = "lists_dishonesty"
LISTS = ("serious_dishonesty", "wage_arrears", "samr_serious_illegal")


@pytest.fixture
def web(db: Session) -> Iterator[TestClient]:
    app = create_app()
    app.dependency_overrides[get_session] = committing_session(db)
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


class Through(httpx.BaseTransport):
    """An httpx transport answering from the app through the TestClient (the client package's own httpx)."""

    def __init__(self, web: TestClient) -> None:
        self.web = web

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        answer = self.web.request(
            request.method, str(request.url), content=request.read(), headers=dict(request.headers)
        )
        skip = {"content-length", "content-encoding", "transfer-encoding"}
        headers = [(k, v) for k, v in answer.headers.items() if k.lower() not in skip]
        return httpx.Response(answer.status_code, headers=headers, content=answer.content)


def plain_join(db: Session, portfolio: list[str], day: date) -> list[str]:
    """What the intersection must be: the portfolio's codes of subjects on the scope's lists in force."""
    stmt = (
        select(Subject.uscc)
        .join(ListEntry, ListEntry.subject_id == Subject.id)
        .where(Subject.uscc.in_(portfolio), ListEntry.list_code.in_(LISTS), in_force(day))
        .distinct()
    )
    return sorted(db.scalars(stmt))


def test_a_bank_runs_the_client_and_a_repair_takes_effect(
    db: Session, ctx: Context, web: TestClient, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db.add(market_regulator())
    firms = [company(ctx, f"旅程{n}有限公司", n) for n in range(8001, 8013)]
    wage = [published_entry(db, f, "wage_arrears") for f in firms[:3]]
    published_entry(db, firms[3], "serious_dishonesty")
    published_entry(db, firms[4], "samr_serious_illegal")
    published_entry(db, firms[5], "abnormal_operation")  # not in the scope
    published_entry(db, firms[6], "wage_arrears", published_on=date(2027, 1, 4))  # not yet in force
    lending.register_institution(ctx, InstitutionIn(name=BANK, uscc="91440113MA59JN0001", kind="bank"))
    token = issue_token(db, "bank", institution=BANK)
    office = login_headers(db, add_account(db, "privacy_office", "credit_office_staff"))
    db.commit()

    # the credit office compiles the set
    built = web.post(f"/api/v1/privacy/sets/{SCOPE}/rebuild", json={"reason": "首次编制"}, headers=office)
    assert built.status_code == 200, built.text
    assert built.json()["version"] == 1 and built.json()["elements"] == 5

    # the bank's portfolio: listed and unlisted customers, a code the platform does not know, a duplicate
    portfolio = [f.uscc for f in firms[1:]] + ["91440113MA00000000", firms[2].uscc.lower()]
    path = tmp_path / "customers.csv"
    path.write_text("客户名称,统一社会信用代码\n" + "\n".join(f"客户{i},{c}" for i, c in enumerate(portfolio)), "utf-8")
    codes = read_portfolio(path)
    assert len(codes) == len(portfolio) - 1  # the duplicate folded

    platform = PlatformClient("http://testserver", token, transport=Through(web))
    sets = platform.sets()
    assert {s["scope"]: s["version"] for s in sets}[SCOPE] == 1 and all(s["elements"] is None for s in sets)
    result = intersect(platform, SCOPE, codes)
    expected = plain_join(db, codes, ctx.today)
    assert sorted(result.matches or []) == expected == sorted(f.uscc for f in firms[1:5])
    assert result.count == 4 and result.client_elements == len(codes)

    # the platform's log: sizes only
    log = web.get("/api/v1/privacy/exchanges", headers=office)
    assert log.status_code == 200
    (row,) = log.json()
    assert (row["institution"], row["kind"], row["client_elements"], row["outcome"]) == (BANK, "psi", len(codes), "ok")
    events = db.scalars(select(AuditEvent).where(AuditEvent.action.like("privacy.%"))).all()
    recorded = log.text + json.dumps([e.detail for e in events], ensure_ascii=False)
    assert not any(code in recorded for code in codes)

    # a repair removes firms[1] from the wage-arrears list; the daily rebuild compiles version 2
    operator = Context(session=db, actor="test:operator", role="system")
    entries.remove(operator, wage[1].id, "repair", ctx.today, "信用修复完成，移出名单")
    db.commit()
    rebuilt = web.post(f"/api/v1/privacy/sets/{SCOPE}/rebuild", json={}, headers=office)
    assert rebuilt.json()["version"] == 2 and rebuilt.json()["elements"] == 4

    # the bank's cached setup is version 1: the platform answers 409, the client fetches version 2 and retries
    again = intersect(platform, SCOPE, codes)
    assert again.version == 2
    assert sorted(again.matches or []) == plain_join(db, codes, ctx.today) == sorted(f.uscc for f in firms[2:5])
    assert firms[1].uscc not in (again.matches or [])
    # single private lookups (匿踪查询) agree
    assert check(platform, SCOPE, firms[3].uscc) is True
    assert check(platform, SCOPE, firms[1].uscc) is False
    kinds = [
        (r["kind"], r["outcome"], r["reason"]) for r in web.get("/api/v1/privacy/exchanges", headers=office).json()
    ]
    assert kinds == [
        ("membership", "ok", ""),
        ("membership", "ok", ""),
        ("psi", "ok", ""),
        ("psi", "refused", "stale_version"),
        ("psi", "ok", ""),
    ]

    # the shipped command line, as a bank's operator runs it
    monkeypatch.setattr(client_cli, "PlatformClient", lambda url, tok: PlatformClient(url, tok, transport=Through(web)))
    runner = CliRunner()
    out = runner.invoke(
        client_cli.app,
        ["psi", "intersect", "--url", "http://testserver", "--token", token, "--scope", SCOPE, str(path), "--json"],
    )
    assert out.exit_code == 0, out.output
    assert sorted(json.loads(out.stdout)["matches"]) == sorted(f.uscc for f in firms[2:5])
    out = runner.invoke(client_cli.app, ["psi", "check", firms[1].uscc, "--url", "http://testserver", "--token", token])
    assert out.exit_code == 0 and "未命中" in out.stdout
    denied = runner.invoke(
        client_cli.app, ["psi", "check", firms[1].uscc, "--url", "http://testserver", "--token", "xy_bad"]
    )
    assert denied.exit_code == 2 and "令牌无效" in denied.stderr
