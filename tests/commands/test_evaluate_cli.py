"""``xinyong evaluate``: run (--json shape) and explain, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import date

import pytest
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
    assert (body["model"], body["version"], body["as_of"], body["subjects"]) == ("general", 1, "2026-11-27", 2)
    assert body["grades"] == {"A": 1, "B": 0, "C": 1, "D": 0}
    assert isinstance(body["seconds"], float)
    [(model, as_of, subjects)] = rows(cli_db, select(EvaluationRun.model, EvaluationRun.as_of, EvaluationRun.subjects))
    assert (model, as_of, subjects) == ("general", date(2026, 11, 27), 2)
    before = json.loads(run("run", "--as-of", "2026-05-31", "--model", "construction", "--json").stdout)
    assert (before["model"], before["grades"]["A"]) == ("construction", 2)


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
