"""``xinyong integrity open|add|withdraw|check|show``: the console operator keeps a file and runs a check; ID
numbers only ever printed masked; bad input exits 2 with the reason. SQLite and PostgreSQL (``cli_db``)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from factories import ric
from xinyong.cli import app

NUMBER = ric("19870707", "071")


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["integrity", *args])
    return result.exit_code, result.stdout, result.stderr


def test_file_entries_check_and_show(cli_db: str) -> None:
    code, out, _ = _run("open", "--name", "黄公仆", "--ric", NUMBER, "--position", "科员", "--json")
    assert code == 0, out
    opened = json.loads(out)
    assert NUMBER not in out and opened["ric_masked"].endswith(NUMBER[-4:])
    fid = str(opened["id"])
    code, out, _ = _run(
        "add", "--file", fid, "--category", "false_declaration", "--title", "漏报房产", "--on", "2026-03-03", "--json"
    )
    assert code == 0 and json.loads(out)["adverse"] is True
    entry_id = str(json.loads(out)["id"])
    code, out, _ = _run(
        "add",
        "--file",
        fid,
        "--kind",
        "training",
        "--category",
        "online_course",
        "--title",
        "诚信专题",
        "--on",
        "2026-07-07",
        "--hours",
        "4",
    )
    assert code == 0 and "诚信教育培训" in out
    code, out, _ = _run(
        "check",
        "--name",
        "黄公仆",
        "--ric",
        NUMBER,
        "--purpose",
        "transfer",
        "--reason",
        "调任考察：拟调任区财政局",
        "--json",
    )
    assert code == 0, out
    first = json.loads(out)
    assert first["conclusion"] == "adverse" and first["sheet"]["training"]["met"] is True and NUMBER not in out
    code, out, _ = _run("withdraw", entry_id, "--reason", "经核实已如实补报")
    assert code == 0 and f"已撤回第 {entry_id} 号条目" in out
    code, out, _ = _run(
        "check", "--name", "黄公仆", "--ric", NUMBER, "--purpose", "transfer", "--reason", "调任考察：拟调任区财政局"
    )
    assert code == 0 and "未发现不良记录" in out and "ZWCX-2026-000002" in out
    code, out, _ = _run("show", fid)
    assert code == 0 and "已撤回" in out and "漏报房产" in out and NUMBER not in out
    code, out, _ = _run("show", first["sheet_no"], "--json")
    assert code == 0 and json.loads(out)["conclusion"] == "adverse"


def test_bad_input_exits_2(cli_db: str) -> None:
    code, _, err = _run("open", "--name", "某人", "--ric", "123456")
    assert code == 2 and "公民身份号码无效" in err
    code, _, err = _run(
        "check", "--name", "某人", "--ric", NUMBER, "--purpose", "promotion", "--reason", "2026年度晋升考察"
    )
    assert code == 2 and "核查用途应为" in err
    code, _, err = _run("check", "--name", "某人", "--ric", NUMBER, "--purpose", "recruitment", "--reason", "录用")
    assert code == 2 and "核查事由过短" in err
    code, _, err = _run("add", "--file", "999", "--category", "discipline", "--title", "x", "--on", "2026-02-30")
    assert code == 2 and "--on 应为 YYYY-MM-DD" in err
    code, _, err = _run("add", "--file", "999", "--category", "discipline", "--title", "x", "--on", "2026-02-03")
    assert code == 2 and "诚信档案 999 不存在" in err
    code, _, err = _run("show", "ZWCX-2026-999999")
    assert code == 2 and "不存在" in err
    code, _, err = _run("open", "--name", "某人", "--ric", NUMBER, "--body", "不存在的单位")
    assert code == 2 and "公共机构名录中没有" in err
