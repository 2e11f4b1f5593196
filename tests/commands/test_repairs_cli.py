"""``xinyong repairs``: list (filters, --json), show (history and files), eligibility on a date; exit code 2 with
a Chinese reason for bad input (on SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy.orm import Session
from typer.testing import CliRunner, Result

from factories import company, departments
from repairs_factories import COMMITMENT, OBLIGATIONS, SIGNER, penalty_record, proof
from xinyong.auth.context import Context
from xinyong.cli import app
from xinyong.db.session import make_engine
from xinyong.records import repairs

runner = CliRunner()


@pytest.fixture
def setup(cli_db: str) -> dict[str, int]:
    """A submitted application on an eligible penalty, an accepted one, and a record not yet repairable."""
    engine = make_engine(cli_db)
    with Session(engine) as session:
        ctx = Context(session=session, actor="tester", role="system")
        dept, _ = departments(session)
        firm = company(ctx, "广州禾丰贸易有限公司", 701)
        first = penalty_record(session, dept, firm)
        second = penalty_record(session, dept, firm)
        young = penalty_record(session, dept, firm, decided_on=date(2026, 10, 9), min_end=date(2027, 1, 9))
        submitted = repairs.apply_for_repair(ctx, first.id, OBLIGATIONS, COMMITMENT, SIGNER, [proof()])
        accepted = repairs.apply_for_repair(ctx, second.id, OBLIGATIONS, COMMITMENT, SIGNER, [proof()])
        repairs.accept(ctx, accepted.id, accepted.lock_version)
        session.commit()
        ids = {"submitted": submitted.id, "accepted": accepted.id, "young": young.id, "first": first.id}
    engine.dispose()
    return ids


def run(*args: str) -> Result:
    return runner.invoke(app, ["repairs", *args])


def test_list_json_and_filters(setup: dict[str, int]) -> None:
    result = run("list", "--json")
    assert result.exit_code == 0, result.output
    page = json.loads(result.output)
    assert {r["id"] for r in page["items"]} == {setup["submitted"], setup["accepted"]}
    by_id = {r["id"]: r for r in page["items"]}
    assert by_id[setup["submitted"]]["due"] == "2026-12-02" and by_id[setup["accepted"]]["due"] == "2026-12-08"
    accepted = json.loads(run("list", "--status", "accepted", "--json").output)
    assert [r["id"] for r in accepted["items"]] == [setup["accepted"]]
    assert json.loads(run("list", "--overdue", "--json").output)["total"] == 0
    table = run("list")
    assert table.exit_code == 0 and "待受理" in table.output and "审核中" in table.output
    bad = run("list", "--status", "nonsense")
    assert bad.exit_code == 2 and "未知的申请状态" in bad.output


def test_show_gives_history_and_files(setup: dict[str, int]) -> None:
    result = run("show", str(setup["accepted"]), "--json")
    assert result.exit_code == 0, result.output
    detail = json.loads(result.output)
    assert [e["action"] for e in detail["history"]] == ["submit", "accept"]
    assert detail["files"][0]["filename"] == "履行完毕证明.pdf" and detail["commitment"]["signer_name"] == SIGNER
    text = run("show", str(setup["submitted"]))
    assert text.exit_code == 0 and "提交申请" in text.output and "履行完毕证明.pdf" in text.output
    missing = run("show", "999999")
    assert missing.exit_code == 2 and "未找到该信用修复申请" in missing.output


def test_eligibility_on_a_date(setup: dict[str, int]) -> None:
    young = run("eligibility", str(setup["young"]), "--as-of", "2027-01-09", "--json")
    assert young.exit_code == 0, young.output
    verdict = json.loads(young.output)
    assert verdict["eligible"] is False and "2027-01-10 起方可申请" in verdict["reasons"][0]
    later = json.loads(run("eligibility", str(setup["young"]), "--as-of", "2027-01-10", "--json").output)
    assert later["eligible"] is True
    busy = run("eligibility", str(setup["first"]), "--as-of", "2026-11-27")
    assert busy.exit_code == 0 and "✘ 没有正在办理的修复申请" in busy.output
    bad = run("eligibility", str(setup["young"]), "--as-of", "27.11.2026")
    assert bad.exit_code == 2 and "YYYY-MM-DD" in bad.output
    assert run("eligibility", "999999", "--as-of", "2026-11-27").exit_code == 2
