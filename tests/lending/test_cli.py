"""``xinyong lending``: institutions add/list, products add/list, stats [--json]; bad input exits 2 with the
Chinese reason on stderr; on SQLite and PostgreSQL."""

from __future__ import annotations

import json

from typer.testing import CliRunner, Result

from xinyong.cli import app


def run(*args: str) -> Result:
    return CliRunner().invoke(app, ["lending", *args])


def test_institutions_products_and_stats(cli_db: str) -> None:
    added = run("institutions", "add", "--name", "广州农商银行番禺支行", "--uscc", "91440113MA59BK0001", "--json")
    assert added.exit_code == 0, added.output
    inst = json.loads(added.stdout)
    dup = run("institutions", "add", "--name", "广州农商银行番禺支行", "--uscc", "91440113MA59BK0001")
    assert dup.exit_code == 2 and "已登记" in dup.stderr and dup.stdout == ""
    bad_kind = run("institutions", "add", "--name", "乙", "--uscc", "91440113MA59BK0002", "--kind", "casino")
    assert bad_kind.exit_code == 2 and "机构类别" in bad_kind.stderr
    args = ["products", "add", "--institution", str(inst["id"]), "--name", "税信贷", "--loan-type", "credit"]
    ok = run(*args, "--rate-min", "3.45", "--rate-max", "4.35", "--amount-max", "500", "--term-months", "36")
    assert ok.exit_code == 0, ok.output
    bad = run(*args, "--rate-min", "5", "--rate-max", "4", "--amount-max", "500", "--term-months", "36")
    assert bad.exit_code == 2 and "利率上限不能低于下限" in bad.stderr
    nan = run(*args, "--rate-min", "x", "--rate-max", "4", "--amount-max", "500", "--term-months", "36")
    assert nan.exit_code == 2 and "--rate-min" in nan.stderr
    listed = run("products", "list")
    assert listed.exit_code == 0 and "税信贷" in listed.stdout and "3.45–4.35%" in listed.stdout
    assert "税信贷" not in run("products", "list", "--loan-type", "mortgage").stdout
    assert "在售产品 1" in run("institutions", "list").stdout
    stats = run("stats", "--by", "institution", "--json")
    assert stats.exit_code == 0, stats.output
    assert json.loads(stats.stdout)["total"]["registrations"] == 0
    assert "合计" in run("stats").stdout
    assert run("stats", "--by", "planet").exit_code == 2
