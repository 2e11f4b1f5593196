"""``xinyong reports``: issue a special report with its PDF, verify it (exit 0 unchanged, 1 after a new penalty is
loaded, 2 unknown / forged / malformed), list, download again, rotate the key (old reports still verify), the
domains and the font — on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner, Result

from factories import company, departments, uscc
from records_factories import make_batch, make_record
from xinyong.auth.context import system_context
from xinyong.cli import app
from xinyong.db.session import make_engine
from xinyong.reports import fonts
from xinyong.subjects.models import Department, Subject

FIRM_CODE_N = 931


@pytest.fixture
def cli_db(cli_db: str) -> str:
    """The migrated CLI database (tests/conftest.py) with a firm holding one market-supervision penalty."""
    return _seeded(cli_db)


def _seeded(url: str) -> str:
    engine = make_engine(url)
    with Session(engine) as session:
        ctx = system_context(session, "setup")
        market, _ = departments(session)
        firm = company(ctx, "广州命令行报告有限公司", FIRM_CODE_N)
        make_record(
            session,
            make_batch(session, market),
            doc_no="番市监罚〔2025〕931号",
            decided_on=date(2025, 4, 1),
            subject=firm,
        )
        session.commit()
    engine.dispose()
    return url


def _add_penalty(url: str, doc_no: str) -> None:
    engine = make_engine(url)
    with Session(engine) as session:
        market = session.scalars(select(Department).where(Department.code == "scjgj")).one()
        firm = session.scalars(select(Subject).where(Subject.name == "广州命令行报告有限公司")).one()
        make_record(session, make_batch(session, market), doc_no=doc_no, decided_on=date(2026, 9, 1), subject=firm)
        session.commit()
    engine.dispose()


def run(*args: str) -> Result:
    return CliRunner().invoke(app, ["reports", *args])


def issue_special(tmp_path: Path) -> dict[str, object]:
    out = tmp_path / "report.pdf"
    result = run(
        "issue", uscc(FIRM_CODE_N), "--kind", "special", "--from", "2024-01-01", "--to", "2026-11-27",
        "--domain", "market_supervision", "--domain", "tax", "--pdf", str(out), "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF")
    shown = json.loads(result.stdout[result.stdout.index("{") :])
    assert shown["kind"] == "special" and shown["domain_labels"] == ["市场监管", "税务"]
    assert shown["purpose"] == "区信用办控制台出具"
    return shown


def test_issue_verify_and_facts_changed(cli_db: str, tmp_path: Path) -> None:
    shown = issue_special(tmp_path)
    number, code = str(shown["number"]), str(shown["check_code"])
    same = run("verify", number, "--code", code)
    assert same.exit_code == 0, same.output
    assert "真实有效" in same.output and "报告出具后相关信息未发生变化" in same.output
    _add_penalty(cli_db, "番市监罚〔2026〕932号")
    changed = run("verify", number, "--code", code, "--json")
    assert changed.exit_code == 1, changed.output
    body = json.loads(changed.stdout)
    assert body["facts_changed"] is True and body["changes"][0]["added"] == [
        "行政处罚信息 番市监罚〔2026〕932号（2026-09-01）"
    ]
    text = run("verify", number)
    assert text.exit_code == 1 and "市场监管 新增：行政处罚信息 番市监罚〔2026〕932号" in text.output


def test_unknown_forged_and_malformed_exit_2(cli_db: str, tmp_path: Path) -> None:
    shown = issue_special(tmp_path)
    unknown = run("verify", "PY-20261127-0000-0000-0000")
    assert unknown.exit_code == 2 and "查无此报告编号" in unknown.output
    code = str(shown["check_code"])
    forged = run("verify", str(shown["number"]), "--code", ("B" if code[0] == "A" else "A") + code[1:])
    assert forged.exit_code == 2 and "校验码与报告不符" in forged.output
    malformed = run("verify", "12345")
    assert malformed.exit_code == 2 and "报告编号格式不正确" in malformed.output
    bad = run("issue", "91440113MA0000931X", "--kind", "special", "--from", "2024-13-01")
    assert bad.exit_code == 2 and "--from 应为日期" in bad.output


def test_list_download_and_rotate_key(cli_db: str, tmp_path: Path) -> None:
    shown = issue_special(tmp_path)
    number = str(shown["number"])
    listed = run("list", "--json")
    assert listed.exit_code == 0 and json.loads(listed.stdout)["total"] == 1
    assert number in run("list").output
    html = tmp_path / "again.html"
    assert run("download", number, "--html", str(html)).exit_code == 0
    assert number in html.read_text(encoding="utf-8")
    assert run("download", number).exit_code == 2
    rotated = run("rotate-key")
    assert rotated.exit_code == 0 and "已停用" in rotated.output
    assert run("verify", number, "--code", str(shown["check_code"])).exit_code == 0
    assert "market_supervision" in run("domains").output


def test_build_font(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XINYONG_REPORT_FONT_DIR", str(tmp_path / "fonts"))
    original = fonts.build_subset
    monkeypatch.setattr(fonts, "build_subset", lambda target: original(target, ranges=((0x20, 0x7E),)))
    built = run("build-font")
    assert built.exit_code == 0 and "已生成" in built.output
    assert "已存在" in run("build-font").output
