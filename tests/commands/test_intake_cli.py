"""``xinyong intake load`` / ``batches`` / ``show`` end to end through the CLI; SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner, Result

from factories import uscc
from intake_rows import PENALTY_LABEL, penalty_row
from testdb import rows
from xinyong.auth.models import AuditEvent
from xinyong.cli import app
from xinyong.intake.models import IntakeBatch
from xinyong.records.models import CreditRecord
from xinyong.settings import get_settings

LABEL = PENALTY_LABEL
DEPT_USCC = uscc(9101, authority="1", org_type="1")
SUMMARY_KEYS = {"batch_id", "accepted", "rejected", "unchanged", "warnings", "errors"}


def run(*args: str) -> Result:
    return CliRunner().invoke(app, list(args))


@pytest.fixture
def cli_db(cli_db: str) -> str:
    """The CLI's database with 广州市番禺区市场监督管理局 registered as ``scjgj``."""
    result = run("departments", "add", "scjgj", "广州市番禺区市场监督管理局", "--uscc", DEPT_USCC)
    assert result.exit_code == 0, result.output
    return cli_db


def penalty(n: int, **over: str) -> dict[str, str]:
    source = {"source_department": "广州市番禺区市场监督管理局", "source_department_uscc": DEPT_USCC}
    return penalty_row(n, DEPT_USCC, **{**source, **over})


def write_csv(path: Path, data: list[dict[str, str]], encoding: str = "utf-8") -> Path:
    headers = list(data[0])
    lines = [",".join(headers)] + [",".join(row[h] for h in headers) for row in data]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def count(url: str, model: type) -> int:
    [(n,)] = rows(url, select(func.count()).select_from(model))
    return n


def test_load_gbk_csv_json_summary(cli_db: str, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "处罚.csv", [penalty(1), penalty(2)], encoding="gbk")
    result = run("intake", "load", "--item", "penalty", "--source-department", "scjgj", str(path), "--json")
    assert result.exit_code == 0, result.output
    assert "\\u" not in result.stdout and "广州市番禺区市场监督管理局" in result.stdout
    data = json.loads(result.stdout)
    assert set(data) >= SUMMARY_KEYS
    assert (data["accepted"], data["rejected"], data["unchanged"], data["status"]) == (2, 0, 0, "loaded")
    assert data["errors"] == [] and isinstance(data["warnings"], list)
    assert count(cli_db, CreditRecord) == 2
    [(channel, filename)] = rows(cli_db, select(IntakeBatch.channel, IntakeBatch.filename))
    assert (channel, filename) == ("cli", "处罚.csv")
    again = run("intake", "load", "--item", "penalty", "--source-department", DEPT_USCC, str(path), "--json")
    assert again.exit_code == 0 and json.loads(again.stdout)["unchanged"] == 2


def test_rejected_batch_exits_1_and_is_stored(cli_db: str, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "penalty.csv", [penalty(1), penalty(2, decided_on="2026/02/30")])
    result = run("intake", "load", "--item", "penalty", "--source-department", "scjgj", str(path), "--json")
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    assert (data["status"], data["accepted"], data["rejected"], data["held"]) == ("rejected", 0, 1, 1)
    [error] = data["errors"]
    assert set(error) == {"row", "field", "reason"} and (error["row"], error["field"]) == (2, "处罚决定日期")
    assert count(cli_db, CreditRecord) == 0
    assert rows(cli_db, select(IntakeBatch.status)) == [("rejected",)]
    assert ("intake.submit",) in rows(cli_db, select(AuditEvent.action))


def test_table_output_points_to_the_feedback(cli_db: str, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "penalty.csv", [penalty(1), penalty(2, fine_amount="-1")])
    result = run("intake", "load", "--item", "penalty", "--source-department", "scjgj", "--partial", str(path))
    assert result.exit_code == 1, result.output
    assert "退回（有错误）" in result.stdout and "罚款金额" in result.stdout
    [(batch_id,)] = rows(cli_db, select(IntakeBatch.id))
    assert f"xinyong intake feedback {batch_id}" in result.stdout
    assert count(cli_db, CreditRecord) == 1


def test_unregistered_department_unknown_item_and_missing_file_exit_2(cli_db: str, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "penalty.csv", [penalty(1)])
    result = run("intake", "load", "--item", "penalty", "--source-department", "nosuch", str(path))
    assert result.exit_code == 2 and "未登记" in result.stderr and "departments add" in result.stderr
    result = run("intake", "load", "--item", "nosuch", "--source-department", "scjgj", str(path))
    assert result.exit_code == 2 and "资源目录中没有数据项" in result.stderr
    result = run("intake", "load", "--item", "penalty", "--source-department", "scjgj", str(tmp_path / "none.csv"))
    assert result.exit_code == 2 and "无法读取文件" in result.stderr
    assert "Traceback" not in result.output
    assert count(cli_db, IntakeBatch) == 0


def test_batches_and_show(cli_db: str, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "penalty.csv", [penalty(1), penalty(2)])
    loaded = run("intake", "load", "--item", "penalty", "--source-department", "scjgj", str(path), "--json")
    batch_id = json.loads(loaded.stdout)["batch_id"]
    listed = run("intake", "batches", "--department", "scjgj", "--json")
    assert listed.exit_code == 0, listed.output
    [batch] = json.loads(listed.stdout)
    assert (batch["id"], batch["accepted"], batch["department_code"], batch["item_name"]) == (
        batch_id,
        2,
        "scjgj",
        "行政处罚信息",
    )
    assert run("intake", "batches").exit_code == 0
    shown = run("intake", "show", str(batch_id), "--json")
    assert shown.exit_code == 0 and json.loads(shown.stdout) == json.loads(loaded.stdout)
    table = run("intake", "show", str(batch_id))
    assert table.exit_code == 0 and f"报送批次 {batch_id}" in table.stdout
    missing = run("intake", "show", "999999")
    assert missing.exit_code == 2 and "不存在" in missing.stderr


def test_file_over_the_configured_limit_is_a_rejected_batch(
    cli_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_csv(tmp_path / "penalty.csv", [penalty(n) for n in range(1, 3000)])
    assert path.stat().st_size > 1024 * 1024
    monkeypatch.setenv("XINYONG_INTAKE_MAX_FILE_MB", "1")
    get_settings.cache_clear()
    result = run("intake", "load", "--item", "penalty", "--source-department", "scjgj", str(path), "--json")
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    assert data["status"] == "rejected" and "1 MB" in data["file_error"] and data["rows"] == 0
    assert count(cli_db, CreditRecord) == 0
