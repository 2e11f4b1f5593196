"""``xinyong government bodies add|list``, ``contracts add|import|list|alerts|done|default`` and ``records list``
against a migrated database (SQLite file and PostgreSQL schema): a body registered, a contract added with its terms
(inconsistent amounts exit 2 naming the difference), alerts as of a day, a payment recorded, an import file with a
bad row refused with one line per row and nothing stored, a declared default listed as a record."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner, Result

from government import gov_factories as g
from xinyong.cli import app


def run(*args: str) -> Result:
    return CliRunner().invoke(app, ["government", *args])


def test_bodies_add_and_list(cli_db: str) -> None:
    made = run(
        "bodies",
        "add",
        "--name",
        "广州市番禺区测试1街道办事处",
        "--uscc",
        g.body_uscc(1),
        "--kind",
        "organ",
        "--unit",
        g.SHIQIAO,
        "--json",
    )
    assert made.exit_code == 0, made.output
    body = json.loads(made.stdout)
    assert body["unit_code"] == g.SHIQIAO
    again = run(
        "bodies",
        "add",
        "--name",
        "广州市番禺区测试1街道办事处",
        "--uscc",
        g.body_uscc(1),
        "--kind",
        "organ",
        "--unit",
        g.SHIQIAO,
    )
    assert again.exit_code == 2 and "已在公共机构名录中" in again.stderr
    listed = run("bodies", "list", "--json")
    assert [b["name"] for b in json.loads(listed.stdout)] == ["广州市番禺区测试1街道办事处"]
    assert "测试1街道办事处" in run("bodies", "list", "--unit", g.SHIQIAO).stdout


def test_contracts_lifecycle(cli_db: str, tmp_path: Path) -> None:
    name = "广州市番禺区测试2街道办事处"
    assert (
        run("bodies", "add", "--name", name, "--uscc", g.body_uscc(2), "--kind", "organ", "--unit", g.SHIQIAO).exit_code
        == 0
    )
    base = [
        "contracts",
        "add",
        "--no",
        "PY-CLI-1",
        "--title",
        "社区微改造工程",
        "--body",
        name,
        "--party",
        "广州市番禺某建设有限公司",
        "--amount",
        "100000",
        "--signed-on",
        "2026-02-01",
        "--ends-on",
        "2026-12-31",
    ]
    bad = run(*base, "--term", "payment,2026-06-30,进度款,40000", "--term", "payment,2026-12-04,尾款,50000")
    assert bad.exit_code == 2 and "少 10,000.00 元" in bad.stderr
    made = run(
        *base,
        "--term",
        "milestone,2026-03-01,开工",
        "--term",
        "payment,2026-06-30,进度款,40000",
        "--term",
        "payment,2026-12-04,尾款,60000",
        "--json",
    )
    assert made.exit_code == 0, made.output
    contract = json.loads(made.stdout)
    assert [t["kind"] for t in contract["terms"]] == ["milestone", "payment", "payment"]
    alerts = json.loads(run("contracts", "alerts", "--as-of", "2026-11-27", "--json").stdout)
    assert [(a["seq"], a["kind"]) for a in alerts] == [(1, "overdue"), (2, "overdue"), (3, "due_soon")]
    paid = run("contracts", "done", str(contract["terms"][1]["id"]), "--on", "2026-07-01", "--paid", "10000")
    assert paid.exit_code == 0 and "部分支付，累计 10000.00 元" in paid.stdout
    listed = json.loads(run("contracts", "list", "--alert", "--json").stdout)
    assert listed[0]["paid"] == "10000.00"
    declared = run("contracts", "default", str(contract["id"]), "--reason", "进度款长期拖欠")
    assert declared.exit_code == 0 and "已认定违约" in declared.stdout
    records = json.loads(run("records", "list", "--body", name, "--json").stdout)
    assert len(records) == 1 and records[0]["amount"] == "90000.00"

    header = (
        "合同编号,合同名称,政府方名称,相对方名称,合同金额（元）,签订日期,"
        "节点序号,节点类型,节点说明,应履行日期,节点金额（元）"
    )
    file = tmp_path / "合同.csv"
    file.write_text(
        header + f"\nPY-CLI-2,合同二,{name},甲公司,100,2026-02-01,1,付款,首付,2026-13-01,100\n", encoding="utf-8"
    )
    refused = run("contracts", "import", str(file))
    assert refused.exit_code == 2 and "第 1 行 应履行日期" in refused.stderr
    assert len(json.loads(run("contracts", "list", "--json").stdout)) == 1
    file.write_text(
        header + f"\nPY-CLI-2,合同二,{name},甲公司,100,2026-02-01,1,付款,首付,2026-12-01,100\n", encoding="utf-8"
    )
    ok = run("contracts", "import", str(file), "--json")
    assert ok.exit_code == 0 and json.loads(ok.stdout)["contracts"] == 1
    assert run("contracts", "alerts", "--as-of", "bad").exit_code == 2
