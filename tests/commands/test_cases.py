"""``xinyong cases``: register a case, work it through the six stages with a record link, show, list with counts
and filters, reassign, attach evidence, close early, and refusals exiting 2 with the Chinese reason — on SQLite and
PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from typer.testing import CliRunner, Result

from factories import company, departments
from records_factories import make_batch, make_record
from xinyong import clock
from xinyong.auth.context import system_context
from xinyong.cli import app
from xinyong.db.session import make_engine

PDF = b"%PDF-1.4\n%%EOF\n"
JUNE = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)


@pytest.fixture
def cli_db(cli_db: str) -> str:
    """Two departments, a firm with a penalty record and another firm with one."""
    engine = make_engine(cli_db)
    with Session(engine) as session:
        ctx = system_context(session, "setup")
        market, _ = departments(session)
        firm = company(ctx, "广州命令行核查有限公司", 901)
        other = company(ctx, "广州命令行无关有限公司", 902)
        batch = make_batch(session, market)
        make_record(session, batch, doc_no="番市监罚〔2026〕901号", decided_on=date(2026, 5, 6), subject=firm)
        make_record(
            session, batch, doc_no="番市监罚〔2026〕902号", decided_on=date(2026, 5, 6), subject=other, row_no=2
        )
        session.commit()
    engine.dispose()
    return cli_db


def run(*args: str) -> Result:
    return CliRunner().invoke(app, ["cases", *args])


def ok(*args: str) -> dict:
    result = run(*args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


OPEN = (
    "open", "--title", "拖欠货款拒不履行", "--source", "hotline_12345", "--source-ref", "GD12345-0901",
    "--summary", "反映该企业拖欠货款，法院判决后拒不履行。", "--department", "scjgj", "--owner", "王核查",
    "--subject-name", "广州某拖欠货款企业",
)  # fmt: skip


def test_a_case_from_registration_to_its_outcome(cli_db: str, tmp_path: Path) -> None:
    made = ok(*OPEN[:-2], "--subject", "1")
    assert (made["stage"], made["stage_due"], made["subject_name"], made["lock_version"]) == (
        "verify",
        "2026-12-18",
        "广州命令行核查有限公司",
        1,
    )
    case = str(made["id"])
    wrong = run("complete", case, "--note", "先记录", "--stage", "record")
    assert wrong.exit_code == 2 and "须按核查→记录→监管→惩戒→整改→教育的顺序" in wrong.stderr
    unsaid = run("complete", case, "--note", "核查中")
    assert unsaid.exit_code == 2 and "请写明核查结论" in unsaid.stderr
    moved = ok("complete", case, "--note", "核查属实", "--founded", "--next-owner", "赵记录")
    assert (moved["stage"], moved["owner"]) == ("record", "赵记录")
    elsewhere = run("complete", case, "--note", "记入", "--record", "2")
    assert elsewhere.exit_code == 2 and "不是本案当事人" in elsewhere.stderr
    assert ok("complete", case, "--note", "已记入信用记录", "--record", "1")["record_id"] == 1

    evidence = tmp_path / "tmp_case_evidence.pdf"
    evidence.write_bytes(PDF)
    attached = run("attach", case, str(evidence))
    assert attached.exit_code == 0 and "已上传材料" in attached.stdout
    missing = run("attach", case, "/nonexistent/proof.pdf")
    assert missing.exit_code == 2 and "无法读取文件" in missing.stderr

    reassigned = ok("reassign", case, "--owner", "孙监管", "--note", "换人")
    assert reassigned["owner"] == "孙监管"
    shown = run("show", case)
    assert shown.exit_code == 0, shown.output
    assert "1. 核查：已完成" in shown.stdout and "3. 监管：办理中" in shown.stdout
    assert "关联信用记录：" in shown.stdout and "番市监罚〔2026〕901号" in shown.stdout
    assert "tmp_case_evidence.pdf" in shown.stdout
    detail = ok("show", case)
    assert [h["action"] for h in detail["history"]] == ["open", "verify", "record", "attach", "reassign"]

    closed = ok("close", case, "--outcome", "transferred", "--note", "涉嫌犯罪，移送公安")
    assert (closed["stage"], closed["outcome"]) == ("closed", "transferred")
    again = run("complete", case, "--note", "还想办")
    assert again.exit_code == 2 and "已办结" in again.stderr


def test_the_last_stage_closes_with_an_outcome(cli_db: str) -> None:
    clock.set_clock(lambda: JUNE)  # 整改's 30 working days from late November would reach 2027
    case = str(ok(*OPEN)["id"])
    ok("complete", case, "--note", "属实", "--founded")
    for stage in ("record", "supervise", "punish", "rectify"):
        assert ok("complete", case, "--note", f"{stage} 已办理", "--stage", stage)["stage"] != stage
    unsaid = run("complete", case, "--note", "教育完成")
    assert unsaid.exit_code == 2 and "请选择办结结果" in unsaid.stderr
    done = ok("complete", case, "--note", "约谈并开展诚信教育", "--outcome", "punished")
    assert (done["stage"], done["outcome_label"], done["closed_on"]) == (
        "closed",
        "已惩戒，整改未到位（转入持续监管）",
        "2026-06-01",
    )


def test_list_filters_and_counts(cli_db: str) -> None:
    first = ok(*OPEN)["id"]
    second = ok(*OPEN[:6], "GD12345-0902", "--summary", "反映该企业欠款不还", *OPEN[9:])["id"]
    assert ok("complete", str(second), "--note", "不属实", "--unfounded")["outcome"] == "unfounded"
    listed = ok("list")
    assert [c["id"] for c in listed["cases"]] == [first, second]
    assert (listed["counts"]["open"], listed["counts"]["closed"]) == (1, 1)
    assert [c["id"] for c in ok("list", "--stage", "closed")["cases"]] == [second]
    assert ok("list", "--overdue")["cases"] == []
    assert [c["id"] for c in ok("list", "--overdue", "--as-of", "2026-12-31")["cases"]] == [first]
    assert [c["id"] for c in ok("list", "--department", "scjgj", "--subject", "2")["cases"]] == []
    table = run("list")
    assert table.exit_code == 0 and "办理中 1 件（核查 1" in table.stdout and "已办结 1 件" in table.stdout
    for args, words in (
        (("list", "--stage", "nowhere"), "环节应为"),
        (("list", "--as-of", "明天"), "--as-of 应为日期"),
        (("list", "--department", "nowhere"), "部门代码 'nowhere' 未登记"),
        (("show", "987654"), "失信案例 987654 不存在"),
        (("open", *OPEN[1:3], "--source", "rumour", *OPEN[5:]), "案件来源无效"),
        (("close", str(first), "--outcome", "rectified", "--note", "整改"), "区信用办办结的结果应为"),
    ):
        refused = run(*args)
        assert refused.exit_code == 2, (args, refused.output)
        assert words in refused.stderr, (args, refused.stderr)
    rules = run("rules")
    assert rules.exit_code == 0 and "核查" in rules.stdout and "hotline_12345" in rules.stdout
    assert [s["code"] for s in ok("rules")["stages"]][-1] == "educate"
