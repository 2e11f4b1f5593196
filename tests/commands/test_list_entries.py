"""``xinyong lists`` listing procedure commands (issue #7): propose → notice → decide → publish → remove, the
entry and entries reads, received-list imports and the expiry job; refusals exit 2 with the Chinese reason —
on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from typer.testing import CliRunner, Result

from factories import company, departments, ric, uscc
from list_factories import department
from xinyong.auth.context import system_context
from xinyong.cli import app
from xinyong.db.session import make_engine

FIRM = uscc(971)
NUMBER = ric("19830404", "246")


@pytest.fixture
def cli_db(cli_db: str) -> str:
    """The labour bureau and the market regulator, and an employer."""
    engine = make_engine(cli_db)
    with Session(engine) as session:
        departments(session)
        department(session, "rsj")
        company(system_context(session, "setup"), "广州命令行欠薪劳务有限公司", 971)
        session.commit()
    engine.dispose()
    return cli_db


def run(*args: str) -> Result:
    return CliRunner().invoke(app, ["lists", *args])


def test_an_employer_is_listed_and_removed_at_the_console(cli_db: str) -> None:
    made = run(
        "propose",
        "wage_arrears",
        FIRM,
        "--reasons",
        "拖欠15名农民工工资共计22万元",
        "--person",
        f"周某某:{NUMBER}",
        "--json",
    )
    assert made.exit_code == 0, made.output
    entry = json.loads(made.stdout)
    assert (entry["status"], entry["lock_version"]) == ("proposed", 1)
    eid = str(entry["id"])
    early = run("decide", eid, "--doc-no", "番人社决1号", "--decided-on", "2026-10-20")
    assert early.exit_code == 2 and "尚未送达列入前告知书" in early.stderr
    noticed = run("notice", eid, "--doc-no", "番人社告1号", "--served-on", "2026-09-29")
    assert noticed.exit_code == 0 and "陈述申辩期至 2026-10-12" in noticed.stdout
    too_soon = run("decide", eid, "--doc-no", "番人社决1号", "--decided-on", "2026-10-12")
    assert too_soon.exit_code == 2 and "陈述申辩期至 2026-10-12 届满，届满后方可作出列入决定" in too_soon.stderr
    stale = run("decide", eid, "--doc-no", "番人社决1号", "--decided-on", "2026-10-13", "--version", "1")
    assert stale.exit_code == 2 and "已被他人处理或更新" in stale.stderr
    assert run("decide", eid, "--doc-no", "番人社决1号", "--decided-on", "2026-10-13").exit_code == 0
    assert run("publish", eid, "--published-on", "2026-10-14").exit_code == 0
    refused = run(
        "remove",
        eid,
        "--reason",
        "early_removal",
        "--note",
        "已清偿",
        "--corrected-on",
        "2026-06-01",
        "--commitment",
        "承诺按时支付工资",
    )
    assert refused.exit_code == 2 and "2026-12-01 起方可移出" in refused.stderr
    removed = run(
        "remove",
        eid,
        "--reason",
        "early_removal",
        "--note",
        "已清偿",
        "--corrected-on",
        "2026-05-20",
        "--commitment",
        "承诺按时支付工资",
    )
    assert removed.exit_code == 0 and "已移出（提前移出）" in removed.stdout

    shown = run("entry", eid, "--json")
    detail = json.loads(shown.stdout)
    assert [h["action"] for h in detail["history"]] == ["propose", "notice", "decide", "publish", "remove"]
    assert detail["responsible_persons"][0]["subject_name"] == "周某某" and NUMBER not in shown.stdout
    text = run("entry", eid)
    assert text.exit_code == 0 and "告知：番人社告1号" in text.stdout and "责任人：条目" in text.stdout
    listed = json.loads(run("entries", "--list", "wage_arrears", "--json").stdout)
    assert listed["total"] == 1 and listed["items"][0]["removal_reason"] == "early_removal"
    assert "命令行欠薪" in run("entries").stdout


def test_bad_input_exits_2(cli_db: str) -> None:
    assert run("notice", "999", "--doc-no", "x").exit_code == 2
    bad_day = run("publish", "1", "--published-on", "明天")
    assert bad_day.exit_code == 2 and "--published-on 应为日期" in bad_day.stderr
    unknown = run("propose", "no_such_list", FIRM, "--reasons", "x")
    assert unknown.exit_code == 2 and "未知的名单类型" in unknown.stderr
    missing = run("propose", "wage_arrears", uscc(972), "--reasons", "x")
    assert missing.exit_code == 2 and "--subject-name" in missing.stderr


def test_import_and_expire(cli_db: str, tmp_path: Path) -> None:
    header = "统一社会信用代码,名称,列入日期,列入原因,作出决定机关,决定文书号,移出日期\n"
    good = (
        f"{FIRM},广州命令行欠薪劳务有限公司,2023-01-02,提交虚假材料,广州市番禺区市场监督管理局,穗番市监严〔2023〕1号,\n"
    )
    bad = "91440113MA00000000,坏码公司,2023-01-02,提交虚假材料,广州市番禺区市场监督管理局,穗番市监严〔2023〕2号,\n"
    path = tmp_path / "严重违法失信名单.csv"
    path.write_bytes((header + good + bad).encode("gbk"))
    rejected = run("import", "samr_serious_illegal", str(path), "--source-ref", "第1批")
    assert rejected.exit_code == 2 and "第 2 行 统一社会信用代码：代码无效" in rejected.stderr
    partial = run("import", "samr_serious_illegal", str(path), "--source-ref", "第1批", "--partial", "--json")
    assert partial.exit_code == 0 and (json.loads(partial.stdout)["added"], json.loads(partial.stdout)["rejected"]) == (
        1,
        1,
    )
    again = run("import", "samr_serious_illegal", str(path), "--source-ref", "第1批", "--partial")
    assert again.exit_code == 0 and "新增 0" in again.stdout and "未变化 1" in again.stdout
    expired = run("expire", "--as-of", "2026-11-27", "--json")
    assert json.loads(expired.stdout) == {"as_of": "2026-11-27", "expired": 1}  # 36 months from 2023-01-02
    assert json.loads(run("expire", "--as-of", "2026-11-27", "--json").stdout)["expired"] == 0
