"""``xinyong quality``: scorecard (table and --json), Excel export, reference lists; on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner, Result

from factories import departments
from quality.quality_data import Batches, reference, timeliness_data
from testdb import rows
from xinyong.auth.models import AuditEvent
from xinyong.cli import app
from xinyong.db.session import make_engine
from xinyong.quality.models import ReferenceDecision

KEYS = {
    "department",
    "code",
    "records",
    "validity_rate",
    "timeliness_rate",
    "late_rate",
    "completeness_rate",
    "omissions",
    "omission_rate",
    "correction_days",
    "score",
    "grade",
    "rank",
}


@pytest.fixture
def cli_db(cli_db: str) -> str:
    """The CLI's database with 市场监管局 and 司法局 and October 2026's data (tests/quality/quality_data.py)."""
    engine = make_engine(cli_db)
    with Session(engine) as session:
        scjgj, sfj = departments(session)
        timeliness_data(Batches(session), sfj, scjgj)
        reference(session, sfj, "R4", date(2026, 9, 1))
        session.commit()
    engine.dispose()
    return cli_db


def run(*args: str) -> Result:
    return CliRunner().invoke(app, ["quality", *args])


def test_scorecard_json_shape(cli_db: str) -> None:
    result = run("scorecard", "--month", "2026-10", "--json")
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert set(body) >= {"month", "item", "as_of", "departments"}
    assert (body["month"], body["item"], body["as_of"]) == ("2026-10", None, "2026-11-27")
    first, second = body["departments"]
    assert set(first) >= KEYS and set(second) >= KEYS
    assert (first["code"], first["rank"], first["score"], first["grade"]) == ("scjgj", 1, 100.0, "优秀")
    assert (second["code"], second["timeliness_rate"], second["late_rate"]) == ("sfj", 0.7, 0.3)
    assert second["omission_rate"] == 1.0 and second["correction_days"] is None
    penalty = json.loads(run("scorecard", "--month", "2026-10", "--item", "penalty", "--json").stdout)
    assert penalty["item"] == "penalty"
    empty = json.loads(run("scorecard", "--month", "2026-08", "--json").stdout)
    assert all(d["score"] is None and d["validity_rate"] is None for d in empty["departments"])
    [(action,), *_] = rows(cli_db, select(AuditEvent.action))
    assert action == "read.quality_scorecard"


def test_scorecard_table_and_errors(cli_db: str) -> None:
    result = run("scorecard", "--month", "2026-10")
    assert result.exit_code == 0, result.output
    assert "广州市番禺区司法局" in result.stdout and "70.00%" in result.stdout and "79.5" in result.stdout
    for args, fragment in (
        (("--month", "2026-13"), "月份超出范围"),
        (("--month", "2026-10", "--item", "nope"), "nope"),
        (("--month", "2026-10", "--as-of", "yesterday"), "--as-of"),
    ):
        bad = run("scorecard", *args)
        assert bad.exit_code == 2 and bad.stderr.startswith("错误: ") and fragment in bad.stderr
        assert "Traceback" not in bad.output


def test_export_writes_one_sheet_per_month(cli_db: str, tmp_path: Path) -> None:
    target = tmp_path / "通报.xlsx"
    result = run("export", "--month", "2026-09", "--month", "2026-10", "-o", str(target))
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(target)
    assert book.sheetnames == ["2026-09", "2026-10", "说明"]
    sheet = book["2026-10"]
    codes = {sheet.cell(row=r, column=3).value: r for r in range(4, sheet.max_row + 1)}
    assert sheet.cell(row=codes["sfj"], column=13).value == 79.5


def test_reference_file(cli_db: str, tmp_path: Path) -> None:
    good = tmp_path / "司法局台账.csv"
    good.write_text("文书号,决定日期,行政相对人名称\n番司罚〔2026〕1号,2026-10-09,某公司\n", encoding="utf-8")
    result = run("reference", "--item", "penalty", "--department", "sfj", str(good))
    assert result.exit_code == 0, result.output
    assert "新登记 1 行" in result.stdout and "司法局台账" in result.stdout
    again = run("reference", "--item", "penalty", "--department", "sfj", str(good), "--list-name", "再次")
    assert again.exit_code == 0 and "已登记 1 行" in again.stdout
    bad = tmp_path / "bad.csv"
    bad.write_text("文书号,决定日期\n番司罚〔2026〕2号,2026-02-30\n,2026-10-01\n", encoding="utf-8")
    refused = run("reference", "--item", "penalty", "--department", "sfj", str(bad))
    assert refused.exit_code == 2 and "未登记任何数据" in refused.stderr
    assert "第 1 行 决定日期：日期不存在" in refused.stderr and "第 2 行 文书号：不能为空" in refused.stderr
    unknown = run("reference", "--item", "penalty", "--department", "nobody", str(good))
    assert unknown.exit_code == 2 and "xinyong departments add" in unknown.stderr
    missing = run("reference", "--item", "penalty", "--department", "sfj", str(tmp_path / "none.csv"))
    assert missing.exit_code == 2 and "无法读取" in missing.stderr
    stored = rows(cli_db, select(ReferenceDecision.doc_no))
    assert sorted(r[0] for r in stored) == ["R4", "番司罚〔2026〕1号"]
