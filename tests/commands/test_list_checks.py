"""``xinyong lists check / check-batch / feedback / rates / progress / ledger`` on SQLite and PostgreSQL: JSON and
text output, a department named with ``--department``, feedback recorded once, the ledger's exit code when a
task is overdue, bad input exiting 2 with the reason."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner, Result

from factories import company, departments, uscc
from list_factories import department, published_entry
from xinyong.auth.context import system_context
from xinyong.cli import app
from xinyong.db.session import make_engine
from xinyong.lists.models import CheckFeedback, ListCheck

DEBTOR = uscc(51)
CLEAN = uscc(52)


@pytest.fixture
def cli_db(cli_db: str) -> str:
    """An employer on the wage-arrears list, a clean firm, the departments."""
    engine = make_engine(cli_db)
    with Session(engine) as session:
        ctx = system_context(session, "setup")
        departments(session)
        department(session, "czj")
        published_entry(session, company(ctx, "广州命令行欠薪有限公司", 51), "wage_arrears")
        company(ctx, "广州命令行守法有限公司", 52)
        session.commit()
    engine.dispose()
    return cli_db


def run(*args: str) -> Result:
    return CliRunner().invoke(app, ["lists", *args])


def count(url: str, model: type) -> int:
    engine = make_engine(url)
    with Session(engine) as session:
        n = session.scalar(select(func.count()).select_from(model)) or 0
    engine.dispose()
    return n


def test_check_feedback_and_rates(cli_db: str) -> None:
    out = run("check", DEBTOR, "--scenario", "procurement", "--department", "czj", "--json")
    assert out.exit_code == 0, out.output
    body = json.loads(out.stdout)
    assert body["hit"] and body["department_name"] == "广州市番禺区财政局"
    assert [m["id"] for m in body["measures"]] == ["wage_procurement"]
    text = run("check", CLEAN, "--scenario", "procurement")
    assert text.exit_code == 0 and "未命中名单" in text.stdout and "广州命令行守法有限公司" in text.stdout
    listed = run("check", DEBTOR, "--scenario", "bidding")
    assert "命中名单" in listed.stdout and "wage_bidding" in listed.stdout and "xinyong lists feedback" in listed.stdout
    check_id = str(body["check_id"])
    not_said = run("feedback", check_id, "--measure", "wage_procurement")
    assert not_said.exit_code == 2 and "--applied" in not_said.stderr
    no_reason = run("feedback", check_id, "--measure", "wage_procurement", "--not-applied")
    assert no_reason.exit_code == 2 and "须说明原因" in no_reason.stderr
    done = run("feedback", check_id, "--measure", "wage_procurement", "--not-applied", "--reason", "已签约")
    assert done.exit_code == 0 and "未实施（已签约）" in done.stdout
    again = run("feedback", check_id, "--measure", "wage_procurement", "--applied")
    assert again.exit_code == 2 and "已反馈过" in again.stderr
    assert count(cli_db, CheckFeedback) == 1
    rates = run("rates", "--json")
    assert rates.exit_code == 0, rates.output
    by_name = {r["department_name"]: r for r in json.loads(rates.stdout)["rows"]}
    assert by_name["广州市番禺区财政局"]["feedback_rate"] == 1.0 and by_name["广州市番禺区财政局"]["not_applied"] == 1
    table = run("rates", "--from", "2026-11-01", "--to", "2026-11-27")
    assert table.exit_code == 0 and "合计" in table.stdout and "100.0%" in table.stdout


def test_bad_checks_exit_2(cli_db: str) -> None:
    assert "可用的场景" in run("check", DEBTOR, "--scenario", "nowhere").stderr
    bad = run("check", "91440113MA00000", "--scenario", "procurement")
    assert bad.exit_code == 2 and "无效" in bad.stderr
    assert run("check", DEBTOR, "--scenario", "procurement", "--as-of", "tomorrow").exit_code == 2
    unknown = run("check", DEBTOR, "--scenario", "procurement", "--department", "nowhere")
    assert unknown.exit_code == 2 and "部门代码" in unknown.stderr
    assert count(cli_db, ListCheck) == 0


def test_check_batch(cli_db: str, tmp_path: Path) -> None:
    codes = tmp_path / "codes.csv"
    codes.write_text(f"代码\n{DEBTOR}\nbad\n{CLEAN}\n{DEBTOR}\n", encoding="utf-8")
    out = run("check-batch", str(codes), "--scenario", "subsidies", "--json")
    assert out.exit_code == 0, out.output
    body = json.loads(out.stdout)
    assert (body["total"], body["checked"], body["hits"], body["invalid"]) == (4, 2, 2, 1)
    assert body["items"][3]["duplicate_of"] == 1
    text = run("check-batch", str(codes), "--scenario", "subsidies")
    assert text.exit_code == 0 and "无效" in text.stdout and "同第 1 行" in text.stdout
    assert count(cli_db, ListCheck) == 4
    missing = run("check-batch", str(tmp_path / "none.csv"), "--scenario", "subsidies")
    assert missing.exit_code == 2 and "无法读取文件" in missing.stderr


def test_progress_and_ledger(cli_db: str) -> None:
    fine = run("ledger")
    assert fine.exit_code == 0 and "逾期 0 项" in fine.stdout and "serious_financing" in fine.stdout
    late = run("ledger", "--as-of", "2027-01-01", "--overdue", "--json")
    assert late.exit_code == 1
    assert [r["id"] for r in json.loads(late.stdout)["measures"]] == ["serious_financing"]
    noted = run("progress", "serious_financing", "--note", "修订稿已印发", "--done", "--on", "2026-11-26")
    assert noted.exit_code == 0 and "已完成" in noted.stdout
    assert run("ledger", "--as-of", "2027-01-01").exit_code == 0
    shown = json.loads(run("ledger", "--json").stdout)
    row = next(r for r in shown["measures"] if r["id"] == "serious_financing")
    assert row["done"] and row["progress_note"] == "修订稿已印发"
    refused = run("progress", "wage_bidding", "--note", "x", "--done")
    assert refused.exit_code == 2 and "保留" in refused.stderr
    assert run("progress", "nothing", "--note", "x").exit_code == 2
