"""``xinyong incentives``: the scenario catalogue, providers add/list/suspend, stats (``--json``); bad input exits 2
with the reason on stderr; a provider token then names the registered provider. SQLite and PostgreSQL."""

from __future__ import annotations

import json

from typer.testing import CliRunner, Result

from factories import uscc
from xinyong.cli import app


def run(*args: str) -> Result:
    return CliRunner().invoke(app, list(args))


def test_scenarios_providers_stats(cli_db: str) -> None:
    listed = run("incentives", "scenarios", "--json")
    assert listed.exit_code == 0
    assert "rental_deposit_waiver" in {s["code"] for s in json.loads(listed.stdout)["scenarios"]}
    assert "信用+医疗" in run("incentives", "scenarios").stdout

    added = run("incentives", "providers", "add", "番禺安心租房", "--uscc", uscc(7001), "--kind", "rental", "--json")
    assert added.exit_code == 0, added.output
    provider = json.loads(added.stdout)
    assert provider["scenarios"] == ["rental_deposit_waiver"] and provider["active"] is True
    again = run("incentives", "providers", "add", "番禺安心租房", "--uscc", uscc(7001), "--kind", "rental")
    assert again.exit_code == 2 and "已登记" in again.stderr
    bad = run("incentives", "providers", "add", "某图书馆", "--uscc", uscc(7002), "--kind", "library")
    assert bad.exit_code == 2 and "服务方类型" in bad.stderr
    token = run(
        "tokens",
        "create",
        "租房系统",
        "--role",
        "provider",
        "--institution",
        "番禺安心租房",
        "--scope",
        "incentives.check",
    )
    assert token.exit_code == 0, token.output
    unregistered = run(
        "tokens", "create", "x", "--role", "provider", "--institution", "未登记", "--scope", "incentives.check"
    )
    assert unregistered.exit_code == 2 and "尚未登记" in unregistered.stderr

    assert run("incentives", "providers", "suspend", str(provider["id"])).exit_code == 0
    rows = json.loads(run("incentives", "providers", "list", "--json").stdout)
    assert [(p["name"], p["active"]) for p in rows] == [("番禺安心租房", False)]

    stats = run("incentives", "stats", "--json")
    assert stats.exit_code == 0 and json.loads(stats.stdout)["rows"] == []
    assert "信用+租赁" in run("incentives", "stats").stdout
    wrong = run("incentives", "stats", "--since", "2026-12-01", "--until", "2026-11-01")
    assert wrong.exit_code == 2 and "起始日期" in wrong.stderr
    assert run("incentives", "stats", "--since", "yesterday").exit_code == 2
