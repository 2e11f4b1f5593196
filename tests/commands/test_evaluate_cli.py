"""``xinyong evaluate``: run (--json shape, --all), explain and validate, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner, Result

from factories import company, departments, uscc
from records_factories import make_batch, make_record
from testdb import rows
from xinyong.auth.context import system_context
from xinyong.cli import app
from xinyong.db.session import make_engine
from xinyong.evaluation.models import EvaluationRun
from xinyong.evaluation.models_yaml import MODELS_DIR


@pytest.fixture
def cli_db(cli_db: str) -> str:
    """Two enterprises, one with a serious penalty decided 2026-06-01."""
    engine = make_engine(cli_db)
    with Session(engine) as session:
        ctx = system_context(session, "setup")
        scjgj, _ = departments(session)
        company(ctx, "广州命令行清白有限公司", 901)
        firm = company(ctx, "广州命令行处罚有限公司", 902)
        record = make_record(
            session,
            make_batch(session, scjgj),
            doc_no="番市监罚〔2026〕902号",
            decided_on=date(2026, 6, 1),
            subject=firm,
        )
        record.severity = "serious"
        session.commit()
    engine.dispose()
    return cli_db


def run(*args: str) -> Result:
    return CliRunner().invoke(app, ["evaluate", *args])


def test_run_json_has_exactly_the_documented_keys(cli_db: str) -> None:
    result = run("run", "--as-of", "2026-11-27", "--json")
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert set(body) == {"model", "version", "as_of", "subjects", "grades", "seconds"}
    assert (body["model"], body["version"], body["as_of"], body["subjects"]) == ("general", 2, "2026-11-27", 2)
    assert body["grades"] == {"A": 1, "B": 0, "C": 1, "D": 0}
    assert isinstance(body["seconds"], float)
    [(model, as_of, subjects)] = rows(cli_db, select(EvaluationRun.model, EvaluationRun.as_of, EvaluationRun.subjects))
    assert (model, as_of, subjects) == ("general", date(2026, 11, 27), 2)
    before = json.loads(run("run", "--as-of", "2026-05-31", "--model", "general", "--json").stdout)
    assert (before["model"], before["grades"]["A"]) == ("general", 2)


def test_run_all_prints_one_json_line_per_model(cli_db: str) -> None:
    result = run("run", "--as-of", "2026-11-27", "--all", "--json")
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(b["model"], b["version"], b["subjects"]) for b in lines] == [
        ("general", 2, 2),
        ("construction", 2, 0),
        ("fire_safety_service", 2, 0),
        ("off_campus_training", 2, 0),
    ]
    assert all(set(b) == {"model", "version", "as_of", "subjects", "grades", "seconds"} for b in lines)
    text = run("run", "--as-of", "2026-11-27", "--all")
    assert text.exit_code == 0 and len(text.stdout.splitlines()) == 4 and "模型 construction 第 2 版" in text.stdout
    both = run("run", "--as-of", "2026-11-27", "--all", "--model", "general")
    assert both.exit_code == 2 and "--all" in both.stderr


def test_validate_prints_json_markdown_and_tables(cli_db: str, tmp_path: Path) -> None:
    args = ("validate", "--from", "2026-05", "--to", "2026-06", "--horizon", "1")
    body = json.loads(run(*args, "--json").stdout)
    assert [m["grades"] for m in body["months"]] == [{"A": 2, "B": 0, "C": 0, "D": 0}, {"A": 1, "B": 0, "C": 1, "D": 0}]
    assert body["months"][0]["bad"]["A"] == 1 and body["transitions"][0]["kept"] == 1 and body["monotone"] is False
    markdown = run(*args, "--markdown")
    assert (
        markdown.exit_code == 0
        and markdown.stdout.startswith("## 企业公共信用综合评价")
        and "迁移矩阵" in markdown.stdout
    )
    table = run(*args)
    assert table.exit_code == 0 and "坏样本率" in table.stdout and "2026-06-30" in table.stdout
    changed = yaml.safe_load((MODELS_DIR / "general.yaml").read_text(encoding="utf-8"))
    changed["version"] = 2
    changed["grades"][0]["min"], changed["grades"][1]["below"] = 100.5, 100.5  # nobody reaches A any more
    copy = tmp_path / "general.yaml"
    copy.write_text(yaml.safe_dump(changed, allow_unicode=True), encoding="utf-8")
    other = json.loads(run(*args, "--model-file", str(copy), "--json").stdout)
    assert other["version"] == 2 and other["months"][0]["grades"] == {"A": 0, "B": 2, "C": 0, "D": 0}
    bad = run("validate", "--from", "2026-06", "--to", "2026-05")
    assert bad.exit_code == 2 and bad.stderr.startswith("错误: ") and "起始月份" in bad.stderr


def test_explain_names_the_record_behind_the_grade(cli_db: str) -> None:
    shown = run("explain", uscc(902), "--as-of", "2026-11-27", "--json")
    assert shown.exit_code == 0, shown.output
    body = json.loads(shown.stdout)
    assert (body["score"], body["grade"], body["grade_label"]) == (70.0, "C", "较高风险")
    serious = next(i for d in body["dimensions"] for i in d["indicators"] if i["code"] == "penalty_serious")
    assert [(r["doc_no"], r["points"]) for r in serious["records"]] == [("番市监罚〔2026〕902号", -30.0)]
    table = run("explain", uscc(902), "--as-of", "2026-11-27")
    assert table.exit_code == 0 and "番市监罚〔2026〕902号" in table.stdout and "70 分，C 级" in table.stdout


def test_bad_input_exits_2_with_a_reason(cli_db: str) -> None:
    for args, fragment in (
        (("run", "--as-of", "yesterday"), "--as-of"),
        (("run", "--as-of", "2026-11-27", "--model", "nonesuch"), "nonesuch"),
        (("explain", uscc(999), "--as-of", "2026-11-27"), "未找到"),
    ):
        bad = run(*args)
        assert bad.exit_code == 2 and bad.stderr.startswith("错误: ") and fragment in bad.stderr
        assert "Traceback" not in bad.output
