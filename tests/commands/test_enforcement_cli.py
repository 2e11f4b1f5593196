"""``xinyong enforcement import | list | rectify | close | summary`` against a migrated database (SQLite file and
PostgreSQL schema): a notice of three town cases imported, listed, rectified and closed; a refused file exits 2 with
one line per row error, writes the rejected rows, and stores nothing."""

from __future__ import annotations

import json
from pathlib import Path

from openpyxl import load_workbook
from typer.testing import CliRunner, Result

from government.enforcement_data import PERIOD, csv_bytes, row, towns
from xinyong.auth.context import system_context
from xinyong.cli import app
from xinyong.db.session import session_scope
from xinyong.government.models import PublicBody

COURT = "番禺区人民法院"


def run(*args: str) -> Result:
    return CliRunner().invoke(app, ["enforcement", *args])


def seed_towns() -> list[PublicBody]:
    with session_scope() as session:
        offices = towns(system_context(session, "seed"))
        session.expunge_all()
        return offices


def test_import_list_rectify_close_summary(cli_db: str, tmp_path: Path) -> None:
    offices = seed_towns()
    notice = tmp_path / "notice.csv"
    notice.write_bytes(csv_bytes([row(b, i) for i, b in enumerate(offices, start=1)], "gbk"))
    made = run("import", "--period", PERIOD, "--court", COURT, str(notice), "--json")
    assert made.exit_code == 0, made.output
    result = json.loads(made.stdout)
    assert result["notice"]["cases"] == 3 and result["notice"]["court"] == COURT
    again = run("import", "--period", PERIOD, "--court", COURT, str(notice))
    assert again.exit_code == 2 and "不能重复导入" in again.stderr
    listed = run("list", "--period", PERIOD)
    assert listed.exit_code == 0 and "共 3 件" in listed.stdout and listed.stdout.count("市桥街道") == 2
    first = result["case_ids"][0]
    fixed = run("rectify", str(first), "--note", "已支付执行款", "--evidence", "凭证1号", "--json")
    assert fixed.exit_code == 0 and json.loads(fixed.stdout)["status"] == "rectifying"
    closed = run("close", str(first), "--outcome", "执行完毕", "--on", "2026-11-26")
    assert closed.exit_code == 0 and "已结案：执行完毕（2026-11-26）" in closed.stdout
    bad = run("close", str(first), "--outcome", "执行完毕")
    assert bad.exit_code == 2 and "已结案" in bad.stderr
    summary = json.loads(run("summary", "--period", "2026-11", "--json").stdout)
    assert summary["total"]["closed"] == 1 and summary["total"]["open_at_end"] == 2
    text = run("summary", "--period", PERIOD)
    assert text.exit_code == 0 and "合计\t3\t0\t3" in text.stdout
    assert run("list", "--status", "bogus").exit_code == 2


def test_refused_file_exits_2_and_writes_the_rejected_rows(cli_db: str, tmp_path: Path) -> None:
    a, _, _ = seed_towns()
    notice = tmp_path / "bad.csv"
    notice.write_bytes(csv_bytes([row(a, 1), row(a, 1)]))
    out = tmp_path / "rejected.xlsx"
    refused = run("import", "--period", PERIOD, "--court", COURT, str(notice), "--rejected", str(out), "--json")
    assert refused.exit_code == 2
    assert "第 1 行 案号" in refused.stderr and "第 2 行 案号" in refused.stderr
    assert [e["row"] for e in json.loads(refused.stdout)["errors"]] == [1, 2]
    sheet = load_workbook(out)["数据"]
    assert [r[-2] for r in sheet.iter_rows(min_row=2, values_only=True)] == ["1", "2"]
    assert "共 0 件" in run("list").stdout
