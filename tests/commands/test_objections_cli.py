"""``xinyong objections list|show``: the console operator's view of the 异议 queue, table and --json, on SQLite
and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner, Result

from factories import company, departments
from records_factories import make_batch, make_record
from testdb import rows
from xinyong.auth.context import Context
from xinyong.auth.models import AuditEvent
from xinyong.cli import app
from xinyong.db.session import make_engine
from xinyong.records import objections


@pytest.fixture
def cli_db(cli_db: str) -> str:
    """Three objections of one firm: one late at acceptance, one in self-check, one refused."""
    engine = make_engine(cli_db)
    with Session(engine) as session:
        ctx = Context(session=session, actor="tester", role="system")
        dept, _ = departments(session)
        firm = company(ctx, "广州禾丰贸易有限公司", 1)
        batch = make_batch(session, dept)

        def record(n: int) -> int:
            made = make_record(
                session,
                batch,
                doc_no=f"番市监罚〔2026〕{n}号",
                decided_on=date(2026, 6, 1),
                subject=firm,
                publicity_end=date(2027, 5, 31),
                row_no=n,
            )
            return made.id

        early = Context(session=session, actor="tester", role="system", at=datetime(2026, 11, 23, 2, tzinfo=UTC))
        objections.submit_objection(early, record(1), "处罚决定已被撤销，请更正", "", "13812345678", [])
        checking = objections.submit_objection(ctx, record(2), "处罚金额与决定书不一致", "", "", [])
        objections.accept(ctx, checking.id, None)
        refused = objections.submit_objection(ctx, record(3), "该记录不属于本单位", "", "", [])
        objections.refuse(ctx, refused.id, "材料不能证明记录有误", None)
        session.commit()
    engine.dispose()
    return cli_db


def run(*args: str) -> Result:
    return CliRunner().invoke(app, ["objections", *args])


def test_list_json_and_filters(cli_db: str) -> None:
    result = run("list", "--json")
    assert result.exit_code == 0, result.output
    listed = json.loads(result.stdout)
    assert [(o["doc_no"], o["status"], o["due"], o["overdue"]) for o in listed] == [
        ("番市监罚〔2026〕1号", "submitted", "2026-11-25", True),
        ("番市监罚〔2026〕2号", "accepted", "2026-12-01", False),
    ]
    late = json.loads(run("list", "--overdue", "--json").stdout)
    assert [o["doc_no"] for o in late] == ["番市监罚〔2026〕1号"]
    closed = json.loads(run("list", "--status", "closed", "--json").stdout)
    assert [(o["doc_no"], o["outcome"]) for o in closed] == [("番市监罚〔2026〕3号", "refused")]


def test_list_table_and_show(cli_db: str) -> None:
    table = run("list")
    assert table.exit_code == 0, table.output
    assert "番市监罚〔2026〕1号" in table.stdout and "待受理" in table.stdout and "是" in table.stdout
    first = json.loads(run("list", "--json").stdout)[0]["id"]
    shown = run("show", str(first), "--json")
    assert shown.exit_code == 0, shown.output
    detail = json.loads(shown.stdout)
    assert detail["contact"] == "13812345678" and [h["action"] for h in detail["history"]] == ["submit"]
    text = run("show", str(first))
    assert text.exit_code == 0 and "处罚决定已被撤销" in text.stdout and "提出异议" in text.stdout
    actions = [a for (a,) in rows(cli_db, select(AuditEvent.action))]
    assert actions.count("read.objection") == 2


def test_errors_exit_2(cli_db: str) -> None:
    missing = run("show", "424242")
    assert missing.exit_code == 2 and "异议 424242 不存在" in missing.stderr
    bad = run("list", "--status", "lost")
    assert bad.exit_code == 2 and "状态应为" in bad.stderr
