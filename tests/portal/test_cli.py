"""``xinyong portal``: articles created from a file (cleaning reported), published, listed, shown and withdrawn; a
selection opened, nominated, reviewed and published onto the red list; bad input exits 2 with the Chinese reason —
on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from typer.testing import CliRunner, Result

from factories import company, departments, uscc
from xinyong import clock
from xinyong.auth.context import system_context
from xinyong.cli import app
from xinyong.db.session import make_engine

LATER = datetime(2026, 12, 11, 2, 0, tzinfo=UTC)


@pytest.fixture
def cli_db(portal_cli_db: str) -> str:
    """Two departments and two firms."""
    engine = make_engine(portal_cli_db)
    with Session(engine) as session:
        ctx = system_context(session, "setup")
        departments(session)
        company(ctx, "广州命令行守约有限公司", 8501)
        company(ctx, "广州命令行重信有限公司", 8502)
        session.commit()
    engine.dispose()
    return portal_cli_db


def run(*args: str) -> Result:
    return CliRunner().invoke(app, ["portal", *args])


def ok(*args: str) -> dict:
    result = run(*args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_articles_on_the_command_line(cli_db: str, tmp_path: Path) -> None:
    body = tmp_path / "body.html"
    body.write_text('<p>诚信兴商<script>alert(1)</script></p><a href="javascript:x()">链接</a>', encoding="utf-8")
    saved = ok("articles", "create", "--kind", "campaign", "--title", "诚信兴商宣传月活动", "--file", str(body),
               "--campaign", "honest_commerce_month")  # fmt: skip
    article = saved["article"]
    assert article["status"] == "draft" and article["campaign"] == "诚信兴商宣传月"
    assert "<script" not in article["body_html"] and len(saved["warnings"]) == 2
    plain = run("articles", "create", "--kind", "news", "--title", "新闻", "--file", str(body), "--publish")
    assert (
        plain.exit_code == 0
        and "已保存 文章" in plain.stdout
        and "清理：删除了 <script> 元素及其全部内容" in plain.stdout
    )

    assert ok("articles", "publish", str(article["id"]))["status"] == "published"
    listed = ok("articles", "list", "--status", "published")
    assert listed["total"] == 2
    assert "诚信兴商" in run("articles", "show", str(article["id"])).stdout
    assert ok("articles", "withdraw", str(article["id"]), "--reason", "活动结束")["status"] == "withdrawn"

    for args, words in (
        (("articles", "create", "--kind", "blog", "--title", "T", "--file", str(body)), "文章类别应为"),
        (
            ("articles", "create", "--kind", "news", "--title", "T", "--file", str(tmp_path / "none.html")),
            "找不到正文文件",
        ),
        (("articles", "publish", "99999"), "文章 99999 不存在"),
        (("articles", "withdraw", str(article["id"]), "--reason", "再撤"), "只有已发布的文章可以撤下"),
        (("articles", "list", "--status", "deleted"), "文章状态应为"),
    ):
        result = run(*args)
        assert result.exit_code == 2, (args, result.output)
        assert words in result.stderr, (args, result.stderr)


def test_a_selection_on_the_command_line(cli_db: str) -> None:
    opened = ok("selections", "open", "--list", "contract_honouring", "--year", "2026", "--title",
                "2026年度守合同重信用企业评选", "--closes-on", "2026-12-10")  # fmt: skip
    selection = str(opened["id"])
    nominated = ok("selections", "nominate", selection, "--subject", uscc(8501), "--reason",
                   "合同管理制度健全，近三年无合同违法失信记录。")  # fmt: skip
    assert nominated["status"] == "nominated"
    twice = run("selections", "nominate", selection, "--subject", uscc(8501), "--reason", "再次推荐该企业，理由同前。")
    assert twice.exit_code == 2 and "同一主体只能推荐一次" in twice.stderr
    early = run("selections", "review", str(nominated["id"]), "--approve")
    assert early.exit_code == 2 and "截止后方可评审" in early.stderr
    assert run("selections", "review", str(nominated["id"])).exit_code == 2  # neither --approve nor --reject
    assert run("selections", "open", "--list", "wage_arrears", "--year", "2026", "--title", "T",
               "--closes-on", "2026-12-10").exit_code == 2  # fmt: skip
    assert run("selections", "open", "--list", "contract_honouring", "--year", "2026", "--title", "T",
               "--closes-on", "12/10").exit_code == 2  # fmt: skip

    clock.set_clock(lambda: LATER)
    assert ok("selections", "review", str(nominated["id"]), "--approve", "--note", "符合条件")["status"] == "approved"
    published = ok("selections", "publish", selection, "--doc-no", "番发改〔2026〕88号")
    assert published["status"] == "published" and published["winners"] == 1
    assert published["nominations_list"][0]["list_entry_id"] is not None
    shown = run("selections", "show", selection)
    assert shown.exit_code == 0 and "已公布并列入红名单" in shown.stdout and "番发改〔2026〕88号" in shown.stdout
    assert "已公布" in run("selections", "list").stdout
