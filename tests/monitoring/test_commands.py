"""``xinyong monitoring``: run a month, show its scores, enter a manual value (bad input exits 2), the negative
check exits 0 when clean and 1 listing a planted record; on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import date

import pytest
from typer.testing import CliRunner, Result

from factories import departments
from records_factories import make_batch, make_record
from xinyong.cli import app
from xinyong.db.session import session_scope


def run(*args: str) -> Result:
    return CliRunner().invoke(app, ["monitoring", *args])


def test_run_scores_enter_and_negative_check(cli_db: str) -> None:
    done = run("run", "--month", "2026-11", "--json")
    assert done.exit_code == 0, done.output
    first = json.loads(done.output)
    assert first["month"] == "2026-11" and first["negative_ok"] is True

    entered = run(
        "enter",
        "security_done",
        "--unit",
        "440113",
        "--value",
        "100",
        "--evidence",
        "等保测评报告",
        "--month",
        "2026-11",
    )
    assert entered.exit_code == 0, entered.output
    assert f"已更新第 {first['id']} 次计算的得分" in entered.output
    shown = run("scores", "--month", "2026-11", "--json")
    assert json.loads(shown.output)["district_score"] == pytest.approx(first["district_score"] + 4)
    text = run("scores", "--month", "2026-11", "--unit", "440113008")
    assert text.exit_code == 0 and "沙头街道" in text.output and "信息安全管理情况" in text.output

    refused = run(
        "enter", "gongshi_volume", "--unit", "440113", "--value", "1", "--evidence", "手工数量", "--month", "2026-11"
    )
    assert refused.exit_code == 2 and "自动计算" in refused.output
    assert run("run", "--month", "2026-1").exit_code == 2
    assert run("scores", "--month", "2026-10").exit_code == 2  # not computed

    clean = run("negative-check")
    assert clean.exit_code == 0 and "检查通过" in clean.output
    with session_scope() as session:
        market, _ = departments(session)
        batch = make_batch(session, market, submitted_on=date(2026, 11, 20))
        make_record(session, batch, doc_no="番罚〔2026〕77号", decided_on=date(2026, 11, 2), category="无证养犬")
    dirty = run("negative-check")
    assert dirty.exit_code == 1
    assert "番罚〔2026〕77号" in dirty.output and "遛狗/养犬" in dirty.output
