"""``xinyong campaigns create|list|show|add-target|progress|close`` and ``violators run|list`` against a migrated
database (SQLite file and PostgreSQL schema): penalties seeded, a detection run, its violators added to a campaign
that shows them; bad input exits 2 with the reason."""

from __future__ import annotations

import json
from datetime import date, timedelta

from typer.testing import CliRunner, Result

from campaigns import campaign_factories as cf
from xinyong.auth.context import system_context
from xinyong.cli import app
from xinyong.db.session import session_scope

AS_OF = date(2026, 11, 27)


def run(*args: str) -> Result:
    return CliRunner().invoke(app, ["campaigns", *args])


def seed() -> tuple[str, str]:
    """Two firms: one with three 罚款 of the market regulator in the window (a repeated violator), one with two."""
    with session_scope() as session:
        ctx = system_context(session, "seed")
        b = cf.batch(session, cf.market(session))
        hit, miss = cf.firm(ctx, 31), cf.firm(ctx, 32)
        cf.penalties(session, b, hit, [AS_OF - timedelta(days=d) for d in (10, 100, 400)])
        cf.penalties(session, b, miss, [AS_OF - timedelta(days=d) for d in (10, 100)])
        assert hit.uscc and miss.uscc
        return hit.uscc, miss.uscc


def test_journey_from_detection_to_the_campaign(cli_db: str) -> None:
    hit, miss = seed()
    assert "尚无检测批次" in run("violators", "list").stdout
    ran = run("violators", "run", "--as-of", "2026-11-27", "--json")
    assert ran.exit_code == 0, ran.output
    stored = json.loads(ran.stdout)
    assert (stored["subjects"], stored["min_count"], stored["window_days"]) == (1, 3, 730)
    listed = json.loads(run("violators", "list", "--json").stdout)
    assert [r["uscc"] for r in listed["rows"]] == [hit] and listed["run_id"] == stored["id"]
    ad_hoc = json.loads(run("violators", "list", "--min-count", "2", "--as-of", "2026-11-27", "--json").stdout)
    assert {r["uscc"] for r in ad_hoc["rows"]} == {hit, miss} and ad_hoc["run_id"] is None
    made = run(
        "create", "--code", "ZX-CLI-1", "--name", "疫情防控物资专项治理", "--sector", "epidemic_supplies",
        "--lead", "scjgj", "--unit", "sthjfj", "--starts-on", "2026-11-01", "--ends-on", "2026-12-31", "--json",
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    cid = str(json.loads(made.stdout)["id"])
    added = run("add-target", cid, "--from-run", str(stored["id"]), "--json")
    assert added.exit_code == 0 and json.loads(added.stdout)["added"] == 1
    manual = run("add-target", cid, "--uscc", miss, "--reason", "群众举报", "--json")
    assert manual.exit_code == 0, manual.output
    reported = run("progress", cid, "--unit", "sthjfj", "--note", "联合检查", "--figure", "subjects_checked=7")
    assert reported.exit_code == 0, reported.output
    shown = json.loads(run("show", cid, "--json").stdout)
    assert [v["uscc"] for v in shown["violators"]] == [hit]
    assert shown["violators"][0]["categories"][0]["penalties"] == 3
    assert shown["targets"] == 2
    assert {p["unit"]["code"]: p["figures"]["subjects_checked"] for p in shown["progress"]}["sthjfj"] == 7
    text = run("show", cid)
    assert "屡罚主体" in text.stdout and "罚款 3 次" in text.stdout
    assert "ZX-CLI-1" in run("list").stdout
    assert run("close", cid, "--result", "整改完成 1 家").exit_code == 0
    assert json.loads(run("list", "--status", "closed", "--json").stdout)[0]["code"] == "ZX-CLI-1"


def test_bad_input_exits_2(cli_db: str) -> None:
    bad_sector = run(
        "create", "--code", "ZX-CLI-2", "--name", "x", "--sector", "lottery", "--lead", "scjgj",
        "--starts-on", "2026-11-01", "--ends-on", "2026-12-31",
    )  # fmt: skip
    assert bad_sector.exit_code == 2 and "治理领域" in bad_sector.stderr
    assert run("violators", "run", "--min-count", "1").exit_code == 2
    assert run("violators", "run", "--as-of", "2026-13-01").exit_code == 2
    assert run("show", "999").exit_code == 2
    assert run("progress", "1", "--unit", "scjgj", "--note", "x", "--figure", "oops").exit_code == 2
