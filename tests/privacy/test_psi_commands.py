"""``xinyong privacy``: rebuild every scope or one (an unchanged set is skipped, ``--force`` rotates the key), show
the scopes and the exchange log; an unknown scope or a malformed day exits 2 with the reason; on SQLite and
PostgreSQL."""

from __future__ import annotations

import json

from typer.testing import CliRunner, Result

from factories import company
from list_factories import published_entry
from xinyong.auth.context import system_context
from xinyong.cli import app
from xinyong.db.session import session_scope


def run(*args: str) -> Result:
    return CliRunner().invoke(app, ["privacy", *args])


def test_rebuild_sets_and_exchanges(cli_db: str) -> None:
    with session_scope() as session:
        firm = company(system_context(session), "命令行测试有限公司", 9301)
        published_entry(session, firm, "wage_arrears")
    done = run("rebuild", "--json")
    assert done.exit_code == 0, done.output
    built = {r["scope"]: r for r in json.loads(done.output)}
    assert built["lists_dishonesty"]["built"] and built["lists_dishonesty"]["elements"] == 1
    again = run("rebuild", "--scope", "lists_dishonesty")
    assert again.exit_code == 0 and "未变化，仍为第 1 版" in again.output
    forced = run("rebuild", "--scope", "lists_dishonesty", "--force")
    assert forced.exit_code == 0 and "已编制第 2 版" in forced.output
    shown = run("sets", "--json")
    assert {r["scope"]: r["version"] for r in json.loads(shown.output)}["lists_dishonesty"] == 2
    assert run("exchanges").exit_code == 0
    unknown = run("rebuild", "--scope", "nope")
    assert unknown.exit_code == 2 and "未知的求交范围" in unknown.stderr
    bad_day = run("rebuild", "--as-of", "2026-13-01")
    assert bad_day.exit_code == 2 and "YYYY-MM-DD" in bad_day.stderr
