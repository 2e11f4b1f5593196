"""``xinyong arrears add | pay | list | summary | complaints`` against a migrated database (SQLite file and
PostgreSQL schema): an SOE entry recorded by name, paid in two parts, the new-arrears figure back to zero as of the
last payment day (still one the day before); bad input exits 2 with the reason."""

from __future__ import annotations

import json
from decimal import Decimal

from typer.testing import CliRunner, Result

from government import gov_factories as g
from xinyong.auth.context import system_context
from xinyong.cli import app
from xinyong.db.session import session_scope
from xinyong.government import arrears
from xinyong.government.arrears_schemas import ComplaintIn


def run(*args: str) -> Result:
    return CliRunner().invoke(app, ["arrears", *args])


def seed_soe() -> str:
    with session_scope() as session:
        ctx = system_context(session, "seed")
        body = g.soe(ctx)
        arrears.file_complaint(
            ctx,
            ComplaintIn(
                complainant_name="番禺某小微企业", debtor_name=body.name, amount=Decimal(10), description="未付"
            ),
        )
        return body.name


def test_add_pay_list_summary(cli_db: str) -> None:
    name = seed_soe()
    made = run(
        "add",
        "--debtor",
        name,
        "--creditor",
        "番禺某电子公司",
        "--amount",
        "1200.50",
        "--arose-on",
        "2026-02-01",
        "--json",
    )
    assert made.exit_code == 0, made.output
    entry = json.loads(made.stdout)
    assert entry["debtor_kind"] == "soe" and entry["amount"] == "1200.50"
    assert run("pay", str(entry["id"]), "--amount", "200.50", "--paid-on", "2026-10-01").exit_code == 0
    paid = run("pay", str(entry["id"]), "--amount", "1000", "--paid-on", "2026-11-03", "--json")
    assert paid.exit_code == 0 and json.loads(paid.stdout)["status"] == "cleared"
    listed = run("list", "--status", "cleared")
    assert listed.exit_code == 0 and "共 1 条" in listed.stdout and "番禺某电子公司" in listed.stdout
    after = json.loads(run("summary", "--as-of", "2026-11-03", "--json").stdout)
    before = json.loads(run("summary", "--as-of", "2026-11-02", "--json").stdout)
    assert after["new_arrears"]["count"] == 0 and before["new_arrears"]["count"] == 1
    assert before["new_arrears"]["amount"] == "1000.00"
    text = run("summary", "--as-of", "2026-11-02")
    assert text.exit_code == 0 and "2026 年新增拖欠：1 笔" in text.stdout and "未清零" in text.stdout
    complaints = run("complaints", "--status", "received", "--json")
    assert complaints.exit_code == 0 and json.loads(complaints.stdout)[0]["complainant_name"] == "番禺某小微企业"


def test_bad_input_exits_2(cli_db: str) -> None:
    name = seed_soe()
    unknown = run(
        "add", "--debtor", "未登记的某公司", "--creditor", "某企业", "--amount", "1", "--arose-on", "2026-01-01"
    )
    assert unknown.exit_code == 2 and "不在公共机构名录中" in unknown.stderr
    negative = run("add", "--debtor", name, "--creditor", "某企业", "--amount", "-1", "--arose-on", "2026-01-01")
    assert negative.exit_code == 2 and "--amount" in negative.stderr
    bad_day = run("summary", "--as-of", "2026-13-01")
    assert bad_day.exit_code == 2 and "YYYY-MM-DD" in bad_day.stderr
    made = json.loads(
        run(
            "add", "--debtor", name, "--creditor", "某企业", "--amount", "5", "--arose-on", "2026-01-01", "--json"
        ).stdout
    )
    over = run("pay", str(made["id"]), "--amount", "6", "--paid-on", "2026-02-01")
    assert over.exit_code == 2 and "超过尚欠金额" in over.stderr
